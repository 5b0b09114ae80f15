"""Shared import-report machinery for the source adapters (iJw, CBS).

An adapter collects :class:`SourceIssue` records while it reads, through an :class:`IssueLog`
that knows whether the import runs in ``raise`` or ``repair`` mode: in ``raise`` mode a
blocking problem is recorded as an ``error`` and the adapter raises :class:`SourceImportError`
at the end, listing every error; in ``repair`` mode the same problem is recorded with the action
taken (``excluded`` or ``repaired``) and counted. Issues are row-level and for the data team:
:func:`issue_counts` gives the publishable counts (rule, severity, n) with no identifier.

The SSDA903 adapter predates this module and keeps its own copy of the same shapes
(``earlysignal.sources.ssda903.ImportIssue``); new adapters use this one.

Examples
--------
>>> log = IssueLog("ijw", "repair")
>>> _ = log.add("bsn_eleven_test", "excluded", "BSN fails the eleven-test", "correct the BSN",
...         file="a.xml", element="Client/Bsn")
>>> print(log.items[0])
[ijw.bsn_eleven_test] a.xml, Client/Bsn: BSN fails the eleven-test Fix: correct the BSN
>>> issue_counts(log.items).rows()
[('ijw.bsn_eleven_test', 'excluded', 1)]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import polars as pl

__all__ = ["IssueLog", "Severity", "SourceImportError", "SourceIssue", "issue_counts"]

Severity = Literal["error", "excluded", "repaired", "warning"]

_ISSUE_SCHEMA: dict[str, pl.DataType] = {
    "rule": pl.String(),
    "severity": pl.String(),
    "file": pl.String(),
    "row": pl.Int64(),
    "element": pl.String(),
    "value": pl.String(),
    "message": pl.String(),
    "fix": pl.String(),
}


@dataclass(frozen=True, slots=True)
class SourceIssue:
    """One problem found while importing, located as precisely as the source allows.

    Parameters
    ----------
    rule
        Rule identifier with the source prefix, e.g. ``ijw.stop_without_start``.
    severity
        ``error`` (blocks the import in raise mode), ``excluded`` (left out), ``repaired``
        (kept after a named change) or ``warning`` (kept as is).
    file, row
        Source file (or member of a zip) and, for tabular sources, the 1-based data row.
    element, value
        The element (XML path) or column concerned and the offending value. Values that
        identify a person (a BSN) are never stored here.
    message, fix
        What is wrong, and what would fix it.
    """

    rule: str
    severity: Severity
    file: str | None
    row: int | None
    element: str | None
    value: str | None
    message: str
    fix: str

    def __str__(self) -> str:
        where = self.file or "<all files>"
        if self.row is not None:
            where += f", row {self.row}"
        if self.element:
            where += f", {self.element}"
        val = f" (value {self.value!r})" if self.value is not None else ""
        return f"[{self.rule}] {where}:{val} {self.message} Fix: {self.fix}"


class IssueLog:
    """Collects issues of one import; ``mode`` decides whether blocking ones are errors."""

    def __init__(self, source: str, mode: Literal["raise", "repair"]) -> None:
        if mode not in ("raise", "repair"):
            raise ValueError(f"errors must be 'raise' or 'repair', got {mode!r}")
        self.source = source
        self.mode = mode
        self.items: list[SourceIssue] = []

    def add(
        self,
        rule: str,
        action: Severity,
        message: str,
        fix: str,
        *,
        file: str | None = None,
        row: int | None = None,
        element: str | None = None,
        value: object = None,
        blocking: bool = True,
    ) -> SourceIssue:
        """Record one issue; a ``blocking`` one is an ``error`` in raise mode."""
        severity: Severity = "error" if (blocking and self.mode == "raise") else action
        issue = SourceIssue(
            rule=f"{self.source}.{rule}",
            severity=severity,
            file=file,
            row=row,
            element=element,
            value=None if value is None else str(value),
            message=message,
            fix=fix,
        )
        self.items.append(issue)
        return issue

    def errors(self) -> list[SourceIssue]:
        """The issues of severity ``error``."""
        return [i for i in self.items if i.severity == "error"]

    def count(self, rule: str) -> int:
        """Number of issues under ``rule`` (with or without the source prefix)."""
        name = rule if rule.startswith(f"{self.source}.") else f"{self.source}.{rule}"
        return sum(1 for i in self.items if i.rule == name)


class SourceImportError(ValueError):
    """Raised when a source holds errors and the import runs with ``errors="raise"``.

    ``issues`` holds every error; the message names the count per rule and lists the first ten,
    each with its rule, file, element, value and fix.
    """

    def __init__(self, source: str, issues: Sequence[SourceIssue], hint: str) -> None:
        self.source = source
        self.issues = tuple(issues)
        head = "\n".join(f"  {i}" for i in self.issues[:10])
        more = f"\n  ... and {len(self.issues) - 10} more" if len(self.issues) > 10 else ""
        rules = Counter(i.rule for i in self.issues)
        super().__init__(
            f"{len(self.issues)} error(s) in the {source} records "
            f"({', '.join(f'{r}: {n}' for r, n in sorted(rules.items()))}):\n{head}{more}\n{hint}"
        )

    @property
    def rules(self) -> set[str]:
        """The rule ids of the errors."""
        return {i.rule for i in self.issues}


def issues_frame(issues: Sequence[SourceIssue]) -> pl.DataFrame:
    """All issues as a tidy frame (row-level: keep it with the data, do not publish it)."""
    return pl.DataFrame([asdict(i) for i in issues], schema=_ISSUE_SCHEMA, orient="row")


def issue_counts(issues: Sequence[SourceIssue]) -> pl.DataFrame:
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
