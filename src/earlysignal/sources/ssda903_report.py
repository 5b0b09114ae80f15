"""Import issues, the error raised on them, and the SSDA903 import report.

Split from :mod:`earlysignal.sources.ssda903`: what the import found and did, as data (counts
per table and per rule, the years read and missing, how episodes became placements). Nothing
here reads or derives anything.

Examples
--------
>>> log = IssueLog("repair")
>>> log.add("bad_date", "excluded", "DECOM is not a date", "correct DECOM", file="a.csv", row=3)
>>> print(log.items[0])
[ssda903.bad_date] a.csv, row 3: DECOM is not a date Fix: correct DECOM
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

import polars as pl

__all__ = ["ImportIssue", "ImportReport", "IssueLog", "ReturnFile", "SSDA903Error", "Severity"]

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


def issues_frame(issues: Sequence[ImportIssue]) -> pl.DataFrame:
    """Issues as a tidy frame (rule, severity, file, row, child, column, value, message, fix)."""
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
    return pl.DataFrame([asdict(i) for i in issues], schema=schema, orient="row")


def issue_counts(issues: Sequence[ImportIssue]) -> pl.DataFrame:
    """Number of issues per rule and severity (columns: rule, severity, n), sorted."""
    counts = Counter((i.rule, i.severity) for i in issues)
    return pl.DataFrame(
        {
            "rule": [r for r, _ in counts],
            "severity": [s for _, s in counts],
            "n": list(counts.values()),
        },
        schema={"rule": pl.String(), "severity": pl.String(), "n": pl.Int64()},
    ).sort("rule", "severity")


@dataclass(frozen=True, slots=True)
class ReturnFile:
    """One CSV file read: its name, the table it holds, the return year(s) it carries, its
    row count, and the encoding and separator it was read with."""

    name: str
    table: str
    years: tuple[int, ...]
    rows: int
    encoding: str = "utf-8"
    separator: str = ","


class SSDA903Error(ValueError):
    """Raised when SSDA903 returns contain errors and ``errors="raise"``.

    ``issues`` holds every :class:`ImportIssue` of severity ``error``; the message lists the
    first ten, each naming the rule, file, row and value.
    """

    def __init__(
        self, issues: Sequence[ImportIssue], all_issues: Sequence[ImportIssue] = ()
    ) -> None:
        self.issues = tuple(issues)
        self.all_issues = tuple(all_issues) or self.issues
        head = "\n".join(f"  {i}" for i in self.issues[:10])
        more = f"\n  ... and {len(self.issues) - 10} more" if len(self.issues) > 10 else ""
        super().__init__(
            f"{len(self.issues)} error(s) in the SSDA903 returns ({self.rule_summary()}):\n"
            f"{head}{more}\n"
            "Correct the returns, or import with errors='repair' to exclude or repair these "
            "rows (each one is counted in the import report)."
        )

    def rule_summary(self) -> str:
        """``rule: n`` for each rule among the errors, sorted by rule."""
        rules = Counter(i.rule for i in self.issues)
        return ", ".join(f"{r}: {n}" for r, n in sorted(rules.items()))

    def issues_frame(self) -> pl.DataFrame:
        """Every issue found before the import stopped (errors and the rest), as a frame."""
        return issues_frame(self.all_issues)


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
    years_found, years_missing
        Return years found per authority (``""`` when the returns carry no ``LA`` column),
        and the years missing between the first and the last of them.
    affected_periods
        Collection years (first and last day) with no return although earlier and later
        returns exist: with ``errors="repair"`` the import goes on and marks them here.
    extraction_dates
        Per authority, the last day of its latest return (its own extraction date).
    flow
        How episodes became placements, in order: episode rows read, blank rows skipped,
        exact repeats merged, versions replaced by a later return, rows excluded, episodes
        kept, placements and temporary placements produced.
    dfe
        Findings of DfE's validator (``--dfe-rules``) by rule code, or ``None``.
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
    years_found: dict[str, tuple[int, ...]] = field(default_factory=dict)
    years_missing: dict[str, tuple[int, ...]] = field(default_factory=dict)
    affected_periods: tuple[tuple[date, date], ...] = ()
    extraction_dates: dict[str, date] = field(default_factory=dict)
    flow: dict[str, int] = field(default_factory=dict)
    dfe: dict[str, int] | None = None

    def issues_frame(self) -> pl.DataFrame:
        """All issues as a tidy frame (columns: rule, severity, file, row, child, column,
        value, message, fix). Row-level: keep it with the data, do not publish it."""
        return issues_frame(self.issues)

    def issue_counts(self) -> pl.DataFrame:
        """Number of issues per rule and severity (columns: rule, severity, n), sorted."""
        return issue_counts(self.issues)

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
            "years_found": {k: list(v) for k, v in self.years_found.items()},
            "years_missing": {k: list(v) for k, v in self.years_missing.items()},
            "affected_periods": [[a.isoformat(), b.isoformat()] for a, b in self.affected_periods],
            "extraction_dates": {k: v.isoformat() for k, v in self.extraction_dates.items()},
            "episode_flow": self.flow,
            "dfe_rules": self.dfe,
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
        for la, years in self.years_found.items():
            who = f"authority {la!r}: " if la else ""
            gap = self.years_missing.get(la, ())
            extracted = self.extraction_dates.get(la)
            lines.append(
                f"{who}return years {', '.join(map(str, years))}"
                + (f"; MISSING {', '.join(map(str, gap))}" if gap else "; none missing")
                + (f"; extracted {extracted}" if extracted else "")
            )
        for a, b in self.affected_periods:
            lines.append(f"WARNING: no return for {a} to {b}; that period is incomplete")
        if self.flow:
            lines.append("from episodes to placements:")
            lines.extend(f"  {k:<40}{v:>8}" for k, v in self.flow.items())
        lines.append("issues (rule, severity, n):")
        for r, s, n in self.issue_counts().iter_rows():
            lines.append(f"  {r:<42}{s:<10}{n:>6}")
        lines.append(f"output: {self.output_counts}")
        if self.dfe is not None:
            lines.append("DfE validator findings (rule code, n):")
            lines.extend(f"  {code:<12}{n:>6}" for code, n in sorted(self.dfe.items()))
        if self.validation is not None:
            lines.append(f"validation: {self.validation}")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)


class IssueLog:
    """Collects issues; in raise mode, blocking problems are recorded as errors.

    ``prefix`` names the source in every rule id; ``child_column`` is the column of a row
    frame that holds the child (``add_rows``). The CBS adapter uses the same log with its own.
    """

    prefix = "ssda903"
    child_column = "CHILD"

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
                rule=f"{self.prefix}.{rule}",
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
        """One issue per row of ``frame`` (which has ``_file``, ``_row`` and the child column)."""
        # the child column may itself be the one at fault (an empty CHILD): select it once
        child = self.child_column
        cols = ["_file", "_row", child, *([column] if column and column != child else [])]
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
                value=(rec[2] if column == child else rec[3]) if column else None,
                blocking=blocking,
            )

    def errors(self) -> list[ImportIssue]:
        """The issues of severity ``error``."""
        return [i for i in self.items if i.severity == "error"]
