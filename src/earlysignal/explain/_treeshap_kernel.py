"""The numba kernel of :mod:`earlysignal.explain.treeshap` (imported lazily: numba loads here).

Rows are taken in chunks (one chunk per task of numba's ``prange``). For each chunk and tree:

1. *Routing*, node by node with the rows inner: each internal node routes every row as LightGBM
   does (NaN, zero and ``<=`` rules) into ``dirs`` (1 = left), and writes its children's path
   patterns: the child a row does *not* go to loses the bit of the node's feature.
2. *Groups*: each group (a leaf, or a small subtree merged at preparation) reads its table at
   ``index = (pattern at the group's root, its d bits) | (the group's own routing bits above
   them)`` and adds the table row, one value per feature of the group, to the chunk's
   accumulator.

Everything inner runs over the chunk's rows, so it vectorises and has no chains of updates to
one memory cell.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import prange

__all__ = ["ZERO_THRESHOLD", "explain_rows"]

# LightGBM's kZeroThreshold (1e-35f): dense inputs with |v| <= it reach the trees as 0.
ZERO_THRESHOLD = float(np.float32(1e-35))
# x86-64 turns NaN and out-of-range doubles into INT_MIN, which LightGBM sends right.
_INT_LIMIT = 2147483648.0


def _explain_rows(  # noqa: PLR0917 (numba kernels take arrays positionally)
    x: np.ndarray,
    node_kind: np.ndarray,
    node_feature: np.ndarray,
    node_threshold: np.ndarray,
    node_nan_left: np.ndarray,
    node_zero_left: np.ndarray,
    node_left_slot: np.ndarray,
    node_right_slot: np.ndarray,
    node_bit: np.ndarray,
    node_cat_start: np.ndarray,
    node_cat_end: np.ndarray,
    cats: np.ndarray,
    group_slot: np.ndarray,
    group_bits: np.ndarray,
    group_node_start: np.ndarray,
    group_nodes: np.ndarray,
    group_feat_start: np.ndarray,
    group_feats: np.ndarray,
    group_table: np.ndarray,
    tables: np.ndarray,
    tree_node_start: np.ndarray,
    tree_group_start: np.ndarray,
    max_slots: int,
    max_internal: int,
    chunk: int,
    out: np.ndarray,
) -> None:
    """Add the contributions of every prepared tree for every row of ``x`` to ``out[:, :p]``.

    Per tree, internal nodes are in preorder; slots ``0..n_internal-1`` hold the internal
    nodes' path patterns and the slots after them the leaves'. ``node_kind`` is 1 for a
    numerical split, 2 for a categorical one (``cats[node_cat_start:node_cat_end]`` go left).
    ``node_nan_left`` / ``node_zero_left``: where LightGBM sends NaN / zero at the node.
    """
    n_rows, n_feat = x.shape
    n_trees = tree_node_start.shape[0] - 1
    n_chunks = (n_rows + chunk - 1) // chunk
    for c in prange(n_chunks):
        pat = np.empty((max_slots, chunk), dtype=np.int32)
        dirs = np.empty((max_internal, chunk), dtype=np.int32)
        idx = np.empty(chunk, dtype=np.int64)
        xt = np.empty((n_feat, chunk), dtype=np.float64)
        acc = np.zeros((n_feat, chunk), dtype=np.float64)
        lo = c * chunk
        nr = min(n_rows, lo + chunk) - lo
        for r in range(nr):
            for f in range(n_feat):
                xt[f, r] = x[lo + r, f]
        for t in range(n_trees):
            s = tree_node_start[t]
            n_int = tree_node_start[t + 1] - s
            p0 = pat[0]
            for r in range(nr):
                p0[r] = -1
            for k in range(n_int):
                g = s + k
                xf = xt[node_feature[g]]
                dk = dirs[k]
                if node_kind[g] == 1:
                    thr = node_threshold[g]
                    nl = np.int32(node_nan_left[g])
                    zl = np.int32(node_zero_left[g])
                    for r in range(nr):
                        v = xf[r]
                        is_nan = np.int32(np.isnan(v))
                        is_zero = np.int32(abs(v) <= ZERO_THRESHOLD)
                        normal = np.int32(1) - is_nan - is_zero
                        dk[r] = (np.int32(v <= thr) & normal) | (zl & is_zero) | (nl & is_nan)
                else:
                    for r in range(nr):
                        v = xf[r]
                        hit = np.int32(0)
                        if v > -1.0 and v < _INT_LIMIT:
                            cat = float(np.int64(v))
                            for j in range(node_cat_start[g], node_cat_end[g]):
                                if cats[j] == cat:
                                    hit = np.int32(1)
                                    break
                        dk[r] = hit
                bit = np.int32(1) << node_bit[g]
                pk = pat[k]
                pa = pat[node_left_slot[g]]
                pb = pat[node_right_slot[g]]
                for r in range(nr):
                    p = pk[r]
                    sel = dk[r] - np.int32(1)  # 0 when the row goes left, all ones when right
                    pa[r] = p & ~(bit & sel)
                    pb[r] = p & ~(bit & ~sel)
            for q in range(tree_group_start[t], tree_group_start[t + 1]):
                d = group_bits[q]
                mask = (np.int32(1) << d) - np.int32(1)
                ps = pat[group_slot[q]]
                for r in range(nr):
                    idx[r] = ps[r] & mask
                first = group_node_start[q]
                for j in range(first, group_node_start[q + 1]):
                    shift = d + j - first
                    dn = dirs[group_nodes[j]]
                    for r in range(nr):
                        idx[r] |= np.int64(dn[r]) << shift
                fo = group_feat_start[q]
                width = group_feat_start[q + 1] - fo
                base = group_table[q]
                for r in range(nr):
                    idx[r] = base + idx[r] * width
                for i in range(width):
                    af = acc[group_feats[fo + i]]
                    for r in range(nr):
                        af[r] += tables[idx[r] + i]
        for r in range(nr):
            for f in range(n_feat):
                out[lo + r, f] += acc[f, r]


explain_rows = numba.njit(parallel=True, cache=True, nogil=True)(_explain_rows)
