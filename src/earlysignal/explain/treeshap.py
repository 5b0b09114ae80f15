"""Fast, exact path-dependent TreeSHAP for LightGBM models.

The same numbers as LightGBM's ``predict(X, pred_contrib=True)`` and shap's ``TreeExplainer``
(path-dependent TreeSHAP: Lundberg, Erion and Lee, arXiv:1802.03888, Algorithm 2), computed in
the manner of "Fast TreeSHAP v2" (Yang 2021, arXiv:2109.09847): the work moves from explaining
each row to preparing the model once.

Why it is exact
---------------
Path-dependent TreeSHAP gives the Shapley values of the game ``v(S) = sum over leaves l of
value_l x prod over the unique features j on l's path of (o_j if j in S else z_j)``, where
``o_j`` is 1 when the row satisfies every condition on ``j`` along the path (repeated splits
combined) and ``z_j`` the product of those splits' cover ratios ``count(child) / count(node)``.
Each leaf's term is a game over its own ``d`` unique features; with ``w(s) = s! (d-1-s)! / d!``
and ``U`` the features whose conditions the row satisfies, let
``C_l(U) = value_l x sum over S subset of U of w(|S|) x prod over j not in S of z_j``
(``2^d`` numbers per leaf, from one sum-over-subsets transform). Then the leaf gives
``-C_l(U)`` to each path feature outside ``U`` and ``(1 - z_i) / z_i x C_l(U without i)`` to each
``i`` in ``U``: a function of the row only through the pattern ``U``.

So each leaf has a table over its ``2^d`` patterns. Small subtrees are merged into one table
indexed by the pattern at their root plus the row's direction at each of their own nodes (a
function of those bits alone, as every leaf below is), which cuts the table reads of the
benchmark model's 31-leaf trees to about a quarter. A row then costs, per tree, one routing
pass over the internal nodes and one table row per group: O(trees x leaves x d) instead of
LightGBM's O(trees x leaves x depth^2), for O(leaves x d x 2^d) memory.

Limits (each falls back to LightGBM's own ``pred_contrib``, tree by tree)
-------------------------------------------------------------------------
* ``max_unique_depth`` (default 12): a tree with a path of more unique features (``d``) would
  need leaf tables of ``2^d x d`` floats (384 KiB at 12, doubling with each feature).
* ``max_table_bytes`` (default 512 MiB): trees past this total are left to LightGBM.
* A split with an empty child (zero cover; ``(1 - z) / z`` undefined).
* Categorical splits are handled on x86-64 only, where LightGBM's float-to-int conversion sends
  NaN and values out of int range right; elsewhere such trees fall back.
* Whole models with more than one output, linear trees or averaged output (random forest mode)
  raise :class:`UnsupportedModelError`; :func:`earlysignal.explain.contributions` then hands
  them to LightGBM when ``method="auto"`` (which has no TreeSHAP for linear trees either).

Examples
--------
>>> import numpy as np, lightgbm as lgb
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(400, 3)); y = (X[:, 0] + rng.normal(size=400) > 0).astype(int)
>>> booster = lgb.train({"objective": "binary", "verbose": -1, "num_leaves": 7, "num_threads": 1},
...                     lgb.Dataset(X, y), num_boost_round=5)
>>> phi = shap_values(booster, X[:10])
>>> bool(np.allclose(phi, booster.predict(X[:10], pred_contrib=True), rtol=0, atol=1e-12))
True
"""

from __future__ import annotations

import hashlib
import platform
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from math import factorial
from typing import Any

import numpy as np

__all__ = [
    "DEFAULT_MAX_TABLE_BYTES",
    "DEFAULT_MAX_UNIQUE_DEPTH",
    "PreparedModel",
    "UnsupportedModelError",
    "cache_size",
    "clear_cache",
    "prepare",
    "shap_values",
]

