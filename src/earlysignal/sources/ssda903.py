"""The SSDA903 adapter: England's yearly children-looked-after returns to a ``CareHistory``.

An SSDA903 *episode* is a period with one legal status and one placement: a new episode starts
whenever either changes. Placements are therefore derived from episodes (a new placement where
``RNE`` is S, P, B, T or U; ``RNE`` L is a change of legal status only and becomes a status).
Each yearly return holds every episode open at any time in its collection year (1 April -
31 March), so one episode appears in several returns: the latest return's version of each
(``CHILD``, ``DECOM``) is kept and the others are counted as duplicates merged.

Nothing is dropped silently: every row read is either kept, merged as a duplicate or excluded
by a named rule, and :class:`ImportReport` accounts for all of them. By default an error in the
returns (missing column, unknown code, unparseable or out-of-order dates, overlapping episodes,
a return for the wrong year, a child without a header row) raises :class:`SSDA903Error` naming
the file, row and rule; with ``errors="repair"`` each is repaired or the row excluded, and
counted. Known data-quality issues that do not block an import (``REC`` X1 on open episodes,
DfE rule 148) are reported as warnings. Mapping decisions are in
:mod:`earlysignal.sources.ssda903_codes` and ``docs/ssda903.md``.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "2020-header.csv").write_text("CHILD,SEX,DOB,ETHNIC\\n1,2,01/02/2008,WBRI\\n")
>>> _ = (d / "2020-episodes.csv").write_text(
...     "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,URN\\n"
...     "1,01/05/2020,S,C2,N1,U4,PR1,01/09/2020,X1,CREQB,A\\n"
...     "1,01/09/2020,P,C2,N1,K2,PR4,,,,B\\n")
>>> history, report = import_ssda903(d, year_label="start")
>>> history.placements.select("setting", "end_reason", "end_reason_detail").rows()
[('foster', 'breakdown', 'CREQB'), ('residential', None, None)]
>>> history.observed_until, report.rows_read["episodes"]
(datetime.date(2021, 3, 31), 2)
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.sources import ssda903_codes as codes

__all__ = [
    "REQUIRED_COLUMNS",
    "ImportIssue",
    "ImportReport",
    "ReturnFile",
    "SSDA903Error",
    "import_ssda903",
]

TableName = Literal["episodes", "header", "missing", "uasc", "reviews"]

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "episodes": ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC"),
    "header": ("CHILD", "SEX", "DOB"),
    "missing": ("CHILD", "MISSING", "MIS_START", "MIS_END"),
    "uasc": ("CHILD",),
    "reviews": ("CHILD", "REVIEW"),
}
"""Columns each table must have (official SSDA903 names). Optional columns used when present:
episodes ``REASON_PLACE_CHANGE``, ``URN``; header ``ETHNIC``; reviews ``REVIEW_CODE``."""

_OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "episodes": ("REASON_PLACE_CHANGE", "URN"),
    "header": ("ETHNIC",),
    "missing": (),
    "uasc": ("DUC",),
    "reviews": ("REVIEW_CODE",),
}

_FILE_RE = re.compile(
    r"^(?:(?P<year>\d{4})[-_ ]?)?(?P<table>episodes|header|missing|uasc|reviews)"
    r"(?:[-_ ]?(?P<year2>\d{4}))?$",
    re.IGNORECASE,
)

Severity = Literal["error", "excluded", "repaired", "warning"]


@dataclass(frozen=True, slots=True)
class ImportIssue:
    """One problem found while importing, located as precisely as the data allow.

    Parameters
    ----------
    rule
        Rule identifier, e.g. ``ssda903.unknown_code``.
    severity
        ``error`` (blocks the import unless ``errors="repair"``), ``excluded`` (row left out),
        ``repaired`` (row kept after a named change) or ``warning`` (kept as is).
    file, row
        Source file name and 1-based data-row number in it (the CSV header is not counted,
        as in ``earlysignal.data.validate``), when known.
    child, column, value
        The child, the column and the offending value, when known.
    message, fix
        What is wrong, and what would fix it.
    """

    rule: str
    severity: Severity
    file: str | None
    row: int | None
    child: str | None
    column: str | None
    value: str | None
    message: str
    fix: str

    def __str__(self) -> str:
        where = self.file or "<all files>"
        if self.row is not None:
            where += f", row {self.row}"
        if self.child is not None:
            where += f", child {self.child}"
        col = f" {self.column}={self.value!r}" if self.column else ""
        return f"[{self.rule}] {where}:{col} {self.message} Fix: {self.fix}"


@dataclass(frozen=True, slots=True)
class ReturnFile:
    """One CSV file read: its name, the table it holds and the return year(s) it carries."""

    name: str
    table: str
    years: tuple[int, ...]
    rows: int


class SSDA903Error(ValueError):
    """Raised when SSDA903 returns contain errors and ``errors="raise"``.

    ``issues`` holds every :class:`ImportIssue` of severity ``error``; the message lists the
    first ten, each naming the rule, file, row and value.
    """

    def __init__(self, issues: Sequence[ImportIssue]) -> None:
        self.issues = tuple(issues)
        head = "\n".join(f"  {i}" for i in self.issues[:10])
        more = f"\n  ... and {len(self.issues) - 10} more" if len(self.issues) > 10 else ""
        rules = Counter(i.rule for i in self.issues)
        super().__init__(
            f"{len(self.issues)} error(s) in the SSDA903 returns "
            f"({', '.join(f'{r}: {n}' for r, n in sorted(rules.items()))}):\n{head}{more}\n"
            "Correct the returns, or import with errors='repair' to exclude or repair these "
            "rows (each one is counted in the import report)."
        )


@dataclass(frozen=True)
class ImportReport:
    """What an SSDA903 import read, merged, repaired, excluded and produced.

    Attributes
    ----------
    files
        Every file read (name, table, years, rows); ``ignored_files`` lists files not read.
    year_label
        How a return's year was read: ``start`` (return ``2017`` covers 1 April 2017 - 31 March
        2018) or ``end`` (it covers 1 April 2016 - 31 March 2017).
    observed_until
        The extraction date of the history.
    rows_read, duplicates_merged, excluded, kept
        Row accounting per source table: ``rows_read == duplicates_merged + excluded + kept``.
    issues
        Every :class:`ImportIssue` (row-level: for the data team, never for publication).
    output_counts
        Rows per canonical table produced.
    validation
        Summary of the canonical validation of the result (``None`` if not run).
    notes
        Mapping decisions a reader of the result should know.
    collection_years
        First and last day of each collection year read (used for default year ends).
    """

    files: tuple[ReturnFile, ...]
    ignored_files: tuple[str, ...]
    year_label: str
    observed_until: date
    rows_read: dict[str, int]
    duplicates_merged: dict[str, int]
    excluded: dict[str, int]
    kept: dict[str, int]
    issues: tuple[ImportIssue, ...]
    output_counts: dict[str, int]
    validation: dict[str, Any] | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    collection_years: tuple[tuple[date, date], ...] = ()

    def issues_frame(self) -> pl.DataFrame:
        """All issues as a tidy frame (columns: rule, severity, file, row, child, column,
        value, message, fix). Row-level: keep it with the data, do not publish it."""
        schema = {
            "rule": pl.String(),
            "severity": pl.String(),
            "file": pl.String(),
            "row": pl.Int64(),
            "child": pl.String(),
            "column": pl.String(),
            "value": pl.String(),
            "message": pl.String(),
            "fix": pl.String(),
        }
        return pl.DataFrame([asdict(i) for i in self.issues], schema=schema, orient="row")

    def issue_counts(self) -> pl.DataFrame:
        """Number of issues per rule and severity (columns: rule, severity, n), sorted."""
        counts = Counter((i.rule, i.severity) for i in self.issues)
        return pl.DataFrame(
            {
                "rule": [r for r, _ in counts],
                "severity": [s for _, s in counts],
                "n": list(counts.values()),
            },
            schema={"rule": pl.String(), "severity": pl.String(), "n": pl.Int64()},
        ).sort("rule", "severity")

    def count(self, rule: str) -> int:
        """Number of issues recorded under ``rule`` (with or without the ``ssda903.`` prefix)."""
        name = rule if rule.startswith("ssda903.") else f"ssda903.{rule}"
        return sum(1 for i in self.issues if i.rule == name)

    def summary(self) -> dict[str, Any]:
        """A JSON-safe summary with counts only (no child identifiers, no row-level data)."""
        return {
            "source": "ssda903",
            "files": [
                {"name": f.name, "table": f.table, "years": list(f.years), "rows": f.rows}
                for f in self.files
            ],
            "ignored_files": list(self.ignored_files),
            "year_label": self.year_label,
            "collection_years": [[a.isoformat(), b.isoformat()] for a, b in self.collection_years],
            "observed_until": self.observed_until.isoformat(),
            "rows_read": self.rows_read,
            "duplicates_merged": self.duplicates_merged,
            "excluded": self.excluded,
            "kept": self.kept,
            "issues": {f"{r} ({s})": n for r, s, n in self.issue_counts().iter_rows()},
            "output_counts": self.output_counts,
            "validation": self.validation,
            "notes": list(self.notes),
        }

    def to_text(self) -> str:
        """A readable plain-text report (counts per table and per rule)."""
        lines = [
            f"SSDA903 import: {len(self.files)} file(s), year label {self.year_label!r}, "
            f"observed until {self.observed_until.isoformat()}",
            "table       read  duplicates  excluded   kept",
        ]
        for t in self.rows_read:
            lines.append(
                f"{t:<10}{self.rows_read[t]:>6}{self.duplicates_merged.get(t, 0):>12}"
                f"{self.excluded.get(t, 0):>10}{self.kept.get(t, 0):>7}"
            )
        if self.ignored_files:
            lines.append(f"ignored files: {', '.join(self.ignored_files)}")
        lines.append("issues (rule, severity, n):")
        for r, s, n in self.issue_counts().iter_rows():
            lines.append(f"  {r:<42}{s:<10}{n:>6}")
        lines.append(f"output: {self.output_counts}")
        if self.validation is not None:
            lines.append(f"validation: {self.validation}")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)


# ---------------------------------------------------------------------------------- helpers
class _Issues:
    """Collects issues; in raise mode, blocking problems are recorded as errors."""

    def __init__(self, mode: Literal["raise", "repair"]) -> None:
        self.mode = mode
        self.items: list[ImportIssue] = []

    def add(
        self,
        rule: str,
        action: Severity,
        message: str,
        fix: str,
        *,
        file: str | None = None,
        row: int | None = None,
        child: str | None = None,
        column: str | None = None,
        value: object = None,
        blocking: bool = True,
    ) -> None:
        severity: Severity = "error" if (blocking and self.mode == "raise") else action
        self.items.append(
            ImportIssue(
                rule=f"ssda903.{rule}",
                severity=severity,
                file=file,
                row=row,
                child=child,
                column=column,
                value=None if value is None else str(value),
                message=message,
                fix=fix,
            )
        )

    def add_rows(
        self,
        frame: pl.DataFrame,
        rule: str,
        action: Severity,
        message: str,
        fix: str,
        *,
        column: str | None = None,
        blocking: bool = True,
    ) -> None:
        """One issue per row of ``frame`` (which has ``_file``, ``_row``, ``CHILD``)."""
        cols = ["_file", "_row", "CHILD", *([column] if column else [])]
        for rec in frame.select(cols).iter_rows():
            self.add(
                rule,
                action,
                message,
                fix,
                file=rec[0],
                row=rec[1],
                child=rec[2],
                column=column,
                value=rec[3] if column else None,
                blocking=blocking,
            )

    def errors(self) -> list[ImportIssue]:
        return [i for i in self.items if i.severity == "error"]


def _parse_date(col: str) -> pl.Expr:
    s = pl.col(col).str.strip_chars()
    return pl.coalesce(
        s.str.to_date("%d/%m/%Y", strict=False),
        s.str.to_date("%Y-%m-%d", strict=False),
    ).alias(col)


def _year_window(year: int, label: str) -> tuple[date, date]:
    """First and last day of the collection year of a return labelled ``year``."""
    if label == "start":
        return date(year, 4, 1), date(year + 1, 3, 31)
    return date(year - 1, 4, 1), date(year, 3, 31)


def _discover(src: str | Path | Iterable[str | Path]) -> tuple[list[Path], list[str]]:
    paths: list[Path] = []
    if isinstance(src, str | Path):
        root = Path(src)
        if not root.exists():
            raise FileNotFoundError(
                f"SSDA903 source {root} does not exist: pass a folder of yearly returns "
                "(e.g. 2021-episodes.csv, 2021-header.csv) or a list of CSV files"
            )
        paths = sorted(p for p in root.iterdir() if p.is_file()) if root.is_dir() else [root]
    else:
        paths = sorted(Path(p) for p in src)
    files: list[Path] = []
    ignored: list[str] = []
    for p in paths:
        if p.suffix.lower() == ".csv" and _FILE_RE.match(p.stem):
            files.append(p)
        else:
            ignored.append(p.name)
    return files, ignored


def _read_file(
    path: Path, issues: _Issues
) -> tuple[str, pl.DataFrame | None, tuple[int, ...], int]:
    """Read one return file as strings; add ``_file``, ``_row`` and ``_year`` columns."""
    m = _FILE_RE.match(path.stem)
    assert m is not None
    table = m.group("table").lower()
    name_year = m.group("year") or m.group("year2")
    try:
        raw = pl.read_csv(path, infer_schema=False, truncate_ragged_lines=False)
    except (pl.exceptions.NoDataError, pl.exceptions.ComputeError, UnicodeDecodeError) as exc:
        issues.add(
            "malformed_file",
            "excluded",
            f"the file cannot be read as CSV ({type(exc).__name__}: {str(exc)[:120]})",
            "export the return as UTF-8 CSV with the official header line",
            file=path.name,
        )
        return table, None, (), 0
    raw = raw.rename({c: c.strip().upper() for c in raw.columns})
    n = raw.height
    missing = [c for c in REQUIRED_COLUMNS[table] if c not in raw.columns]
    if missing:
        for c in missing:
            issues.add(
                "missing_column",
                "excluded",
                f"the {table} table lacks the required column {c!r}; the file cannot be read "
                f"(all {n} rows excluded)",
                f"add the column {c!r} with the official SSDA903 name "
                f"(required: {', '.join(REQUIRED_COLUMNS[table])})",
                file=path.name,
                column=c,
            )
        return table, None, (), n
    frame = raw.with_columns(
        pl.all().str.strip_chars().replace("", None),
        pl.lit(path.name).alias("_file"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + 1).alias("_row"),
    )
    for c in _OPTIONAL_COLUMNS[table]:
        if c not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String()).alias(c))
    if name_year is not None:
        frame = frame.with_columns(pl.lit(int(name_year), dtype=pl.Int64).alias("_year"))
    elif "YEAR" in frame.columns:
        year = frame["YEAR"].cast(pl.Int64, strict=False)
        bad = frame.filter(year.is_null())
        if bad.height:
            issues.add_rows(
                bad,
                "bad_year",
                "excluded",
                "the YEAR column must hold the return's year (four digits)",
                "fill YEAR with the collection year of the return",
                column="YEAR",
            )
        frame = frame.with_columns(year.alias("_year")).filter(pl.col("_year").is_not_null())
    else:
        issues.add(
            "no_year",
            "excluded",
            f"cannot tell which return year the file holds (all {n} rows excluded)",
            "name the file {YEAR}-" + table + ".csv or add a YEAR column",
            file=path.name,
        )
        return table, None, (), n
    years = tuple(sorted(set(frame["_year"].to_list())))
    return table, frame, years, n


def _check_dates(
    frame: pl.DataFrame, cols: Sequence[str], issues: _Issues, required: Sequence[str]
) -> pl.DataFrame:
    """Parse date columns; exclude rows whose dates are unparseable or required but missing."""
    parsed = frame.with_columns(*(_parse_date(c).alias(f"_{c}") for c in cols))
    bad = pl.lit(False)
    for c in cols:
        unparseable = pl.col(c).is_not_null() & pl.col(f"_{c}").is_null()
        rows = parsed.filter(unparseable)
        if rows.height:
            issues.add_rows(
                rows,
                "bad_date",
                "excluded",
                f"{c} is not a date in dd/mm/YYYY or YYYY-MM-DD form; row excluded",
                f"correct {c}",
                column=c,
            )
        bad = bad | unparseable
        if c in required:
            rows = parsed.filter(pl.col(c).is_null())
            if rows.height:
                issues.add_rows(
                    rows,
                    "missing_value",
                    "excluded",
                    f"{c} is required and empty; row excluded",
                    f"fill {c}",
                    column=c,
                )
            bad = bad | pl.col(c).is_null()
    kid_missing = parsed.filter(pl.col("CHILD").is_null())
    if kid_missing.height:
        issues.add_rows(
            kid_missing,
            "missing_value",
            "excluded",
            "CHILD is empty; row excluded",
            "fill CHILD",
            column="CHILD",
        )
    bad = bad | pl.col("CHILD").is_null()
    out = parsed.filter(~bad)
    return out.drop(list(cols)).rename({f"_{c}": c for c in cols})


def _check_codes(
    frame: pl.DataFrame,
    column: str,
    valid: Iterable[str],
    issues: _Issues,
    *,
    repair: str,
    allow_null: bool,
    blocking: bool = True,
) -> pl.DataFrame:
    """Flag codes outside the code set; in repair mode keep the row with the code ``repair``."""
    valid_list = sorted(valid)
    unknown = pl.col(column).is_not_null() & ~pl.col(column).is_in(valid_list)
    rows = frame.filter(unknown)
    if rows.height:
        issues.add_rows(
            rows,
            "unknown_code",
            "repaired",
            f"{column} is not in the SSDA903 code set; "
            + (
                "kept as is"
                if repair == "kept"
                else f"kept with the code treated as {repair!r} (source code kept)"
            ),
            f"use one of {', '.join(valid_list[:12])}{' ...' if len(valid_list) > 12 else ''} "
            "(see docs/ssda903.md)",
            column=column,
            blocking=blocking,
        )
    if not allow_null:
        rows = frame.filter(pl.col(column).is_null())
        if rows.height:
            issues.add_rows(
                rows,
                "missing_value",
                "repaired",
                f"{column} is empty; kept with the code treated as {repair!r}",
                f"fill {column}",
                column=column,
                blocking=blocking,
            )
    return frame


def _dedupe_latest(
    frame: pl.DataFrame, keys: Sequence[str], table: str, issues: _Issues
) -> tuple[pl.DataFrame, int]:
    """Keep the latest return's version of each key; count the versions merged."""
    ordered = frame.sort([*keys, "_year", "_file", "_row"])
    kept = ordered.unique(subset=list(keys), keep="last", maintain_order=True)
    return kept, frame.height - kept.height


