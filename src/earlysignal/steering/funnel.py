"""Indirect standardisation: O/E with exact intervals, funnel limits, over-dispersion.

* **Ratio** ``O/E`` per unit with the exact Poisson interval of ``O`` (the chi-square form of
  Garwood 1936: ``chi2(a/2, 2O)/2`` to ``chi2(1 - a/2, 2O + 2)/2``) divided by ``E``.
* **Funnel limits** around the target 1 for a unit with expected count ``E``, after
  Spiegelhalter (2005): the exact Poisson quantile with his interpolation,
  ``(r_p - alpha) / E`` with ``r_p`` the ``p``-quantile of Poisson(E) and
  ``alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1))``, for 95 % and 99.8 %.
* **Over-dispersion** (multiplicative, Spiegelhalter 2005 section 3.3.1): z-scores
  ``(O - E) / sqrt(E)`` winsorised at their 10th and 90th percentiles give
  ``phi = mean(z_w^2)``; when ``n * phi`` exceeds the 95 % point of chi-square with ``n``
  degrees of freedom (more spread than chance alone) and there are at least
  :data:`MIN_UNITS` units, the limits become
  ``1 +/- z_p * sqrt(phi / E)``; otherwise the exact Poisson limits stand. The additive
  random-effects variance ``tau2`` (DerSimonian-Laird on the same z-scores) is reported beside
  it and used by the shrinkage.
* **Flags**: a unit is ``above`` (``below``) when the one-sided exact Poisson tail probability
  of its count, ``P(X >= O)`` (``P(X <= O)``) with ``X ~ Poisson(E)``, is under 0.1 %
  (``warning_above`` / ``warning_below`` under 2.5 %), else ``within``; under over-dispersion
  the z-score ``(O - E) / sqrt(phi E)`` is used. The exact test is used for the flags rather
  than the interpolated limits, because counts are whole numbers: a count just above an
  interpolated limit has a tail probability above nominal, and with the small expected counts
  of most providers that doubled the false flags (``benchmarks/steering.py``). The plotted
  limits are the interpolated ones.

Examples
--------
>>> import polars as pl
>>> t = pl.DataFrame({"unit": ["a", "b", "c"], "observed": [10, 40, 12],
...                   "expected": [12.0, 14.0, 11.0]})
>>> out = standardise(t)
>>> out.select("unit", "flag").rows()
[('a', 'within'), ('b', 'above'), ('c', 'within')]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = ["Dispersion", "estimate_dispersion", "funnel_limits", "poisson_interval", "standardise"]

MIN_UNITS = 10
"""Fewer units than this: no over-dispersion is estimated (a variance from a handful of units
is noise); the exact Poisson limits stand and the report says so."""

Z = {0.95: 1.959963984540054, 0.998: 3.090232306167813}


@dataclass(frozen=True, slots=True)
class Dispersion:
    """Over-dispersion of a comparison: ``phi`` (multiplicative), ``tau2`` (additive), used?"""

    phi: float
    tau2: float
    applied: bool
    units: int


def poisson_interval(
    observed: npt.ArrayLike, level: float = 0.95
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Exact (Garwood) interval of a Poisson mean given ``observed`` counts.

    Examples
    --------
    >>> lo, hi = poisson_interval([0, 10])
    >>> [round(float(v), 3) for v in lo], [round(float(v), 3) for v in hi]
    ([0.0, 4.795], [3.689, 18.39])
    """
    from scipy.stats import chi2

    o = np.asarray(observed, dtype=np.float64)
    a = 1 - level
    lo = np.where(o > 0, chi2.ppf(a / 2, 2 * np.maximum(o, 1e-12)) / 2, 0.0)
    hi = np.asarray(chi2.ppf(1 - a / 2, 2 * o + 2) / 2, dtype=np.float64)
    return np.asarray(lo, dtype=np.float64), hi


