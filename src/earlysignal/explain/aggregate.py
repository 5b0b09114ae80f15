"""Aggregated view of contributions: no figure shows a single row.

The SHAP beeswarm draws one dot per explained row, so a published card with it holds
row-level data. :func:`contribution_bins` summarises the same information per feature and per
bin of the feature's value: the contribution's quartiles and median among the rows of the bin
(rounded to 2 significant digits, so that no quartile is one row's exact value), where every
bin holds at least ``min_children`` distinct children (adjacent bins are merged until it does,
:func:`earlysignal.evaluate.slices.merge_runs`, the helper the evaluation figures use too;
missing values form their own bin, shown only when large enough). The card draws it with
:func:`earlysignal.explain.contribution_summary_plot`; the beeswarm is drawn only when the
study opts in (``[explain] row_level_figures = true``).

**Bin edges are cut points, not rows' values.** The published range of a bin is
``value_lo <= x < value_hi``, where the edges are the quantile cut points rounded to 2
significant digits (:func:`cut_points`), and rows are assigned to bins by those published edges,
so the edges are true. The lowest bin has no lower edge and the highest no upper edge
(``None``: "below x", "x and above"), so the smallest and largest values (one child's exact age
or count of placements) are never published. For a feature with non-integer values, no edge
equals any row's value (an edge that would is moved half a rounding step, or dropped); for a
count (integer values) the edges are integers ("3 and above"), which many children share.

Written here rather than taken from shap: shap's plots have no aggregated form with a minimum
number of children per mark.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from earlysignal.evaluate.slices import merge_runs
from earlysignal.explain.contributions import Contributions

__all__ = ["BIN_SCHEMA", "contribution_bins", "cut_points"]

BIN_SCHEMA: dict[str, Any] = {
    "feature": pl.String,
    "rank": pl.Int64,
    "bin": pl.Int64,
    "value_lo": pl.Float64,
    "value_hi": pl.Float64,
    "missing": pl.Boolean,
    "n_children": pl.Int64,
    "q25": pl.Float64,
    "median": pl.Float64,
    "q75": pl.Float64,
}
"""Columns of :func:`contribution_bins`: the feature, its rank by mean |contribution|, the bin
(0 = lowest values), the range of feature values in the bin, ``value_lo <= x < value_hi``
(coarse cut points between bins, never a row's value; ``None`` at the open ends: "below
``value_hi``", "``value_lo`` and above"; ``missing``: the bin of missing values), distinct
children in the bin (not published: used for the threshold; at least ``min_children``), and the
contribution's quartiles (log-odds)."""


def _round_to(value: float, step: float) -> float:
    """``value`` rounded to a multiple of ``step`` (a power of ten), without float noise."""
    decimals = max(0, -math.floor(math.log10(step)))
    return float(round(round(value / step) * step, decimals))


def cut_points(values: Any, n_bins: int = 5) -> list[float]:
    """Coarse cut points between quantile bins of ``values``: no row's value, no extreme.

    Each inner quantile ``q / n_bins`` is rounded to 2 significant digits (of the quantile, or
    of the range when the quantile is 0). Values that are all integers (counts, days) get
    integer cut points ("3 and above"). Otherwise a cut point equal to a row's value is moved
    half a rounding step up, then down, or dropped, so no cut point is any row's value. Only cut
    points with rows on both sides are kept: a bin ``value_lo <= x < value_hi`` between them is
    never empty, and the smallest and largest values are never cut points.

    Parameters
    ----------
    values
        The feature's values (missing values, NaN, are ignored).
    n_bins
        Quantile bins asked for; fewer cut points come back when rounding merges them.

    Returns
    -------
    list of float
        Increasing cut points.

    Examples
    --------
    >>> cut_points([0.113, 0.52, 0.97, 1.41, 2.26, 3.08, 4.64, 5.51], n_bins=4)
    [0.86, 1.8, 3.5]
    >>> cut_points([0, 0, 1, 1, 2, 3, 5, 8, 13, 40], n_bins=2)
    [2.0]
    """
    x = np.asarray(values, dtype=np.float64)
    xs = np.sort(x[~np.isnan(x)])
    if xs.size < 2 or xs[0] == xs[-1]:
        return []
    counts = bool(np.all(xs == np.round(xs)))
    spread = float(xs[-1] - xs[0])
    edges: list[float] = []
    for q in range(1, n_bins):
        v = float(np.quantile(xs, q / n_bins))
        step = 10.0 ** (math.floor(math.log10(abs(v) if v != 0 else spread)) - 1)
        if counts:
            step = max(step, 1.0)
        if not (0.0 < step < math.inf):  # values near the ends of floating point: no cut
            continue
        candidates = [_round_to(v, step)]
        if not counts:  # never a row's value: half a step away, or no cut here
            candidates += [candidates[0] + step / 2, candidates[0] - step / 2]
            candidates = [float(f"{c:.12g}") for c in candidates]
            candidates = [c for c in candidates if not _is_value(xs, c)]
        for c in candidates[:1]:
            k = int(np.searchsorted(xs, c, side="left"))
            if 0 < k < xs.size and c not in edges:
                edges.append(c)
    return sorted(edges)


def _is_value(xs: np.ndarray, c: float) -> bool:
    """Whether ``c`` is one of the sorted values ``xs``."""
    k = int(np.searchsorted(xs, c, side="left"))
    return k < xs.size and bool(xs[k] == c)


def _coarse(value: float) -> float:
    """A published quartile: 2 significant digits, so that the median of an odd number of rows
    (or a quartile falling on a row) does not give one row's exact contribution back."""
    return float(f"{float(value):.2g}")


def contribution_bins(
    contrib: Contributions,
    groups: Any,
    *,
    n_bins: int = 5,
    min_children: int = 10,
    max_display: int = 12,
) -> pl.DataFrame:
    """Contribution quartiles per feature and bin of the feature's value, >= ``min_children``.

    The quartiles are rounded to 2 significant digits: a median of an odd count of rows is one
    row's value, and the card is a published artefact. The bins' edges are :func:`cut_points`
    (coarse, between rows' values, open at both ends), and each row is counted in the bin its
    value falls in by those edges.

    Parameters
    ----------
    contrib
        The contributions of the explained rows.
    groups
        Child id per explained row (bins count distinct children).
    n_bins
        Quantile bins of the feature's value before rounding the cut points and merging.
    min_children
        Smallest number of distinct children in a published bin; a feature with fewer
        children in all is left out.
    max_display
        The features with the largest mean |contribution|.

    Returns
    -------
    polars.DataFrame
        Columns of :data:`BIN_SCHEMA`, by rank then bin.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 2))
    >>> c = Contributions(x * [1.0, 0.1], np.zeros(200), x, ("a", "b"), "linear")
    >>> t = contribution_bins(c, np.arange(200) // 2)
    >>> t.filter(pl.col("feature") == "a").height, bool(t["n_children"].min() >= 10)
    (5, True)
    >>> t.filter(pl.col("feature") == "a")["value_lo"].to_list()
    [None, -0.88, -0.41, 0.17, 0.79]
    """
    ids = np.asarray(groups)
    if ids.shape != (len(contrib),):
        raise ValueError(
            f"contribution_bins: groups has shape {ids.shape}, expected ({len(contrib)},)"
        )
    order = np.argsort(-np.abs(contrib.values).mean(axis=0), kind="stable")[:max_display]
    rows: list[dict[str, Any]] = []
    for rank, j in enumerate(order, start=1):
        name = contrib.feature_names[j]
        x = np.asarray(contrib.data[:, j], dtype=np.float64)
        v = contrib.values[:, j]
        missing = np.isnan(x)
        present = np.flatnonzero(~missing)
        sorted_rows = present[np.argsort(x[present], kind="stable")]
        xs = x[sorted_rows]
        # rows are assigned by the published cut points: [edge_k, edge_k+1)
        edge_at = {int(np.searchsorted(xs, c, side="left")): c for c in cut_points(xs, n_bins)}
        cuts = [0, *sorted(edge_at), int(xs.size)]
        runs = merge_runs(cuts, ids[sorted_rows], min_children) if xs.size else []
        b = 0
        for a, e in runs:
            sel = sorted_rows[a:e]
            n_children = int(np.unique(ids[sel]).size)
            if n_children < min_children:
                continue
            q25, med, q75 = (_coarse(q) for q in np.quantile(v[sel], [0.25, 0.5, 0.75]))
            rows.append(
                {"feature": name, "rank": rank, "bin": b, "value_lo": edge_at.get(a),
                 "value_hi": edge_at.get(e), "missing": False, "n_children": n_children,
                 "q25": q25, "median": med, "q75": q75}
            )  # fmt: skip
            b += 1
        if missing.any() and int(np.unique(ids[missing]).size) >= min_children:
            q25, med, q75 = (_coarse(q) for q in np.quantile(v[missing], [0.25, 0.5, 0.75]))
            rows.append(
                {"feature": name, "rank": rank, "bin": b, "value_lo": None, "value_hi": None,
                 "missing": True, "n_children": int(np.unique(ids[missing]).size),
                 "q25": q25, "median": med, "q75": q75}
            )  # fmt: skip
    return pl.DataFrame(rows, schema=BIN_SCHEMA)
