"""The at-home oracle is calibrated against what happened and null where it does not apply."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score

from earlysignal.synth.at_home import AtHomeSimulation, simulate_at_home
from earlysignal.synth.at_home_oracle import at_home_oracle


@pytest.fixture(scope="module")
def sim() -> AtHomeSimulation:
    return simulate_at_home(4000, years=10, seed=0)


def _times(sim: AtHomeSimulation) -> pl.DataFrame:
    ts = [date(2016 + k, m, 1) for k in range(7) for m in (4, 10)]
    ids = sim.history.children.select("child_id")
    return pl.concat([ids.with_columns(pl.lit(t).alias("prediction_time")) for t in ts])


def test_entry_oracle_calibrated_and_informative(sim: AtHomeSimulation) -> None:
    h = sim.history
    r = at_home_oracle(sim, _times(sim), outcome="entry", horizon=180, n_draws=20)
    first = h.placements.group_by("child_id").agg(pl.col("start").min())
    t = pl.col("prediction_time")
    j = (
        r.filter(pl.col("risk").is_not_null())
        .join(first, on="child_id", how="left")
        .with_columns(
            ((pl.col("start") > t) & (pl.col("start") <= t + timedelta(days=180)))
            .fill_null(False)
            .alias("y")
        )
    )
    # every row with a risk: never placed before t and under a measure at t
    assert j.filter(pl.col("start") < t).height == 0  # a placement starting at t: at home at t
    y = j["y"].to_numpy()
    se = np.sqrt(y.mean() * (1 - y.mean()) / y.size)
    assert abs(j["risk"].mean() - y.mean()) < 4 * se + 0.003  # type: ignore[operator]
    assert roc_auc_score(y, j["risk"].to_numpy()) > 0.7


def test_stable_return_oracle_only_for_children_in_care(sim: AtHomeSimulation) -> None:
    h = sim.history
    t0 = date(2018, 4, 1)
    times = h.children.select("child_id").with_columns(pl.lit(t0).alias("prediction_time"))
    r = at_home_oracle(sim, times, outcome="stable_return", horizon=365, n_draws=30)
    in_care = h.placements.filter(
        (pl.col("start") < t0) & (pl.col("end").is_null() | (pl.col("end") > t0))
    )["child_id"]
    got = r.filter(pl.col("risk").is_not_null())["child_id"]
    assert set(got.to_list()) == set(in_care.to_list())
    assert 0.0 < r["risk"].mean() < 0.5  # type: ignore[operator]


def test_unknown_outcome_refused(sim: AtHomeSimulation) -> None:
    with pytest.raises(ValueError, match="not one of"):
        at_home_oracle(sim, _times(sim).head(3), outcome="breakdown", horizon=180)


def test_integrated_entry_risk_matches_simulated_entries(sim: AtHomeSimulation) -> None:
    times = _times(sim).sample(3000, seed=3)
    a = at_home_oracle(sim, times, outcome="entry", horizon=180, n_draws=40, method="integrate")
    b = at_home_oracle(sim, times, outcome="entry", horizon=180, n_draws=40, method="simulate")
    ra, rb = a["risk"].drop_nulls().to_numpy(), b["risk"].drop_nulls().to_numpy()
    assert ra.size == rb.size > 100
    se = np.sqrt(rb.mean() * (1 - rb.mean()) / (rb.size * 40))
    assert abs(ra.mean() - rb.mean()) < 4 * se + 0.002
    # the integrated risk is far less noisy: few exact zeros
    assert (ra == 0).mean() < (rb == 0).mean()
