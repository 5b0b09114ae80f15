"""The default cohort reproduces every published target inside its band, oracle included."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
from sklearn.metrics import roc_auc_score

from earlysignal.synth import Simulation, calibration_table, oracle_risk
from earlysignal.synth.targets import ORACLE_TARGET, format_table


def _breakdown_times(sim: Simulation, n_children: int) -> pl.DataFrame:
    """Every 91 days while in a placement, for a sample of children, with the 180-day label."""
    h = sim.history
    ids = h.children["child_id"].sample(n_children, seed=1)
    pls = h.placements.filter(~pl.col("temporary") & pl.col("child_id").is_in(ids.implode()))
    out = []
    last = h.observed_until - timedelta(days=180)
    t = sim.start
    while t <= last:
        cur = pls.filter((pl.col("start") < t) & (pl.col("end").is_null() | (pl.col("end") > t)))
        y = (pl.col("end") <= t + timedelta(days=180)) & (pl.col("end_reason") == "breakdown")
        out.append(
            cur.select(
                "child_id", pl.lit(t).alias("prediction_time"), y.fill_null(False).alias("y")
            )
        )
        t += timedelta(days=91)
    return pl.concat(out)


def test_default_cohort_inside_every_band(default_sim: Simulation) -> None:
    table = calibration_table(default_sim.history, default_sim.start)
    print(format_table(table))
    outside = table.filter(~pl.col("inside"))
    assert outside.height == 0, format_table(outside)


def test_oracle_auroc_breakdown_180d_in_band(default_sim: Simulation) -> None:
    times = _breakdown_times(default_sim, 2500)
    r = oracle_risk(
        default_sim, times.select("child_id", "prediction_time"), outcome="breakdown",
        horizon=180, n_draws=20,
    )  # fmt: skip
    assert r["risk"].null_count() == 0
    y = times["y"].to_numpy()
    auc = roc_auc_score(y, r["risk"].to_numpy())
    assert ORACLE_TARGET.low <= auc <= ORACLE_TARGET.high, auc
    # calibrated in the large against what actually happened in the simulation
    se = np.sqrt(y.mean() * (1 - y.mean()) / y.size)
    assert abs(r["risk"].mean() - y.mean()) < 4 * se + 0.003


def test_default_history_is_valid(default_sim: Simulation) -> None:
    h = default_sim.history
    h.validate(strict=True)
    assert h.children.height == 20_000
    assert h.observed_until == date(2025, 3, 31)
    starts = h.placements.group_by("child_id").agg(pl.col("start").min())
    assert (starts["start"] < default_sim.start).any()  # some already in care at the start
    assert (starts["start"] >= default_sim.start).any()  # the rest enter during the period
