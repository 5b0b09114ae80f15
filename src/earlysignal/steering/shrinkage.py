"""Empirical Bayes shrinkage of the ratios (gamma-Poisson) and rank intervals.

Each unit's true ratio ``theta`` is taken as drawn from Gamma(shape ``a``, rate ``a``) (mean 1,
variance ``1/a``: the spread of true unit effects), and ``O ~ Poisson(E * theta)``. ``a`` is
estimated by maximum marginal (negative-binomial) likelihood over all units; each unit's
posterior is Gamma(``a + O``, ``a + E``), whose mean is the shrunken ratio: small units are pulled
toward 1, large ones keep their own ratio. When the units spread no more than chance allows,
``a`` runs to its upper bound and every estimate is (close to) 1, which is the honest answer.

Rank intervals come from draws of the posteriors: in each draw the units are ranked (1 = lowest
ratio), and the 2.5 % and 97.5 % points of each unit's ranks are reported instead of a rank.
The uncertainty in ``a`` itself is not propagated (stated in ``docs/steering.md``).

Examples
--------
>>> import polars as pl
>>> t = pl.DataFrame({"unit": ["a", "b", "c", "d"], "observed": [5, 40, 12, 100],
...                   "expected": [4.0, 20.0, 12.0, 100.0]})
>>> s = shrink(t, seed=0)
>>> s.select("unit", "rank_lo", "rank_hi").columns
['unit', 'rank_lo', 'rank_hi']
>>> bool(s["shrunk"][0] < 5 / 4)  # the small unit is pulled toward 1
True
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = ["fit_gamma_prior", "posterior_draws", "shrink"]

_A_MAX = 1e6


def fit_gamma_prior(observed: npt.ArrayLike, expected: npt.ArrayLike) -> float:
    """Shape ``a`` of the Gamma(a, a) prior of the ratios by marginal likelihood.

    Examples
    --------
    >>> fit_gamma_prior([10, 10, 10], [10.0, 10.0, 10.0]) > 1000
    True
    """
    from scipy.optimize import minimize_scalar
    from scipy.special import gammaln

    o = np.asarray(observed, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)

    def nll(log_a: float) -> float:
        a = np.exp(log_a)
        ll = gammaln(a + o) - gammaln(a) + a * np.log(a / (a + e)) + o * np.log(e / (a + e))
        return float(-ll.sum())

    res = minimize_scalar(nll, bounds=(np.log(0.05), np.log(_A_MAX)), method="bounded")
    return float(np.exp(res.x))


def posterior_draws(
    observed: npt.ArrayLike, expected: npt.ArrayLike, a: float, draws: int, seed: int
) -> npt.NDArray[np.float64]:
    """Draws of each unit's ratio from its Gamma(a + O, a + E) posterior, shape (draws, units)."""
    o = np.asarray(observed, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    rng = np.random.default_rng(seed)
    return rng.gamma(a + o, 1.0 / (a + e), size=(draws, o.size))


def shrink(
    table: pl.DataFrame, *, level: float = 0.95, draws: int = 2000, seed: int = 0
) -> pl.DataFrame:
    """Shrunken ratios with intervals and rank intervals.

    Parameters
    ----------
    table
        ``unit``, ``observed``, ``expected``.
    level
        Interval level.
    draws
        Posterior draws for the rank intervals.
    seed
        Seed of the draws.

    Returns
    -------
    polars.DataFrame
        The input with ``shrunk`` (posterior mean), ``shrunk_lo``, ``shrunk_hi``, ``rank_lo``,
        ``rank_hi`` (Int64, 1 = lowest ratio), ``prior_shape`` (``a``).
    """
    from scipy.stats import gamma

    o = table["observed"].to_numpy().astype(np.float64)
    e = table["expected"].to_numpy().astype(np.float64)
    a = fit_gamma_prior(o, e)
    shape, rate = a + o, a + e
    q = (1 - level) / 2
    d = posterior_draws(o, e, a, draws, seed)
    ranks = d.argsort(axis=1).argsort(axis=1) + 1
    return table.with_columns(
        pl.Series("shrunk", shape / rate),
        pl.Series("shrunk_lo", np.asarray(gamma.ppf(q, shape, scale=1 / rate))),
        pl.Series("shrunk_hi", np.asarray(gamma.ppf(1 - q, shape, scale=1 / rate))),
        pl.Series("rank_lo", np.floor(np.quantile(ranks, q, axis=0)).astype(np.int64)),
        pl.Series("rank_hi", np.ceil(np.quantile(ranks, 1 - q, axis=0)).astype(np.int64)),
        pl.lit(a).alias("prior_shape"),
    )
