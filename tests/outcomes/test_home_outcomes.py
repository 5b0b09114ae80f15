"""``entry`` and ``stable_return``: definitions, competing events, censoring and leakage."""

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
from earlysignal.outcomes import label, label_with_report

sys.path[:0] = [
    str(Path(__file__).resolve().parents[1]),
    str(Path(__file__).resolve().parents[1] / "features"),
]
from pit_helpers import draw_time, times_for  # noqa: E402
from strategies import care_histories  # type: ignore[import-not-found]  # noqa: E402

D = date
BIRTH = D(2010, 1, 1)
UNTIL = D(2024, 1, 1)


def _h(placements: list[tuple[str, D, D | None, str | None]], *, statuses: bool = True,
       birth: D = BIRTH, until: D = UNTIL) -> CareHistory:  # fmt: skip
    return CareHistory.from_frames(
        children=pl.DataFrame({"child_id": ["a"], "birth_date": [birth], "sex": ["female"]}),
        placements=pl.DataFrame(
            {"child_id": ["a"] * len(placements), "placement_id": [p[0] for p in placements],
             "start": [p[1] for p in placements], "end": [p[2] for p in placements],
             "setting": ["foster"] * len(placements), "end_reason": [p[3] for p in placements]},
            schema={"child_id": pl.String, "placement_id": pl.String, "start": pl.Date,
                    "end": pl.Date, "setting": pl.String, "end_reason": pl.String},
        ) if placements else None,
        events=None,
        statuses=pl.DataFrame({"child_id": ["a"], "kind": ["measure"], "value": ["ots"],
                               "start": [D(2019, 1, 1)], "end": [None]},
                              schema={"child_id": pl.String, "kind": pl.String,
                                      "value": pl.String, "start": pl.Date, "end": pl.Date})
        if statuses else None,
        observed_until=until,
    )  # fmt: skip


def _one(h: CareHistory, t: D, outcome: str, horizon: int) -> int | None:
    times = pl.DataFrame({"child_id": ["a"], "prediction_time": [t]})
    return label(h, times, outcome, horizon)[f"label_{outcome}_{horizon}d"][0]  # type: ignore[no-any-return]


def test_entry_event_no_event_and_not_at_risk() -> None:
    h = _h([("p1", D(2020, 3, 1), None, None)])
    assert _one(h, D(2020, 1, 1), "entry", 180) == 1
    assert _one(h, D(2019, 6, 1), "entry", 180) == 0  # entry after the window
    assert _one(h, D(2020, 6, 1), "entry", 180) is None  # placed: not at home
    assert _one(h, D(2019, 1, 1), "entry", 30) is None  # measure starts on t: not yet in force


def test_entry_competing_events() -> None:
    # turning 18 (1 Jan 2028) before any placement: competing, 0 even if "placed" later
    h = _h([("p1", D(2028, 3, 1), None, None)], birth=D(2010, 1, 1), until=D(2029, 1, 1))
    frame, rep = label_with_report(
        h, pl.DataFrame({"child_id": ["a"], "prediction_time": [D(2027, 12, 1)]}), "entry", 180
    )
    assert frame["label_entry_180d"].to_list() == [0]
    assert rep.competing == 1
    # a first placement starting on t: at home at t, but the entry is not in (t, t+h]
    h2 = _h([("p1", D(2020, 3, 1), None, None)])
    assert _one(h2, D(2020, 3, 1), "entry", 180) == 0


def test_entry_without_statuses_is_refused_clearly() -> None:
    h = _h([("p1", D(2020, 3, 1), None, None)], statuses=False)
    with pytest.raises(ValueError, match=r"outcome rule 'entry risk set'.*no statuses table"):
        _one(h, D(2020, 1, 1), "entry", 180)


