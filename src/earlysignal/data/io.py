"""Reading and writing canonical care-history folders (Parquet, or untrusted CSV on input).

A canonical folder holds ``children``, ``placements``, ``events`` and optionally ``statuses``,
each as ``<name>.parquet`` or ``<name>.csv`` (Parquet wins when both exist), plus ``meta.json``
with ``observed_until`` (ISO date) and free-form provenance.

CSV is read as untrusted text: every cell is read as a string first, then cast with the schema,
so that unparseable dates, mixed types, a byte-order mark, non-UTF-8 bytes, empty files,
repeated header rows, whitespace in ids and timezone-aware datetimes become reported problems
(see ``docs/validation.md``), never crashes or silent drops. Empty cells are nulls; header names
are stripped of surrounding whitespace. Row numbers in the report are 1-based data-row numbers of
the source file (the header line is not counted; a quoted field spanning lines is one row).

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "children.csv").write_text("child_id,birth_date,sex\\nc1,2010-05-01,female\\n")
>>> _ = (folder / "placements.csv").write_text(
...     "child_id,placement_id,start,end,setting,end_reason\\n"
...     "c1,p1,2020-01-01,,foster,\\n")
>>> history, report = load_history(folder, observed_until="2021-01-01")
>>> history.counts()["placements"], report.ok
(1, True)
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

import polars as pl

from earlysignal.data.history import META_FILE, CareHistory
from earlysignal.data.validate import (
    PROBLEM_SCHEMA,
    REPAIR_SCHEMA,
    REPAIRS,
    ROW,
    DataValidationError,
    UnusableInputError,
    ValidationReport,
    _concat,
    _dedupe,
    check_frames,
    problem,
    repair_frames,
)
from earlysignal.schema import TABLE_NAMES, TABLES

__all__ = ["load_history", "read_folder", "write_folder"]

_BOM = b"\xef\xbb\xbf"


def _empty_raw(table: str) -> pl.DataFrame:
    cols = {c.name: pl.String() for c in TABLES[table] if c.required}
    return pl.DataFrame(schema={**cols, ROW: pl.Int64()})


def _read_csv(
    path: Path, table: str, encoding: str | None
) -> tuple[pl.DataFrame | None, list[pl.DataFrame]]:
    """Read one CSV file as strings with ``__row``; report file-level problems."""
    problems: list[pl.DataFrame] = []
    raw = path.read_bytes()
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
        problems.append(problem("W111", table, f"{path.name} starts with a UTF-8 byte-order mark"))
    if not raw.strip():
        problems.append(problem("E112", table, f"{path.name} is empty (no header, no rows)"))
        return None, problems
    if encoding is not None:
        text = raw.decode(encoding)
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n")  # 0 = header line, so this is the data row
            bad = raw[exc.start : exc.end]
            problems.append(
                problem(
                    "E110",
                    table,
                    f"{path.name} is not UTF-8: byte {bad!r} at data row {line} (decoded as "
                    "latin-1 to check the rest)",
                    row=line or None,
                    value=repr(bad),
                )
            )
            text = raw.decode("latin-1")
    try:
        records = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
    except csv.Error as exc:
        problems.append(problem("E116", table, f"{path.name} cannot be parsed: {exc}"))
        return None, problems
    if not records:
        problems.append(problem("E112", table, f"{path.name} is empty (no header, no rows)"))
        return None, problems
    header = [h.strip() for h in records[0]]
    width = len(header)
    rows: list[list[str]] = []
    numbers: list[int] = []
    for number, rec in enumerate(records[1:], start=1):
        if len(rec) != width:
            problems.append(
                problem(
                    "E118",
                    table,
                    f"{path.name} data row {number} has {len(rec)} fields, "
                    f"the header has {width}; row excluded",
                    row=number,
                    value=",".join(rec)[:80],
                )
            )
            continue
        rows.append(rec)
        numbers.append(number)
    names = _unique_names(header)
    columns = {n: [r[i] for r in rows] for i, n in enumerate(names)}
    frame = pl.DataFrame(columns, schema=dict.fromkeys(names, pl.String()))
    frame = frame.with_columns(
        [pl.when(pl.col(n) == "").then(None).otherwise(pl.col(n)).alias(n) for n in names]
    ).with_columns(pl.Series(ROW, numbers, dtype=pl.Int64()))
    if frame.height and names:
        repeats = pl.all_horizontal([pl.col(n).str.strip_chars() == n for n in names])
        mask = repeats.fill_null(False)
        hits = frame.filter(mask)
        for row in hits[ROW].to_list():
            problems.append(
                problem(
                    "W109",
                    table,
                    f"{path.name} data row {row} repeats the header; excluded",
                    row=row,
                )
            )
        frame = frame.filter(~mask)
    return frame, problems


def _unique_names(header: list[str]) -> list[str]:
    """Make repeated header names unique (``x``, ``x_2``); the extra ones surface as W108."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for h in header:
        seen[h] = seen.get(h, 0) + 1
        out.append(h if seen[h] == 1 else f"{h}_{seen[h]}")
    return out


