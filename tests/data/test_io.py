"""Reading rules beyond the CSV corpus: Parquet input, in-memory frames with raw types."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from earlysignal.data import (
    CareHistory,
    DataValidationError,
    UnusableInputError,
    load_history,
    read_folder,
    validate_history,
)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "valid_history"


def test_parquet_timezone_aware_datetimes_are_reported(tmp_path: Path) -> None:
    history = read_folder(FIXTURE)
    folder = history.write(tmp_path / "pq")
    events = history.events.with_columns(
        pl.col("date").cast(pl.Datetime("us")).dt.replace_time_zone("Europe/Amsterdam")
    )
    events.write_parquet(folder / "events.parquet")
    back, report = load_history(folder)
    e114 = report.problems.filter(pl.col("rule") == "E114")
    assert e114.height == history.events.height
    assert e114["row"].to_list() == list(range(1, history.events.height + 1))
    assert back.events["date"].equals(history.events["date"])  # the local date is kept
    with pytest.raises(DataValidationError, match="E114"):
        read_folder(folder)


def test_parquet_wins_over_csv_and_observed_until_argument_overrides(tmp_path: Path) -> None:
    history = read_folder(FIXTURE)
    folder = history.write(tmp_path / "both")
    (folder / "children.csv").write_text("garbage\n")
    _, report = load_history(folder)
    assert report.ok
    _, late = load_history(folder, observed_until=date(2024, 1, 1))
    assert "E404" in late.problems["rule"].to_list()
    assert json.loads((folder / "meta.json").read_text())["observed_until"] == "2025-06-30"


def test_in_memory_string_dates_are_coerced_and_reported() -> None:
    h = CareHistory(
        children=pl.DataFrame(
            {"child_id": ["a", "b"], "birth_date": ["2010-01-01", "1.1.2010"], "sex": ["male"] * 2}
        ),
        placements=pl.DataFrame(
            {
                "child_id": ["a"],
                "placement_id": ["p"],
                "start": [datetime(2020, 1, 1, 12, 30)],
                "end": [None],
                "setting": ["foster"],
                "end_reason": [None],
            }
        ),
        events=pl.DataFrame({"child_id": ["a"], "date": [date(2020, 2, 1)], "kind": ["review"]}),
        observed_until=date(2021, 1, 1),
    )
    got = {(r["rule"], r["table"], r["row"]) for r in validate_history(h).problems.to_dicts()}
    assert ("E103", "children", 2) in got
    assert ("W115", "placements", 1) in got


def test_missing_required_file_is_reported_once(tmp_path: Path) -> None:
    folder = read_folder(FIXTURE).write(tmp_path / "pq")
    (folder / "placements.parquet").unlink()
    _, report = load_history(folder)
    rules = report.problems.filter(pl.col("table") == "placements")["rule"].to_list()
    assert rules == ["E107"]


def test_not_a_folder_and_bad_observed_until(tmp_path: Path) -> None:
    f = tmp_path / "file.csv"
    f.write_text("x\n")
    with pytest.raises(UnusableInputError, match="is not a folder"):
        load_history(f)
    with pytest.raises(ValueError, match="observed_until"):
        load_history(FIXTURE, observed_until="30/06/2025")


def test_corrupt_parquet_is_reported(tmp_path: Path) -> None:
    folder = read_folder(FIXTURE).write(tmp_path / "pq")
    (folder / "events.parquet").write_bytes(b"not parquet at all")
    _, report = load_history(folder)
    assert report.problems.filter(pl.col("table") == "events")["rule"].to_list()[0] == "E116"
    assert not report.ok


def test_strict_error_message_summarises(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "children.csv").write_text("child_id,birth_date,sex\nc1,2010-01-01,X\n")
    with pytest.raises(DataValidationError) as info:
        read_folder(folder, observed_until="2021-01-01")
    text = str(info.value)
    assert "E201 unknown_sex [children]: 1" in text
    assert "E107" in text
    assert info.value.report.errors.height >= 2


def test_every_rule_and_repair_is_documented() -> None:
    from earlysignal.data import REPAIRS, RULES

    doc = (Path(__file__).resolve().parents[2] / "docs" / "validation.md").read_text()
    for rule in RULES.values():
        assert f"| `{rule.id}` | `{rule.name}` | {rule.severity} |" in doc, rule.id
    for name in REPAIRS:
        assert f"| `{name}` |" in doc, name
