"""Reading CBS microdata files for :mod:`earlysignal.sources.cbs`: discovery, text columns,
column roles, value labels.

File names follow CBS Remote Access: ``JGDHULP{YYYY}BUSV{n}``, ``JGDBESCHERM{YYYY}BUSV{n}``,
``GBAPERSOON{YYYY}TABV{n}``, as ``.sav`` (read with pyreadstat, imported lazily) or ``.csv``.

Examples
--------
>>> _FILE_RE.match("JGDHULP2019BUSV2").group("kind", "year", "v")
('JGDHULP', '2019', '2')
>>> as_text(pl.DataFrame({"x": [11.0, 20190101.0]}))["x"].to_list()
['11', '20190101']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl

from earlysignal.sources.cbs_codes import COLUMN_ROLES, CBSCodes
from earlysignal.sources.cbs_report import Issues

__all__ = ["SHORT_NAMES", "as_text", "check_labels", "discover", "read_file", "resolve_columns"]

_FILE_RE = re.compile(
    r"^(?P<kind>JGDHULP|JGDBESCHERM|GBAPERSOON)(?P<year>\d{4})?(?:BUS|TAB)?(?:V(?P<v>\d+))?$",
    re.IGNORECASE,
)
_KINDS = {"jgdhulp": "hulp", "jgdbescherm": "bescherm", "gbapersoon": "persons"}
SHORT_NAMES = {
    "hulp_person_type": "person_type",
    "hulp_person": "person",
    "hulpvorm": "code",
    "hulp_begin": "begin",
    "hulp_end": "end",
    "bescherm_person_type": "person_type",
    "bescherm_person": "person",
    "maatregel": "code",
    "bescherm_begin": "begin",
    "bescherm_end": "end",
    "persons_person_type": "person_type",
    "persons_person": "person",
}


def discover(
    src: str | Path | Iterable[str | Path],
) -> tuple[list[tuple[Path, str, int | None, int]], list[str]]:
    if isinstance(src, str | Path):
        root = Path(src)
        if not root.exists():
            raise FileNotFoundError(
                f"CBS source {root} does not exist: pass a folder holding "
                "JGDHULP{YYYY}BUSV{n}, JGDBESCHERM{YYYY}BUSV{n} and GBAPERSOON{YYYY}TABV{n} "
                "files (.sav or .csv)"
            )
        paths = sorted(p for p in root.iterdir() if p.is_file()) if root.is_dir() else [root]
    else:
        paths = sorted(Path(p) for p in src)
    found: list[tuple[Path, str, int | None, int]] = []
    ignored: list[str] = []
    for p in paths:
        m = _FILE_RE.match(p.stem)
        if p.suffix.lower() in (".sav", ".csv") and m:
            year = int(m.group("year")) if m.group("year") else None
            found.append((p, _KINDS[m.group("kind").lower()], year, int(m.group("v") or 0)))
        else:
            ignored.append(p.name)
    return found, ignored


def as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column as text: whole numbers without '.0', dates as YYYYMMDD."""
    out = []
    for name, dtype in frame.schema.items():
        c = pl.col(name)
        if dtype.is_float():
            whole = c.is_finite() & (c == c.floor())
            out.append(
                pl.when(whole)
                .then(c.cast(pl.Int64).cast(pl.String))
                .otherwise(c.cast(pl.String))
                .alias(name)
            )
        elif dtype in (pl.Date, pl.Datetime):
            out.append(c.dt.strftime("%Y%m%d").alias(name))
        else:
            out.append(c.cast(pl.String).str.strip_chars().alias(name))
    return frame.select(out) if out else frame


def read_file(
    path: Path, issues: Issues
) -> tuple[pl.DataFrame | None, dict[str, dict[Any, str]], int]:
    """A file as text columns, its value labels (``.sav``) and its row count."""
    labels: dict[str, dict[Any, str]] = {}
    try:
        if path.suffix.lower() == ".sav":
            import pyreadstat

            raw, meta = pyreadstat.read_sav(str(path), output_format="polars")
            assert isinstance(raw, pl.DataFrame)
            labels = dict(meta.variable_value_labels or {})
        else:
            raw = pl.read_csv(path, infer_schema=False)
    except Exception as exc:  # pyreadstat raises its own types; polars several
        issues.add(
            "unreadable_file",
            "excluded",
            f"the file cannot be read ({type(exc).__name__}: {str(exc)[:120]})",
            "export it again from CBS Remote Access as SPSS .sav or UTF-8 CSV with a header",
            file=path.name,
        )
        return None, {}, 0
    return as_text(raw), labels, raw.height


def resolve_columns(
    frame: pl.DataFrame, kind: str, codes: CBSCodes, name: str, issues: Issues
) -> dict[str, str] | None:
    """Role -> column name present in ``frame``; reports missing and unexpected columns."""
    found: dict[str, str] = {}
    for role in COLUMN_ROLES[kind]:
        present = [c for c in codes.columns[role] if c in frame.columns]
        if not present:
            issues.add(
                "missing_column",
                "excluded",
                f"no column for {role} (looked for {', '.join(codes.columns[role])}); the file "
                "is left out",
                "add the column, or name this year's column under [columns] in a --codes file",
                file=name,
                column=codes.columns[role][0],
            )
            return None
        found[role] = present[0]
    expected = {c for r in COLUMN_ROLES[kind] for c in codes.columns[r]}
    expected |= set(codes.known_extra) | {codes.provider, codes.end_reason_column}
    for col in frame.columns:
        if col not in expected:
            issues.add(
                "unexpected_column",
                "warning",
                "a column the import does not know; it is not read",
                "if it should be read, name it in a --codes file ([columns]); otherwise ignore",
                file=name,
                column=col,
                blocking=False,
            )
    return found


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


def check_labels(
    labels: dict[Any, str], known: dict[int, str], name: str, column: str, issues: Issues
) -> None:
    for raw_code, label in sorted(labels.items(), key=lambda kv: str(kv[0])):
        try:
            code = int(float(raw_code))
        except (TypeError, ValueError):
            code = -1
        if code not in known:
            issues.add(
                "unknown_label",
                "warning",
                f"the file's value labels define code {raw_code!r} ({label!r}), which the code "
                "list does not know",
                "add it to the code list (--codes) if it occurs in the data",
                file=name,
                column=column,
                value=raw_code,
                blocking=False,
            )
        elif _norm(label) != _norm(known[code]):
            issues.add(
                "label_mismatch",
                "warning",
                f"the file labels code {code} {label!r}; the code list says {known[code]!r}",
                "check the code list against the file's labels and correct it with --codes",
                file=name,
                column=column,
                value=code,
                blocking=False,
            )