# ---------------------------------------------------------------------------------- main
def import_ssda903(
    src: str | Path | Iterable[str | Path],
    out: str | Path | None = None,
    *,
    observed_until: date | None = None,
    year_label: Literal["auto", "start", "end"] = "auto",
    errors: Literal["raise", "repair"] = "raise",
    validate: bool = True,
) -> tuple[CareHistory, ImportReport]:
    """Import one or more yearly SSDA903 returns into a validated ``CareHistory``.

    Parameters
    ----------
    src
        A folder of CSV returns named ``{YEAR}-episodes.csv``, ``-header.csv``,
        ``-missing.csv``, ``-uasc.csv``, ``-reviews.csv`` (or without the year and with a
        ``YEAR`` column), or a list of such files. Other files are listed as ignored.
    out
        If given, the canonical folder to write (Parquet tables, ``meta.json`` with the
        report's summary, ``import_report.json``, and the row-level ``import_issues.csv``).
    observed_until
        The extraction date; default: the end (31 March) of the latest collection year.
    year_label
        Whether a return's year names the collection year's ``start`` or ``end``; ``auto``
        picks the reading under which fewer episodes fall outside their return's year.
    errors
        ``raise`` (default): raise :class:`SSDA903Error` listing every error. ``repair``:
        exclude or repair each offending row and count it in the report.
    validate
        Run the canonical validation on the result (recorded in ``report.validation``).

    Returns
    -------
    (CareHistory, ImportReport)
        The history (``children`` has the extra sensitive column ``ethnicity``; ``statuses``
        holds ``legal_status`` and ``category_of_need``) and the import report.

    Examples
    --------
    See the module docstring.
    """
    if errors not in ("raise", "repair"):
        raise ValueError(f"errors must be 'raise' or 'repair', got {errors!r}")
    if year_label not in ("auto", "start", "end"):
        raise ValueError(f"year_label must be 'auto', 'start' or 'end', got {year_label!r}")
    issues = _Issues(errors)
    paths, ignored = _discover(src)
    frames: dict[str, list[pl.DataFrame]] = {t: [] for t in REQUIRED_COLUMNS}
    files: list[ReturnFile] = []
    rows_read: dict[str, int] = dict.fromkeys(REQUIRED_COLUMNS, 0)
    unreadable: dict[str, int] = dict.fromkeys(REQUIRED_COLUMNS, 0)
    for p in paths:
        table, frame, years, n = _read_file(p, issues)
        files.append(ReturnFile(p.name, table, years, n))
        rows_read[table] += n
        if frame is None:
            unreadable[table] += n
        else:
            frames[table].append(frame)
    if not frames["episodes"]:
        issues.add(
            "no_episodes",
            "error",
            "no readable episodes file: a history cannot be derived",
            "pass a folder or files including {YEAR}-episodes.csv",
        )
        raise SSDA903Error(issues.errors() or issues.items)
    if not frames["header"]:
        issues.add(
            "no_header",
            "error",
            "no readable header file: children's birth dates and sex are unknown",
            "pass the {YEAR}-header.csv files with the episodes",
        )
        raise SSDA903Error(issues.errors() or issues.items)

    def stack(table: str) -> pl.DataFrame:
        fr = frames[table]
        return pl.concat(fr, how="diagonal_relaxed") if fr else pl.DataFrame()

    # ------------------------------------------------------------ episodes: parse and check
    ep_all = stack("episodes")
    ep = _check_dates(ep_all, ["DECOM", "DEC"], issues, required=["DECOM"])
    for col, valid, repair, allow_null, blocking in (
        ("RNE", codes.RNE_CODES, "P", False, True),
        ("LS", codes.LEGAL_STATUS_CODES, "unknown", False, True),
        ("CIN", codes.CIN_CODES, "unknown", True, False),
        ("PLACE", codes.PLACE_SETTING.keys(), "Z1", False, True),
        ("PLACE_PROVIDER", codes.PLACE_PROVIDER_CODES, "unknown", True, False),
        ("REC", {*codes.REC_END, "X1"}, "E8", True, True),
        ("REASON_PLACE_CHANGE", codes.REASON_PLACE_CHANGE_END.keys(), "OTHER", True, True),
    ):
        ep = _check_codes(
            ep, col, valid, issues, repair=repair, allow_null=allow_null, blocking=blocking
        )
    order = ep.filter(pl.col("DEC").is_not_null() & (pl.col("DEC") < pl.col("DECOM")))
    if order.height:
        issues.add_rows(
            order,
            "dates_out_of_order",
            "excluded",
            "the episode ends (DEC) before it starts (DECOM); row excluded",
            "correct DECOM or DEC",
            column="DEC",
        )
        ep = ep.filter(~(pl.col("DEC").is_not_null() & (pl.col("DEC") < pl.col("DECOM"))))

    # which year convention fits the returns
    def outside(label: str) -> pl.Expr:
        bounds = {y: _year_window(y, label) for y in ep["_year"].unique().to_list()}
        starts = pl.col("_year").replace_strict({y: b[0] for y, b in bounds.items()})
        ends = pl.col("_year").replace_strict({y: b[1] for y, b in bounds.items()})
        return (pl.col("DECOM") > ends) | (pl.col("DEC").is_not_null() & (pl.col("DEC") < starts))

    if year_label == "auto":
        n_start = ep.filter(outside("start")).height
        n_end = ep.filter(outside("end")).height
        label = "start" if n_start < n_end else "end"
    else:
        label = year_label
    years_seen = sorted(set(ep["_year"].to_list()))
    windows = {y: _year_window(y, label) for y in years_seen}
    wrong = ep.filter(outside(label))
    if wrong.height:
        for rec in wrong.select("_file", "_row", "CHILD", "_year", "DECOM", "DEC").iter_rows():
            y0, y1 = windows[rec[3]]
            issues.add(
                "wrong_year",
                "excluded",
                f"the episode ({rec[4]} to {rec[5] or 'open'}) was not open during the "
                f"collection year of return {rec[3]} ({y0} to {y1}); row excluded",
                "check the file is the return for that year (or its YEAR column), "
                f"or pass year_label explicitly (now {label!r})",
                file=rec[0],
                row=rec[1],
                child=rec[2],
                column="DECOM",
                value=rec[4],
            )
        ep = ep.filter(~outside(label))
    last_year_end = max(b[1] for b in windows.values()) if windows else date.today()
    obs = observed_until or last_year_end

    # REC on open episodes (DfE rule 148): a known data-quality issue, reported, REC ignored
    rec_open = ep.filter(pl.col("DEC").is_null() & pl.col("REC").is_not_null())
    if rec_open.height:
        issues.add_rows(
            rec_open,
            "rec_on_open_episode",
            "warning",
            "an open episode (DEC blank) carries REC; DfE rule 148 says REC must be blank then. "
            "The episode is treated as open and REC ignored",
            "leave REC blank on open episodes",
            column="REC",
            blocking=False,
        )
    year_end = pl.col("_year").replace_strict({y: b[1] for y, b in windows.items()})
    late = ep.filter(pl.col("DEC").is_not_null() & (pl.col("DEC") > year_end))
    if late.height:
        issues.add_rows(
            late,
            "ceased_after_year_end",
            "warning",
            "the episode ceased (DEC) after the end of its return's collection year; "
            "kept (a later return, if given, has the last word)",
            "report the episode as open in this return",
            column="DEC",
            blocking=False,
        )

    # ------------------------------------------------------------ dedupe across returns
    n_before = ep.height
    ep, dup_ep = _dedupe_latest(ep, ["CHILD", "DECOM"], "episodes", issues)
    assert ep.height == n_before - dup_ep
    # anything after the extraction date: episodes starting later are excluded, later ends
    # are censored (the episode was still open at observed_until)
    after = ep.filter(pl.col("DECOM") > obs)
    if after.height:
        issues.add_rows(
            after,
            "after_observed_until",
            "excluded",
            f"the episode starts after observed_until ({obs}); row excluded",
            "pass a later observed_until",
            column="DECOM",
            blocking=False,
        )
        ep = ep.filter(pl.col("DECOM") <= obs)
    cens = ep.filter(pl.col("DEC").is_not_null() & (pl.col("DEC") > obs))
    if cens.height:
        issues.add_rows(
            cens,
            "censored_at_observed_until",
            "repaired",
            f"the episode ends after observed_until ({obs}); kept as open at that date",
            "pass a later observed_until to keep the end",
            column="DEC",
            blocking=False,
        )
        ep = ep.with_columns(
            pl.when(pl.col("DEC") > obs).then(None).otherwise(pl.col("DEC")).alias("DEC"),
            pl.when(pl.col("DEC") > obs).then(None).otherwise(pl.col("REC")).alias("REC"),
        )

    # ------------------------------------------------------------ header -> children
    hd = _check_dates(stack("header"), ["DOB"], issues, required=["DOB"])
    hd = _check_codes(hd, "SEX", codes.SEX_MAP.keys(), issues, repair="unknown", allow_null=False)
    hd = _check_codes(
        hd, "ETHNIC", codes.ETHNIC_CODES, issues, repair="kept", allow_null=True, blocking=False
    )
    n_hd = hd.height
    conflicts = (
        hd.group_by("CHILD")
        .agg(pl.struct("SEX", "DOB", "ETHNIC").n_unique().alias("n"))
        .filter(pl.col("n") > 1)
    )
    for (child,) in conflicts.select("CHILD").iter_rows():
        issues.add(
            "header_conflict",
            "warning",
            "the child's SEX, DOB or ETHNIC differ between returns; the latest return is kept",
            "make the header consistent across returns",
            child=child,
            blocking=False,
        )
    hd, dup_hd = _dedupe_latest(hd, ["CHILD"], "header", issues)
    assert hd.height == n_hd - dup_hd

    # episodes of children without a header row, or starting before birth
    no_header = ep.join(hd.select("CHILD"), on="CHILD", how="anti")
    if no_header.height:
        issues.add_rows(
            no_header,
            "child_not_in_header",
            "excluded",
            "the child has episodes but no header row (no birth date or sex); row excluded",
            "add the child to the header file",
        )
        ep = ep.join(hd.select("CHILD"), on="CHILD", how="semi")
    before = ep.join(hd.select("CHILD", pl.col("DOB")), on="CHILD").filter(
        pl.col("DECOM") < pl.col("DOB")
    )
    if before.height:
        issues.add_rows(
            before,
            "episode_before_birth",
            "excluded",
            "the episode starts before the child's date of birth; row excluded",
            "correct DECOM or the child's DOB",
            column="DECOM",
        )
        ep = ep.join(before.select("CHILD", "DECOM"), on=["CHILD", "DECOM"], how="anti")

    ep = ep.sort("CHILD", "DECOM")
    # overlapping episodes: the previous one is open or ends after the next starts
    prev_dec = pl.col("DEC").shift(1).over("CHILD")
    has_prev = pl.col("DECOM").shift(1).over("CHILD").is_not_null()
    ep = ep.with_columns(
        (has_prev & (prev_dec.is_null() | (prev_dec > pl.col("DECOM")))).alias("_overlap")
    )
    overl = ep.filter(pl.col("_overlap"))
    if overl.height:
        issues.add_rows(
            overl,
            "overlapping_episodes",
            "repaired",
            "the episode starts before the child's previous episode ended (or while it is "
            "open); the previous episode is cut to end on this DECOM",
            "correct DEC of the previous episode or DECOM of this one",
            column="DECOM",
        )
        nxt = pl.col("DECOM").shift(-1).over("CHILD")
        cut = pl.col("_overlap").shift(-1).over("CHILD").fill_null(False)
        ep = ep.with_columns(
            pl.when(cut).then(nxt).otherwise(pl.col("DEC")).alias("DEC"),
            pl.when(cut).then(pl.lit("X1")).otherwise(pl.col("REC")).alias("REC"),
        )
    kept_ep = ep.height

    # ------------------------------------------------------------ placements and statuses
    placements, statuses = _derive(ep, issues)

    # ------------------------------------------------------------ events
    events_frames: list[pl.DataFrame] = []
    dup_ev: dict[str, int] = {}
    kept_ev: dict[str, int] = {}
    children_ids = hd.select("CHILD")
    first_decom = ep.group_by("CHILD").agg(pl.col("DECOM").min().alias("_first"))

    def finish_events(frame: pl.DataFrame, table: str, date_col: str) -> pl.DataFrame:
        orphan = frame.join(children_ids, on="CHILD", how="anti")
        if orphan.height:
            issues.add_rows(
                orphan,
                "child_not_in_header",
                "excluded",
                f"a {table} row for a child without a header row; row excluded",
                "add the child to the header file",
                blocking=False,
            )
        frame = frame.join(children_ids, on="CHILD", how="semi")
        future = frame.filter(pl.col(date_col) > obs)
        if future.height:
            issues.add_rows(
                future,
                "after_observed_until",
                "excluded",
                f"{date_col} is after observed_until ({obs}); row excluded",
                "correct the date, or pass a later observed_until",
                column=date_col,
                blocking=False,
            )
        frame = frame.filter(pl.col(date_col) <= obs)
        early = frame.join(hd.select("CHILD", pl.col("DOB").alias("_dob")), on="CHILD").filter(
            pl.col(date_col) < pl.col("_dob")
        )
        if early.height:
            issues.add_rows(
                early,
                "before_birth",
                "excluded",
                f"{date_col} is before the child's date of birth; row excluded",
                f"correct {date_col} or the child's DOB",
                column=date_col,
            )
            frame = frame.join(early.select("_file", "_row"), on=["_file", "_row"], how="anti")
        return frame

    mi = stack("missing")
    if mi.height:
        mi = _check_dates(mi, ["MIS_START", "MIS_END"], issues, required=["MIS_START"])
        mi = _check_codes(
            mi, "MISSING", codes.MISSING_KIND.keys(), issues, repair="missing", allow_null=False
        )
        bad = mi.filter(pl.col("MIS_END").is_not_null() & (pl.col("MIS_END") < pl.col("MIS_START")))
        if bad.height:
            issues.add_rows(
                bad,
                "dates_out_of_order",
                "excluded",
                "MIS_END is before MIS_START; row excluded",
                "correct MIS_START or MIS_END",
                column="MIS_END",
            )
            mi = mi.join(bad.select("_file", "_row"), on=["_file", "_row"], how="anti")
        n = mi.height
        mi, dup_ev["missing"] = _dedupe_latest(
            mi, ["CHILD", "MIS_START", "MISSING"], "missing", issues
        )
        assert mi.height == n - dup_ev["missing"]
        mi = finish_events(mi, "missing", "MIS_START")
        kept_ev["missing"] = mi.height
        events_frames.append(
            mi.select(
                pl.col("CHILD").alias("child_id"),
                pl.col("MIS_START").alias("date"),
                pl.col("MISSING")
                .replace_strict(dict(codes.MISSING_KIND), default="missing")
                .alias("kind"),
                (pl.col("MIS_END") - pl.col("MIS_START"))
                .dt.total_days()
                .cast(pl.Float64)
                .alias("value"),
            )
        )
    rv = stack("reviews")
    if rv.height:
        rv = _check_dates(rv, ["REVIEW"], issues, required=["REVIEW"])
        rv = _check_codes(
            rv,
            "REVIEW_CODE",
            codes.REVIEW_CODES,
            issues,
            repair="kept",
            allow_null=True,
            blocking=False,
        )
        n = rv.height
        rv, dup_ev["reviews"] = _dedupe_latest(rv, ["CHILD", "REVIEW"], "reviews", issues)
        assert rv.height == n - dup_ev["reviews"]
        rv = finish_events(rv, "reviews", "REVIEW")
        outside_care = rv.join(first_decom, on="CHILD", how="left").filter(
            pl.col("_first").is_null() | (pl.col("REVIEW") < pl.col("_first"))
        )
        if outside_care.height:
            issues.add_rows(
                outside_care,
                "review_before_care",
                "warning",
                "the review is dated before the child's first episode in the returns; kept",
                "check REVIEW (or supply the earlier returns)",
                column="REVIEW",
                blocking=False,
            )
        kept_ev["reviews"] = rv.height
        events_frames.append(
            rv.select(
                pl.col("CHILD").alias("child_id"),
                pl.col("REVIEW").alias("date"),
                pl.lit("review").alias("kind"),
                pl.lit(None, dtype=pl.Float64).alias("value"),
            )
        )
    ua = stack("uasc")
    uasc_ids: pl.DataFrame | None = None
    if frames["uasc"]:
        n = ua.height
        nochild = ua.filter(pl.col("CHILD").is_null())
        if nochild.height:
            issues.add_rows(
                nochild,
                "missing_value",
                "excluded",
                "CHILD is empty; row excluded",
                "fill CHILD",
                column="CHILD",
            )
        ua = ua.filter(pl.col("CHILD").is_not_null())
        ua, dup_ev["uasc"] = _dedupe_latest(ua, ["CHILD"], "uasc", issues)
        orphan = ua.join(children_ids, on="CHILD", how="anti")
        if orphan.height:
            issues.add_rows(
                orphan,
                "child_not_in_header",
                "excluded",
                "a uasc row for a child without a header row; row excluded",
                "add the child to the header file",
                blocking=False,
            )
        ua = ua.join(children_ids, on="CHILD", how="semi")
        kept_ev["uasc"] = ua.height
        uasc_ids = ua.select("CHILD")
        del n

    # ------------------------------------------------------------ children
    children = hd.select(
        pl.col("CHILD").alias("child_id"),
        pl.col("DOB").alias("birth_date"),
        pl.col("SEX").replace_strict(dict(codes.SEX_MAP), default="unknown").alias("sex"),
    )
    if uasc_ids is not None:
        children = children.with_columns(
            pl.col("child_id").is_in(uasc_ids["CHILD"].implode()).alias("unaccompanied")
        )
    children = children.with_columns(hd["ETHNIC"].alias("ethnicity")).sort("child_id")
    without = children.join(placements.select("child_id").unique(), on="child_id", how="anti")
    if without.height:
        issues.add(
            "child_without_episodes",
            "warning",
            f"{without.height} child(ren) in the header have no episode kept; they stay in "
            "the children table",
            "check the episodes files",
            blocking=False,
        )

    errs = issues.errors()
    if errs:
        raise SSDA903Error(errs)

    events = (
        pl.concat(events_frames, how="vertical_relaxed")
        if events_frames
        else pl.DataFrame(
            schema={
                "child_id": pl.String(),
                "date": pl.Date(),
                "kind": pl.String(),
                "value": pl.Float64(),
            }
        )
    ).sort("child_id", "date", "kind", "value", nulls_last=True)

    # ------------------------------------------------------------ accounting and output
    kept = {
        "episodes": kept_ep,
        "header": hd.height,
        "missing": kept_ev.get("missing", 0),
        "uasc": kept_ev.get("uasc", 0),
        "reviews": kept_ev.get("reviews", 0),
    }
    dups = {
        "episodes": dup_ep,
        "header": dup_hd,
        "missing": dup_ev.get("missing", 0),
        "uasc": dup_ev.get("uasc", 0),
        "reviews": dup_ev.get("reviews", 0),
    }
    excluded = {t: rows_read[t] - dups[t] - kept[t] for t in rows_read}
    history = CareHistory.from_frames(
        children=children,
        placements=placements,
        events=events,
        statuses=statuses,
        observed_until=obs,
    )
    notes = (
        "ETHNIC is kept as the sensitive extra column 'ethnicity' and not mapped to the CBS "
        "origin classification (ethnicity is not migration background).",
        "Temporary moves (PLACE T0-T4) are temporary placements inside the placement they "
        "interrupt; they are never moves.",
        "Short breaks (LS V3/V4) are kept as placements and as legal_status statuses; filter "
        "them with statuses if a published-statistics definition is needed.",
    )
    report = ImportReport(
        files=tuple(files),
        ignored_files=tuple(ignored),
        year_label=label,
        observed_until=obs,
        rows_read=rows_read,
        duplicates_merged=dups,
        excluded=excluded,
        kept=kept,
        issues=tuple(issues.items),
        output_counts=history.counts(),
        validation=None,
        notes=notes,
        collection_years=tuple(windows[y] for y in sorted(windows)),
    )
    validation: dict[str, Any] | None = None
    if validate:
        validation = _validation_summary(history)
    report = ImportReport(**{**_fields(report), "validation": validation})
    history = CareHistory(
        children=history.children,
        placements=history.placements,
        events=history.events,
        observed_until=history.observed_until,
        statuses=history.statuses,
        meta={"source": "ssda903", "import": report.summary()},
    )
    if out is not None:
        write_import(history, report, out)
    return history, report


