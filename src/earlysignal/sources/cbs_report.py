"""The import report and error of the CBS adapter (:mod:`earlysignal.sources.cbs`).

Every issue is an :class:`~earlysignal.sources.ssda903.ImportIssue` with a ``cbs.`` rule id; the
report holds counts per file kind and per rule, never identifiers in its summary.

Examples
--------
>>> issues = Issues("repair")
>>> issues.add("bad_date", "excluded", "not a date", "write YYYYMMDD", file="f.csv", row=3)
>>> issues.items[0].rule, issues.items[0].severity
('cbs.bad_date', 'excluded')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from earlysignal.sources.ssda903_report import (
    ImportIssue,
    IssueLog,
    issue_counts,
    issues_frame,
)

__all__ = ["CBSError", "CBSFile", "CBSImportReport", "Issues"]

UNUSABLE_RULES = frozenset({"cbs.no_hulp_files", "cbs.no_persons_file"})
"""Rules that make the input unusable as a whole (exit code 2 on the command line)."""


class Issues(IssueLog):
    """Collects the issues of a CBS import (rule ids ``cbs.*``; rows carry ``_child``)."""

    prefix = "cbs"
    child_column = "_child"


class CBSError(ValueError):
    """Raised when CBS files contain errors and ``errors="raise"``.

    ``issues`` holds every issue of severity ``error``; the message counts them per rule and
    lists the first ten, each naming the rule, file, row and value.
    """

    def __init__(self, issues: Sequence[ImportIssue]) -> None:
        self.issues = tuple(issues)
        head = "\n".join(f"  {i}" for i in self.issues[:10])
        more = f"\n  ... and {len(self.issues) - 10} more" if len(self.issues) > 10 else ""
        rules = Counter(i.rule for i in self.issues)
        values = Counter(
            (i.rule, i.value) for i in self.issues if i.rule == "cbs.unknown_code" and i.value
        )
        unknown = (
            "\nUnknown codes (code: rows): "
            + ", ".join(f"{v}: {n}" for (_, v), n in sorted(values.items(), key=str))
            if values
            else ""
        )
        super().__init__(
            f"{len(self.issues)} error(s) in the CBS files "
            f"({', '.join(f'{r}: {n}' for r, n in sorted(rules.items()))}):\n{head}{more}"
            f"{unknown}\nCorrect the files or the code lists (--codes), or import with "
            "errors='repair' (--repair) to exclude or repair these rows (each one is counted "
            "in the import report)."
        )

    @property
    def unusable(self) -> bool:
        """Whether the input is unusable as a whole (no youth-care or persons file)."""
        return any(i.rule in UNUSABLE_RULES for i in self.issues)


@dataclass(frozen=True, slots=True)
class CBSFile:
    """One file read: its name, kind (``hulp``, ``bescherm``, ``persons``), year and rows."""

    name: str
    kind: str
    year: int | None
    version: int
    rows: int


@dataclass(frozen=True)
class CBSImportReport:
    """What a CBS import read, merged, repaired, excluded and produced.

    Attributes
    ----------
    files, ignored_files
        Every file read, and the names of files not read (older versions, other files).
    observed_until
        The extraction date of the history.
    rows_read, duplicates_merged, overlaps_merged, excluded, kept, not_in_care
        Row accounting per file kind (``hulp``, ``bescherm``, ``persons``):
        ``rows_read == duplicates_merged + overlaps_merged + excluded + kept + not_in_care``
        (``not_in_care``: GBAPERSOON rows of people without youth care, read and not used).
        Duplicates are identical rows and the same trajectory (form of care + start date)
        repeated in later years' files; overlaps are trajectories of one form of care merged
        as CBS does.
    issues
        Every issue (row-level: for the data team, never for publication).
    output_counts
        Rows per canonical table produced.
    validation
        Summary of the canonical validation of the result (``None`` if not run).
    notes
        Mapping decisions a reader of the result should know.
    codes
        Where the code lists came from and what they say about their source.
    """

    files: tuple[CBSFile, ...]
    ignored_files: tuple[str, ...]
    observed_until: date
    rows_read: dict[str, int]
    duplicates_merged: dict[str, int]
    overlaps_merged: dict[str, int]
    excluded: dict[str, int]
    kept: dict[str, int]
    not_in_care: dict[str, int]
    issues: tuple[ImportIssue, ...]
    output_counts: dict[str, int]
    validation: dict[str, Any] | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    codes: dict[str, str] = field(default_factory=dict)

    def issues_frame(self) -> pl.DataFrame:
        """All issues as a tidy frame (row-level: keep it with the data, do not publish it)."""
        return issues_frame(self.issues)

    def issue_counts(self) -> pl.DataFrame:
        """Number of issues per rule and severity (columns: rule, severity, n), sorted."""
        return issue_counts(self.issues)

    def count(self, rule: str) -> int:
        """Number of issues recorded under ``rule`` (with or without the ``cbs.`` prefix)."""
        name = rule if rule.startswith("cbs.") else f"cbs.{rule}"
        return sum(1 for i in self.issues if i.rule == name)

    def summary(self) -> dict[str, Any]:
        """A JSON-safe summary with counts only (no child identifiers, no row-level data)."""
        return {
            "source": "cbs",
            "files": [
                {
                    "name": f.name,
                    "kind": f.kind,
                    "year": f.year,
                    "version": f.version,
                    "rows": f.rows,
                }
                for f in self.files
            ],
            "ignored_files": list(self.ignored_files),
            "observed_until": self.observed_until.isoformat(),
            "rows_read": self.rows_read,
            "duplicates_merged": self.duplicates_merged,
            "overlaps_merged": self.overlaps_merged,
            "excluded": self.excluded,
            "kept": self.kept,
            "not_in_care": self.not_in_care,
            "issues": {f"{r} ({s})": n for r, s, n in self.issue_counts().iter_rows()},
            "output_counts": self.output_counts,
            "validation": self.validation,
            "notes": list(self.notes),
            "codes": self.codes,
        }

    def to_text(self) -> str:
        """A readable plain-text report (counts per file kind and per rule)."""
        lines = [
            f"CBS import: {len(self.files)} file(s), observed until "
            f"{self.observed_until.isoformat()}, code lists from {self.codes.get('origin')}",
            "kind        read  duplicates  overlaps  excluded   kept",
        ]
        for t in self.rows_read:
            lines.append(
                f"{t:<10}{self.rows_read[t]:>6}{self.duplicates_merged.get(t, 0):>12}"
                f"{self.overlaps_merged.get(t, 0):>10}{self.excluded.get(t, 0):>10}"
                f"{self.kept.get(t, 0):>7}"
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
