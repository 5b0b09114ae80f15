"""Cuts of a model's ranking that are safe to publish: every slice holds at least 10 children
with the event and 10 without.

The card's reliability bins, its ROC and precision-recall points and its decision curve are all
drawn from cuts of one model's ranking of the test rows, and the rows are prediction times: one
child has several. A slice of the ranking of at least 20 rows can hold 3 children, and a
reliability bin whose events come from 2 children publishes their outcome, however coarse its
rounded rate. The rule of every published cell, "no cell under 10 children" (zero included,
:mod:`earlysignal.disclosure`), therefore holds here for each slice between two published cuts,
counted in **distinct children, per outcome**:

- :func:`safe_cuts` walks the ranking from the highest risk over a fine grid of candidate cuts
  (quantiles of the risk, never inside tied risks) and keeps a cut only when the rows since the
  previous kept cut hold at least ``min_children`` distinct children with an event row and
  ``min_children`` with a non-event row (a short tail joins the slice above it; when all rows
  together fall short there is no cut, and the figures publish nothing for that model);
- every figure of a model publishes only at these cuts (any subset of them): a ROC point's
  flagged rows, a reliability bin's rows, a decision-curve threshold's flagged rows (snapped to
  the nearest cut). So every published count, every difference of two published counts of one
  model (a step, a bin, the rows a threshold adds) and its complement (the rows not flagged) is a
  union of slices that each meet the rule: no figure, nor two figures together, narrows a cell to
  fewer than 10 children of one outcome.

:func:`merge_runs` is the one helper that merges adjacent runs of sorted rows until each holds
enough children (the card's contribution bins use it too, :mod:`earlysignal.explain.aggregate`).
Written here: no plotting or disclosure library we know aggregates a ranking by distinct
children.

Examples
--------
>>> y = np.array([1, 0] * 30); p = np.linspace(1, 0, 60); groups = np.arange(60)
>>> safe_cuts(y, p, groups).tolist()  # 10 children of each outcome per slice
[20, 40, 60]
>>> safe_cuts(y, p, groups % 3).tolist()  # the same rows from 3 children: nothing safe
[]
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "MIN_CHILDREN",
    "decision_cuts",
    "merge_runs",
    "reliability_bins",
    "safe_cuts",
    "thin_cuts",
]

MIN_CHILDREN = 10
"""Distinct children of each outcome in every slice of a ranking a figure publishes (the
disclosure policy's smallest cell)."""

GRID = 1000
"""Candidate cuts of :func:`safe_cuts`: at most this many quantiles of the risk."""


def merge_runs(
    edges: Sequence[int], ids: Any, minimum: int, *, within: Sequence[Any] = ()
) -> list[tuple[int, int]]:
    """Merge adjacent runs of sorted rows until every run holds ``minimum`` distinct ids.

    The runs are ``[edges[k], edges[k + 1])`` of rows whose ids are ``ids``. A run ends at the
    first edge where it holds at least ``minimum`` distinct ids in all and among the rows of
    each boolean mask of ``within`` (for example the event and the non-event rows); a short tail
    joins the run before it. When all rows together fall short, there is no run.

    Examples
    --------
    >>> merge_runs([0, 2, 4, 6], ["a", "b", "a", "c", "d", "e"], 3)
    [(0, 6)]
    >>> merge_runs([0, 3, 6], [1, 2, 3, 4, 5, 6], 3)
    [(0, 3), (3, 6)]
    >>> merge_runs([0, 3, 6], [1, 2, 3, 4, 5, 6], 3, within=[np.array([1, 1, 0, 1, 1, 1]) > 0])
    [(0, 6)]
    >>> merge_runs([0, 3], [1, 1, 1], 2)
    []
    """
    values = np.asarray(ids).tolist()
    # per mask, the ids of its rows and None elsewhere: one C-level set update per run
    masked = [
        [v if keep else None for v, keep in zip(values, np.asarray(m, bool).tolist(), strict=True)]
        for m in within
    ]
    runs: list[tuple[int, int]] = []
    start = int(edges[0]) if len(edges) else 0
    seen: set[Any] = set()
    seen_in: list[set[Any]] = [{None} for _ in masked]  # None: the rows outside the mask
    for a, b in itertools.pairwise(edges):
        seen.update(values[a:b])
        for s, col in zip(seen_in, masked, strict=True):
            s.update(col[a:b])
        if len(seen) >= minimum and all(len(s) > minimum for s in seen_in):
            runs.append((start, int(b)))
            start, seen, seen_in = int(b), set(), [{None} for _ in masked]
    if len(edges) and start < edges[-1]:  # a short tail joins the previous run
        if not runs:
            return []
        runs[-1] = (runs[-1][0], int(edges[-1]))
    return runs


def _ranking(y: Any, p: Any, groups: Any | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outcomes, risks and child ids sorted from the highest risk (stable)."""
    yv = np.asarray(y, dtype=np.float64).ravel()
    pv = np.asarray(p, dtype=np.float64).ravel()
    gv = np.arange(yv.size) if groups is None else np.asarray(groups).ravel()
    if not (yv.size == pv.size == gv.size):
        raise ValueError(
            f"figure slices: y, p and groups must have one value per row, got {yv.size}, "
            f"{pv.size} and {gv.size}"
        )
    order = np.argsort(-pv, kind="stable")
    return yv[order], pv[order], gv[order]


def safe_cuts(
    y: Any,
    p: Any,
    groups: Any | None = None,
    *,
    min_children: int = MIN_CHILDREN,
    grid: int = GRID,
) -> np.ndarray:
    """The cuts of the ranking by ``p`` (highest first) that a figure may publish.

    A cut is a number of rows flagged from the top, never inside tied risks. Every slice
    between two consecutive cuts (from 0, to the last cut, which is all rows) holds at least
    ``min_children`` distinct children (``groups``; without them every row counts as a child)
    with an event row and as many with a non-event row.

    Returns
    -------
    numpy.ndarray
        Ascending cuts ending with the number of rows; empty when all rows together fall short.

    Examples
    --------
    >>> y = np.array([1, 0] * 30); p = np.linspace(1, 0, 60)
    >>> safe_cuts(y, p, min_children=5).tolist()
    [10, 20, 30, 40, 50, 60]
    """
    ys, ps, gs = _ranking(y, p, groups)
    n = ys.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    k = int(max(1, min(grid, n)))
    targets = np.unique(np.linspace(0, n, k + 1).round().astype(np.int64)[1:])
    # flag everything at least as risky as the last flagged row: a cut never splits a tie
    edges = np.unique(np.r_[0, np.searchsorted(-ps, -ps[targets - 1], side="right"), n])
    runs = merge_runs(edges.tolist(), gs, min_children, within=[ys > 0.5, ys <= 0.5])
    return np.array([b for _, b in runs], dtype=np.int64)


def thin_cuts(cuts: np.ndarray, n: int, max_points: int) -> np.ndarray:
    """At most ``max_points`` of ``cuts`` (the first at or after each of ``max_points``
    equally spaced targets), always keeping the last; a subset of safe cuts is safe.

    Examples
    --------
    >>> thin_cuts(np.arange(1, 11), 10, 3).tolist()
    [4, 7, 10]
    """
    c = np.asarray(cuts, dtype=np.int64)
    if c.size <= max_points or c.size == 0:
        return c
    targets = np.linspace(0, n, max(1, max_points) + 1)[1:]
    picked = c[np.minimum(np.searchsorted(c, targets, side="left"), c.size - 1)]
    return np.unique(np.r_[picked, c[-1]])


def reliability_bins(
    y: Any,
    p: Any,
    groups: Any | None = None,
    *,
    n_bins: int = 10,
    min_children: int = MIN_CHILDREN,
) -> np.ndarray:
    """Bin index per row (0 = lowest risk) for a reliability diagram: about ``n_bins``
    equal-mass bins whose edges are :func:`safe_cuts` (the cut nearest each quantile), so each
    bin holds at least ``min_children`` children with an event row and as many without;
    bins that fall short are merged. All ``-1`` when no bin can hold that many.

    Examples
    --------
    >>> y = np.array([1, 0] * 50); p = np.linspace(1, 0, 100)
    >>> np.bincount(reliability_bins(y, p, n_bins=10)).tolist()  # 5 bins of 20 children
    [20, 20, 20, 20, 20]
    """
    ys, _, _ = _ranking(y, p, groups)
    n = ys.size
    cuts = safe_cuts(y, p, groups, min_children=min_children)
    out = np.full(n, -1, dtype=np.int64)
    if cuts.size == 0:
        return out
    targets = np.arange(1, max(1, n_bins)) * n / max(1, n_bins)
    nearest = cuts[np.abs(cuts[None, :] - targets[:, None]).argmin(axis=1)] if targets.size else []
    chosen = np.unique(np.r_[nearest, n]).astype(np.int64)
    order = np.argsort(-np.asarray(p, dtype=np.float64).ravel(), kind="stable")
    from_top = np.repeat(np.arange(chosen.size), np.diff(np.r_[0, chosen]))
    out[order] = chosen.size - 1 - from_top
    return out


def decision_cuts(p: Any, thresholds: Any, cuts: np.ndarray) -> np.ndarray:
    """Rows flagged at each threshold (``p >= t``), snapped to the nearest of ``0`` and
    ``cuts`` (the fewer flagged on a tie); ``-1`` when there is no safe cut at all.

    Examples
    --------
    >>> p = np.linspace(1, 0, 60)
    >>> decision_cuts(p, [0.9, 0.5, 0.05], np.array([20, 40, 60])).tolist()
    [0, 20, 60]
    """
    pv = np.sort(np.asarray(p, dtype=np.float64).ravel())
    t = np.asarray(thresholds, dtype=np.float64).ravel()
    c = np.asarray(cuts, dtype=np.int64)
    if c.size == 0:
        return np.full(t.size, -1, dtype=np.int64)
    flagged = pv.size - np.searchsorted(pv, t, side="left")
    options = np.r_[0, c]
    return np.asarray(options[np.abs(options[None, :] - flagged[:, None]).argmin(axis=1)])