def _fields(report: ImportReport) -> dict[str, Any]:
    return {f: getattr(report, f) for f in report.__dataclass_fields__}


def _validation_summary(history: CareHistory) -> dict[str, Any]:
    """Run the canonical validation and summarise it (counts only)."""
    result = history.validate(strict=False)
    return {
        "ok": result.ok,
        "errors": result.errors.height,
        "warnings": result.warnings.height,
        "counts_by_rule": {
            f"{r['rule']} {r['name']} [{r['table']}]": int(r["n"])
            for r in result.counts_by_rule().iter_rows(named=True)
        },
    }


def write_import(history: CareHistory, report: ImportReport, out: str | Path) -> Path:
    """Write the canonical folder plus ``import_report.json`` and ``import_issues.csv``."""
    folder = history.write(out)
    (folder / "import_report.json").write_text(
        json.dumps(report.summary(), indent=2, sort_keys=True, default=str)
    )
    report.issues_frame().write_csv(folder / "import_issues.csv")
    return folder


# ---------------------------------------------------------------------------------- derivation
@dataclass
class _Placement:
    child: str
    start: date
    end: date | None
    place: str
    urn: str | None
    temporary: bool
    rec: str | None
    rpc: str | None
    file: str
    row: int
    extended: bool = False
    carry_rpc: str | None = None


