"""The discrete-time (person-period) layout agrees with the labels."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from earlysignal.outcomes import label_with_report, person_period

sys.path[:0] = [
    str(Path(__file__).resolve().parents[1]),
    str(Path(__file__).resolve().parents[1] / "features"),
]
from pit_helpers import draw_time, times_for  # noqa: E402
from strategies import care_histories  # type: ignore[import-not-found]  # noqa: E402


@pytest.mark.parametrize("outcome", ["breakdown", "carousel", "reentry"])
@given(h=care_histories(), data=st.data())
def test_person_period_events_match_labels(outcome, h, data):
    t = draw_time(data, h)
    horizon = data.draw(st.sampled_from([30, 95, 365]))
    times = times_for(h, t)
    labels, report = label_with_report(h, times, outcome, horizon)
    pp = person_period(h, times, outcome, horizon, period_days=30)
    events = pp.group_by("child_id").agg(pl.col("event").sum(), pl.col("period").max())
    lab = labels.join(events, on="child_id", how="left")
    name = f"label_{outcome}_{horizon}d"
    for row in lab.iter_rows(named=True):
        if row[name] == 1:
            assert row["event"] == 1
        else:
            assert row["event"] in (None, 0)
        if row["period"] is not None:
            assert row["period"] <= -(-horizon // 30)
    assert int(pp["event"].sum()) == report.positives
    assert (pp["period_end_day"] <= horizon).all()
    assert (t + timedelta(days=0)) is not None