DEFAULT_MAX_UNIQUE_DEPTH = 12
DEFAULT_MAX_TABLE_BYTES = 512 * 2**20
_HARD_MAX_UNIQUE_DEPTH = 20  # patterns are int32 bit masks; 2^20 x 20 floats is 160 MiB a leaf
# A subtree is merged into one table while its index has at most this many bits and its table
# at most this many floats (measured on the benchmark models: beyond, cache misses win).
_GROUP_MAX_BITS = 12
_GROUP_MAX_ENTRIES = 2**15
_CACHE_SIZE = 8
_ROW_CHUNK = 64

_MISSING = ("None", "Zero", "NaN")  # LightGBM's missing types
_KERNEL_ARRAYS = (
    "node_kind",
    "node_feature",
    "node_threshold",
    "node_nan_left",
    "node_zero_left",
    "node_left_slot",
    "node_right_slot",
    "node_bit",
    "node_cat_start",
    "node_cat_end",
    "cats",
    "group_slot",
    "group_bits",
    "group_node_start",
    "group_nodes",
    "group_feat_start",
    "group_feats",
    "group_table",
    "tables",
    "tree_node_start",
    "tree_group_start",
)


class UnsupportedModelError(ValueError):
    """The fast algorithm cannot explain this model (the message says why)."""


@dataclass(frozen=True)
class PreparedModel:
    """A LightGBM model prepared for fast TreeSHAP.

    Attributes
    ----------
    n_features
        Number of model features.
    n_trees
        Trees explained (as ``predict`` uses them: up to the best iteration when one is set).
    fast_trees
        Indices of the trees the fast algorithm explains (constant trees are not listed: they
        only add to the expected value).
    native_trees
        ``{tree index: reason}`` for the trees left to LightGBM's ``pred_contrib``.
    max_unique_depth
        Limit on unique features per path that the preparation used.
    table_bytes
        Memory of the tables.
    expected_value
        Sum of the expected values of the trees not left to LightGBM.
    """

    n_features: int
    n_trees: int
    fast_trees: tuple[int, ...]
    native_trees: dict[int, str]
    max_unique_depth: int
    table_bytes: int
    expected_value: float
    arrays: dict[str, np.ndarray] = field(repr=False)
    max_slots: int = 1
    max_internal: int = 1

    @property
    def native_runs(self) -> list[tuple[int, int]]:
        """``(start_iteration, num_iteration)`` runs of consecutive trees left to LightGBM."""
        runs: list[tuple[int, int]] = []
        for t in sorted(self.native_trees):
            if runs and runs[-1][0] + runs[-1][1] == t:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            else:
                runs.append((t, 1))
        return runs

    @property
    def implementation(self) -> str:
        """``"fast"``, ``"native"`` or ``"fast+native"`` (some trees each way)."""
        if not self.native_trees:
            return "fast"
        return "fast+native" if self.fast_trees else "native"