def _same_carer(a: _Placement, b: _Placement) -> bool:
    return a.urn is not None and a.urn == b.urn and a.place == b.place


def _end_reason(
    p: _Placement, next_start: date | None, issues: _Issues
) -> tuple[str | None, str | None]:
    """Canonical end reason and detail of a placement from its last episode's codes."""
    if p.end is None:
        return None, None
    rec = p.rec
    if rec is not None and rec != "X1":
        return codes.REC_END.get(rec, "other"), rec
    rpc = p.carry_rpc or p.rpc
    if rpc is not None:
        return codes.REASON_PLACE_CHANGE_END.get(rpc, "other"), rpc
    if rec is None:
        issues.add(
            "missing_rec",
            "warning",
            "a closed episode has no REC; the placement's end reason is 'other'",
            "fill REC for every episode with a DEC",
            file=p.file,
            row=p.row,
            child=p.child,
            column="REC",
            blocking=False,
        )
        return "other", None
    if next_start is None or next_start != p.end:
        issues.add(
            "x1_without_next_episode",
            "warning",
            "REC X1 says a new episode starts the same day, but none does; the "
            "placement's end reason is 'other'",
            "add the following episode or correct REC",
            file=p.file,
            row=p.row,
            child=p.child,
            column="REC",
            value="X1",
            blocking=False,
        )
    else:
        issues.add(
            "missing_reason_place_change",
            "warning",
            "the placement changed (REC X1) without REASON_PLACE_CHANGE; the end reason is 'other'",
            "fill REASON_PLACE_CHANGE when a placement ends",
            file=p.file,
            row=p.row,
            child=p.child,
            column="REASON_PLACE_CHANGE",
            blocking=False,
        )
    return "other", "X1"