def _read_parquet(path: Path, table: str) -> tuple[pl.DataFrame | None, list[pl.DataFrame]]:
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # corrupt or non-Parquet file
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, [problem("E116", table, f"{path.name} cannot be read as Parquet: {first}")]
    return frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64())), []


def _parse_day(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _latest_date(frames: dict[str, pl.DataFrame]) -> date:
    days: list[date] = []
    for df in frames.values():
        for name, dtype in df.schema.items():
            if isinstance(dtype, pl.Date):
                v = df[name].max()
                if isinstance(v, date):
                    days.append(v)
    return max(days) if days else date.today()


def _repair_rules(repair: bool | Iterable[str]) -> tuple[str, ...]:
    if repair is True:
        return tuple(REPAIRS)
    if repair is False:
        return ()
    return tuple(repair)


def load_history(
    path: str | Path,
    *,
    observed_until: date | str | None = None,
    encoding: str | None = None,
    repair: bool | Iterable[str] = False,
) -> tuple[CareHistory, ValidationReport]:
    """Read a canonical folder and return the history with the full report (never raises on data).

    Parameters
    ----------
    path
        The folder.
    observed_until
        The extraction date; overrides ``meta.json`` (a warning-free override).
    encoding
        Decode CSV files with this encoding (e.g. ``"latin-1"``) instead of UTF-8. Without it,
        non-UTF-8 bytes are reported (``E110``).
    repair
        ``True`` for every repair in ``REPAIRS``, or an iterable of repair names; every
        repaired cell and excluded row is logged in ``report.repairs``.

    Returns
    -------
    (CareHistory, ValidationReport)
        Unreadable values are null in the history and reported; check ``report.ok``.

    Raises
    ------
    UnusableInputError
        The folder is missing or holds no recognisable table.

    Examples
    --------
    >>> load_history("/no/such/folder")
    Traceback (most recent call last):
    ...
    earlysignal.data.validate.UnusableInputError: folder '/no/such/folder' does not exist ...
    """
    folder = Path(path)
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UnusableInputError(
            f"folder '{folder}' {what} (expected a folder with children.csv/.parquet, "
            "placements.csv/.parquet, events.*, optional statuses.* and meta.json)"
        )
    reading: list[pl.DataFrame] = []
    raw: dict[str, pl.DataFrame] = {}
    found: list[str] = []
    for table in TABLE_NAMES:
        pq, csv = folder / f"{table}.parquet", folder / f"{table}.csv"
        frame: pl.DataFrame | None
        if pq.is_file():
            frame, probs = _read_parquet(pq, table)
        elif csv.is_file():
            frame, probs = _read_csv(csv, table, encoding)
        else:
            if table in ("children", "placements"):
                reading.append(
                    problem("E107", table, f"no {table}.parquet or {table}.csv in '{folder}'")
                )
            if table != "statuses":
                raw[table] = _empty_raw(table)
            continue
        found.append(table)
        reading.extend(probs)
        raw[table] = frame if frame is not None else _empty_raw(table)
    if not found:
        raise UnusableInputError(
            f"folder '{folder}' holds no recognisable table (expected children.csv or "
            ".parquet, placements.*, events.*, statuses.*)"
        )

    meta: dict[str, Any] = {}
    meta_path = folder / META_FILE
    meta_problem: str | None = None
    if meta_path.is_file():
        try:
            loaded = json.loads(meta_path.read_text(encoding="utf-8"))
            if not isinstance(loaded, dict):
                raise ValueError("not a JSON object")
            meta = loaded
        except (ValueError, UnicodeDecodeError) as exc:
            meta_problem = f"{META_FILE} is not readable JSON ({exc})"
    meta_day = _parse_day(meta.pop("observed_until", None))
    given = _parse_day(observed_until) if observed_until is not None else None
    if observed_until is not None and given is None:
        raise ValueError(f"observed_until={observed_until!r} is not a date YYYY-MM-DD")
    ou = given or meta_day

    if ou is None:
        typed_probe, _ = check_frames(raw, date.max)
        ou = _latest_date(typed_probe)
        reason = meta_problem or f"no observed_until in {META_FILE} and none given"
        reading.append(
            problem(
                "E117",
                "meta",
                f"{reason}; the latest date in the data ({ou}) is used for the checks",
                column="observed_until",
            )
        )

    typed, problems = check_frames(raw, ou)
    absent = [t for t in ("children", "placements") if t not in found]
    # a missing file is reported once (E107), not again as an empty table (E106)
    problems = problems.filter(~((pl.col("rule") == "E106") & pl.col("table").is_in(absent)))
    problems = _concat([*reading, problems])
    repairs = pl.DataFrame(schema=REPAIR_SCHEMA)
    rules = _repair_rules(repair)
    if rules:
        typed, problems, repairs = repair_frames(typed, problems, ou, rules)
    problems = _dedupe(_concat([problems])).cast(PROBLEM_SCHEMA)  # type: ignore[arg-type]
    checked = {t: int(raw[t].height) if t in raw else 0 for t in TABLE_NAMES}
    report = ValidationReport(
        problems=problems, checked=checked, repairs=repairs, source=str(folder)
    )
    history = CareHistory(
        children=typed["children"].drop(ROW),
        placements=typed["placements"].drop(ROW),
        events=typed["events"].drop(ROW),
        observed_until=ou,
        statuses=typed["statuses"].drop(ROW) if "statuses" in typed else None,
        meta=meta,
    )
    return history, report


def read_folder(
    path: str | Path,
    strict: bool = True,
    repair: bool | Iterable[str] = False,
    *,
    observed_until: date | str | None = None,
    encoding: str | None = None,
) -> CareHistory:
    """Read a canonical folder (Parquet, or CSV on input) into a validated ``CareHistory``.

    Parameters
    ----------
    path
        The folder (see the module docstring for the layout).
    strict
        Raise :class:`DataValidationError` (carrying the full report) when any error remains.
        With ``strict=False`` the history is returned as read; use :func:`load_history` to get
        the report as well.
    repair
        Opt-in repairs (``True`` for all of ``REPAIRS``, or their names).
    observed_until, encoding
        See :func:`load_history`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "children.csv").write_text("child_id,birth_date,sex\\nc1,2010-05-01,F\\n")
    >>> _ = (folder / "placements.csv").write_text(
    ...     "child_id,placement_id,start,end,setting,end_reason\\nc1,p1,2020-01-01,,foster,\\n")
    >>> read_folder(folder, observed_until="2021-01-01")
    Traceback (most recent call last):
    ...
    earlysignal.data.validate.DataValidationError: INVALID: 1 error(s), 1 warning(s) in ...
    """
    history, report = load_history(
        path, observed_until=observed_until, encoding=encoding, repair=repair
    )
    if strict and not report.ok:
        raise DataValidationError(report)
    summary = {
        "errors": report.errors.height,
        "warnings": report.warnings.height,
        "repaired": report.repairs.height,
    }
    return replace(history, meta={**history.meta, "validation": summary})


def write_folder(
    history: CareHistory, path: str | Path, *, format: Literal["parquet", "csv"] = "parquet"
) -> Path:
    """Write a history as a canonical folder: Parquet (default) or CSV files plus ``meta.json``.

    CSV dates are written as ``YYYY-MM-DD`` and read back unchanged by :func:`read_folder`.

    Examples
    --------
    >>> import tempfile
    >>> from earlysignal.data import CareHistory
    >>> h = CareHistory.from_frames(
    ...     children=pl.DataFrame({"child_id": ["c1"], "birth_date": [date(2010, 5, 1)],
    ...                            "sex": ["female"]}),
    ...     placements=pl.DataFrame({"child_id": ["c1"], "placement_id": ["p1"],
    ...                              "start": [date(2020, 1, 1)], "end": [None],
    ...                              "setting": ["foster"], "end_reason": [None]}),
    ...     events=None, observed_until=date(2021, 1, 1))
    >>> out = write_folder(h, tempfile.mkdtemp(), format="csv")
    >>> read_folder(out).placements.equals(h.placements)
    True
    """
    if format == "parquet":
        return history.write(path)
    if format != "csv":
        raise ValueError(f"format={format!r}: choose 'parquet' or 'csv'")
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in history.tables().items():
        frame.write_csv(folder / f"{name}.csv", date_format="%Y-%m-%d")
    meta = {"observed_until": history.observed_until.isoformat(), **history.meta}
    meta.pop("validation", None)
    (folder / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True, default=str))
    return folder
