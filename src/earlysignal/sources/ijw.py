"""The iJw adapter: a Dutch municipality's archive of iJw 3.2 messages to a ``CareHistory``.

A folder or zip of JW301 (assignment), JW305 (start of care) and JW307 (end of care) messages
(JW315 and JW317 requests read where present) becomes a validated canonical folder plus an
import report. The work is split in four modules: reading and checking
(:mod:`~earlysignal.sources.ijw_read`, files and parallel reading in
:mod:`~earlysignal.sources.ijw_io`), the mapping (:mod:`~earlysignal.sources.ijw_mapping`),
assembly (:mod:`~earlysignal.sources.ijw_assemble`) and, for tests and demos, the writer
(:mod:`~earlysignal.sources.ijw_write`). Definitions and blind spots are in ``docs/ijw.md`` and
in the package resource ``ijw_definitions.toml``, which cards built from iJw data show.

Privacy by design: the BSN is read only to compute the child's keyed pseudonym
(HMAC-SHA256 with the user's key, see :func:`read_key`); names and addresses are never read;
the report holds counts and rule ids, and the row-level issues file names files and
elements, never a person.

Examples
--------
>>> import tempfile
>>> from earlysignal.synth import simulate
>>> from earlysignal.sources.ijw_write import write_ijw_archive
>>> sim = simulate(50, years=2, seed=1)
>>> with tempfile.TemporaryDirectory() as d:
...     arc = write_ijw_archive(sim.history, d)
...     history, report = import_ijw(d, key=b"k" * 32, mapping=arc.mapping_path,
...                                  observed_until=arc.extraction_date)
>>> report.validation["ok"], history.children.height == sim.history.children.height
(True, True)
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.sources._report import (
    IssueLog,
    SourceImportError,
    SourceIssue,
    issue_counts,
    issues_frame,
)
from earlysignal.sources.ijw_assemble import assemble
from earlysignal.sources.ijw_io import discover, load_schemas, read_parallel
from earlysignal.sources.ijw_mapping import IjwMapping, MappingError, load_mapping
from earlysignal.sources.ijw_read import read_messages

__all__ = [
    "IjwImportError",
    "IjwImportReport",
    "KeyFileError",
    "import_ijw",
    "read_key",
    "source_definitions",
    "write_import",
]

KEY_HOWTO = (
    'make one with: python -c "import secrets; print(secrets.token_hex(32))" > ijw.key '
    "(keep it safe and apart from the data: whoever holds it can link pseudonyms to BSNs; "
    "use the same key for every extraction you want to link)"
)


class KeyFileError(ValueError):
    """The key file is missing, unreadable or too short; the message says how to make one."""


class IjwImportError(SourceImportError):
    """Raised when an iJw archive holds errors and ``errors="raise"``."""

    def __init__(self, issues: list[SourceIssue]) -> None:
        super().__init__(
            "iJw",
            issues,
            "Correct the messages, or import with --repair (errors='repair') to exclude or "
            "repair each one (every one is counted in the import report).",
        )


def read_key(path: str | Path | None) -> bytes:
    """Read the HMAC key from ``path`` (at least 32 characters of text, stripped).

    Raises
    ------
    KeyFileError
        Without a key file, or with one that is missing or too short; says how to make one.

    Examples
    --------
    >>> read_key(None)
    Traceback (most recent call last):
    ...
    earlysignal.sources.ijw.KeyFileError: a key file is required ...
    """
    if path is None:
        raise KeyFileError(
            "a key file is required (--key-file): child ids are a keyed hash of the BSN and "
            f"the BSN is never written; {KEY_HOWTO}"
        )
    p = Path(path)
    if not p.is_file():
        raise KeyFileError(f"key file {str(p)!r} does not exist; {KEY_HOWTO}")
    key = p.read_bytes().strip()
    if len(key) < 32:
        raise KeyFileError(
            f"key file {p.name} holds {len(key)} characters, fewer than 32: too easy to guess; "
            f"{KEY_HOWTO}"
        )
    return key


def source_definitions() -> dict[str, Any]:
    """What a placement, a move, a breakdown and doorverhuizing are in iJw, and its blind spots.

    The texts live in the package resource ``ijw_definitions.toml``; this returns them as data
    for ``card["data"]["source_definitions"]``, with their Dutch (the file's ``*_nl`` entries)
    under ``translations.nl`` for a card rendered in Dutch.

    Examples
    --------
    >>> d = source_definitions()
    >>> d["source"], [x["term"] for x in d["definitions"]][:3]
    ('ijw', ['placement', 'move', 'breakdown'])
    """
    ref = resources.files("earlysignal.sources.resources") / "ijw_definitions.toml"
    data = tomllib.loads(ref.read_text(encoding="utf-8"))
    nl = {
        "title": data["title_nl"],
        "definitions": [{"term": d["term_nl"], "text": d["text_nl"]} for d in data["definitions"]],
        "blind_spots": [b["text_nl"] for b in data["blind_spots"]],
    }
    return {
        "source": data["source"],
        "title": data["title"],
        "definitions": [{"term": d["term"], "text": d["text"]} for d in data["definitions"]],
        "blind_spots": [b["text"] for b in data["blind_spots"]],
        "translations": {"nl": nl},
    }


@dataclass(frozen=True)
class IjwImportReport:
    """What an iJw import read, excluded, repaired and produced (counts only, see ``issues``).

    Attributes
    ----------
    files_read, messages_read, ignored_files, ignored_messages
        Files (messages) read; files not read (not ``.xml``); message types not read.
    excluded
        Messages excluded per rule (each message is read whole or not at all).
    extraction_date, observed_until
        The extraction date (given, or the latest ``Dagtekening``) and the date the history is
        observed until (the extraction date minus the stop-message lag in working days).
    counts
        Assembly accounting: starts, stops, corrections and deletions applied, duplicates
        merged, stops without start, overlaps trimmed, gaps bridged into moves, pauses,
        censored starts and ends, unmapped deliveries.
    unmapped
        Deliveries per unmapped ``category/product`` pair.
    issues
        Every :class:`~earlysignal.sources._report.SourceIssue` (row-level: file, element,
        reason; never a BSN or a name). For the data team, not for publication.
    output_counts, validation, mapping, xsd
        Rows per canonical table; canonical validation summary; mapping used; whether the
        messages were validated against XSDs.
    """

    files_read: int
    messages_read: int
    ignored_files: tuple[str, ...]
    ignored_messages: dict[str, int]
    excluded: dict[str, int]
    extraction_date: date
    observed_until: date
    counts: dict[str, int]
    unmapped: dict[str, int]
    issues: tuple[SourceIssue, ...]
    output_counts: dict[str, int]
    validation: dict[str, Any] | None = None
    mapping: str = "default"
    xsd: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    def count(self, rule: str) -> int:
        """Number of issues under ``rule`` (with or without the ``ijw.`` prefix)."""
        name = rule if rule.startswith("ijw.") else f"ijw.{rule}"
        return sum(1 for i in self.issues if i.rule == name)

    def message_accounting(self) -> dict[str, int]:
        """Every message file read is kept, excluded, merged as a duplicate or not read.

        ``read == kept + excluded + duplicates_merged + not_read`` (tested on every bad-input
        case): nothing is lost silently.
        """
        return {
            "read": self.files_read,
            "kept": self.counts.get("messages_applied", 0),
            "excluded": sum(self.excluded.values()),
            "duplicates_merged": self.counts.get("duplicate_messages_merged", 0),
            "not_read": sum(self.ignored_messages.values()),
        }

    def issues_frame(self) -> pl.DataFrame:
        """All issues as a tidy frame (row-level; keep it with the data)."""
        return issues_frame(self.issues)

    def summary(self) -> dict[str, Any]:
        """A JSON-safe summary with counts only (no identifiers, no file-level rows)."""
        return {
            "source": "ijw",
            "files_read": self.files_read,
            "messages_read": self.messages_read,
            "ignored_files": len(self.ignored_files),
            "ignored_messages": self.ignored_messages,
            "excluded": self.excluded,
            "extraction_date": self.extraction_date.isoformat(),
            "observed_until": self.observed_until.isoformat(),
            "counts": self.counts,
            "unmapped": self.unmapped,
            "issues": {f"{r} ({s})": n for r, s, n in issue_counts(self.issues).iter_rows()},
            "output_counts": self.output_counts,
            "message_accounting": self.message_accounting(),
            "validation": self.validation,
            "mapping": self.mapping,
            "xsd": self.xsd,
            "notes": list(self.notes),
        }

    def to_text(self) -> str:
        """A readable plain-text report (counts per rule and step)."""
        lines = [
            f"iJw import: {self.files_read} file(s), {self.messages_read} message(s) kept, "
            f"extraction date {self.extraction_date}, observed until {self.observed_until}",
            f"mapping: {self.mapping}; XSD validation: {'yes' if self.xsd else 'no'}",
        ]
        if self.excluded:
            lines.append(f"messages excluded: {dict(sorted(self.excluded.items()))}")
        if self.ignored_messages:
            lines.append(f"message types not read: {self.ignored_messages}")
        if self.ignored_files:
            lines.append(f"files not read (not .xml): {len(self.ignored_files)}")
        lines.append("assembly:")
        lines.extend(f"  {k:<34}{v:>9}" for k, v in sorted(self.counts.items()))
        if self.unmapped:
            lines.append(f"unmapped category/product (deliveries): {self.unmapped}")
        lines.append("issues (rule, severity, n):")
        for r, s, n in issue_counts(self.issues).iter_rows():
            lines.append(f"  {r:<36}{s:<10}{n:>7}")
        lines.append(f"output: {self.output_counts}")
        if self.validation is not None:
            lines.append(f"validation: {self.validation}")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)


def import_ijw(
    src: str | Path,
    out: str | Path | None = None,
    *,
    key: bytes | None = None,
    key_file: str | Path | None = None,
    mapping: IjwMapping | str | Path | None = None,
    xsd_dir: str | Path | None = None,
    observed_until: date | None = None,
    errors: Literal["raise", "repair"] = "raise",
    validate: bool = True,
    workers: int = 1,
) -> tuple[CareHistory, IjwImportReport]:
    """Import an archive of iJw 3.2 messages into a validated ``CareHistory``.

    Parameters
    ----------
    src
        A folder (searched recursively for ``*.xml``) or a zip file of messages.
    out
        If given, the canonical folder to write (Parquet tables, ``meta.json``,
        ``import_report.json`` with counts only, ``import_issues.csv`` row-level).
    key, key_file
        The HMAC key (bytes) or a file holding it; one is required (:func:`read_key`).
    mapping
        An :class:`IjwMapping` or a mapping TOML file; default: the shipped defaults.
    xsd_dir
        A folder with the official XSDs (``JW301.xsd`` ..., ``basisschema.xsd``): each message
        is validated against its schema too. Never copied.
    observed_until
        The extraction date (default: the latest ``Dagtekening``). The history is observed
        until that date minus the mapping's ``stop_lag_working_days``.
    errors
        ``raise`` (default): raise :class:`IjwImportError` listing every error; ``repair``:
        exclude or repair each one and count it.
    validate
        Run the canonical validation on the result (``report.validation``).
    workers
        Processes reading messages in parallel (1 = in this process).

    Examples
    --------
    See the module docstring.
    """
    if key is None:
        key = read_key(key_file)
    log = IssueLog("ijw", errors)
    mp = mapping if isinstance(mapping, IjwMapping) else load_mapping(mapping)
    items, ignored_files = discover(src)
    if workers > 1 and len(items) > 1000:
        read = read_parallel(
            src, [n for n, _ in items], key=key, log=log, xsd_dir=xsd_dir, workers=workers
        )
    else:
        schemas = load_schemas(xsd_dir) if xsd_dir is not None else None
        read = read_messages(items, key=key, log=log, schemas=schemas)
    if not read.messages and not log.items:
        raise FileNotFoundError(f"{src}: no iJw messages (*.xml) found")
    asm = assemble(read, mp, log, extraction_date=observed_until)
    errs = log.errors()
    if errs:
        raise IjwImportError(errs)
    history = CareHistory.from_frames(
        children=asm.children,
        placements=asm.placements,
        events=asm.events,
        statuses=asm.statuses,
        observed_until=asm.observed_until,
    )
    excluded = dict(read.excluded)
    for k in ("duplicate_identification", "after_extraction"):
        n = log.count(k)
        if n:
            excluded[k] = excluded.get(k, 0) + n
    notes = (
        f"observed until {asm.observed_until}: {mp.stop_lag_working_days} working days before "
        f"the extraction date {asm.extraction_date}, because stop messages may arrive that late;"
        " later starts are left out and later ends left open (censored), and counted",
        f"a new accommodation start at most {mp.move_gap_days} days after a stop is a move",
        "child ids are HMAC-SHA256 pseudonyms of the BSN under the user's key (32 hex "
        "characters); the BSN, names and addresses are not in the output",
    )
    report = IjwImportReport(
        files_read=read.files_read,
        messages_read=len(read.messages),
        ignored_files=tuple(ignored_files),
        ignored_messages=dict(read.ignored),
        excluded=excluded,
        extraction_date=asm.extraction_date,
        observed_until=asm.observed_until,
        counts=asm.counts,
        unmapped=asm.unmapped,
        issues=tuple(log.items),
        output_counts=history.counts(),
        mapping=mp.origin,
        xsd=xsd_dir is not None,
        notes=notes,
    )
    if validate:
        result = history.validate(strict=False)
        report = IjwImportReport(
            **{
                **{f: getattr(report, f) for f in report.__dataclass_fields__},
                "validation": {
                    "ok": result.ok,
                    "errors": result.errors.height,
                    "warnings": result.warnings.height,
                },
            }
        )
    history = CareHistory(
        children=history.children,
        placements=history.placements,
        events=history.events,
        observed_until=history.observed_until,
        statuses=history.statuses,
        meta={"source": "ijw", "import": report.summary()},
    )
    if out is not None:
        write_import(history, report, out)
    return history, report


def write_import(history: CareHistory, report: IjwImportReport, out: str | Path) -> Path:
    """Write the canonical folder plus ``import_report.json`` and ``import_issues.csv``."""
    folder = history.write(out)
    (folder / "import_report.json").write_text(
        json.dumps(report.summary(), indent=2, sort_keys=True, default=str)
    )
    report.issues_frame().write_csv(folder / "import_issues.csv")
    return folder


def run_import_cli(
    src: Path,
    out: Path,
    *,
    xsd: Path | None,
    mapping: Path | None,
    key_file: Path | None,
    observed_until: str | None,
    repair: bool,
    workers: int,
) -> int:
    """Body of ``earlysignal import-ijw``: import, print the report, return the exit code.

    Exit codes: 0 imported and valid, 1 errors in the messages (listed) or an invalid result,
    2 unusable input (no key file, no such folder, a bad mapping or option).
    """
    import typer

    try:
        obs = date.fromisoformat(observed_until) if observed_until else None
        history, report = import_ijw(
            src,
            out,
            key_file=key_file,
            mapping=mapping,
            xsd_dir=xsd,
            observed_until=obs,
            errors="repair" if repair else "raise",
            workers=workers,
        )
    except (KeyFileError, MappingError, FileNotFoundError) as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    except IjwImportError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 1
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