_cache: OrderedDict[tuple[str, int, int], PreparedModel] = OrderedDict()
_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every prepared model."""
    with _lock:
        _cache.clear()


def cache_size() -> int:
    """Number of prepared models held."""
    with _lock:
        return len(_cache)


def prepare(
    booster: Any,
    *,
    max_unique_depth: int = DEFAULT_MAX_UNIQUE_DEPTH,
    max_table_bytes: int = DEFAULT_MAX_TABLE_BYTES,
) -> PreparedModel:
    """Prepare a booster for :func:`shap_values`, or fetch it from the cache (keyed on the
    SHA-256 of its model string, so a refitted booster is prepared anew).

    Raises
    ------
    UnsupportedModelError
        For models the fast algorithm does not handle at all (more than one output, linear
        trees, averaged output).
    """
    if not 1 <= max_unique_depth <= _HARD_MAX_UNIQUE_DEPTH:
        raise ValueError(
            f"treeshap: max_unique_depth must be in 1..{_HARD_MAX_UNIQUE_DEPTH}, "
            f"got {max_unique_depth}"
        )
    text = booster.model_to_string()
    digest = hashlib.sha256(text.encode()).hexdigest()
    key = (digest, max_unique_depth, max_table_bytes)
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    made = _prepare(booster.dump_model(), _thresholds(text), max_unique_depth, max_table_bytes)
    with _lock:
        _cache[key] = made
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return made


# --------------------------------------------------------------------------- parsing


def _thresholds(model_string: str) -> dict[int, list[float]]:
    """Each tree's split thresholds, from the model string.

    ``dump_model()`` writes thresholds past +-1e300 as +-1e300 (JSON has no infinity), while a
    split that sends NaN one way and every number the other has an infinite threshold; the
    model string keeps the exact values (``inf`` included), at full precision.
    """
    out: dict[int, list[float]] = {}
    tree = -1
    for line in model_string.splitlines():
        if line.startswith("Tree="):
            tree = int(line[5:])
        elif line.startswith("threshold=") and tree >= 0:
            out[tree] = [float(v) for v in line[10:].split()]
        elif line.startswith("end of trees"):
            break
    return out


def _is_split(node: dict[str, Any]) -> bool:
    return "split_index" in node


def _count(node: dict[str, Any]) -> float:
    return float(node["internal_count"] if _is_split(node) else node["leaf_count"])


@dataclass
class _Leaf:
    value: float
    features: tuple[int, ...]  # the path's unique features, in order of first split
    zs: tuple[float, ...]  # their cover products


@dataclass
class _Tree:
    """One tree: internal nodes in preorder (pattern slots ``0..n-1``), leaves after them."""

    kind: list[int] = field(default_factory=list)
    feature: list[int] = field(default_factory=list)
    threshold: list[float] = field(default_factory=list)
    nan_left: list[int] = field(default_factory=list)
    zero_left: list[int] = field(default_factory=list)
    left_slot: list[int] = field(default_factory=list)
    right_slot: list[int] = field(default_factory=list)
    bit: list[int] = field(default_factory=list)
    depth_in: list[int] = field(default_factory=list)  # unique features above the node
    cats: list[list[float]] = field(default_factory=list)
    leaves: list[_Leaf] = field(default_factory=list)

    @property
    def n_internal(self) -> int:
        return len(self.kind)


def _flatten(
    root: dict[str, Any], exact: dict[int, float], max_unique_depth: int, on_x86: bool
) -> _Tree | str:
    """The tree in kernel order, or the reason the fast algorithm cannot take it. ``exact``:
    the model string's thresholds by split index."""
    tree = _Tree()
    # (node, parent's index, 0 left / 1 right child, unique features, their cover products)
    stack: list[tuple[dict[str, Any], int, int, tuple[int, ...], tuple[float, ...]]] = [
        (root, -1, 0, (), ())
    ]
    while stack:
        node, parent, side, feats, zs = stack.pop()
        if not _is_split(node):
            if "leaf_coeff" in node or "leaf_features" in node:
                return "linear tree"
            slot = ~len(tree.leaves)  # becomes n_internal + leaf index below
            tree.leaves.append(_Leaf(float(node["leaf_value"]), feats, zs))
        else:
            slot = tree.n_internal
        if parent >= 0:
            (tree.right_slot if side else tree.left_slot)[parent] = slot
        if not _is_split(node):
            continue
        f = int(node["split_feature"])
        tree.depth_in.append(len(feats))
        if f in feats:
            b = feats.index(f)
        else:
            b = len(feats)
            if b >= max_unique_depth:
                return (
                    f"a path has more than {max_unique_depth} unique features (leaf tables "
                    "grow as 2^d)"
                )
            feats = (*feats, f)
            zs = (*zs, 1.0)
        decision = node["decision_type"]
        missing = node.get("missing_type", "None")
        default_left = bool(node.get("default_left", True))
        if missing not in _MISSING:
            return f"unknown missing type {missing!r}"
        if decision == "<=":
            threshold = exact.get(int(node["split_index"]), float(node["threshold"]))
            tree.kind.append(1)
            tree.threshold.append(threshold)
            tree.cats.append([])
            # LightGBM's NumericalDecision: NaN becomes 0 unless the missing type is NaN; a
            # missing value (NaN for "NaN", zero for "Zero") takes the default direction
            zero_goes_left = default_left if missing == "Zero" else threshold >= 0.0
            nan_goes_left = zero_goes_left if missing == "None" else default_left
            tree.nan_left.append(int(nan_goes_left))
            tree.zero_left.append(int(zero_goes_left))
        elif decision == "==":
            if not on_x86:
                return (
                    "categorical split off x86-64 (LightGBM's routing of NaN there depends on "
                    "the platform's float-to-int conversion)"
                )
            tree.kind.append(2)
            tree.threshold.append(0.0)
            tree.cats.append(sorted(float(c) for c in str(node["threshold"]).split("||")))
            tree.nan_left.append(0)
            tree.zero_left.append(0)
        else:
            return f"unknown decision type {decision!r}"
        tree.feature.append(f)
        tree.left_slot.append(-1)
        tree.right_slot.append(-1)
        tree.bit.append(b)
        w = _count(node)
        zl = _count(node["left_child"]) / w if w > 0 else 0.0
        zr = _count(node["right_child"]) / w if w > 0 else 0.0
        if zl <= 0.0 or zr <= 0.0:
            return "a split with an empty child (zero cover)"
        # the left child is popped first: preorder, every parent before its children
        stack.append((node["right_child"], slot, 1, feats, (*zs[:b], zs[b] * zr, *zs[b + 1 :])))
        stack.append((node["left_child"], slot, 0, feats, (*zs[:b], zs[b] * zl, *zs[b + 1 :])))
    n = tree.n_internal
    tree.left_slot = [n + ~s if s < 0 else s for s in tree.left_slot]
    tree.right_slot = [n + ~s if s < 0 else s for s in tree.right_slot]
    return tree


