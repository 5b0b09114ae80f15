"""Global importance of features with bootstrap intervals, and the stability of the top factors
across bootstrap refits of the model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from earlysignal.explain.contributions import Contributions, contributions, feature_matrix

__all__ = ["TopFactorStability", "global_importance", "top_factor_stability"]


def _cluster_index(n: int, groups: Any, rng: np.random.Generator) -> np.ndarray:
    """Row indices of one bootstrap resample, resampling whole clusters (children) if given."""
    if groups is None:
        return rng.integers(0, n, n)
    g = np.asarray(groups)
    if g.shape[0] != n:
        raise ValueError(f"explain: groups has {g.shape[0]} entries for {n} rows")
    uniques, inverse = np.unique(g, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    starts = np.searchsorted(inverse[order], np.arange(uniques.size))
    ends = np.append(starts[1:], n)
    picked = rng.integers(0, uniques.size, uniques.size)
    return np.asarray(np.concatenate([order[starts[k] : ends[k]] for k in picked]))


def global_importance(
    contrib: Contributions,
    *,
    n_boot: int = 200,
    groups: Any = None,
    level: float = 0.95,
    seed: int = 0,
) -> pl.DataFrame:
    """Mean absolute contribution of each feature, with a bootstrap interval.

    Parameters
    ----------
    contrib
        Contributions of a sample of rows (:func:`~earlysignal.explain.contributions`).
    n_boot
        Bootstrap resamples (0 for none: the interval columns are then null).
    groups
        Cluster ids (``child_id``) per row: resample children, not rows.
    level
        Coverage of the percentile interval.
    seed
        Seed of the resampling.

    Returns
    -------
    polars.DataFrame
        ``feature``, ``mean_abs`` (log-odds), ``lo``, ``hi``, ``share`` (of the total),
        ``mean`` (signed), ``rank`` (1 = most important), sorted by rank.

    Examples
    --------
    >>> import numpy as np
    >>> c = Contributions(np.array([[1.0, 0.1], [-2.0, 0.2]]), np.zeros(2), np.zeros((2, 2)),
    ...                   ("a", "b"), "linear")
    >>> global_importance(c, n_boot=20)["feature"].to_list()
    ['a', 'b']
    """
    values = np.abs(contrib.values)
    n = values.shape[0]
    if n == 0:
        raise ValueError("global_importance: no rows to summarise")
    point = values.mean(axis=0)
    lo = hi = np.full(point.shape, np.nan)
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        boots = np.empty((n_boot, values.shape[1]))
        for b in range(n_boot):
            idx = _cluster_index(n, groups, rng)
            boots[b] = values[idx].mean(axis=0)
        alpha = (1.0 - level) / 2.0
        lo, hi = np.quantile(boots, [alpha, 1.0 - alpha], axis=0)
    total = float(point.sum()) or 1.0
    frame = pl.DataFrame(
        {
            "feature": list(contrib.feature_names),
            "mean_abs": point,
            "lo": lo if n_boot > 0 else [None] * point.size,
            "hi": hi if n_boot > 0 else [None] * point.size,
            "share": point / total,
            "mean": contrib.values.mean(axis=0),
        },
        schema={
            "feature": pl.String,
            "mean_abs": pl.Float64,
            "lo": pl.Float64,
            "hi": pl.Float64,
            "share": pl.Float64,
            "mean": pl.Float64,
        },
    )
    return (
        frame.sort(["mean_abs", "feature"], descending=[True, False])
        .with_row_index("rank", offset=1)
        .with_columns(pl.col("rank").cast(pl.Int64))
        .select("feature", "mean_abs", "lo", "hi", "share", "mean", "rank")
    )


@dataclass(frozen=True)
class TopFactorStability:
    """How stable the top factors are when the model is refitted on bootstrap resamples.

    Attributes
    ----------
    table
        One row per feature: ``feature``, ``rank_full`` (rank in the model as fitted),
        ``top_k_share`` (share of refits in which it is among the top ``k``),
        ``rank_median``, ``rank_lo``, ``rank_hi`` (2.5 % and 97.5 % of its rank over refits).
    mean_jaccard
        Mean Jaccard overlap between each refit's top ``k`` and the fitted model's top ``k``
        (1 = always the same factors).
    top_k
        ``k``.
    n_refits
        Number of bootstrap refits.
    """

    table: pl.DataFrame
    mean_jaccard: float
    top_k: int
    n_refits: int


def _ranks(importance: np.ndarray) -> np.ndarray:
    order = np.argsort(-importance, kind="stable")
    ranks = np.empty(importance.size, dtype=np.int64)
    ranks[order] = np.arange(1, importance.size + 1)
    return ranks


def top_factor_stability(
    model: Any,
    X: Any,
    y: Any,
    *,
    n_refits: int = 20,
    top_k: int = 5,
    groups: Any = None,
    eval_rows: int = 2000,
    feature_names: Sequence[str] | None = None,
    seed: int = 0,
) -> TopFactorStability:
    """Refit the model on bootstrap resamples and see whether the same factors come out on top.

    The model (for a calibrated model: its base model) is cloned and refitted on each resample
    of the training rows (whole children when ``groups`` is given); importance is measured on
    the same ``eval_rows`` sample of ``X`` each time.

    Examples
    --------
    >>> import numpy as np
    >>> from earlysignal.models import LogisticRiskModel
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 4)); y = (2 * X[:, 0] + X[:, 1] + rng.normal(size=400) > 0)
    >>> s = top_factor_stability(LogisticRiskModel().fit(X, y), X, y.astype(int), n_refits=5,
    ...                          top_k=2)
    >>> s.table["feature"].to_list()[:2], s.mean_jaccard
    (['x0', 'x1'], 1.0)
    """
    from sklearn.base import clone

    from earlysignal.explain.contributions import _unwrap, model_feature_names

    base, _ = _unwrap(model)
    names = list(feature_names) if feature_names is not None else model_feature_names(base)
    matrix, cols = feature_matrix(X, names)
    labels = np.asarray(y).astype(np.int64)
    if labels.shape[0] != matrix.shape[0]:
        raise ValueError(f"top_factor_stability: X has {matrix.shape[0]} rows, y {labels.size}")
    k = min(top_k, len(cols))
    rng = np.random.default_rng(seed)
    eval_idx = np.sort(rng.choice(matrix.shape[0], min(eval_rows, matrix.shape[0]), replace=False))
    x_eval = matrix[eval_idx]

    def importance(m: Any) -> np.ndarray:
        return np.asarray(np.abs(contributions(m, x_eval, feature_names=cols).values).mean(axis=0))

    full_rank = _ranks(importance(base))
    full_top = set(np.flatnonzero(full_rank <= k))
    ranks = np.empty((n_refits, len(cols)), dtype=np.int64)
    jaccard = np.empty(n_refits)
    for r in range(n_refits):
        idx = _cluster_index(matrix.shape[0], groups, rng)
        refit = clone(base)
        refit.fit(matrix[idx], labels[idx])
        ranks[r] = _ranks(importance(refit))
        top = set(np.flatnonzero(ranks[r] <= k))
        jaccard[r] = len(top & full_top) / len(top | full_top)
    table = pl.DataFrame(
        {
            "feature": cols,
            "rank_full": full_rank,
            "top_k_share": (ranks <= k).mean(axis=0),
            "rank_median": np.median(ranks, axis=0),
            "rank_lo": np.quantile(ranks, 0.025, axis=0),
            "rank_hi": np.quantile(ranks, 0.975, axis=0),
        }
    ).sort("rank_full")
    return TopFactorStability(
        table=table, mean_jaccard=float(jaccard.mean()), top_k=k, n_refits=n_refits
    )