def test_stable_return_definitions() -> None:
    stable = _h([("p1", D(2020, 1, 1), D(2020, 6, 1), "return_home")])
    assert _one(stable, D(2020, 3, 1), "stable_return", 180) == 1
    back = _h([("p1", D(2020, 1, 1), D(2020, 6, 1), "return_home"),
               ("p2", D(2021, 2, 1), None, None)])  # fmt: skip
    assert _one(back, D(2020, 3, 1), "stable_return", 180) == 0  # re-entry within 365 days
    later = _h([("p1", D(2020, 1, 1), D(2020, 6, 1), "return_home"),
                ("p2", D(2021, 7, 1), None, None)])  # fmt: skip
    assert _one(later, D(2020, 3, 1), "stable_return", 180) == 1
    aged = _h([("p1", D(2020, 1, 1), D(2020, 6, 1), "aged_out")])
    frame, rep = label_with_report(
        aged, pl.DataFrame({"child_id": ["a"], "prediction_time": [D(2020, 3, 1)]}),
        "stable_return", 180,
    )  # fmt: skip
    assert frame["label_stable_return_180d"].to_list() == [0]
    assert rep.competing == 1
    # a move inside the episode is not the episode's end: the return after it counts
    moved = _h([("p1", D(2020, 1, 1), D(2020, 4, 1), "breakdown"),
                ("p2", D(2020, 4, 1), D(2020, 6, 1), "return_home")])  # fmt: skip
    assert _one(moved, D(2020, 3, 1), "stable_return", 180) == 1
    assert _one(moved, D(2019, 6, 1), "stable_return", 180) is None  # not in care at t


def test_stable_return_needs_the_year_after_the_window() -> None:
    h = _h([("p1", D(2020, 1, 1), D(2020, 6, 1), "return_home")], until=D(2021, 8, 1))
    # t + 180 + 365 = 2021-08-28 > observed_until: censored although the return is seen
    assert _one(h, D(2020, 3, 1), "stable_return", 180) is None
    h2 = replace(h, observed_until=D(2021, 8, 28))
    assert _one(h2, D(2020, 3, 1), "stable_return", 180) == 1


@st.composite
def with_measures(draw: st.DrawFn) -> CareHistory:
    """A drawn history plus a measure or youth care at home per child, before and around care."""
    h = draw(care_histories(statuses=False))
    rows = []
    firsts = h.placements.group_by("child_id").agg(pl.col("start").min()).sort("child_id")
    for cid, first in firsts.iter_rows():
        start = first - timedelta(days=draw(st.integers(-30, 900)))
        end = draw(st.sampled_from([None, 10, 400, 2000]))
        rows.append({"child_id": cid, "kind": draw(st.sampled_from(["measure", "youth_care"])),
                     "value": "ots", "start": start,
                     "end": None if end is None else min(start + timedelta(days=end),
                                                         h.observed_until)})  # fmt: skip
    st_frame = pl.DataFrame(
        rows, schema={"child_id": pl.String, "kind": pl.String, "value": pl.String,
                      "start": pl.Date, "end": pl.Date},
    )  # fmt: skip
    return replace(h, statuses=st_frame)


@pytest.mark.parametrize("outcome", ["entry", "stable_return"])
@given(h=with_measures(), data=st.data())
def test_labels_ignore_the_future_beyond_the_window(outcome, h, data):  # type: ignore[no-untyped-def]
    t = draw_time(data, h)
    horizon = data.draw(st.sampled_from([30, 180, 365]))
    extra = 365 if outcome == "stable_return" else 0
    end = t + timedelta(days=horizon + extra)
    times = times_for(h, t)
    name = f"label_{outcome}_{horizon}d"
    before = label(h, times, outcome, horizon)[name]
    # events never matter; placements starting after the observed window are removed
    p = h.placements.filter(~((pl.col("start") > end) & data.draw(st.booleans())))
    changed = replace(h, placements=p, events=h.events.head(1))
    assert_series_equal(before, label(changed, times, outcome, horizon)[name])


@given(h=with_measures(), data=st.data())
def test_entry_label_is_consistent_with_the_records(h, data):  # type: ignore[no-untyped-def]
    t = draw_time(data, h)
    horizon = data.draw(st.sampled_from([30, 180, 365]))
    lab = label(h, times_for(h, t), "entry", horizon).rename({f"label_entry_{horizon}d": "y"})
    first = (
        h.placements.filter(~pl.col("temporary"))
        .group_by("child_id")
        .agg(pl.col("start").min().alias("first"))
    )
    j = lab.join(first, on="child_id", how="left")
    # at risk: never placed before t; an event: the first placement lies in (t, t + horizon]
    assert j.filter(pl.col("y").is_not_null() & (pl.col("first") < t)).height == 0
    pos = j.filter(pl.col("y") == 1)
    assert (pos["first"] > t).all()
    assert (pos["first"] <= t + timedelta(days=horizon)).all()
    # complete windows only
    if t + timedelta(days=horizon) > h.observed_until:
        assert lab["y"].is_null().all()