def _expected(root: dict[str, Any]) -> float:
    """LightGBM's ``Tree::ExpectedValue``: leaves weighted by their share of the root count."""
    if not _is_split(root):
        return float(root["leaf_value"])
    total = float(root["internal_count"])
    out = 0.0
    stack = [root]
    while stack:
        node = stack.pop()
        if _is_split(node):
            stack.append(node["right_child"])
            stack.append(node["left_child"])
        else:
            out += float(node["leaf_count"]) / total * float(node["leaf_value"])
    return out


# --------------------------------------------------------------------------- tables


def _weights(d: int) -> np.ndarray:
    """``w(s) = s! (d - 1 - s)! / d!`` for ``s = 0..d-1``, and 0 for ``s = d``."""
    w = [factorial(s) * factorial(d - 1 - s) / factorial(d) for s in range(d)]
    return np.asarray([*w, 0.0], dtype=np.float64)


def _leaf_tables(zs: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``C(U)`` for every pattern ``U`` (bit mask) of leaves with the same ``d``: ``zs`` is
    ``(n_leaves, d)``, the result ``(n_leaves, 2^d)``."""
    n, d = zs.shape
    masks = np.arange(1 << d)
    bits = ((masks[:, None] >> np.arange(d)) & 1).astype(bool)  # (2^d, d)
    # g(S) = w(|S|) * prod_{j not in S} z_j
    g = np.where(bits[None, :, :], 1.0, zs[:, None, :]).prod(axis=2) * _weights(d)[bits.sum(1)]
    # sum over subsets, one bit at a time: g[.., U] += g[.., U without bit i] for U with bit i
    for i in range(d):
        view = g.reshape(n, -1, 2, 1 << i)
        view[:, :, 1, :] += view[:, :, 0, :]
    return np.asarray(g * values[:, None], dtype=np.float64)


def _leaf_phi(u: np.ndarray, ratios: np.ndarray, table: np.ndarray) -> np.ndarray:
    """The leaf's values for patterns ``u`` (``(m,)``): ``(m, d)``."""
    d = ratios.shape[0]
    one = np.left_shift(1, np.arange(d))
    on = (u[:, None] & one[None, :]) != 0
    phi = np.where(on, ratios[None, :] * table[u[:, None] ^ one[None, :]], -table[u][:, None])
    return np.asarray(phi, dtype=np.float64)


@dataclass
class _Group:
    slot: int
    bits: int  # pattern bits read at the root slot
    nodes: list[int]  # the group's own internal nodes (their routing bits follow)
    feats: list[int]
    table: np.ndarray  # (2^(bits + len(nodes)), len(feats))


def _groups(tree: _Tree, leaf_c: list[np.ndarray]) -> list[_Group]:
    """Merge small subtrees (see the module docstring) and build their tables."""
    n = tree.n_internal
    n_slots = n + len(tree.leaves)
    # bottom-up: in preorder a child's slot is after its parent's, and leaves come last
    mergeable = [False] * n_slots
    own: list[list[int]] = [[] for _ in range(n_slots)]
    feats: list[tuple[int, ...]] = [() for _ in range(n_slots)]
    for j, leaf in enumerate(tree.leaves):
        mergeable[n + j] = True
        feats[n + j] = leaf.features
    for k in range(n - 1, -1, -1):
        a, b = tree.left_slot[k], tree.right_slot[k]
        own[k] = [k, *own[a], *own[b]]
        feats[k] = tuple(dict.fromkeys((*feats[a], *feats[b])))
        bits = tree.depth_in[k] + len(own[k])
        mergeable[k] = (
            mergeable[a]
            and mergeable[b]
            and bits <= _GROUP_MAX_BITS
            and (1 << bits) * len(feats[k]) <= _GROUP_MAX_ENTRIES
        )
    roots: list[int] = []
    stack = [0]
    while stack:
        slot = stack.pop()
        if mergeable[slot]:
            roots.append(slot)
        else:
            stack.append(tree.right_slot[slot])
            stack.append(tree.left_slot[slot])
    groups = []
    for root in sorted(roots):
        d = tree.depth_in[root] if root < n else len(tree.leaves[root - n].features)
        nodes = own[root]
        position = {node: i for i, node in enumerate(nodes)}
        gfeats = list(feats[root])
        column = {f: i for i, f in enumerate(gfeats)}
        combos = np.arange(1 << (d + len(nodes)), dtype=np.int64)
        table = np.zeros((combos.shape[0], len(gfeats)), dtype=np.float64)
        # carry every combination's pattern down the group's subtree
        todo = [(root, combos & ((1 << d) - 1))]
        while todo:
            slot, u = todo.pop()
            if slot >= n:
                leaf = tree.leaves[slot - n]
                c = leaf_c[slot - n]
                ratios = np.asarray([(1.0 - z) / z for z in leaf.zs], dtype=np.float64)
                cols = [column[f] for f in leaf.features]
                table[:, cols] += _leaf_phi(u, ratios, c)
                continue
            went_left = ((combos >> (d + position[slot])) & 1) == 1
            lost = ~np.int64(1 << tree.bit[slot])
            # a feature first split here starts with its bit set (every condition so far met)
            u = u | np.int64(1 << tree.bit[slot]) if tree.bit[slot] >= tree.depth_in[slot] else u
            todo.append((tree.left_slot[slot], np.where(went_left, u, u & lost)))
            todo.append((tree.right_slot[slot], np.where(went_left, u & lost, u)))
        groups.append(_Group(root, d, nodes, gfeats, table))
    return groups


def _prepare(
    dump: dict[str, Any],
    thresholds: dict[int, list[float]],
    max_unique_depth: int,
    max_table_bytes: int,
) -> PreparedModel:
    if int(dump.get("num_tree_per_iteration", 1)) != 1 or int(dump.get("num_class", 1)) != 1:
        raise UnsupportedModelError(
            "treeshap: only single-output LightGBM models (binary, regression) are supported"
        )
    if dump.get("average_output"):
        raise UnsupportedModelError(
            "treeshap: averaged output (random forest mode) is not supported"
        )
    on_x86 = platform.machine().lower() in {"x86_64", "amd64", "i386", "i686", "x86"}
    n_features = int(dump["max_feature_idx"]) + 1
    infos = dump["tree_info"]
    fast: list[int] = []
    native: dict[int, str] = {}
    trees: list[_Tree] = []
    groups: list[list[_Group]] = []
    expected = 0.0
    used = 0
    for t, info in enumerate(infos):
        root = info["tree_structure"]
        if not _is_split(root):  # a constant tree: its value is part of the expected value
            if "leaf_coeff" in root:
                raise UnsupportedModelError("treeshap: linear trees are not supported")
            expected += float(root["leaf_value"])
            continue
        exact = dict(enumerate(thresholds.get(int(info.get("tree_index", t)), [])))
        tree = _flatten(root, exact, max_unique_depth, on_x86)
        if isinstance(tree, str):
            if tree == "linear tree":
                raise UnsupportedModelError("treeshap: linear trees are not supported")
            native[t] = tree
            continue
        leaf_c = _tables_for(tree.leaves)
        tree_groups = _groups(tree, leaf_c)
        size = sum(g.table.nbytes for g in tree_groups)
        if used + size > max_table_bytes:
            native[t] = f"table memory budget of {max_table_bytes} bytes reached"
            continue
        used += size
        fast.append(t)
        trees.append(tree)
        groups.append(tree_groups)
        expected += _expected(root)
    return _assemble(
        n_features, len(infos), fast, native, max_unique_depth, expected, trees, groups
    )


def _tables_for(leaves: list[_Leaf]) -> list[np.ndarray]:
    """Each leaf's ``C`` table (see the module docstring), leaves of one ``d`` at a time."""
    out: list[np.ndarray] = [np.zeros(0)] * len(leaves)
    by_d: dict[int, list[int]] = {}
    for i, leaf in enumerate(leaves):
        by_d.setdefault(len(leaf.features), []).append(i)
    for d, idx in by_d.items():
        zs = np.asarray([leaves[i].zs for i in idx], dtype=np.float64).reshape(len(idx), d)
        values = np.asarray([leaves[i].value for i in idx], dtype=np.float64)
        for i, row in zip(idx, _leaf_tables(zs, values), strict=True):
            out[i] = row
    return out


def _assemble(  # noqa: PLR0917
    n_features: int,
    n_trees: int,
    fast: list[int],
    native: dict[int, str],
    max_unique_depth: int,
    expected: float,
    trees: list[_Tree],
    groups: list[list[_Group]],
) -> PreparedModel:
    def joined(name: str, dtype: Any) -> np.ndarray:
        parts = [np.asarray(getattr(tree, name), dtype=dtype) for tree in trees]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    def starts(sizes: list[int]) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64)

    cat_lists = [c for tree in trees for c in tree.cats]
    cat_bounds = starts([len(c) for c in cat_lists])
    flat = [g for tree_groups in groups for g in tree_groups]
    table_sizes = [int(g.table.size) for g in flat]
    arrays: dict[str, np.ndarray] = {
        "node_kind": joined("kind", np.int8),
        "node_feature": joined("feature", np.int32),
        "node_threshold": joined("threshold", np.float64),
        "node_nan_left": joined("nan_left", np.int8),
        "node_zero_left": joined("zero_left", np.int8),
        "node_left_slot": joined("left_slot", np.int32),
        "node_right_slot": joined("right_slot", np.int32),
        "node_bit": joined("bit", np.int32),
        "node_cat_start": cat_bounds[:-1].astype(np.int32),
        "node_cat_end": cat_bounds[1:].astype(np.int32),
        "cats": np.asarray([v for c in cat_lists for v in c], dtype=np.float64),
        "group_slot": np.asarray([g.slot for g in flat], dtype=np.int32),
        "group_bits": np.asarray([g.bits for g in flat], dtype=np.int32),
        "group_node_start": starts([len(g.nodes) for g in flat]),
        "group_nodes": np.asarray([k for g in flat for k in g.nodes], dtype=np.int32),
        "group_feat_start": starts([len(g.feats) for g in flat]),
        "group_feats": np.asarray([f for g in flat for f in g.feats], dtype=np.int32),
        "group_table": starts(table_sizes)[:-1],
        "tables": (np.concatenate([g.table.ravel() for g in flat]) if flat else np.zeros(0)).astype(
            np.float64
        ),
        "tree_node_start": starts([tree.n_internal for tree in trees]),
        "tree_group_start": starts([len(tree_groups) for tree_groups in groups]),
    }
    return PreparedModel(
        n_features=n_features,
        n_trees=n_trees,
        fast_trees=tuple(fast),
        native_trees=native,
        max_unique_depth=max_unique_depth,
        table_bytes=int(arrays["tables"].nbytes),
        expected_value=expected,
        arrays=arrays,
        max_slots=max((t.n_internal + len(t.leaves) for t in trees), default=1),
        max_internal=max((t.n_internal for t in trees), default=1),
    )