def _derive(ep: pl.DataFrame, issues: _Issues) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Placements and statuses from de-duplicated, checked episodes sorted by child and DECOM."""
    rows = ep.select(
        "CHILD",
        "DECOM",
        "DEC",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "URN",
        "REC",
        "REASON_PLACE_CHANGE",
        "_file",
        "_row",
    ).rows()
    out_rows: list[tuple[Any, ...]] = []
    stat_rows: list[tuple[Any, ...]] = []

    def flush(child_eps: list[tuple[Any, ...]]) -> None:
        raw: list[_Placement] = []
        prev: tuple[Any, ...] | None = None
        for e in child_eps:
            child, decom, dec, rne, _ls, _cin, place, urn, rec, rpc, file, row = e
            place = place if place in codes.PLACE_SETTING else "Z1"
            temp = place in codes.TEMPORARY_PLACES
            contiguous = prev is not None and prev[2] == decom
            cur = raw[-1] if raw else None
            new = (
                cur is None
                or not contiguous
                or rne in codes.PLACEMENT_CHANGE_RNE
                or temp != cur.temporary
                or rne not in codes.RNE_CODES
            )
            if prev is not None and not contiguous and rne != "S":
                issues.add(
                    "gap_without_s",
                    "warning",
                    f"the episode follows a gap in care but RNE is {rne!r}, not S; a new "
                    "care episode is started",
                    "use RNE S for a new period of care",
                    file=file,
                    row=row,
                    child=child,
                    column="RNE",
                    value=rne,
                    blocking=False,
                )
            if not new and cur is not None and (place != cur.place or urn != cur.urn):
                issues.add(
                    "rne_l_with_placement_change",
                    "warning",
                    "RNE L (legal status only) but PLACE or URN differ from the previous "
                    "episode; RNE is followed: the placement continues",
                    "use RNE B or U when legal status and placement change together",
                    file=file,
                    row=row,
                    child=child,
                    column="RNE",
                    value=rne,
                    blocking=False,
                )
            if new:
                raw.append(_Placement(child, decom, dec, place, urn, temp, rec, rpc, file, row))
            else:
                assert cur is not None
                cur.end, cur.rec, cur.rpc, cur.file, cur.row = dec, rec, rpc, file, row
            prev = e
        # temporary moves: extend the interrupted placement over them; merge a return to the
        # same carer; otherwise the interrupted placement ends when the next one starts
        final: list[_Placement] = []
        host: _Placement | None = None
        for p in raw:
            if p.temporary:
                if host is not None and host.end is not None and host.end == p.start:
                    host.end, host.rec = p.end, p.rec
                    host.carry_rpc = p.rpc or host.carry_rpc or host.rpc
                    host.extended = True
                elif host is None or host.end is None or host.end < p.start:
                    issues.add(
                        "temporary_without_host",
                        "warning",
                        "a temporary placement (T0-T4) does not follow a placement it "
                        "interrupts; kept as a temporary placement on its own",
                        "check the episodes around the temporary move",
                        file=p.file,
                        row=p.row,
                        child=p.child,
                        column="PLACE",
                        value=p.place,
                        blocking=False,
                    )
                final.append(p)
                continue
            if host is not None and host.extended and host.end == p.start and _same_carer(host, p):
                host.end, host.rec, host.rpc, host.carry_rpc = p.end, p.rec, p.rpc, None
                host.extended = False
                continue
            final.append(p)
            host = p
        nontemp = [p for p in final if not p.temporary]
        for i, p in enumerate(nontemp):
            nxt = nontemp[i + 1].start if i + 1 < len(nontemp) else None
            reason, detail = _end_reason(p, nxt, issues)
            out_rows.append(
                (
                    p.child,
                    f"{p.child}-{p.start.isoformat()}",
                    p.start,
                    p.end,
                    codes.PLACE_SETTING[p.place],
                    p.urn,
                    reason,
                    detail,
                    False,
                )
            )
        for p in final:
            if p.temporary:
                reason, detail = _end_reason(p, None, _Issues("repair")) if p.end else (None, None)
                out_rows.append(
                    (
                        p.child,
                        f"{p.child}-{p.start.isoformat()}-T",
                        p.start,
                        p.end,
                        codes.PLACE_SETTING[p.place],
                        p.urn,
                        reason,
                        detail,
                        True,
                    )
                )
        # statuses: runs of contiguous episodes with the same legal status / category of need
        for kind, idx in (("legal_status", 4), ("category_of_need", 5)):
            run: list[Any] | None = None
            for e in child_eps:
                value = e[idx]
                if value is None:
                    if run is not None:
                        stat_rows.append(tuple(run))
                    run = None
                    continue
                if run is not None and run[2] == value and run[4] == e[1]:
                    run[4] = e[2]
                else:
                    if run is not None:
                        stat_rows.append(tuple(run))
                    run = [e[0], kind, value, e[1], e[2]]
            if run is not None:
                stat_rows.append(tuple(run))

    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][0] != rows[start][0]:
            flush(rows[start:i])
            start = i
    placements = pl.DataFrame(
        out_rows,
        schema={
            "child_id": pl.String(),
            "placement_id": pl.String(),
            "start": pl.Date(),
            "end": pl.Date(),
            "setting": pl.String(),
            "provider_id": pl.String(),
            "end_reason": pl.String(),
            "end_reason_detail": pl.String(),
            "temporary": pl.Boolean(),
        },
        orient="row",
    ).sort("child_id", "start", "temporary")
    statuses = pl.DataFrame(
        stat_rows,
        schema={
            "child_id": pl.String(),
            "kind": pl.String(),
            "value": pl.String(),
            "start": pl.Date(),
            "end": pl.Date(),
        },
        orient="row",
    ).sort("child_id", "kind", "start")
    return placements, statuses


def run_import_cli(
    src: Path, out: Path, observed_until: str | None, year_label: str, repair: bool
) -> int:
    """Body of ``earlysignal import-ssda903``: import, print the report, return the exit code.

    Exit codes: 0 imported and valid, 1 errors in the returns (listed) or an invalid result,
    2 unusable input (no such folder, no episodes or header file, bad option).
    """
    import typer

    try:
        obs = date.fromisoformat(observed_until) if observed_until else None
        if year_label not in ("auto", "start", "end"):
            raise ValueError(f"--year-label must be auto, start or end, got {year_label!r}")
        history, report = import_ssda903(
            src,
            out,
            observed_until=obs,
            year_label=year_label,  # type: ignore[arg-type]
            errors="repair" if repair else "raise",
        )
    except FileNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    except SSDA903Error as exc:
        typer.echo(f"error: {exc}", err=True)
        unusable = {"ssda903.no_episodes", "ssda903.no_header"}
        return 2 if any(i.rule in unusable for i in exc.issues) else 1
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    typer.echo(report.to_text())
    ok = report.validation is None or bool(report.validation.get("ok"))
    typer.echo(
        f"wrote {out} ({'valid' if ok else 'INVALID'}); row-level issues in "
        f"{Path(out) / 'import_issues.csv'}"
    )
    del history
    return 0 if ok else 1
