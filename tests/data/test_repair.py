"""The opt-in repair mode: each repair fixes its problem and logs every changed or excluded row."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from earlysignal.data import REPAIRS, CareHistory, repair_history, validate_history

OU = date(2022, 1, 1)


def _history(
    placements: list[tuple[object, ...]], events: list[tuple[object, ...]] = ()
) -> CareHistory:  # type: ignore[assignment]
    children = pl.DataFrame(
        {"child_id": ["a", "b"], "birth_date": [date(2010, 1, 1)] * 2, "sex": ["male", "female"]}
    )
    p = pl.DataFrame(
        placements,
        schema={
            "child_id": pl.String,
            "placement_id": pl.String,
            "start": pl.Date,
            "end": pl.Date,
            "setting": pl.String,
            "end_reason": pl.String,
            "temporary": pl.Boolean,
        },
        orient="row",
    )
    e = pl.DataFrame(
        events or [("a", date(2020, 1, 1), "review")],
        schema={"child_id": pl.String, "date": pl.Date, "kind": pl.String},
        orient="row",
    )
    return CareHistory.from_frames(children=children, placements=p, events=e, observed_until=OU)


BASE = [
    ("a", "p1", date(2020, 1, 1), date(2020, 6, 1), "foster", "breakdown", False),
    ("a", "p2", date(2020, 6, 1), None, "residential", None, False),
    ("b", "p3", date(2020, 1, 1), None, "kinship_foster", None, False),
]


def _rules_of(history: CareHistory) -> list[str]:
    return validate_history(history).problems["rule"].to_list()


def test_valid_history_is_not_touched() -> None:
    h = _history(BASE)
    fixed, report = repair_history(h)
    assert report.ok and report.repairs.height == 0
    for name, frame in h.tables().items():
        assert fixed.tables()[name].equals(frame)


def test_trim_overlaps_ends_previous_placement_on_next_start() -> None:
    rows = [*BASE]
    rows[1] = ("a", "p2", date(2020, 5, 1), None, "residential", None, False)  # starts in p1
    rows.append(("a", "p4", date(2021, 1, 1), None, "foster", None, False))  # p2 still ongoing
    h = _history(rows)
    assert _rules_of(h).count("E402") == 2
    fixed, report = repair_history(h, rules=["trim_overlaps"])
    assert report.ok, report.summary()
    p = fixed.placements.sort("placement_id")
    assert p["end"].to_list()[:2] == [date(2020, 5, 1), date(2021, 1, 1)]
    assert p["end_reason"].to_list()[1] == "other"  # the ongoing one needed a reason
    log = report.repairs
    assert set(log["row"].to_list()) == {1, 2}
    assert log.filter(pl.col("column") == "end").height == 2


def test_drop_orphans_and_censor_after_observed_are_counted() -> None:
    rows = [*BASE, ("zz", "p9", date(2020, 1, 1), None, "foster", None, False)]
    rows[2] = ("b", "p3", date(2020, 1, 1), date(2022, 3, 1), "kinship_foster", "planned", False)
    events = [("a", date(2020, 1, 1), "review"), ("a", date(2023, 1, 1), "incident")]
    h = _history(rows, events)
    rules = set(_rules_of(h))
    assert {"E304", "E404"} <= rules
    fixed, report = repair_history(h, rules=["drop_orphans", "censor_after_observed"])
    assert report.ok, report.summary()
    counts = {
        (r["repair"], r["table"], r["action"]): r["n"]
        for r in report.repair_counts().iter_rows(named=True)
    }
    assert counts[("drop_orphans", "placements", "excluded")] == 1
    assert counts[("censor_after_observed", "events", "excluded")] == 1
    assert counts[("censor_after_observed", "placements", "changed")] == 2  # end and end_reason
    assert fixed.placements.height == 3 and fixed.events.height == 1
    assert fixed.placements.filter(pl.col("placement_id") == "p3")["end"][0] is None


def test_drop_invalid_and_duplicates_and_whitespace() -> None:
    rows = [
        *BASE,
        BASE[0],
        ("b ", "p5", date(2019, 1, 1), date(2018, 1, 1), "foster", "planned", False),
    ]
    h = _history(rows)
    fixed, report = repair_history(
        h, rules=["strip_whitespace", "drop_duplicate_rows", "drop_invalid_rows"]
    )
    assert report.ok, report.summary()
    log = report.repairs
    assert log.filter(pl.col("repair") == "strip_whitespace")["row"].to_list() == [5]
    assert log.filter(pl.col("repair") == "drop_duplicate_rows")["row"].to_list() == [4]
    assert log.filter(pl.col("repair") == "drop_invalid_rows")["row"].to_list() == [5]
    assert fixed.placements.height == 3


def test_unknown_repair_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown repair"):
        repair_history(_history(BASE), rules=["make_it_valid"])
    assert list(REPAIRS)[-1] == "trim_overlaps"
