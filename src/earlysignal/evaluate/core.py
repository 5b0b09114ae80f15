"""``evaluate``: every metric with a 95 % interval from a bootstrap clustered by child.

Rows of one child are not independent (a child at several prediction times), so the bootstrap
resamples *children*: each replicate draws as many children as there are, with replacement
(a multinomial draw of child multiplicities), and every row of a drawn child counts as often as
the child was drawn. The replicates are row-weight vectors, so all metrics are computed in
batch with numpy (``earlysignal.evaluate.metrics``), without a Python loop over replicates'
rows. Intervals are percentile intervals. Comparisons (model minus oracle, model minus a
baseline) are computed per replicate on the same draws, so their intervals are paired.

Replicates are drawn in blocks of :data:`BOOTSTRAP_BLOCK` (50): block ``b`` has its own
generator, seeded from (seed, ``"bootstrap-block=b"``) by :func:`earlysignal.compute.task_seed`.
The blocks are independent tasks that :func:`earlysignal.compute.run_tasks` can spread over
local processes, Dask or Ray (``compute=``); because the block size is fixed and each block's
seed comes from its number, the intervals are the same with any number of workers and on any
backend (docs/scaling.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import polars as pl

from earlysignal.compute.seeds import task_seed
from earlysignal.evaluate import metrics as M

if TYPE_CHECKING:
    from earlysignal.compute.spec import ComputeSpec

__all__ = [
    "BOOTSTRAP_BLOCK",
    "DEFAULT_CAPACITY",
    "DEFAULT_THRESHOLDS",
    "EVALUATION_SCHEMA",
    "bootstrap_block_key",
    "bootstrap_blocks",
    "cluster_bootstrap_weights",
    "decision_curve",
    "evaluate",
    "finite_replicates",
    "reliability_table",
]

BOOTSTRAP_BLOCK = 50
"""Bootstrap replicates per block: each block is drawn from its own seeded generator (and is one
compute task), so results do not depend on how many workers draw the blocks."""

DEFAULT_THRESHOLDS: tuple[float, ...] = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
DEFAULT_CAPACITY: tuple[float, ...] = (0.05, 0.1, 0.2)

EVALUATION_SCHEMA: dict[str, Any] = {
    "model": pl.String,
    "metric": pl.String,
    "at": pl.Float64,
    "estimate": pl.Float64,
    "lower": pl.Float64,
    "upper": pl.Float64,
    "dropped_replicates": pl.Int64,
}
"""Columns of ``evaluate``'s result: ``model`` (the model's name, a baseline's name,
``"oracle"``, ``"treat_all"``, ``"treat_none"``, ``"data"``, or a comparison such as
``"lightgbm - oracle"`` and ``"lightgbm / oracle"``), ``metric``, ``at`` (the threshold for
``net_benefit``, the flagged share for capacity metrics, else null), ``estimate`` (on the rows
given), ``lower`` and ``upper`` (percentile bootstrap interval; null for counts), and
``dropped_replicates``: how many bootstrap replicates were left out of that interval because
the metric was not finite in them (for example AUROC in a replicate that drew no event, or a
calibration slope that did not converge); null where no bootstrap was run. The interval is the
percentile interval of the remaining replicates; when every replicate was dropped the bounds
are null. A large count means the interval rests on fewer draws than ``n_boot`` (and on the
draws where the metric exists, which can make it too narrow): read it with that in mind."""


def _check_inputs(
    y: Any, p: Any, groups: Any, name: str = "p"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    yv = np.asarray(y)
    if yv.ndim != 1:
        raise ValueError(f"evaluation rule '1-d labels': y has shape {yv.shape}")
    if yv.dtype.kind == "f" and np.isnan(yv).any():
        raise ValueError(
            f"evaluation rule 'no censored rows': y has {int(np.isnan(yv).sum())} missing "
            "labels; exclude censored rows first (temporal_split does and counts them)"
        )
    if not np.isin(np.unique(yv), [0, 1]).all():
        raise ValueError("evaluation rule 'binary labels': y must hold only 0 and 1")
    pv = np.asarray(p, dtype=np.float64)
    if pv.shape != yv.shape:
        raise ValueError(
            f"evaluation rule 'one prediction per row': {name} has shape {pv.shape}, y {yv.shape}"
        )
    bad = ~np.isfinite(pv) | (pv < 0) | (pv > 1)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"evaluation rule 'probabilities in [0, 1]': {name} has {int(bad.sum())} values "
            f"outside [0, 1] or not finite (first at row {first}: {pv[first]}); pass "
            "calibrated probabilities (model.risk(X)), not log-odds"
        )
    gv = np.asarray(groups)
    if gv.shape != yv.shape:
        raise ValueError(
            f"evaluation rule 'one child id per row': groups has shape {gv.shape}, y {yv.shape}"
        )
    return yv.astype(np.float64), pv, gv


def finite_replicates(replicates: npt.ArrayLike) -> tuple[np.ndarray, int]:
    """The finite bootstrap replicates of one figure, and how many were dropped as non-finite.

    A replicate is undefined (NaN or infinite) when its resample lacks what the figure needs
    (AUROC with no child with the outcome drawn, a ratio over zero); its interval then rests on
    the rest, and the count says how many were left out. ``evaluate`` (``dropped_replicates``)
    and the fairness audit (``<metric>_dropped``) both use it.

    Examples
    --------
    >>> finite, dropped = finite_replicates([0.7, float("nan"), 0.8, float("inf")])
    >>> finite.tolist(), dropped
    ([0.7, 0.8], 2)
    """
    reps = np.asarray(replicates, dtype=np.float64).ravel()
    finite = reps[np.isfinite(reps)]
    return finite, int(reps.size - finite.size)


def bootstrap_block_key(block: int) -> str:
    """The task key of bootstrap block ``block`` (its seed is ``task_seed(seed, key)``).

    Examples
    --------
    >>> bootstrap_block_key(3)
    'bootstrap-block=3'
    """
    return f"bootstrap-block={block}"


def bootstrap_blocks(n_boot: int, block_size: int = BOOTSTRAP_BLOCK) -> list[int]:
    """Replicates in each block: full blocks of ``block_size``, then the remainder.

    Examples
    --------
    >>> bootstrap_blocks(120)
    [50, 50, 20]
    """
    if block_size < 1:
        raise ValueError(f"bootstrap block size must be 1 or more, got {block_size}")
    full, rest = divmod(max(0, n_boot), block_size)
    return [block_size] * full + ([rest] if rest else [])


def _block_weights(
    inverse: np.ndarray, n_groups: int, size: int, seed: int, max_cells: int
) -> Iterator[np.ndarray]:
    """One block's replicates (drawn at once from its own generator), in chunks of rows."""
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n_groups, np.full(n_groups, 1.0 / n_groups), size=size)
    rows = max(1, max_cells // max(1, inverse.size))
    for start in range(0, size, rows):
        yield counts[start : start + rows][:, inverse].astype(np.float64)


def cluster_bootstrap_weights(
    groups: np.ndarray,
    n_boot: int,
    *,
    seed: int = 0,
    max_cells: int = 4_000_000,
    block_size: int = BOOTSTRAP_BLOCK,
) -> Iterator[np.ndarray]:
    """Yield row-weight matrices (chunks of replicates) of a bootstrap clustered by ``groups``.

    Each replicate draws ``G`` children with replacement (``G`` = number of distinct groups);
    a row's weight is how often its child was drawn. Replicates come in blocks of
    ``block_size``; block ``b`` is drawn from ``numpy.random.default_rng(task_seed(seed,
    bootstrap_block_key(b)))``, so the first blocks of a longer bootstrap are those of a
    shorter one and a block can be drawn anywhere. Chunks hold at most ``max_cells`` weights
    and never span two blocks.

    Examples
    --------
    >>> w = np.vstack(list(cluster_bootstrap_weights(np.array(["a", "a", "b"]), 4)))
    >>> w.shape, bool(np.all(w[:, 0] == w[:, 1]))
    ((4, 3), True)
    """
    _, inverse = np.unique(np.asarray(groups), return_inverse=True)
    inverse = inverse.ravel()
    n_groups = int(inverse.max()) + 1 if inverse.size else 0
    for b, size in enumerate(bootstrap_blocks(n_boot, block_size)):
        seed_b = task_seed(seed, bootstrap_block_key(b))
        yield from _block_weights(inverse, n_groups, size, seed_b, max_cells)


def _metric_arrays(
    y: np.ndarray,
    p: np.ndarray,
    w: np.ndarray,
    *,
    bins: np.ndarray,
    thresholds: np.ndarray,
    fractions: np.ndarray,
    n_children: float,
    tie_break: np.ndarray | None = None,
) -> dict[tuple[str, float | None], np.ndarray]:
    ranking = M.ranking_metrics(y, p, w, fractions, n_children, tie_break=tie_break)
    sums = M._bin_sums(y, p, w, bins)
    out: dict[tuple[str, float | None], np.ndarray] = {
        ("auroc", None): ranking["auroc"],
        ("auprc", None): ranking["auprc"],
        ("brier", None): M.brier(y, p, w),
        ("log_loss", None): M.log_loss(y, p, w),
        ("ece", None): M._ece_from_sums(sums),
        ("calibration_intercept", None): M.calibration_intercept(y, p, w),
        ("calibration_slope", None): M.calibration_slope(y, p, w),
        ("mean_risk", None): M._safe_div(sums["wp"].sum(axis=1), sums["w"].sum(axis=1)),
    }
    decomposition = M._decomposition_from_sums(sums)
    for key in ("reliability", "resolution", "uncertainty", "within_bin"):
        out[(f"brier_{key}", None)] = decomposition[key]
    if thresholds.size:
        nb = M.net_benefit(y, p, thresholds, w)
        for j, t in enumerate(thresholds):
            out[("net_benefit", float(t))] = nb[:, j]
    for j, k in enumerate(fractions):
        out[("precision_at_top", float(k))] = ranking["precision"][:, j]
        out[("recall_at_top", float(k))] = ranking["recall"][:, j]
        out[("alerts_per_100_children", float(k))] = ranking["alerts_per_100"][:, j]
    return out


Arrays = dict[str, dict[tuple[str, float | None], np.ndarray]]
"""Model (or ``"__data__"``) -> (metric, at) -> one value per replicate."""


def _all_arrays(
    w: np.ndarray,
    *,
    y: np.ndarray,
    predictions: Mapping[str, np.ndarray],
    bins: Mapping[str, np.ndarray],
    thresholds: np.ndarray,
    fractions: np.ndarray,
    n_children: float,
    model: str | None = None,
    tie_break: np.ndarray | None = None,
) -> Arrays:
    """Every metric of every model (and the data's) for a batch of row weights.

    ``tie_break`` (the raw score) ranks rows of equal risk of ``model`` only, as the decision
    rule does.
    """
    res = {
        name: _metric_arrays(
            y,
            values,
            w,
            bins=bins[name],
            thresholds=thresholds,
            fractions=fractions,
            n_children=n_children,
            tie_break=tie_break if name == model else None,
        )
        for name, values in predictions.items()
    }
    extra: dict[tuple[str, float | None], np.ndarray] = {("prevalence", None): M.prevalence(y, w)}
    if thresholds.size:
        nb_all = M.treat_all_net_benefit(y, thresholds, w)
        for j, thr in enumerate(thresholds):
            extra[("net_benefit_treat_all", float(thr))] = nb_all[:, j]
    res["__data__"] = extra
    return res


def _bootstrap_block(
    *,
    inverse: np.ndarray,
    n_groups: int,
    size: int,
    seed: int,
    max_cells: int,
    context: dict[str, Any],
) -> Arrays:
    """One bootstrap block (a compute task): its replicates' metrics for every model.

    Every model is scored on the same weights, so comparisons stay paired. The block runs
    with one BLAS thread: a matrix product's sums are split differently with another number of
    threads (last-digit differences), and a block must give the same numbers in any worker.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        parts = [
            _all_arrays(w, **context)
            for w in _block_weights(inverse, n_groups, size, seed, max_cells)
        ]
    return {
        name: {key: np.concatenate([p[name][key] for p in parts]) for key in parts[0][name]}
        for name in parts[0]
    }


def _bootstrap(
    groups: np.ndarray,
    n_boot: int,
    *,
    seed: int,
    compute: ComputeSpec | None,
    context: dict[str, Any],
    max_cells: int = 4_000_000,
) -> list[Arrays]:
    """The bootstrap's blocks, in block order, run as compute tasks (seeded per block)."""
    from earlysignal.compute.run import run_tasks

    sizes = bootstrap_blocks(n_boot)
    if not sizes:
        return []
    _, inverse = np.unique(groups, return_inverse=True)
    inverse = inverse.ravel()
    common = {
        "inverse": inverse,
        "n_groups": int(inverse.max()) + 1,
        "max_cells": max_cells,
        "context": context,
    }
    tasks = {bootstrap_block_key(b): {"size": size, **common} for b, size in enumerate(sizes)}
    return list(run_tasks(_bootstrap_block, tasks, compute=compute, seed=seed).values())


def evaluate(
    y: Any,
    p: Any,
    groups: Any,
    *,
    model: str = "model",
    oracle: Any = None,
    baselines: Mapping[str, Any] | None = None,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    capacity: Sequence[float] = DEFAULT_CAPACITY,
    n_bins: int = 10,
    n_boot: int = 200,
    seed: int = 0,
    level: float = 0.95,
    tie_break: Any = None,
    compute: ComputeSpec | None = None,
) -> pl.DataFrame:
    """Evaluate predicted probabilities with child-clustered bootstrap intervals.

    Parameters
    ----------
    y : array-like of 0/1
        Observed outcomes (censored rows already excluded).
    p : array-like of float
        The model's calibrated probabilities.
    groups : array-like
        Child id per row (the bootstrap cluster).
    model : str
        Name of the model in the result.
    oracle : array-like, optional
        True probabilities on the same rows (simulated data): its metrics are reported as
        ``model="oracle"`` and the paired gaps as ``"{model} - oracle"``, plus the share of the
        oracle's lift over chance, ``(AUROC - 0.5) / (oracle AUROC - 0.5)``, as
        ``model="{model} / oracle", metric="auroc_lift"``.
    baselines : mapping of name to array-like, optional
        Other models' probabilities on the same rows: their metrics and the paired gaps
        ``"{model} - {name}"``.
    thresholds : sequence of float
        Decision thresholds for net benefit (with treat-all and treat-none).
    capacity : sequence of float
        Shares of rows flagged (top k by risk) for precision, recall and alerts per 100 children.
    n_bins : int
        Equal-mass bins for ECE and the Brier decomposition (fixed from the full sample).
    n_boot : int
        Bootstrap replicates (0 gives point estimates only).
    seed : int
        Seed of the bootstrap (block ``b`` of 50 replicates is drawn with
        ``task_seed(seed, "bootstrap-block=b")``).
    level : float
        Interval coverage.
    tie_break : array-like of float, optional
        The model's raw score per row: ranks rows of equal risk of ``model`` (not of the
        baselines or the oracle) for the capacity metrics, as the decision rule
        (:func:`earlysignal.models.capacity_rule`) does.
    compute : ComputeSpec, optional
        Where the bootstrap's blocks run (default: one after the other in this process). The
        intervals are the same on every backend and with any ``n_jobs``.

    Returns
    -------
    polars.DataFrame
        Tidy rows with the columns of ``EVALUATION_SCHEMA``. ``model="data"`` rows give
        ``n_rows``, ``n_children``, ``n_events`` and ``prevalence``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> truth = rng.uniform(0.02, 0.5, 3000)
    >>> y = (rng.random(3000) < truth).astype(int)
    >>> groups = np.arange(3000) // 3
    >>> res = evaluate(y, truth, groups, model="true", n_boot=50, capacity=(0.1,))
    >>> row = res.filter(metric="calibration_slope", model="true").row(0, named=True)
    >>> bool(row["lower"] < 1 < row["upper"])
    True
    """
    yv, pv, gv = _check_inputs(y, p, groups)
    predictions: dict[str, np.ndarray] = {model: pv}
    for name, values in (baselines or {}).items():
        if name in predictions or name == "oracle":
            raise ValueError(f"baseline name {name!r} clashes with another model's name")
        predictions[name] = _check_inputs(y, values, groups, name)[1]
    if oracle is not None:
        predictions["oracle"] = _check_inputs(y, oracle, groups, "oracle")[1]
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if yv.size == 0:
        raise ValueError("evaluation rule 'rows to evaluate': y is empty")
    t = np.asarray(thresholds, dtype=np.float64)
    k = np.asarray(capacity, dtype=np.float64)
    n_children = float(np.unique(gv).size)
    tb = None if tie_break is None else np.asarray(tie_break, dtype=np.float64).ravel()
    if tb is not None and tb.shape != yv.shape:
        raise ValueError(f"tie_break has {tb.size} values for {yv.size} rows")
    bins = {name: M.equal_mass_bins(values, n_bins) for name, values in predictions.items()}

    context: dict[str, Any] = {
        "y": yv,
        "predictions": predictions,
        "bins": bins,
        "thresholds": t,
        "fractions": k,
        "n_children": n_children,
        "model": model,
        "tie_break": tb,
    }
    point = _all_arrays(np.ones((1, yv.size)), **context)
    replicates = _bootstrap(gv, n_boot, seed=seed, compute=compute, context=context)

    def stack(name: str, key: tuple[str, float | None]) -> np.ndarray:
        if not replicates:
            return np.zeros(0)
        return np.concatenate([r[name][key] for r in replicates])

    alpha = (1 - level) / 2
    Row = tuple[str, str, float | None, float, float | None, float | None, int | None]
    rows: list[Row] = []

    def add(label: str, key: tuple[str, float | None], est: float, reps: np.ndarray) -> None:
        finite, n_dropped = finite_replicates(reps)
        dropped = n_dropped if replicates else None
        if finite.size:
            lo, hi = np.quantile(finite, [alpha, 1 - alpha])
            rows.append((label, key[0], key[1], float(est), float(lo), float(hi), dropped))
        else:
            rows.append((label, key[0], key[1], float(est), None, None, dropped))

    rows.append(("data", "n_rows", None, float(yv.size), None, None, None))
    rows.append(("data", "n_children", None, n_children, None, None, None))
    rows.append(("data", "n_events", None, float(yv.sum()), None, None, None))
    add(
        "data",
        ("prevalence", None),
        float(point["__data__"][("prevalence", None)][0]),
        stack("__data__", ("prevalence", None)),
    )
    for name in predictions:
        for key, value in point[name].items():
            add(name, key, float(value[0]), stack(name, key))
    for thr in t:
        key = ("net_benefit_treat_all", float(thr))
        add(
            "treat_all",
            ("net_benefit", float(thr)),
            float(point["__data__"][key][0]),
            stack("__data__", key),
        )
        rows.append(("treat_none", "net_benefit", float(thr), 0.0, 0.0, 0.0, 0))
    for other in predictions:
        if other == model:
            continue
        for key, value in point[model].items():
            diff = value[0] - point[other][key][0]
            reps = stack(model, key) - stack(other, key) if replicates else np.zeros(0)
            add(f"{model} - {other}", key, float(diff), reps)
    if oracle is not None:

        def lift(name: str, arr: np.ndarray | None = None) -> np.ndarray:
            src = point[name][("auroc", None)] if arr is None else arr
            return src - 0.5

        ratio_point = lift(model)[0] / lift("oracle")[0]
        reps = (
            (stack(model, ("auroc", None)) - 0.5) / (stack("oracle", ("auroc", None)) - 0.5)
            if replicates
            else np.zeros(0)
        )
        add(f"{model} / oracle", ("auroc_lift", None), float(ratio_point), reps)
    return pl.DataFrame(rows, schema=EVALUATION_SCHEMA, orient="row")


def reliability_table(
    y: Any,
    p: Any,
    groups: Any | None = None,
    *,
    n_bins: int = 10,
    n_boot: int = 200,
    seed: int = 0,
    level: float = 0.95,
    bins: Any | None = None,
) -> pl.DataFrame:
    """Observed event rate per equal-mass bin of predicted risk, with bootstrap bands.

    Returns a frame with ``bin``, ``rows``, ``mean_predicted``, ``observed``, ``lower``,
    ``upper`` (observed-rate interval, bootstrap clustered by ``groups``; by row if None).
    ``bins`` (a bin index per row, 0 for the lowest risk) replaces the equal-mass bins: the
    card's figure passes bins of at least 10 children of each outcome
    (:func:`earlysignal.evaluate.slices.reliability_bins`).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0, 1, 1000); y = (rng.random(1000) < p).astype(int)
    >>> reliability_table(y, p, n_bins=5, n_boot=20).height
    5
    """
    gv = np.arange(np.asarray(y).size) if groups is None else groups
    yv, pv, gv = _check_inputs(y, p, gv)
    bins = M.equal_mass_bins(pv, n_bins) if bins is None else np.asarray(bins, dtype=np.int64)
    if bins.shape != yv.shape or (bins.size and bins.min() < 0):
        raise ValueError(
            f"reliability_table: bins must hold a bin index >= 0 per row ({yv.size} rows), "
            f"got shape {bins.shape}"
        )
    ones = np.ones((1, yv.size))
    sums = M._bin_sums(yv, pv, ones, bins)
    observed = M._safe_div(sums["wy"], sums["w"])[0]
    predicted = M._safe_div(sums["wp"], sums["w"])[0]
    reps = [
        M._safe_div(s["wy"], s["w"])
        for s in (
            M._bin_sums(yv, pv, w, bins) for w in cluster_bootstrap_weights(gv, n_boot, seed=seed)
        )
    ]
    alpha = (1 - level) / 2
    if reps:
        allreps = np.vstack(reps)
        lower = np.nanquantile(allreps, alpha, axis=0)
        upper = np.nanquantile(allreps, 1 - alpha, axis=0)
    else:
        lower = upper = np.full(observed.shape, np.nan)
    return pl.DataFrame(
        {
            "bin": np.arange(observed.size, dtype=np.int64),
            "rows": sums["w"][0].astype(np.int64),
            "mean_predicted": predicted,
            "observed": observed,
            "lower": lower,
            "upper": upper,
        }
    )


def decision_curve(
    y: Any,
    predictions: Mapping[str, Any],
    thresholds: Sequence[float] | np.ndarray | None = None,
) -> pl.DataFrame:
    """Net benefit per model and threshold, with treat-all and treat-none (point estimates).

    Returns a frame with ``model``, ``threshold``, ``net_benefit``.

    Examples
    --------
    >>> y = np.array([0, 1, 1, 0]); p = np.array([0.1, 0.9, 0.6, 0.4])
    >>> dc = decision_curve(y, {"m": p}, [0.5])
    >>> dc.filter(model="treat_none").get_column("net_benefit").to_list()
    [0.0]
    """
    t = np.linspace(0.01, 0.6, 60) if thresholds is None else np.asarray(thresholds, float)
    yv = np.asarray(y, dtype=np.float64)
    frames = []
    curves = {name: M.net_benefit(yv, np.asarray(p, float), t) for name, p in predictions.items()}
    curves["treat_all"] = M.treat_all_net_benefit(yv, t)
    curves["treat_none"] = M.net_benefit(yv, np.zeros(yv.size), t)
    for name, nb in curves.items():
        frames.append(pl.DataFrame({"model": [name] * t.size, "threshold": t, "net_benefit": nb}))
    return pl.concat(frames)
