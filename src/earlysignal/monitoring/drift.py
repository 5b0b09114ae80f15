"""Drift of features and scores against a reference profile stored with the model.

A **profile** summarises a column on the model's calibration period: the bin edges (deciles,
duplicates merged), the count of rows per bin and of missing values. It is aggregated data,
stored in the model's manifest at training time, so that monitoring needs no training rows.

Drift of a new extraction is measured per column by

- the **population stability index** ``PSI = sum (a - e) * ln(a / e)`` over the bins (shares
  ``e`` in the reference, ``a`` now; a floor of 1e-4 keeps empty bins finite). Conventional
  reading: below 0.1 stable, 0.1 to 0.25 moderate shift, above 0.25 major shift;
- a **two-sample chi-square test** of homogeneity on the same bin counts
  (``scipy.stats.chi2_contingency``): with thousands of rows it finds trivial shifts, so the
  alarm is the PSI and the test is reported beside it.

Why our own PSI: it is ten lines of numpy; the libraries that offer it (evidently, nannyml)
bring heavy dependency trees for one formula.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> ref = profile(rng.normal(size=5000))
>>> round(psi(ref, rng.normal(size=5000)), 3) < 0.02
True
>>> psi(ref, rng.normal(1.0, 1.0, size=5000)) > 0.25
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

__all__ = ["PSI_MAJOR", "PSI_MODERATE", "drift_table", "profile", "profiles", "psi"]

PSI_MODERATE = 0.1
PSI_MAJOR = 0.25


def profile(values: Any, n_bins: int = 10) -> dict[str, Any]:
    """The reference profile of one column: decile edges, counts per bin, missing count.

    An edge is never a row's value (:func:`_between_rows`); the counts per bin are those of the
    data.

    Examples
    --------
    >>> profile([0, 0, 1, 1, 2, 2, 3, 5, 8, 40], n_bins=4)["edges"]
    [0.5, 1.5, 4.5]
    """
    x = np.asarray(values, dtype=np.float64)
    missing = int(np.isnan(x).sum())
    x = x[~np.isnan(x)]
    if x.size == 0:
        return {"edges": [], "counts": [0], "missing": missing}
    edges = _between_rows(
        np.sort(x), np.unique(np.quantile(x, np.linspace(0, 1, n_bins + 1)[1:-1]))
    )
    counts = np.bincount(np.searchsorted(edges, x, side="right"), minlength=edges.size + 1)
    return {"edges": edges.tolist(), "counts": counts.tolist(), "missing": missing}


def _between_rows(xs: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Decile edges moved off the rows' values: an edge equal to a value ``v`` becomes the
    midpoint of ``v`` and the next lower value (the same rows fall on each side of it); an
    edge at the smallest value (no row below it) is dropped. So the profile stored with the
    model gives no row's exact value (a count of 3, one child's age in days)."""
    from earlysignal.models.decision import between

    kept = []
    for e in edges:
        k = int(np.searchsorted(xs, e, side="left"))
        if k < xs.size and xs[k] == e:
            if k == 0:
                continue  # nothing below it: the bin under it is empty anyway
            kept.append(between(float(xs[k - 1]), float(e)))
        else:
            kept.append(float(e))
    return np.asarray(kept, dtype=np.float64)


def profiles(frame: pl.DataFrame, columns: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Profiles of several columns of a frame (nulls count as missing)."""
    return {c: profile(frame[c].cast(pl.Float64).fill_null(np.nan).to_numpy()) for c in columns}


def _counts(ref: Mapping[str, Any], values: Any) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(values, dtype=np.float64)
    edges = np.asarray(ref["edges"], dtype=np.float64)
    now = np.bincount(
        np.searchsorted(edges, x[~np.isnan(x)], side="right"), minlength=edges.size + 1
    ).astype(np.float64)
    before = np.asarray(ref["counts"], dtype=np.float64)
    return np.append(before, float(ref["missing"])), np.append(now, float(np.isnan(x).sum()))


def psi(ref: Mapping[str, Any], values: Any) -> float:
    """Population stability index of ``values`` against the reference profile ``ref``."""
    before, now = _counts(ref, values)
    e = np.maximum(before / max(before.sum(), 1.0), 1e-4)
    a = np.maximum(now / max(now.sum(), 1.0), 1e-4)
    return float(np.sum((a - e) * np.log(a / e)))


def _chi2_p(ref: Mapping[str, Any], values: Any) -> float:
    from scipy.stats import chi2_contingency

    before, now = _counts(ref, values)
    keep = (before + now) > 0
    if keep.sum() < 2 or now.sum() == 0 or before.sum() == 0:
        return float("nan")
    return float(chi2_contingency(np.vstack([before[keep], now[keep]]))[1])


def drift_table(reference: Mapping[str, Mapping[str, Any]], frame: pl.DataFrame) -> pl.DataFrame:
    """PSI, chi-square p-value and the PSI level for each profiled column present in ``frame``.

    Returns
    -------
    pl.DataFrame
        ``column``, ``psi``, ``p_value``, ``level`` (``stable``, ``moderate``, ``major``),
        sorted by decreasing PSI.
    """
    rows = []
    for column, ref in reference.items():
        if column not in frame.columns:
            continue
        values = frame[column].cast(pl.Float64).fill_null(np.nan).to_numpy()
        value = psi(ref, values)
        level = "major" if value > PSI_MAJOR else "moderate" if value > PSI_MODERATE else "stable"
        rows.append(
            {"column": column, "psi": value, "p_value": _chi2_p(ref, values), "level": level}
        )
    schema = {"column": pl.String, "psi": pl.Float64, "p_value": pl.Float64, "level": pl.String}
    return pl.DataFrame(rows, schema=schema).sort("psi", descending=True)
