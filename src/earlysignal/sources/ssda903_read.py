"""Finding and reading SSDA903 return files: layouts, encodings, separators, dates.

Split from :mod:`earlysignal.sources.ssda903`. Its one job is to turn the files users actually
have into string frames with ``_file``, ``_row``, ``_year`` and ``_la`` columns, and to parse
dates strictly, each problem an issue naming the file and row:

- layouts: ``{YEAR}-episodes.csv``, prefixed names (``SSDA903_2020_episodes.csv``), one
  folder per year (``2020/episodes.csv``), or a ``YEAR`` column (and an ``LA`` column in
  multi-authority extracts); other files are listed as ignored;
- encodings: UTF-8 (with or without BOM), UTF-16 (BOM), else cp1252, detected from the bytes;
- separators: ``,`` ``;`` tab or ``|``, detected from the header line;
- blank rows (a trailing empty line, an Excel ``,,,,`` row) are skipped and counted;
- a ragged line (more fields than the header) is named by its row;
- dates: ``dd/mm/YYYY`` or ``YYYY-MM-DD``; ``dd/mm/yy`` is never read as the year 8 AD:
  it is an error unless a two-digit-year pivot is given.

Examples
--------
>>> match_name("SSDA903_2020_episodes"), match_name("2017-header"), match_name("notes")
(('episodes', 2020), ('header', 2017), None)
>>> sniff_separator("CHILD;DECOM;RNE")
';'
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from earlysignal.sources.ssda903_report import IssueLog

__all__ = [
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "TABLES",
    "RawTable",
    "discover",
    "match_name",
    "parse_dates",
    "read_return_file",
    "sniff_separator",
]

TABLES = ("episodes", "header", "missing", "uasc", "reviews")

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "episodes": ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC"),
    "header": ("CHILD", "SEX", "DOB"),
    "missing": ("CHILD", "MISSING", "MIS_START", "MIS_END"),
    "uasc": ("CHILD",),
    "reviews": ("CHILD", "REVIEW"),
}
"""Columns each table must have (official SSDA903 names). Optional columns used when present:
episodes ``REASON_PLACE_CHANGE``, ``URN``, ``PL_POST``; header ``ETHNIC``; reviews
``REVIEW_CODE``."""

OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "episodes": ("REASON_PLACE_CHANGE", "URN", "PL_POST", "HOME_POST"),
    "header": ("ETHNIC",),
    "missing": (),
    "uasc": ("DUC",),
    "reviews": ("REVIEW_CODE",),
}

_TOKEN = re.compile(r"[-_ .]+")
_YEAR = re.compile(r"^(19[89]\d|20\d\d)$")
_SEPARATORS = (",", ";", "\t", "|")
_SEP_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def match_name(stem: str) -> tuple[str, int | None] | None:
    """The table a file name names, and the return year in it if any (``None``: not a return).

    The name is split on ``-``, ``_``, space and ``.``; one part must be a table name
    (episodes, header, missing, uasc, reviews, case-insensitive) and a four-digit part
    (1980-2099) is the year.
    """
    parts = [p for p in _TOKEN.split(stem) if p]
    tables = [p.lower() for p in parts if p.lower() in TABLES]
    if len(tables) != 1:
        return None
    years = [int(p) for p in parts if _YEAR.match(p)]
    return tables[0], (years[0] if len(years) == 1 else None)


def _folder_year(path: Path, root: Path | None) -> int | None:
    """The year named by a folder between ``root`` and the file (one folder per year)."""
    if root is None:
        return None
    for parent in path.parents:
        if parent == root or root not in parent.parents:
            return None
        years = [int(p) for p in _TOKEN.split(parent.name) if _YEAR.match(p)]
        if len(years) == 1:
            return years[0]
    return None


def discover(
    src: str | Path | Iterable[str | Path],
) -> tuple[list[tuple[Path, str, int | None]], list[str]]:
    """Return files found under ``src`` as (path, table, year from the name or folder), and
    the names of files that are not returns (listed in the report as ignored)."""
    root: Path | None = None
    if isinstance(src, str | Path):
        root = Path(src)
        if not root.exists():
            raise FileNotFoundError(
                f"SSDA903 source {root} does not exist: pass a folder of yearly returns "
                "(e.g. 2021-episodes.csv, 2021-header.csv) or a list of CSV files"
            )
        if root.is_dir():
            paths = sorted(p for p in root.rglob("*") if p.is_file())
        else:
            paths, root = [root], None
    else:
        paths = sorted(Path(p) for p in src)
    found: list[tuple[Path, str, int | None]] = []
    ignored: list[str] = []
    for p in paths:
        m = match_name(p.stem) if p.suffix.lower() in (".csv", ".txt") else None
        name = str(p.relative_to(root)) if root is not None else p.name
        if m is None:
            ignored.append(name)
            continue
        table, year = m
        found.append((p, table, year if year is not None else _folder_year(p, root)))
    return found, ignored


def sniff_separator(header_line: str) -> str:
    """The separator of a CSV file from its header line: the one giving most fields."""
    counts = {s: header_line.count(s) for s in _SEPARATORS}
    best = max(_SEPARATORS, key=lambda s: (counts[s], s == ","))
    return best if counts[best] else ","


def _decode(data: bytes) -> tuple[str, str]:
    """Decode a file's bytes: BOMs first, then UTF-8, else cp1252 (Excel on Windows)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16").lstrip("\ufeff"), "utf-16"
    if len(data) > 1 and data[1:2] == b"\x00" and data[:1] != b"\x00":
        return data.decode("utf-16-le"), "utf-16-le"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _wide_rows(text: str, sep: str, width: int) -> tuple[list[tuple[int, int]], int]:
    """Data rows (1-based) with more fields than the header and a value in some field, with
    their field counts; and the number of wider rows that are empty (blank rows)."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    next(reader, None)
    wide = [(i, r) for i, r in enumerate(reader, start=1) if len(r) > width]
    ragged = [(i, len(r)) for i, r in wide if any(f.strip() for f in r)]
    return ragged, len(wide) - len(ragged)


@dataclass(frozen=True, slots=True)
class RawTable:
    """One file read as strings (``None`` when it cannot be used), with how it was read."""

    table: str
    frame: pl.DataFrame | None
    years: tuple[int, ...]
    rows: int
    encoding: str
    separator: str
    blank_rows: int


def read_return_file(
    path: Path, table: str, name_year: int | None, issues: IssueLog, display: str | None = None
) -> RawTable:
    """Read one return file as strings with ``_file``, ``_row``, ``_year`` and ``_la``.

    Blank rows are dropped here and counted (``blank_rows``, rule ``blank_row``); every other
    row stays, so that ``rows == blank_rows + rows of the frame`` (or every row is excluded
    with a file-level issue when the file cannot be used).
    """
    name = display or path.name
    text, encoding = _decode(path.read_bytes())
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    sep = sniff_separator(first)
    header = [c.strip().strip('"').upper() for c in first.split(sep)]
    n_data = max(len(lines) - 1 - lines.index(first), 0) if first else 0

    def unusable(rule: str, message: str, fix: str, column: str | None = None) -> RawTable:
        issues.add(rule, "excluded", message, fix, file=name, column=column)
        return RawTable(table, None, (), n_data, encoding, sep, 0)

    if not first:
        return unusable(
            "malformed_file", "the file is empty", "export the return with its header line"
        )
    missing = [c for c in REQUIRED_COLUMNS[table] if c not in header]
    if missing:
        looks = [_SEP_NAMES[s] for s in _SEPARATORS if s != sep and first.count(s) >= len(missing)]
        hint = (
            f"; the file looks {looks[0]}-separated ({first[:80]!r})"
            if looks and sep == ","
            else f"; the header line reads {first[:80]!r}"
        )
        for c in missing:
            issues.add(
                "missing_column",
                "excluded",
                f"the {table} table lacks the required column {c!r} (read as "
                f"{_SEP_NAMES[sep]}-separated {encoding}){hint}; the file cannot be read "
                f"(all {n_data} rows excluded)",
                f"add the column {c!r} with the official SSDA903 name "
                f"(required: {', '.join(REQUIRED_COLUMNS[table])})",
                file=name,
                column=c,
            )
        return RawTable(table, None, (), n_data, encoding, sep, 0)
    data_lines = lines[lines.index(first) :]
    trailing = 0
    while len(data_lines) > 1 and not data_lines[-1].strip():
        data_lines.pop()
        trailing += 1
    body = "\n".join(data_lines) + "\n"
    try:
        raw = pl.read_csv(
            io.BytesIO(body.encode("utf-8")),
            separator=sep,
            infer_schema=False,
            truncate_ragged_lines=False,
            raise_if_empty=False,
        )
    except pl.exceptions.ComputeError as exc:
        ragged, empty_wide = _wide_rows(body, sep, len(header))
        if not ragged and not empty_wide:
            return unusable(
                "malformed_file",
                f"the file cannot be read as CSV ({str(exc)[:120]})",
                "export the return as CSV with the official header line",
            )
        for row, width in ragged:
            issues.add(
                "ragged_line",
                "excluded",
                f"row {row} has {width} fields but the header has {len(header)}; row excluded "
                "(a separator inside a value, or an extra column)",
                "quote values that contain the separator, or remove the extra fields",
                file=name,
                row=row,
            )
        raw = pl.read_csv(
            io.BytesIO(body.encode("utf-8")),
            separator=sep,
            infer_schema=False,
            truncate_ragged_lines=True,
        )
        bad_rows = pl.Series([r for r, _ in ragged], dtype=pl.Int64)
    else:
        bad_rows = pl.Series([], dtype=pl.Int64)
    raw = raw.rename({c: c.strip().strip('"').upper() for c in raw.columns})
    n = raw.height + trailing
    frame = raw.with_columns(
        pl.all().str.strip_chars().replace("", None),
        pl.lit(name).alias("_file"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + 1).alias("_row"),
    )
    blank = pl.all_horizontal([pl.col(c).is_null() for c in frame.columns if not c.startswith("_")])
    blank_rows = frame.filter(blank).height + trailing
    if blank_rows:
        issues.add(
            "blank_row",
            "excluded",
            f"{blank_rows} blank row(s) (no value in any column) skipped",
            "remove empty lines and empty spreadsheet rows from the export",
            file=name,
            blocking=False,
        )
    frame = frame.filter(~blank & ~pl.col("_row").is_in(bad_rows.implode()))
    for c in OPTIONAL_COLUMNS[table]:
        if c not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String()).alias(c))
    la = pl.col("LA") if "LA" in frame.columns else pl.lit(None, dtype=pl.String())
    frame = frame.with_columns(la.alias("_la"))
    if "YEAR" in frame.columns:
        year = frame["YEAR"].str.extract(r"^(\d{4})(?:\.0)?$").cast(pl.Int64, strict=False)
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
    elif name_year is not None:
        frame = frame.with_columns(pl.lit(name_year, dtype=pl.Int64).alias("_year"))
    else:
        return unusable(
            "no_year",
            f"cannot tell which return year the file holds (all {n} rows excluded)",
            "name the file {YEAR}-" + table + ".csv (or put it in a folder named by the year), "
            "or add a YEAR column",
        )
    years = tuple(sorted(set(frame["_year"].to_list())))
    return RawTable(table, frame, years, n, encoding, sep, blank_rows)


# ---------------------------------------------------------------------------------- dates
_DMY4 = r"^\d{1,2}/\d{1,2}/\d{4}$"
_DMY2 = r"^\d{1,2}/\d{1,2}/\d{2}$"
_ISO = r"^\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00(?:\.0+)?)?)?$"


def _parse_one(col: str, pivot: int | None) -> pl.Expr:
    s = pl.col(col).str.strip_chars()
    four = pl.when(s.str.contains(_DMY4)).then(s.str.to_date("%d/%m/%Y", strict=False))
    iso = pl.when(s.str.contains(_ISO)).then(
        s.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    )
    parts = [four, iso]
    if pivot is not None:
        yy = s.str.extract(r"/(\d{2})$").cast(pl.Int32, strict=False)
        century = pl.when(yy < pivot).then(pl.lit("20")).otherwise(pl.lit("19"))
        full = s.str.replace(r"/(\d{2})$", "/") + century + yy.cast(pl.String).str.zfill(2)
        parts.append(
            pl.when(s.str.contains(_DMY2)).then(full.str.to_date("%d/%m/%Y", strict=False))
        )
    return pl.coalesce(*parts)


def parse_dates(
    frame: pl.DataFrame,
    cols: Sequence[str],
    issues: IssueLog,
    *,
    required: Sequence[str],
    pivot: int | None,
    earliest: date,
    latest: date,
    open_ended: Sequence[str] = (),
) -> pl.DataFrame:
    """Parse date columns strictly; exclude rows with unreadable, implausible or missing
    required dates, and rows without CHILD, each with an issue naming file and row.

    A file whose dates are all ``dd/mm/yy`` gets one ``two_digit_years`` issue naming the
    format and the option (``two_digit_year_pivot``) instead of one per row. Columns in
    ``open_ended`` (an episode's end) are not checked against ``latest``: later ends are
    censored by the caller.
    """
    parsed = frame.with_columns(*(_parse_one(c, pivot).alias(f"_{c}") for c in cols))
    bad = pl.lit(False)
    if pivot is None:
        two = pl.any_horizontal([pl.col(c).str.contains(_DMY2).fill_null(False) for c in cols])
        present = pl.any_horizontal([pl.col(c).is_not_null() for c in cols])
        per_file = parsed.group_by("_file").agg(two.sum().alias("two"), present.sum().alias("n"))
        all_two = per_file.filter((pl.col("two") == pl.col("n")) & (pl.col("n") > 0))
        for fname, n_two, _ in all_two.sort("_file").iter_rows():
            issues.add(
                "two_digit_years",
                "excluded",
                f"every date in the file is written dd/mm/yy (two-digit years); they are not "
                f"guessed ({n_two} rows excluded)",
                "export dates as dd/mm/YYYY, or pass two_digit_year_pivot "
                "(--two-digit-year-pivot on the command line), e.g. 50: 00-49 -> 2000-2049",
                file=fname,
            )
        whole = pl.col("_file").is_in(all_two["_file"].implode())
        bad = bad | whole
    else:
        whole = pl.lit(False)
    for c in cols:
        unparseable = pl.col(c).is_not_null() & pl.col(f"_{c}").is_null() & ~whole
        rows = parsed.filter(unparseable)
        if rows.height:
            issues.add_rows(
                rows,
                "bad_date",
                "excluded",
                f"{c} is not a date in dd/mm/YYYY or YYYY-MM-DD form (dd/mm/yy needs "
                "--two-digit-year-pivot); row excluded",
                f"correct {c}",
                column=c,
            )
        implausible = pl.col(f"_{c}") < earliest
        if c not in open_ended:
            implausible = implausible | (pl.col(f"_{c}") > latest)
        rows = parsed.filter(implausible & ~whole)
        if rows.height:
            issues.add_rows(
                rows,
                "implausible_date",
                "excluded",
                f"{c} is outside the plausible range {earliest} to {latest} (the extraction "
                "date); row excluded",
                f"correct {c} (a two-digit year read as a four-digit one?)",
                column=c,
            )
        bad = bad | unparseable | implausible.fill_null(False)
        if c in required:
            rows = parsed.filter(pl.col(c).is_null() & ~whole)
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
    kid_missing = parsed.filter(pl.col("CHILD").is_null() & ~whole)
    if kid_missing.height:
        issues.add_rows(
            kid_missing,
            "missing_value",
            "excluded",
            "CHILD is empty in a row with other values; row excluded",
            "fill CHILD",
            column="CHILD",
        )
    bad = bad | pl.col("CHILD").is_null()
    out = parsed.filter(~bad)
    return out.drop(list(cols)).rename({f"_{c}": c for c in cols})
