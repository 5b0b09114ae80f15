"""Prediction-time designs: what each keeps, drops and attaches."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given

from earlysignal.cohort import (
    AfterPlacementStart,
    Schedule,
    UserTimes,
    YearEnds,
    attach_placement,
    placement_timeline,
    prediction_times,
    prediction_times_with_report,
)
from earlysignal.data import CareHistory

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from strategies import care_histories  # type: ignore[import-not-found]


def _h() -> CareHistory:
    return CareHistory.from_frames(
        children=pl.DataFrame(
            {"child_id": ["a", "b"], "birth_date": [date(2010, 1, 1)] * 2, "sex": ["male"] * 2}
        ),
        placements=pl.DataFrame(
            {"child_id": ["a", "a", "a", "b"], "placement_id": ["p1", "p2", "t1", "p3"],
             "start": [date(2020, 1, 1), date(2020, 6, 1), date(2020, 7, 1), date(2021, 2, 1)],
             "end": [date(2020, 6, 1), date(2020, 12, 1), date(2020, 7, 3), None],
             "setting": ["foster", "residential", "foster", "kinship_foster"],
             "end_reason": ["breakdown", "return_home", "planned", None],
             "temporary": [False, False, True, False]}
        ),
        events=None,
        observed_until=date(2021, 6, 1),
    )  # fmt: skip


def _in_effect(h: CareHistory, row: dict) -> str | None:
    p = h.placements.filter(
        (pl.col("child_id") == row["child_id"]) & ~pl.col("temporary")
        & (pl.col("start") < row["prediction_time"])
        & (pl.col("end").is_null() | (pl.col("end") > row["prediction_time"]))
    )  # fmt: skip
    assert p.height <= 1
    return p["placement_id"][0] if p.height else None


def test_after_placement_start_drops_and_counts_ended_placements():
    times, rep = prediction_times_with_report(_h(), AfterPlacementStart(days=(30, 180)))
    assert times.select("placement_id", "prediction_time").rows() == [
        ("p1", date(2020, 1, 31)),
        ("p2", date(2020, 7, 1)),
        ("p2", date(2020, 11, 28)),
        ("p3", date(2021, 3, 3)),
    ]
    assert rep.dropped == {"placement_ended": 1, "after_observed_until": 1}
    assert rep.rows == 4 and rep.without_placement == 0


def test_schedule_keeps_grid_dates_in_care_only():
    times = prediction_times(_h(), Schedule(every_days=30, anchor=date(2020, 1, 1)))
    assert times.height > 0
    assert times["placement_id"].null_count() == 0
    assert all(((d - date(2020, 1, 1)).days % 30) == 0 for d in times["prediction_time"])
    for row in times.iter_rows(named=True):
        assert _in_effect(_h(), row) == row["placement_id"]
    assert times.columns[:5] == ["child_id", "prediction_time", "placement_id",
                                 "placement_start", "setting"]  # fmt: skip
    assert times.sort("child_id", "prediction_time").equals(times)


def test_year_ends_in_care_and_all():
    h = _h()
    t_in, rep = prediction_times_with_report(h, YearEnds())
    assert t_in.select("child_id", "prediction_time", "placement_id").rows() == [
        ("a", date(2020, 3, 31), "p1"),
        ("b", date(2021, 3, 31), "p3"),
    ]
    assert rep.dropped == {"out_of_care": 1}  # child a on 31 March 2021, gone home
    t_all = prediction_times(h, YearEnds(in_care_only=False))
    assert t_all["placement_id"].to_list() == ["p1", None, "p3"]
    with pytest.raises(ValueError, match="29"):
        YearEnds(month=2, day=29)


def test_user_times_keep_rows_out_of_care_and_count_duplicates():
    frame = pl.DataFrame(
        {"child_id": ["b", "a", "a", "a"], "prediction_time": [date(2021, 3, 1), date(2020, 6, 1),
         date(2020, 6, 1), date(2020, 12, 2)], "note": [1, 2, 3, 4]}
    )  # fmt: skip
    times, rep = prediction_times_with_report(_h(), UserTimes(frame))
    assert times.select("child_id", "placement_id", "note").rows() == [
        ("a", None, 2),  # p1 ends on t and p2 starts on t: between placements that day
        ("a", None, 4),
        ("b", "p3", 1),
    ]
    assert rep.dropped == {"duplicate_keys": 1} and rep.without_placement == 2
    with pytest.raises(ValueError, match="not in the history"):
        prediction_times(_h(), UserTimes(frame.with_columns(pl.lit("zz").alias("child_id"))))
    with pytest.raises(ValueError, match="after observed_until"):
        prediction_times(
            _h(), UserTimes(frame.with_columns(pl.lit(date(2030, 1, 1)).alias("prediction_time")))
        )


def test_bad_designs_name_the_fix():
    with pytest.raises(ValueError, match="every_days"):
        Schedule(every_days=0)
    with pytest.raises(ValueError, match="positive"):
        AfterPlacementStart(days=(0,))


@given(h=care_histories())
def test_attach_placement_matches_the_definition(h):
    rows = [
        {"child_id": c, "prediction_time": d + timedelta(days=o)}
        for c, d in h.placements.select("child_id", "start").rows()
        for o in (-1, 0, 1, 40)
    ]
    times = pl.DataFrame(rows).unique()
    out = attach_placement(h, times)
    assert out.height == times.height
    for row in out.iter_rows(named=True):
        assert _in_effect(h, row) == row["placement_id"]


@given(h=care_histories())
def test_every_design_gives_unique_sorted_keys_in_care(h):
    for design in (Schedule(every_days=60), AfterPlacementStart(days=(1, 30)), YearEnds()):
        times = prediction_times(h, design)
        assert times.select("child_id", "prediction_time").is_unique().all()
        assert times.sort("child_id", "prediction_time").equals(times)
        assert (times["prediction_time"] <= h.observed_until).all()
        for row in times.head(20).iter_rows(named=True):
            assert _in_effect(h, row) == row["placement_id"]


def test_timeline_flags():
    tl = placement_timeline(_h())
    assert tl.select("placement_id", "episode", "move", "reentry").rows() == [
        ("p1", 1, False, False),
        ("p2", 1, True, False),
        ("p3", 1, False, False),
    ]