# --------------------------------------------------------------------------- explaining


def _set_threads(n_jobs: int) -> int | None:
    """Set numba's thread count for this call; the previous count when it changed."""
    import numba

    nb: Any = numba
    previous = int(nb.get_num_threads())
    limit = int(nb.config.NUMBA_NUM_THREADS)
    wanted = limit if n_jobs <= 0 else min(n_jobs, limit)
    if wanted == previous:
        return None
    nb.set_num_threads(wanted)
    return previous


def shap_values(
    booster: Any,
    X: Any,
    *,
    n_jobs: int = 2,
    max_unique_depth: int = DEFAULT_MAX_UNIQUE_DEPTH,
    max_table_bytes: int = DEFAULT_MAX_TABLE_BYTES,
    allow_native: bool = True,
    prepared: PreparedModel | None = None,
) -> np.ndarray:
    """Path-dependent TreeSHAP values of a LightGBM booster, laid out like LightGBM's
    ``predict(X, pred_contrib=True)``: ``(n_rows, n_features + 1)``, the expected value last.

    Parameters
    ----------
    booster
        A fitted single-output ``lightgbm.Booster``.
    X
        ``(n_rows, n_features)`` numbers (NaN for missing) in the model's column order.
    n_jobs
        Threads (numba's, and LightGBM's for trees left to it); ``<= 0`` for all.
    max_unique_depth, max_table_bytes
        Trees past these limits are explained by LightGBM (see the module docstring).
    allow_native
        ``False``: raise :class:`UnsupportedModelError` rather than leave any tree to LightGBM.
    prepared
        The result of :func:`prepare` (default: prepared, or fetched from the cache).
    """
    model = (
        prepared
        if prepared is not None
        else prepare(booster, max_unique_depth=max_unique_depth, max_table_bytes=max_table_bytes)
    )
    if model.native_trees and not allow_native:
        t, reason = min(model.native_trees.items())
        raise UnsupportedModelError(
            f"treeshap: {len(model.native_trees)} of {model.n_trees} trees need LightGBM's own "
            f"pred_contrib (tree {t}: {reason})"
        )
    x = np.ascontiguousarray(X, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != model.n_features:
        raise ValueError(f"treeshap: X must be (n_rows, {model.n_features}), got {x.shape}")
    out = np.zeros((x.shape[0], model.n_features + 1), dtype=np.float64)
    if x.shape[0] == 0:
        return out
    if model.fast_trees:
        from earlysignal.explain._treeshap_kernel import explain_rows

        kernel: Any = explain_rows
        previous = _set_threads(n_jobs)
        try:
            kernel(
                x,
                *(model.arrays[name] for name in _KERNEL_ARRAYS),
                model.max_slots,
                model.max_internal,
                _ROW_CHUNK,
                out,
            )
        finally:
            if previous is not None:
                import numba

                numba.set_num_threads(previous)
    out[:, -1] += model.expected_value
    for start, count in model.native_runs:
        out += np.asarray(
            booster.predict(
                x,
                start_iteration=start,
                num_iteration=count,
                pred_contrib=True,
                num_threads=max(n_jobs, 0),
            ),
            dtype=np.float64,
        )
    return out
