"""Shrinkage pulls small units toward 1, keeps large ones; rank intervals cover the truth."""

from __future__ import annotations

import numpy as np
import polars as pl

from earlysignal.steering.shrinkage import fit_gamma_prior, shrink


def test_no_spread_beyond_chance_shrinks_everything_to_one() -> None:
    rng = np.random.default_rng(2)
    e = rng.uniform(5, 100, 200)
    a = fit_gamma_prior(rng.poisson(e), e)
    assert a > 50  # true ratios all 1: the prior variance 1/a is near 0


def test_small_units_move_more_than_large_ones() -> None:
    t = pl.DataFrame(
        {"unit": ["small", "large"] + [f"u{i}" for i in range(30)],
         "observed": [8, 400, *list(np.random.default_rng(3).poisson(50, 30))],
         "expected": [4.0, 200.0] + [50.0] * 30}
    )  # fmt: skip
    s = shrink(t, seed=0)
    small, large = s["shrunk"][0], s["shrunk"][1]
    assert abs(small - 2.0) > abs(large - 2.0)
    assert (s["shrunk_lo"] <= s["shrunk"]).all() and (s["shrunk"] <= s["shrunk_hi"]).all()


def test_rank_intervals_cover_the_true_ranks() -> None:
    rng = np.random.default_rng(4)
    theta = rng.lognormal(0, 0.3, 40)
    e = rng.uniform(30, 300, 40)
    t = pl.DataFrame({"unit": [f"u{i}" for i in range(40)], "observed": rng.poisson(e * theta),
                      "expected": e})  # fmt: skip
    s = shrink(t, seed=1)
    true_rank = theta.argsort().argsort() + 1
    covered = (
        (s["rank_lo"].to_numpy() <= true_rank) & (true_rank <= s["rank_hi"].to_numpy())
    ).mean()
    assert covered > 0.8
    assert (s["rank_hi"] - s["rank_lo"]).min() >= 0
