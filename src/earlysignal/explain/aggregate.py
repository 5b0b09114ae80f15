"""Aggregated view of contributions: no figure shows a single row.

The SHAP beeswarm draws one dot per explained row, so a published card with it holds
row-level data. :func:`contribution_bins` summarises the same information per feature and per
bin of the feature's value: the contribution's quartiles and median among the rows of the bin
(rounded to 2 significant digits, so that no quartile is one row's exact value), where every
bin holds at least ``min_children`` distinct children (adjacent quantile bins are
merged until it does, :func:`earlysignal.evaluate.slices.merge_runs`, the helper the
evaluation figures use too; missing values form their own bin, shown only when large enough). The
card draws it with :func:`earlysignal.explain.contribution_summary_plot`; the beeswarm is drawn
only when the study opts in (``[explain] row_level_figures = true``).

Written here rather than taken from shap: shap's plots have no aggregated form with a minimum
number of children per mark.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from earlysignal.evaluate.slices import merge_runs
from earlysignal.explain.contributions import Contributions

__all__ = ["BIN_SCHEMA", "contribution_bins"]

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
(0 = lowest values), the range of feature values in the bin (``missing``: the bin of missing
values), distinct children in the bin (not published: used for the threshold; at least
``min_children``), and the contribution's quartiles (log-odds)."""


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
    row's value, and the card is a published artefact.

    Parameters
    ----------
    contrib
        The contributions of the explained rows.
    groups
        Child id per explained row (bins count distinct children).
    n_bins
        Quantile bins of the feature's value before merging.
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
        # quantile cut points that never split tied values
        cuts = [0]
        for q in range(1, n_bins):
            k = (
                int(np.searchsorted(xs, np.quantile(xs, q / n_bins), side="right"))
                if xs.size
                else 0
            )
            if cuts[-1] < k < xs.size:
                cuts.append(k)
        cuts.append(int(xs.size))
        runs = merge_runs(cuts, ids[sorted_rows], min_children) if xs.size else []
        b = 0
        for a, e in runs:
            sel = sorted_rows[a:e]
            n_children = int(np.unique(ids[sel]).size)
            if n_children < min_children:
                continue
            q25, med, q75 = (_coarse(q) for q in np.quantile(v[sel], [0.25, 0.5, 0.75]))
            rows.append(
                {"feature": name, "rank": rank, "bin": b, "value_lo": float(xs[a]),
                 "value_hi": float(xs[e - 1]), "missing": False, "n_children": n_children,
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
