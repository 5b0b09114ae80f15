"""The feedback loop: support that prevents flagged children's breakdowns must not stop the model.

We monitor a later extraction in which every placement a flagged child was in when flagged
ends without breakdown (support worked). Judged on all children, observed/expected falls (to
about 0.6 in this world) and a calibration-in-the-large rule decided by its interval is
breached: the model would be stopped for succeeding. Judged on the unflagged children (the
default population), the same rule holds.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import polars as pl
import pytest
from studies import small_study  # type: ignore[import-not-found]

from earlysignal.cohort import prediction_times
from earlysignal.features import build_features
from earlysignal.monitoring import StopRule, monitor
from earlysignal.monitoring.monitor import _design
from earlysignal.scoring import load_scoring_model
from earlysignal.synth import simulate

pytestmark = pytest.mark.slow


def test_support_that_works_does_not_breach_the_default_rule(tmp_path) -> None:  # type: ignore[no-untyped-def]
    s = small_study()
    model = load_scoring_model(s.result.run_id, tracking_uri=s.uri, workdir=tmp_path / "m")
    history = simulate(1500, years=10, seed=4).history
    meta = model.metadata
    start = date.fromisoformat(meta["observed_until"]) + timedelta(days=1)
    times = prediction_times(history, _design(meta, start))
    times = times.filter(pl.col("prediction_time") >= start)
    frame = build_features(history, times, list(model.specs), outcomes=())
    risk = model.model.risk(frame.select(model.feature_names))
    helped = frame.filter(pl.Series(risk >= meta["threshold"]))["placement_id"].unique()
    placements = history.placements.with_columns(
        pl.when(
            pl.col("placement_id").is_in(helped.implode()) & (pl.col("end_reason") == "breakdown")
        )
        .then(pl.lit("planned"))
        .otherwise(pl.col("end_reason"))
        .alias("end_reason")
    )
    supported = replace(history, placements=placements)
    # the same rule (calibration-in-the-large within [-0.2, 0.2], decided by its interval),
    # judged on two populations
    rule = dict(metric="calibration_in_the_large", lower=-0.2, upper=0.2, min_events=50)
    judged = monitor(
        model,
        supported,
        log_run=False,
        n_boot=100,
        rules=[StopRule(**rule, judge_on="all"), StopRule(**rule, judge_on="unflagged")],
    )
    verdicts = [r["verdict"] for r in judged.summary["rules"]]
    assert verdicts == ["breached", "holds"]  # on all: stopped for succeeding; unflagged: holds
    # the same in the performance table: O/E clearly below 1 on all, 1 inside on the unflagged
    perf = judged.performance.filter(pl.col("metric") == "oe_ratio")
    everyone = perf.filter(pl.col("population") == "all").row(0, named=True)
    unflagged = perf.filter(pl.col("population") == "unflagged").row(0, named=True)
    assert everyone["upper"] < 1.0
    assert unflagged["lower"] <= 1.0 <= unflagged["upper"]