def funnel_limits(
    expected: npt.ArrayLike, level: float, dispersion: Dispersion | None = None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Lower and upper funnel limits of ``O/E`` at expected counts ``expected`` (target 1).

    Examples
    --------
    >>> lo, hi = funnel_limits([5.0, 50.0, 500.0], 0.998)
    >>> bool((np.diff(hi) < 0).all() and (np.diff(lo) > 0).all())
    True
    """
    from scipy.stats import poisson

    e = np.asarray(expected, dtype=np.float64)
    if dispersion is not None and dispersion.applied:
        half = Z[level] * np.sqrt(dispersion.phi / e)
        return np.maximum(1 - half, 0.0), 1 + half
    out = []
    for p in ((1 - level) / 2, 1 - (1 - level) / 2):
        r = poisson.ppf(p, e)
        f_r = poisson.cdf(r, e)
        f_r1 = poisson.cdf(r - 1, e)
        alpha = np.where(f_r > f_r1, (f_r - p) / np.maximum(f_r - f_r1, 1e-300), 0.0)
        out.append(np.maximum(r - alpha, 0.0) / e)
    return out[0], out[1]


def estimate_dispersion(
    observed: npt.ArrayLike, expected: npt.ArrayLike, winsor: float = 0.1
) -> Dispersion:
    """Multiplicative ``phi`` from winsorised z-scores and additive ``tau2`` (Spiegelhalter 2005).

    Examples
    --------
    >>> d = estimate_dispersion([10, 30, 2, 25, 1, 40, 3, 28, 9, 14], [10.0] * 10)
    >>> d.applied, d.phi > 1
    (True, True)
    """
    from scipy.stats import chi2

    o = np.asarray(observed, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    n = int(o.size)
    if n < MIN_UNITS:
        return Dispersion(phi=1.0, tau2=0.0, applied=False, units=n)
    z = (o - e) / np.sqrt(e)
    lo, hi = np.quantile(z, [winsor, 1 - winsor])
    zw = np.clip(z, lo, hi)
    phi = float(np.mean(zw**2))
    applied = bool(n * phi > chi2.ppf(0.95, n))
    # additive random effects on the ratio scale: s_i^2 = 1 / E_i, w_i = E_i
    w = e
    tau2 = max(0.0, (n * phi - (n - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    return Dispersion(phi=phi, tau2=float(tau2), applied=applied, units=n)


def _norm_cdf(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    from scipy.special import ndtr

    return np.asarray(ndtr(z), dtype=np.float64)


def standardise(
    table: pl.DataFrame,
    *,
    levels: Sequence[float] = (0.95, 0.998),
    dispersion: Dispersion | None = None,
) -> pl.DataFrame:
    """Ratios, exact intervals, funnel limits and flags per unit.

    Parameters
    ----------
    table
        ``unit``, ``observed`` (count), ``expected`` (> 0).
    levels
        Funnel levels (95 % warning, 99.8 % alarm).
    dispersion
        Over-dispersion to use (default: estimated from ``table``).

    Returns
    -------
    polars.DataFrame
        The input with ``ratio``, ``ratio_lo``, ``ratio_hi`` (exact 95 %), ``limit_lo_95``,
        ``limit_hi_95``, ``limit_lo_998``, ``limit_hi_998``, ``flag`` (``above``, ``below``,
        ``warning_above``, ``warning_below``, ``within``), ``phi``, ``tau2``,
        ``overdispersion_applied``.
    """
    o = table["observed"].to_numpy().astype(np.float64)
    e = table["expected"].to_numpy().astype(np.float64)
    d = dispersion or estimate_dispersion(o, e)
    r = o / e
    lo, hi = poisson_interval(o)
    cols: dict[str, Any] = {"ratio": r, "ratio_lo": lo / e, "ratio_hi": hi / e}
    for lv in levels:
        a, b = funnel_limits(e, lv, d)
        tag = str(lv).replace("0.", "")
        tag = "95" if tag == "95" else tag
        cols[f"limit_lo_{tag}"] = a
        cols[f"limit_hi_{tag}"] = b
    flag = np.full(r.size, "within", dtype=object)
    if d.applied:
        z = (o - e) / np.sqrt(d.phi * e)
        p_hi = 1 - _norm_cdf(z)
        p_lo = _norm_cdf(z)
    else:  # exact one-sided tail probabilities: never more false flags than nominal
        from scipy.stats import poisson

        p_hi = np.where(o > 0, poisson.sf(o - 1, e), 1.0)
        p_lo = np.asarray(poisson.cdf(o, e), dtype=np.float64)
    flag[p_hi < (1 - 0.95) / 2] = "warning_above"
    flag[p_lo < (1 - 0.95) / 2] = "warning_below"
    flag[p_hi < (1 - 0.998) / 2] = "above"
    flag[p_lo < (1 - 0.998) / 2] = "below"
    return table.with_columns(
        *(pl.Series(k, v, dtype=pl.Float64) for k, v in cols.items()),
        pl.Series("flag", flag.tolist(), dtype=pl.String),
        pl.lit(d.phi).alias("phi"),
        pl.lit(d.tau2).alias("tau2"),
        pl.lit(d.applied).alias("overdispersion_applied"),
    )
