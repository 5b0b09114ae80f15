"""``AtHomeSchedule``: quarterly times while a measure runs at home, never after a placement."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import polars as pl
from hypothesis import given

from earlysignal.cohort import prediction_times_with_report
from earlysignal.cohort_home import AtHomeSchedule
from earlysignal.outcomes import label

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "outcomes")]
from test_home_outcomes import with_measures  # noqa: E402


@given(h=with_measures())
def test_every_time_is_at_home_under_a_measure_and_in_the_entry_risk_set(h):  # type: ignore[no-untyped-def]
    times, report = prediction_times_with_report(h, AtHomeSchedule(every_days=61))
    assert times["placement_id"].null_count() == times.height
    assert times.select(pl.struct("child_id", "prediction_time").is_unique().all()).item()
    assert (times["prediction_time"] <= h.observed_until).all()
    first = (
        h.placements.filter(~pl.col("temporary"))
        .group_by("child_id")
        .agg(pl.col("start").min().alias("first"))
    )
    j = times.join(first, on="child_id", how="left")
    assert j.filter(pl.col("first") < pl.col("prediction_time")).height == 0
    # every such row is at risk for entry: labelled, or censored at the end of the data
    lab = label(h, times, "entry", 30)["label_entry_30d"]
    complete = times["prediction_time"] + timedelta(days=30) <= h.observed_until
    assert lab.filter(complete).null_count() == 0
    assert report.rows == times.height


def test_at_home_times_on_the_simulated_population() -> None:
    from earlysignal.synth.at_home import simulate_at_home

    h = simulate_at_home(600, years=4, seed=3).history
    times, report = prediction_times_with_report(h, AtHomeSchedule(anchor=date(2015, 4, 1)))
    assert times.height > 0
    # the simulated measure at home ends at the entry: nothing is dropped, and some enter
    assert report.dropped["placed_before"] == 0
    assert label(h, times, "entry", 180)["label_entry_180d"].sum() > 0
