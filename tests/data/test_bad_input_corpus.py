"""The bad-input corpus: each malformed folder is generated from the valid fixture by one edit.

Every case names the rule id and the 1-based data row (``None`` for a table-level problem) that
must be reported. Row numbers count the data rows of the source file, header excluded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from earlysignal.data import DataValidationError, load_history, read_folder

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "valid_history"

Files = dict[str, bytes]


def _lines(files: Files, table: str) -> list[str]:
    return files[f"{table}.csv"].decode("utf-8").splitlines()


def _put(files: Files, table: str, lines: list[str]) -> None:
    files[f"{table}.csv"] = ("\n".join(lines) + "\n").encode("utf-8")


def cell(table: str, row: int, column: str, value: str) -> Callable[[Files], None]:
    """Set one cell (row is the 1-based data row)."""

    def edit(files: Files) -> None:
        lines = _lines(files, table)
        header = lines[0].split(",")
        fields = lines[row].split(",")
        fields[header.index(column)] = value
        lines[row] = ",".join(fields)
        _put(files, table, lines)

    return edit


def append(table: str, line: str) -> Callable[[Files], None]:
    def edit(files: Files) -> None:
        _put(files, table, [*_lines(files, table), line])

    return edit


def insert(table: str, row: int, line: str) -> Callable[[Files], None]:
    """Insert a line so that it becomes data row ``row``."""

    def edit(files: Files) -> None:
        lines = _lines(files, table)
        _put(files, table, [*lines[:row], line, *lines[row:]])

    return edit


def drop_column(table: str, column: str) -> Callable[[Files], None]:
    def edit(files: Files) -> None:
        lines = [ln.split(",") for ln in _lines(files, table)]
        i = lines[0].index(column)
        _put(files, table, [",".join(f[:i] + f[i + 1 :]) for f in lines])

    return edit


def raw(table: str, transform: Callable[[bytes], bytes]) -> Callable[[Files], None]:
    def edit(files: Files) -> None:
        files[f"{table}.csv"] = transform(files[f"{table}.csv"])

    return edit


def remove(name: str) -> Callable[[Files], None]:
    def edit(files: Files) -> None:
        del files[name]

    return edit


def header_only(table: str) -> Callable[[Files], None]:
    def edit(files: Files) -> None:
        _put(files, table, _lines(files, table)[:1])

    return edit


@dataclass(frozen=True)
class Case:
    id: str
    edit: Callable[[Files], None]
    rule: str
    table: str
    row: int | None


# children rows: c001..c006; placements rows 1..16 (see tests/fixtures/valid_history)
CASES = [
    Case("missing_column", drop_column("children", "sex"), "E101", "children", None),
    Case("mixed_types_value", cell("events", 2, "value", "high"), "E102", "events", 2),
    Case(
        "mixed_types_boolean", cell("placements", 4, "temporary", "maybe"), "E102", "placements", 4
    ),
    Case("date_dd_mm_yyyy", cell("placements", 3, "start", "20/12/2019"), "E103", "placements", 3),
    Case("date_no_such_day", cell("events", 5, "date", "2020-02-30"), "E103", "events", 5),
    Case("date_yyyymmdd", cell("children", 4, "birth_date", "20150109"), "E103", "children", 4),
    Case("null_placement_id", cell("placements", 5, "placement_id", ""), "E104", "placements", 5),
    Case("null_child_id", cell("events", 7, "child_id", ""), "E104", "events", 7),
    Case("missing_setting", cell("placements", 6, "setting", ""), "E105", "placements", 6),
    Case("empty_placements", header_only("placements"), "E106", "placements", None),
    Case("empty_events", header_only("events"), "W106", "events", None),
    Case("missing_placements_file", remove("placements.csv"), "E107", "placements", None),
    Case(
        "unknown_column",
        raw("events", lambda b: b.replace(b"kind,value", b"kind,valeu")),
        "W108",
        "events",
        None,
    ),
    Case("duplicated_header", insert("events", 4, "child_id,date,kind,value"), "W109", "events", 4),
    Case(
        "non_utf8",
        raw("children", lambda b: b.replace(b"Zeist", "Zürich".encode("latin-1"))),
        "E110",
        "children",
        4,
    ),
    Case("bom", raw("placements", lambda b: b"\xef\xbb\xbf" + b), "W111", "placements", None),
    Case("empty_file", raw("events", lambda b: b""), "E112", "events", None),
    Case("whitespace_in_id", cell("events", 3, "child_id", " c001"), "W113", "events", 3),
    Case(
        "timezone_datetime",
        cell("events", 6, "date", "2020-12-01T10:00:00+01:00"),
        "E114",
        "events",
        6,
    ),
    Case(
        "datetime_with_time", cell("events", 6, "date", "2020-12-01 10:00:00"), "W115", "events", 6
    ),
    Case("ragged_row", append("events", "c001,2020-01-01,review,1,extra"), "E118", "events", 14),
    Case("missing_meta", remove("meta.json"), "E117", "meta", None),
    Case("unknown_sex", cell("children", 2, "sex", "M"), "E201", "children", 2),
    Case(
        "unknown_setting", cell("placements", 7, "setting", "pleeggezin"), "E202", "placements", 7
    ),
    Case(
        "unknown_end_reason",
        cell("placements", 8, "end_reason", "BREAKDOWN"),
        "E203",
        "placements",
        8,
    ),
    Case("unknown_origin", cell("children", 1, "origin", "western"), "E204", "children", 1),
    Case("duplicate_child_id", cell("children", 5, "child_id", "c001"), "E301", "children", 5),
    Case(
        "duplicate_placement_id",
        cell("placements", 9, "placement_id", "p001"),
        "E302",
        "placements",
        9,
    ),
    Case("duplicate_event_row", append("events", "c006,2024-03-11,review,"), "W303", "events", 14),
    Case("unknown_child", cell("statuses", 2, "child_id", "c999"), "E304", "statuses", 2),
    Case(
        "child_without_placements",
        append("children", "c007,2012-01-01,male,,,,,,"),
        "W305",
        "children",
        7,
    ),
    Case("end_before_start", cell("placements", 10, "end", "2020-01-01"), "E401", "placements", 10),
    Case("overlap", cell("placements", 2, "start", "2019-08-01"), "E402", "placements", 2),
    Case("ongoing_overlap", cell("placements", 11, "end", ""), "E402", "placements", 12),
    Case("before_birth", cell("events", 12, "date", "2001-01-01"), "E403", "events", 12),
    Case("after_observed", cell("events", 13, "date", "2025-07-01"), "E404", "events", 13),
    Case(
        "end_reason_on_ongoing",
        cell("placements", 4, "end_reason", "planned"),
        "E405",
        "placements",
        4,
    ),
    Case("end_reason_missing", cell("placements", 1, "end_reason", ""), "E406", "placements", 1),
    Case(
        "implausible_age", cell("children", 6, "birth_date", "1990-01-01"), "W407", "children", None
    ),
    Case(
        "overlapping_statuses",
        append("statuses", "c001,legal_status,voogdij,2020-01-01,"),
        "W408",
        "statuses",
        7,
    ),
]


def _write(folder: Path, files: Files) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder


def _fixture_files() -> Files:
    return {p.name: p.read_bytes() for p in sorted(FIXTURE.iterdir()) if p.is_file()}


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_reported(case: Case, tmp_path: Path) -> None:
    files = _fixture_files()
    case.edit(files)
    folder = _write(tmp_path / case.id, files)
    _, report = load_history(folder)
    probs = report.problems.filter(pl.col("rule") == case.rule)
    assert probs.height >= 1, report.summary()
    if case.rule == "W407":  # reported on the placements of the child
        assert probs["table"].to_list()[0] == "placements"
        return
    hit = probs.filter(pl.col("table") == case.table)
    assert hit.height >= 1, report.summary()
    assert case.row in hit["row"].to_list(), report.summary()
    if case.rule in ("E301", "E302"):
        assert "(first at row " in hit["message"][0] and f"row {case.row})" not in hit["message"][0]
    # every problem names its rule, severity, message and fix
    assert hit.select(pl.col("message", "fix").is_null().any()).row(0) == (False, False)
    if case.rule.startswith("E"):
        assert not report.ok
        with pytest.raises(DataValidationError) as info:
            read_folder(folder)
        assert case.rule in str(info.value)
        assert info.value.report.problems.height == report.problems.height
    else:
        assert report.errors.height == 0 or case.rule == "W113", report.summary()


def test_valid_fixture_passes_unchanged(tmp_path: Path) -> None:
    history, report = load_history(FIXTURE)
    assert report.problems.height == 0, report.summary()
    assert report.checked == {"children": 6, "placements": 16, "events": 13, "statuses": 6}
    # repairing valid data changes nothing
    fixed, rep = load_history(FIXTURE, repair=True)
    assert rep.repairs.height == 0
    for name, frame in history.tables().items():
        assert fixed.tables()[name].equals(frame)
    # the CSV values survive exactly: write Parquet, read back, compare
    again = read_folder(history.write(tmp_path / "pq"))
    for name, frame in history.tables().items():
        assert again.tables()[name].equals(frame)
    assert history.placements["start"][0].isoformat() == "2019-02-01"


def test_latin1_decodes_when_asked(tmp_path: Path) -> None:
    files = _fixture_files()
    files["children.csv"] = files["children.csv"].replace(b"Zeist", "Zürich".encode("latin-1"))
    folder = _write(tmp_path / "latin1", files)
    history, report = load_history(folder, encoding="latin-1")
    assert report.ok and report.problems.height == 0
    assert "Zürich" in history.children["region"].to_list()


def test_bom_is_stripped_and_data_is_valid(tmp_path: Path) -> None:
    files = _fixture_files()
    files["children.csv"] = b"\xef\xbb\xbf" + files["children.csv"]
    history, report = load_history(_write(tmp_path / "bom", files))
    assert report.ok
    assert history.children.columns[0] == "child_id"


def test_duplicated_header_row_is_excluded_and_counted(tmp_path: Path) -> None:
    files = _fixture_files()
    insert("events", 4, "child_id,date,kind,value")(files)
    history, report = load_history(_write(tmp_path / "dh", files))
    assert report.ok
    assert history.events.height == 13
    # the repeated header is excluded, and reported (never silently dropped)
    assert report.checked["events"] == 13
    assert report.warnings.select("rule", "row").rows() == [("W109", 4)]
