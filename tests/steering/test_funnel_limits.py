"""Funnel limits: exact Poisson, nominal under chance alone, widened under over-dispersion."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.steering.funnel import (
    estimate_dispersion,
    funnel_limits,
    poisson_interval,
    standardise,
)


def test_share_outside_998_limits_is_nominal_under_chance() -> None:
    rng = np.random.default_rng(0)
    e = rng.uniform(3, 300, 20_000)
    o = rng.poisson(e)
    out = standardise(
        pl.DataFrame({"unit": [str(i) for i in range(e.size)], "observed": o, "expected": e})
    )
    assert not out["overdispersion_applied"][0]
    outside = out["flag"].is_in(["above", "below"]).mean()
    warn = (out["flag"] != "within").mean()
    assert outside < 0.004  # nominal 0.002 (discrete counts make it at most that)
    assert 0.02 < warn < 0.06  # nominal 0.05


def test_overdispersion_widens_the_limits() -> None:
    rng = np.random.default_rng(1)
    e = rng.uniform(20, 200, 300)
    o = rng.poisson(e * rng.lognormal(0, 0.3, e.size))
    d = estimate_dispersion(o, e)
    assert d.applied and d.phi > 1.5 and d.tau2 > 0
    lo0, hi0 = funnel_limits(e, 0.998)
    lo1, hi1 = funnel_limits(e, 0.998, d)
    assert (hi1 > hi0).all() and (lo1 <= lo0).all()


@settings(max_examples=30)
@given(e=st.floats(0.5, 500), level=st.sampled_from([0.95, 0.998]))
def test_limits_bracket_one_and_narrow_with_size(e: float, level: float) -> None:
    lo, hi = funnel_limits([e, e * 4], level)
    assert lo[0] <= 1 <= hi[0]
    assert hi[1] <= hi[0] + 1e-12 and lo[1] >= lo[0] - 1e-12


@settings(max_examples=30)
@given(o=st.integers(0, 400))
def test_exact_interval_contains_the_observed_count(o: int) -> None:
    lo, hi = poisson_interval([o])
    assert lo[0] <= o <= hi[0]
