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
    if data.draw(st.booleans()):  # often a window that runs past observed_until
        horizon = max(1, (h.observed_until - t).days + data.draw(st.integers(1, 120)))
    times = times_for(h, t)
    labels, report = label_with_report(h, times, outcome, horizon)
    pp = person_period(h, times, outcome, horizon, period_days=30)
    events = pp.group_by("child_id").agg(pl.col("event").sum(), pl.col("period").max())
    lab = labels.join(events, on="child_id", how="left")
    name = f"label_{outcome}_{horizon}d"
    for row in lab.iter_rows(named=True):
        if row[name] == 1:
            assert row["event"] == 1
        elif row[name] == 0:
            assert row["event"] in (None, 0)
        if row["period"] is not None:
            assert row["period"] <= -(-horizon // 30)
    # every period kept ends within the horizon and on or before observed_until (censoring
    # at period level: nothing after the extraction date is ever treated as observed)
    assert (pp["period_end_day"] <= horizon).all()
    observed = (h.observed_until - t).days
    assert (pp["period_end_day"] <= observed).all(), (observed, pp)
    # periods are 1..n without gaps, one event at most, and nothing after it
    for _, g in pp.group_by("child_id", "prediction_time"):
        periods = g["period"].to_list()
        assert periods == list(range(1, len(periods) + 1))
        ev = g["event"].to_list()
        assert sum(ev) <= 1 and (sum(ev) == 0 or ev[-1] == 1)
        assert g["period_start_day"].to_list() == [30 * (p - 1) for p in periods]
    # a row whose window is complete has the same event in both layouts; its periods cover
    # the horizon unless the risk ended (event or competing) earlier
    if t + timedelta(days=horizon) <= h.observed_until:
        assert int(pp["event"].sum()) == report.positives


def test_an_event_in_a_period_that_runs_past_observed_until_is_censored():
    from datetime import date

    from earlysignal.data import CareHistory

    def history(observed_until):
        return CareHistory.from_frames(
            children=pl.DataFrame(
                {"child_id": ["a"], "birth_date": [date(2010, 1, 1)], "sex": ["male"]}
            ),
            placements=pl.DataFrame(
                {
                    "child_id": ["a"],
                    "placement_id": ["p1"],
                    "start": [date(2020, 1, 1)],
                    "end": [date(2020, 3, 15)],
                    "setting": ["foster"],
                    "end_reason": ["breakdown"],
                }
            ),
            events=None,
            observed_until=observed_until,
        )

    t = pl.DataFrame({"child_id": ["a"], "prediction_time": [date(2020, 2, 1)]})
    # event on day 43, in period 2 = days (30, 60]; data end on day 48: period 2 is incomplete
    short = history(date(2020, 3, 20))
    assert person_period(short, t, "breakdown", 90)["event"].to_list() == [0]
    assert person_period(short, t, "breakdown", 90, censor="event")["event"].to_list() == [0, 1]
    # data end on day 60: period 2 is complete and keeps its event
    assert person_period(history(date(2020, 4, 1)), t, "breakdown", 90)["event"].to_list() == [0, 1]
