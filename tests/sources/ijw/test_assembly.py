"""Assembly per assignment: status order, corrections, deletions, moves, pauses, measures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from sources.ijw.ijw_builders import BSNS, KEY, msg

from earlysignal.sources.ijw import import_ijw
from earlysignal.sources.ijw_assemble import working_days_before

OBS = date(2024, 12, 31)


def _imp(folder: Path, **kw: object) -> tuple[object, object]:
    kw.setdefault("observed_until", OBS)
    return import_ijw(folder, key=KEY, **kw)  # type: ignore[arg-type]


def test_a_deletion_removes_and_a_later_delivery_wins(
    archive: Callable[[dict[str, str]], Path],
) -> None:
    files = {
        "1.xml": msg("JW305", 1, "2024-01-03", begin="2024-01-05"),  # wrong start
        "2.xml": msg("JW305", 2, "2024-01-04", begin="2024-01-05", status="3"),  # deleted
        "3.xml": msg("JW305", 3, "2024-01-04", begin="2024-01-02"),  # right start
        "4.xml": msg("JW307", 4, "2024-03-02", reason="35"),  # wrong stop
        "5.xml": msg("JW307", 5, "2024-03-03", reason="35", status="3"),  # deleted
        "6.xml": msg("JW307", 6, "2024-03-03", reason="32"),  # right stop
    }
    history, report = _imp(archive(files))
    p = history.placements  # type: ignore[attr-defined]
    assert p.select("start", "end", "end_reason", "end_reason_detail").rows() == [
        (date(2024, 1, 2), date(2024, 3, 1), "breakdown", "32")
    ]
    assert report.counts["deletions_applied"] == 2  # type: ignore[attr-defined]


def test_status_2_correction_replaces_the_stop(archive: Callable[[dict[str, str]], Path]) -> None:
    files = {
        "1.xml": msg("JW305", 1, "2024-01-03"),
        "2.xml": msg("JW307", 2, "2024-03-02", reason="31"),
        "3.xml": msg("JW307", 3, "2024-03-09", reason="33", end="2024-03-05", status="2"),
    }
    history, report = _imp(archive(files))
    p = history.placements  # type: ignore[attr-defined]
    assert p.select("end", "end_reason").rows() == [(date(2024, 3, 5), "provider_ended")]
    assert report.counts["corrections_applied"] == 1  # type: ignore[attr-defined]


def test_message_order_is_dagtekening_then_identification(
    archive: Callable[[dict[str, str]], Path],
) -> None:
    # file names in reverse order; identification 10 after 9 (numeric, not text order)
    files = {
        "a.xml": msg("JW307", 10, "2024-03-03", reason="32"),
        "b.xml": msg("JW307", 9, "2024-03-03", reason="35", status="3"),
        "c.xml": msg("JW307", 8, "2024-03-03", reason="35"),
        "d.xml": msg("JW305", 7, "2024-01-03"),
    }
    history, _ = _imp(archive(files))
    assert history.placements["end_reason"].to_list() == ["breakdown"]  # type: ignore[attr-defined]


def test_consecutive_accommodation_within_the_gap_is_a_move(
    archive: Callable[[dict[str, str]], Path],
) -> None:
    files = {
        "1.xml": msg("JW305", 1, "2024-01-03", begin="2024-01-02"),
        "2.xml": msg("JW307", 2, "2024-03-02", reason="33", end="2024-03-01"),
        # next provider starts 5 days later: a move (gap 7)
        "3.xml": msg(
            "JW305", 3, "2024-03-07", tw=2, agb="41000002", code="PLZ01", begin="2024-03-06"
        ),
        "4.xml": msg(
            "JW307",
            4,
            "2024-06-02",
            tw=2,
            agb="41000002",
            code="PLZ01",
            begin="2024-03-06",
            end="2024-06-01",
            reason="31",
        ),
        # 30 days later: leaving care and a new episode, not a move
        "5.xml": msg("JW305", 5, "2024-07-02", tw=3, begin="2024-07-01"),
    }
    history, report = _imp(archive(files))
    p = history.placements.sort("start")  # type: ignore[attr-defined]
    assert p.select("start", "end", "setting", "provider_id").rows() == [
        (date(2024, 1, 2), date(2024, 3, 6), "residential", "41000001"),
        (date(2024, 3, 6), date(2024, 6, 1), "residential", "41000002"),
        (date(2024, 7, 1), None, "residential", "41000001"),
    ]
    assert report.counts["gaps_bridged_into_moves"] == 1  # type: ignore[attr-defined]
    # with a gap of 2 days the first stop is leaving care
    m = archive({}) / "gap2.toml"
    m.write_text('extends = "default"\nmove_gap_days = 2\n')
    history2, _ = _imp(archive(files), mapping=m)
    assert history2.placements.sort("start")["end"].to_list()[0] == date(2024, 3, 1)  # type: ignore[attr-defined]


def test_pause_is_not_an_end_when_the_assignment_resumes(
    archive: Callable[[dict[str, str]], Path],
) -> None:
    files = {
        "1.xml": msg("JW305", 1, "2024-01-03"),
        "2.xml": msg("JW307", 2, "2024-02-02", reason="20", end="2024-02-01"),
        "3.xml": msg("JW305", 3, "2024-02-12", begin="2024-02-10"),
        "4.xml": msg("JW307", 4, "2024-05-02", begin="2024-02-10", end="2024-05-01", reason="32"),
        "5.xml": msg("JW305", 5, "2024-06-03", tw=7, begin="2024-06-01", bsn=BSNS[1]),
        "6.xml": msg(
            "JW307",
            6,
            "2024-06-20",
            tw=7,
            begin="2024-06-01",
            end="2024-06-15",
            reason="20",
            bsn=BSNS[1],
        ),
    }
    history, report = _imp(archive(files))
    rows = history.placements.sort("start").select("start", "end", "end_reason").rows()  # type: ignore[attr-defined]
    assert rows == [
        (date(2024, 1, 2), date(2024, 5, 1), "breakdown"),
        (date(2024, 6, 1), date(2024, 6, 15), "other"),  # paused, never resumed
    ]
    assert report.counts["pauses_resumed"] == 1  # type: ignore[attr-defined]
    assert report.counts["pauses_not_resumed"] == 1  # type: ignore[attr-defined]


def test_measures_become_statuses_and_ambulant_care_events(
    archive: Callable[[dict[str, str]], Path],
) -> None:
    files = {
        "1.xml": msg("JW305", 1, "2024-01-03"),
        "2.xml": msg("JW305", 2, "2024-01-03", tw=2, cat="48", code="JB001"),
        "3.xml": msg("JW305", 3, "2024-02-03", tw=3, cat="47", code="JR001", begin="2024-02-01"),
        "4.xml": msg(
            "JW307",
            4,
            "2024-04-03",
            tw=3,
            cat="47",
            code="JR001",
            begin="2024-02-01",
            end="2024-04-01",
        ),
        "5.xml": msg("JW305", 5, "2024-03-03", tw=4, cat="45", code="AMB01", begin="2024-03-01"),
        "6.xml": msg("JW305", 6, "2024-05-03", tw=5, cat="46", code="CRI01", begin="2024-05-01"),
    }
    history, _ = _imp(archive(files))
    st_ = history.statuses.sort("start").select("kind", "value", "start", "end").rows()  # type: ignore[attr-defined]
    assert st_ == [
        ("measure", "child_protection", date(2024, 1, 2), None),
        ("measure", "probation", date(2024, 2, 1), date(2024, 4, 1)),
    ]
    ev = history.events.select("date", "kind").rows()  # type: ignore[attr-defined]
    assert (date(2024, 3, 1), "ambulant_care_start") in ev
    assert (date(2024, 5, 1), "crisis") in ev
    crisis = history.placements.filter(pl.col("start") == date(2024, 5, 1))  # type: ignore[attr-defined]
    assert crisis["temporary"].to_list() == [True]


@settings(max_examples=30, deadline=None)
@given(day=st.dates(date(2020, 1, 1), date(2030, 12, 31)), n=st.integers(0, 10))
def test_observed_until_is_n_working_days_back(day: date, n: int) -> None:
    back = working_days_before(day, n)
    # exactly n working days in [back, day), and back itself is a working day when n > 0
    span = [date.fromordinal(o) for o in range(back.toordinal(), day.toordinal())]
    assert sum(d.weekday() < 5 for d in span) == n
    assert n == 0 or back.weekday() < 5
    assert n > 0 or back == day


def test_stops_within_the_lag_are_censored(archive: Callable[[dict[str, str]], Path]) -> None:
    files = {
        "1.xml": msg("JW305", 1, "2024-01-03"),
        "2.xml": msg("JW307", 2, "2024-12-30", end="2024-12-27", reason="32"),
        "3.xml": msg("JW305", 3, "2024-12-30", tw=2, begin="2024-12-30", bsn=BSNS[1]),
    }
    history, report = _imp(archive(files), observed_until=date(2024, 12, 31))
    assert history.observed_until == date(2024, 12, 24)  # type: ignore[attr-defined]
    assert history.placements.select("end", "end_reason").rows() == [(None, None)]  # type: ignore[attr-defined]
    assert report.counts["ends_censored"] == 1  # type: ignore[attr-defined]
    assert report.counts["starts_censored"] == 1  # type: ignore[attr-defined]
