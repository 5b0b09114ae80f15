"""The oracle: right shape, calibrated against the simulation, and agreeing with itself."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from earlysignal.indicators.measures import in_care_at
from earlysignal.synth import Simulation, oracle_risk

T = date(2017, 10, 2)


def _times(sim: Simulation, t: date = T) -> pl.DataFrame:
    ids = in_care_at(sim.history, t)["child_id"]
    return pl.DataFrame({"child_id": ids, "prediction_time": [t] * ids.len()})


@pytest.mark.parametrize(("outcome", "horizon"), [("breakdown", 180), ("carousel", 365)])
def test_integrated_matches_fresh_simulation(
    small_sim: Simulation, outcome: str, horizon: int
) -> None:
    times = _times(small_sim)
    a = oracle_risk(small_sim, times, outcome=outcome, horizon=horizon, n_draws=40)
    b = oracle_risk(
        small_sim, times, outcome=outcome, horizon=horizon, n_draws=60, seed=9, method="simulate"
    )
    ok = a["risk"].is_not_null()
    assert ok.sum() > 300
    ra, rb = a["risk"].filter(ok).to_numpy(), b["risk"].filter(ok).to_numpy()
    sb = b["se"].filter(ok).to_numpy()
    # group mean: tolerance from the standard errors (draws are independent across children)
    tol = (
        4 * np.sqrt((sb**2).sum()) / ra.size
        + 4 * np.sqrt((a["se"].filter(ok) ** 2).sum()) / ra.size
    )
    assert abs(ra.mean() - rb.mean()) < tol + 1e-4
    # child level: the two estimates agree within their errors for nearly every child
    z = np.abs(ra - rb) / np.sqrt(sb**2 + 1e-12)
    assert np.mean(z[sb > 0] < 4) > 0.97
    # the integrated estimator has the lower Monte Carlo error (the point of integrating)
    assert a["se"].filter(ok).mean() * np.sqrt(40) < b["se"].filter(ok).mean() * np.sqrt(60)


def test_oracle_calibrated_against_realised_outcomes(small_sim: Simulation) -> None:
    h = small_sim.history
    rows, ys = [], []
    for i in range(6):
        t = T + timedelta(days=91 * i)
        cur = h.placements.filter(
            ~pl.col("temporary")
            & (pl.col("start") < t)
            & (pl.col("end").is_null() | (pl.col("end") > t))
        )
        rows.append(cur.select("child_id", pl.lit(t).alias("prediction_time")))
        ys.append(
            ((cur["end"] <= t + timedelta(days=180)) & (cur["end_reason"] == "breakdown"))
            .fill_null(False)
            .to_numpy()
        )
    times = pl.concat(rows)
    y = np.concatenate(ys)
    r = oracle_risk(small_sim, times, outcome="breakdown", horizon=180, n_draws=20)
    risk = r["risk"].to_numpy()
    assert not np.isnan(risk).any()
    se = np.sqrt((risk * (1 - risk)).sum()) / y.size
    assert abs(risk.mean() - y.mean()) < 4 * se
    # higher predicted risk, more breakdowns
    hi = risk >= np.quantile(risk, 0.8)
    assert y[hi].mean() > 2 * y[~hi].mean()


def test_order_nulls_and_other_outcomes(small_sim: Simulation) -> None:
    times = _times(small_sim).head(40)
    out_of_care = small_sim.history.children.filter(
        ~pl.col("child_id").is_in(times["child_id"].implode())
    ).head(5)
    extra = pl.DataFrame({"child_id": out_of_care["child_id"], "prediction_time": [T] * 5})
    times = pl.concat([extra, times.reverse()])
    bd = oracle_risk(small_sim, times, outcome="breakdown", horizon=90, n_draws=10)
    assert bd["child_id"].to_list() == times["child_id"].to_list()
    assert bd.columns == ["child_id", "prediction_time", "risk", "se"]
    assert bd["risk"].head(5).null_count() >= 4  # most of these are not in care at T
    assert bd["risk"].tail(40).null_count() <= 2  # placed at T (a move on T is not in effect)
    for outcome in ("carousel", "return_home"):
        r = oracle_risk(small_sim, times, outcome=outcome, horizon=365, n_draws=20)
        v = r["risk"].drop_nulls()
        assert ((v >= 0) & (v <= 1)).all()
        assert r["risk"].tail(40).null_count() == 0


def test_errors_name_the_problem(small_sim: Simulation) -> None:
    times = pl.DataFrame({"child_id": ["nobody"], "prediction_time": [T]})
    with pytest.raises(ValueError, match="nobody"):
        oracle_risk(small_sim, times, outcome="breakdown", horizon=90)
    with pytest.raises(ValueError, match="outcome"):
        oracle_risk(small_sim, _times(small_sim), outcome="adoption", horizon=90)


def test_breakdown_definitions_split_the_unplanned_endings(small_sim: Simulation) -> None:
    # the simulator records some unplanned endings as provider_ended (DfE shares) ...
    reasons = small_sim.history.placements["end_reason"].value_counts()
    counts = dict(zip(reasons["end_reason"].to_list(), reasons["count"].to_list(), strict=True))
    share = counts["breakdown"] / (counts["breakdown"] + counts["provider_ended"])
    assert abs(share - small_sim.params.child_side_share()) < 0.04
    # ... and the oracle of each definition is the matching part of the same risk
    times = _times(small_sim)
    child = oracle_risk(small_sim, times, outcome="breakdown", horizon=180, n_draws=20)
    anyu = oracle_risk(
        small_sim, times, outcome="breakdown", horizon=180, n_draws=20, definition="any_unplanned"
    )
    ok = child["risk"].is_not_null()
    ratio = child["risk"].filter(ok) / anyu["risk"].filter(ok)
    assert np.allclose(ratio.drop_nans().to_numpy(), small_sim.params.child_side_share())
    with pytest.raises(ValueError, match="definition"):
        oracle_risk(small_sim, times, outcome="breakdown", horizon=180, definition="x")


def test_any_unplanned_oracle_calibrated_against_realised_unplanned_endings(
    small_sim: Simulation,
) -> None:
    h = small_sim.history
    rows, ys = [], []
    for i in range(6):
        t = T + timedelta(days=91 * i)
        cur = h.placements.filter(
            ~pl.col("temporary")
            & (pl.col("start") < t)
            & (pl.col("end").is_null() | (pl.col("end") > t))
        )
        rows.append(cur.select("child_id", pl.lit(t).alias("prediction_time")))
        unplanned = cur["end_reason"].is_in(["breakdown", "provider_ended"])
        ys.append(((cur["end"] <= t + timedelta(days=180)) & unplanned).fill_null(False).to_numpy())
    y = np.concatenate(ys)
    r = oracle_risk(
        small_sim, pl.concat(rows), outcome="breakdown", horizon=180, n_draws=20,
        definition="any_unplanned",
    )  # fmt: skip
    risk = r["risk"].to_numpy()
    se = np.sqrt((risk * (1 - risk)).sum()) / y.size
    assert abs(risk.mean() - y.mean()) < 4 * se
