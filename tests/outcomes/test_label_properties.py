"""Labels depend only on (t, t + horizon] and censoring happens exactly at observed_until."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_series_equal

from earlysignal.data import CareHistory
from earlysignal.outcomes import OUTCOMES, label

sys.path[:0] = [
    str(Path(__file__).resolve().parents[1]),
    str(Path(__file__).resolve().parents[1] / "features"),
]
from pit_helpers import draw_time, times_for  # noqa: E402
from strategies import care_histories  # type: ignore[import-not-found]  # noqa: E402


def truncate(h: CareHistory, cut: date) -> CareHistory:
    """The same history as extracted on an earlier day ``cut``."""
    p = h.placements.filter(pl.col("start") <= cut).with_columns(
        pl.when(pl.col("end") <= cut).then(pl.col("end")).alias("end"),
        pl.when(pl.col("end") <= cut).then(pl.col("end_reason")).alias("end_reason"),
    )
    return replace(
        h,
        placements=p,
        events=h.events.filter(pl.col("date") <= cut),
        statuses=None if h.statuses is None else h.statuses.filter(pl.col("start") <= cut),
        observed_until=cut,
    )


@pytest.mark.parametrize("outcome", list(OUTCOMES))
@given(h=care_histories(), data=st.data())
def test_censoring_is_applied_exactly_at_observed_until(outcome, h, data):
    t = draw_time(data, h)
    horizon = data.draw(st.sampled_from([1, 30, 90, 365]))
    cut = t + timedelta(days=data.draw(st.integers(0, horizon + 2)))
    if cut > h.observed_until:
        return
    times = times_for(h, t)
    name = f"label_{outcome}_{horizon}d"
    full = label(h, times, outcome, horizon)[name]
    trunc = label(truncate(h, cut), times, outcome, horizon)[name]
    if t + timedelta(days=horizon) <= cut:
        # the whole window is observed in both extractions: adding anything after the
        # earlier extraction date (the later records) never changes the label
        assert_series_equal(full, trunc)
    else:
        # the window runs past the earlier extraction: censored, whatever happened in it
        assert trunc.is_null().all(), trunc.to_list()
        # the opt-out keeps an event seen by then: the label is the same, or censored
        old = label(truncate(h, cut), times, outcome, horizon, censor="event")[name]
        full_old = label(h, times, outcome, horizon, censor="event")[name]
        assert (old.is_null() | (old == full_old).fill_null(False)).all()


@pytest.mark.parametrize("outcome", list(OUTCOMES))
@given(h=care_histories(), data=st.data())
def test_a_window_running_past_observed_until_is_always_null(outcome, h, data):
    t = draw_time(data, h)
    # mostly windows that run past observed_until by a little or a lot
    horizon = (h.observed_until - t).days + data.draw(st.integers(-5, 400))
    if horizon < 1:
        return
    times = times_for(h, t)
    name = f"label_{outcome}_{horizon}d"
    lab = label(h, times, outcome, horizon)[name]
    if t + timedelta(days=horizon) > h.observed_until:
        assert lab.is_null().all(), lab.to_list()


@pytest.mark.parametrize("outcome", ["breakdown", "carousel", "return_home"])
@given(h=care_histories(), data=st.data())
def test_labels_ignore_everything_outside_the_window(outcome, h, data):
    t = draw_time(data, h)
    horizon = data.draw(st.sampled_from([30, 180, 365]))
    times = times_for(h, t)
    end = t + timedelta(days=horizon)
    name = f"label_{outcome}_{horizon}d"
    before = label(h, times, outcome, horizon)[name]
    # events never matter; placements that ended before t - 1 (not adjacent to anything in the
    # window) and placements starting after t + horizon are removed
    p = h.placements.filter(
        ~((pl.col("end") < t - timedelta(days=1)).fill_null(False) & data.draw(st.booleans()))
        & ~((pl.col("start") > end) & data.draw(st.booleans()))
    )
    changed = replace(h, placements=p, events=h.events.head(data.draw(st.integers(0, 1))))
    assert_series_equal(before, label(changed, times, outcome, horizon)[name])
