"""Round trip: simulated history -> CBS yearly files -> import gives the same placements and moves.

Up to what CBS files cannot show, which the expected history below removes by hand:
- temporary placements (respite) and placements with parents or in independent living are not
  youth care with accommodation in CBS's sense: not written, not expected back;
- kinship and non-kinship foster care are one form of care (``foster``), ``other`` is written as
  other residential care (``residential``);
- consecutive placements in one setting joined by a status change only (``transfer``) are one
  trajectory, so one placement and no move;
- end reasons are not in the files: every ended placement comes back as ``other``;
- birth dates come back as year and month (the 15th, or the first recorded day if earlier);
- child ids come back as RIN keys (the writer's in-memory key links them).
With ``gap_days = 1`` nothing is bridged, so placements must match exactly on those terms.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from earlysignal.cohort import placement_timeline
from earlysignal.data.history import CareHistory
from earlysignal.sources.cbs import import_cbs
from earlysignal.sources.cbs_codes import load_codes
from earlysignal.sources.cbs_write import write_cbs
from earlysignal.synth import simulate

SETTING = {"kinship_foster": "foster", "other": "residential"}


def _expected(history: CareHistory) -> pl.DataFrame:
    p = (
        history.placements.filter(
            ~pl.col("temporary") & ~pl.col("setting").is_in(["independent", "with_parents"])
        )
        .with_columns(pl.col("setting").replace(SETTING))
        .sort("child_id", "start")
    )
    rows: list[list[object]] = []
    for child, start, end, setting, reason in p.select(
        "child_id", "start", "end", "setting", "end_reason"
    ).iter_rows():
        last = rows[-1] if rows else None
        if (
            last is not None
            and last[0] == child
            and last[3] == setting
            and last[4] == "transfer"
            and last[2] is not None
            and (start - last[2]).days <= 1
        ):
            last[2], last[4] = end, reason
            continue
        rows.append([child, start, end, setting, reason])
    return pl.DataFrame(
        [r[:4] for r in rows],
        schema={"child_id": pl.String, "start": pl.Date, "end": pl.Date, "setting": pl.String},
        orient="row",
    )


def _moves(frame: pl.DataFrame) -> pl.DataFrame:
    """Per child, the number of placement starts at most a day after the previous end."""
    gap = (pl.col("start") - pl.col("end").shift().over("child_id")).dt.total_days()
    return (
        frame.sort("child_id", "start")
        .with_columns((gap <= 1).fill_null(False).alias("move"))
        .group_by("child_id")
        .agg(pl.col("move").sum())
        .sort("child_id")
    )


@pytest.mark.parametrize("fmt", ["sav", "csv"])
def test_simulated_history_round_trips(tmp_path: Path, fmt: str) -> None:
    sim = simulate(400, years=5, seed=11)
    h = sim.history
    res = write_cbs(h, tmp_path, fmt=fmt, through=h.observed_until)  # type: ignore[arg-type]
    back, report = import_cbs(
        tmp_path, codes=load_codes(moves={"gap_days": 1}), observed_until=h.observed_until
    )
    assert report.validation is not None and report.validation["ok"], report.validation
    key = dict(
        zip(res.key["RINPERSOONS"] + res.key["RINPERSOON"], res.key["child_id"], strict=True)
    )
    got = back.placements.with_columns(pl.col("child_id").replace_strict(key))
    assert not got["temporary"].any()
    cols = ["child_id", "start", "end", "setting"]
    expected = _expected(h).sort(cols)
    assert got.select(cols).sort(cols).equals(expected)
    # end reasons: not in the files, so 'other' when ended, null while open
    ended = got.filter(pl.col("end").is_not_null())
    assert ended["end_reason"].unique().to_list() == ["other"]
    assert got.filter(pl.col("end").is_null())["end_reason"].null_count() == got["end"].null_count()
    # moves: the same per child as in the expected placements, and as the library counts them
    assert _moves(got).equals(_moves(expected))
    tl = placement_timeline(back).with_columns(pl.col("child_id").replace_strict(key))
    per_child = tl.group_by("child_id").agg(pl.col("move").sum()).sort("child_id")
    assert per_child.equals(
        _moves(expected).filter(pl.col("child_id").is_in(per_child["child_id"].to_list()))
    )
    # children: sex kept, birth year and month kept
    kids = back.children.with_columns(pl.col("child_id").replace_strict(key)).sort("child_id")
    orig = h.children.filter(pl.col("child_id").is_in(kids["child_id"].to_list())).sort("child_id")
    assert kids["sex"].to_list() == orig["sex"].replace({"other": "unknown"}).to_list()
    assert (kids["birth_date"].dt.year() == orig["birth_date"].dt.year()).all()
    assert (kids["birth_date"].dt.month() == orig["birth_date"].dt.month()).all()
    # the yearly files repeat open trajectories: merged, and counted
    assert report.duplicates_merged["hulp"] > 0
    assert res.dropped["temporary placements"] > 0


def test_default_writes_complete_years_only(tmp_path: Path) -> None:
    h = simulate(60, years=3, seed=2).history
    assert (h.observed_until.month, h.observed_until.day) != (12, 31)
    res = write_cbs(h, tmp_path, fmt="csv")
    back, _ = import_cbs(tmp_path)
    assert res.through == back.observed_until == date(h.observed_until.year - 1, 12, 31)
    assert back.placements["start"].max() <= back.observed_until


def test_events_and_measures_round_trip(tmp_path: Path) -> None:
    start = date(2018, 2, 1)
    h = CareHistory.from_frames(
        children=pl.DataFrame(
            {"child_id": ["a", "b"], "birth_date": [date(2010, 6, 2)] * 2, "sex": ["male"] * 2}
        ),
        placements=pl.DataFrame(
            {
                "child_id": ["a", "a", "b"],
                "placement_id": ["p1", "p2", "p3"],
                "start": [start, start + timedelta(400), start],
                "end": [start + timedelta(400), None, None],
                "setting": ["foster", "secure", "family_home"],
                "end_reason": ["breakdown", None, None],
                "temporary": [False] * 3,
            }
        ),
        events=pl.DataFrame(
            {
                "child_id": ["a", "b"],
                "date": [date(2017, 5, 1), date(2019, 7, 9)],
                "kind": ["youth_care_ambulant", "incident"],
            }
        ),
        statuses=pl.DataFrame(
            {
                "child_id": ["a", "b"],
                "kind": ["protection_measure", "youth_probation"],
                "value": ["supervision_order", "probation"],
                "start": [date(2017, 12, 1), date(2019, 1, 1)],
                "end": [date(2020, 3, 1), None],
            }
        ),
        observed_until=date(2020, 12, 31),
    )
    res = write_cbs(h, tmp_path)
    back, _ = import_cbs(tmp_path)
    assert res.through == back.observed_until == date(2020, 12, 31)
    key = dict(
        zip(res.key["RINPERSOONS"] + res.key["RINPERSOON"], res.key["child_id"], strict=True)
    )
    ev = back.events.with_columns(pl.col("child_id").replace_strict(key))
    assert ev.select("child_id", "date", "kind").rows() == [
        ("a", date(2017, 5, 1), "youth_care_ambulant")
    ]
    st = back.statuses
    assert st is not None
    assert st.with_columns(pl.col("child_id").replace_strict(key)).select(
        "child_id", "kind", "value", "start", "end"
    ).sort("child_id").rows() == [
        ("a", "protection_measure", "supervision_order", date(2017, 12, 1), date(2020, 3, 1)),
        ("b", "youth_probation", "probation", date(2019, 1, 1), None),
    ]
    pl_back = back.placements.with_columns(pl.col("child_id").replace_strict(key)).sort(
        "child_id", "start"
    )
    assert pl_back.select("setting", "end_reason").rows() == [
        ("foster", "other"),  # the breakdown cannot be seen in CBS files
        ("secure", None),
        ("family_home", None),
    ]
    assert res.dropped["events without a form of care"] == 1
