"""Validation rules for care histories, the ``ValidationReport`` and the opt-in repair mode.

Every rule has a stable id (``E`` for errors, ``W`` for warnings), a name, what it checks and how
to fix it (``RULES``; the full list with examples is in ``docs/validation.md``). Checks are
vectorised polars expressions: a million placements validate in seconds.

Row numbers in a report are **1-based data-row numbers**: the position of the row among the data
rows of the source file when the tables were read by :func:`earlysignal.data.io.read_folder`
(the header is not counted), or the 1-based position in the frame for in-memory histories.

Examples
--------
>>> import polars as pl
>>> from datetime import date
>>> from earlysignal.data import CareHistory
>>> h = CareHistory.from_frames(
...     children=pl.DataFrame({"child_id": ["c1"], "birth_date": [date(2010, 5, 1)],
...                            "sex": ["female"]}),
...     placements=pl.DataFrame({"child_id": ["c1", "c1"], "placement_id": ["p1", "p2"],
...                              "start": [date(2020, 1, 1), date(2020, 3, 1)],
...                              "end": [date(2020, 6, 1), None],
...                              "setting": ["foster", "residential"],
...                              "end_reason": ["breakdown", None]}),
...     events=None, observed_until=date(2021, 1, 1))
>>> report = validate_history(h)
>>> report.ok
False
>>> report.problems.select("rule", "table", "row", "child_id").row(0)
('E402', 'placements', 2, 'c1')
>>> fixed, rep = repair_history(h, rules=("trim_overlaps",))
>>> rep.ok, fixed.placements["end"][0]
(True, datetime.date(2020, 3, 1))
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from earlysignal.schema import SEX_CODES, TABLES, EndReason, Setting

if TYPE_CHECKING:
    from earlysignal.data.history import CareHistory

__all__ = [
    "ORIGIN_CODES",
    "PROBLEM_SCHEMA",
    "REPAIRS",
    "REPAIR_SCHEMA",
    "RULES",
    "DataValidationError",
    "Rule",
    "UnusableInputError",
    "ValidationReport",
    "coerce_table",
    "repair_history",
    "validate_history",
]

Severity = Literal["error", "warning"]
ROW = "__row"
"""Internal column carrying the 1-based source row number while checking."""

ORIGIN_CODES: tuple[str, ...] = ("dutch", "migrant_child", "migrant")
ID_COLUMNS: frozenset[str] = frozenset({"child_id", "placement_id", "provider_id", "sibling_group"})
CODE_COLUMNS: dict[tuple[str, str], tuple[str, ...]] = {
    ("children", "sex"): SEX_CODES,
    ("children", "origin"): ORIGIN_CODES,
    ("placements", "setting"): tuple(s.value for s in Setting),
    ("placements", "end_reason"): tuple(r.value for r in EndReason),
}
MAX_PLAUSIBLE_AGE_YEARS = 23


@dataclass(frozen=True, slots=True)
class Rule:
    """A validation rule: stable id, short name, severity, what it checks and how to fix it."""

    id: str
    name: str
    severity: Severity
    checks: str
    fix: str


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {r.id: r for r in rules}


RULES: dict[str, Rule] = _rules(
    # -- reading and structure
    Rule(
        "E101",
        "missing_column",
        "error",
        "a required column is absent",
        "add the column (see docs/architecture.md for the canonical tables)",
    ),
    Rule(
        "E102",
        "bad_type",
        "error",
        "a value cannot be read as the column's type",
        "correct the value: numbers for value, true/false/1/0 for booleans",
    ),
    Rule(
        "E103",
        "unparseable_date",
        "error",
        "a date is not an ISO date YYYY-MM-DD",
        "write dates as YYYY-MM-DD (e.g. 2021-03-31)",
    ),
    Rule(
        "E104",
        "null_key",
        "error",
        "an identifier (child_id, placement_id) is empty",
        "give every row its identifier, or drop the row (repair drop_invalid_rows)",
    ),
    Rule(
        "E105",
        "missing_value",
        "error",
        "a required value (date, code) is empty",
        "fill in the value, or drop the row (repair drop_invalid_rows)",
    ),
    Rule(
        "E106",
        "empty_table",
        "error",
        "children or placements has no rows",
        "export the table with its rows",
    ),
    Rule(
        "W106",
        "empty_table",
        "warning",
        "events or statuses has no rows",
        "check the export; an empty optional table is allowed",
    ),
    Rule(
        "E107",
        "missing_table",
        "error",
        "children.* or placements.* is absent from the folder",
        "add the file (children.csv / children.parquet, placements.*)",
    ),
    Rule(
        "W108",
        "unknown_column",
        "warning",
        "a column not in the canonical table",
        "rename it if it is a misspelt canonical column; extra columns are kept",
    ),
    Rule(
        "W109",
        "duplicated_header",
        "warning",
        "a data row repeats the header (row excluded)",
        "remove repeated header lines (concatenated exports)",
    ),
    Rule(
        "E110",
        "not_utf8",
        "error",
        "a CSV file is not valid UTF-8",
        "re-save the file as UTF-8, or read it with encoding='latin-1' (--encoding latin-1)",
    ),
    Rule(
        "W111",
        "byte_order_mark",
        "warning",
        "a CSV file starts with a UTF-8 byte-order mark",
        "none needed (the mark is removed); save without BOM to silence this",
    ),
    Rule(
        "E112",
        "empty_file",
        "error",
        "a file has no header and no rows",
        "export the table with its header line",
    ),
    Rule(
        "W113",
        "whitespace_in_id",
        "warning",
        "an identifier has leading/trailing whitespace",
        "strip the whitespace in the source, or repair strip_whitespace",
    ),
    Rule(
        "E114",
        "timezone_datetime",
        "error",
        "a date column holds a timezone-aware datetime (the day is ambiguous)",
        "export the local calendar date as YYYY-MM-DD",
    ),
    Rule(
        "W115",
        "datetime_in_date_column",
        "warning",
        "a date column holds a date with a time of day (the date part is used)",
        "export dates as YYYY-MM-DD",
    ),
    Rule(
        "E116",
        "malformed_file",
        "error",
        "a file cannot be parsed at all (broken quoting, not Parquet)",
        "check the delimiter (comma), quoting and the number of fields per line",
    ),
    Rule(
        "E118",
        "ragged_row",
        "error",
        "a CSV row has more or fewer fields than the header (row excluded)",
        "quote fields that contain commas; check for missing or extra separators",
    ),
    Rule(
        "E117",
        "missing_observed_until",
        "error",
        "meta.json with observed_until is absent or unreadable and none was given",
        'add meta.json {"observed_until": "YYYY-MM-DD"} or pass observed_until',
    ),
    # -- codes
    Rule(
        "E201",
        "unknown_sex",
        "error",
        "sex is not one of female, male, other, unknown",
        "map the source's codes to female/male/other/unknown",
    ),
    Rule(
        "E202",
        "unknown_setting",
        "error",
        "setting is not in the Setting vocabulary",
        "map the source's codes to a Setting (use 'other' if none fits)",
    ),
    Rule(
        "E203",
        "unknown_end_reason",
        "error",
        "end_reason is not in the EndReason vocabulary",
        "map the source's code to an EndReason; keep the original in end_reason_detail",
    ),
    Rule(
        "E204",
        "unknown_origin",
        "error",
        "origin is not one of dutch, migrant_child, migrant",
        "use CBS 2022 origin codes, or leave empty",
    ),
    # -- identity
    Rule(
        "E301",
        "duplicate_child_id",
        "error",
        "a child_id occurs more than once in children",
        "keep one row per child (repair drop_duplicate_rows if rows are identical)",
    ),
    Rule(
        "E302",
        "duplicate_placement_id",
        "error",
        "a placement_id occurs more than once",
        "give every placement a unique id (repair drop_duplicate_rows for identical rows)",
    ),
    Rule(
        "W303",
        "duplicate_row",
        "warning",
        "an events or statuses row repeats an earlier one",
        "remove the duplicate, or repair drop_duplicate_rows",
    ),
    Rule(
        "E304",
        "unknown_child",
        "error",
        "a row's child_id is not in children",
        "add the child to children, or repair drop_orphans",
    ),
    Rule(
        "W305",
        "child_without_placements",
        "warning",
        "a child has no placement",
        "check the export; children never placed carry no signal",
    ),
    # -- time
    Rule(
        "E401",
        "end_before_start",
        "error",
        "end is before start",
        "correct the dates (end is the last day, on or after start)",
    ),
    Rule(
        "E402",
        "overlapping_placements",
        "error",
        "a non-temporary placement starts before the previous one of the child ended",
        "correct the dates, mark respite as temporary, or repair trim_overlaps",
    ),
    Rule(
        "E403",
        "before_birth",
        "error",
        "a placement, event or status starts before birth",
        "correct the birth date or the record's date",
    ),
    Rule(
        "E404",
        "after_observed_until",
        "error",
        "a date lies after observed_until",
        "correct the date or observed_until, or repair censor_after_observed",
    ),
    Rule(
        "E405",
        "end_reason_on_ongoing",
        "error",
        "an ongoing placement (no end) has end_reason",
        "add the end date, or clear end_reason",
    ),
    Rule(
        "E406",
        "end_reason_missing",
        "error",
        "an ended placement has no end_reason",
        "record why it ended ('other' when unknown)",
    ),
    Rule(
        "W407",
        "implausible_age",
        "warning",
        f"a placement starts when the child is {MAX_PLAUSIBLE_AGE_YEARS} or older",
        "check the birth date and the placement start",
    ),
    Rule(
        "W408",
        "overlapping_statuses",
        "warning",
        "two statuses of the same kind overlap for a child (which one holds is ambiguous)",
        "end the earlier status on or before the day the next one starts",
    ),
)
"""All rules by id."""

PROBLEM_SCHEMA: dict[str, pl.DataType] = {
    "rule": pl.String(),
    "name": pl.String(),
    "severity": pl.String(),
    "table": pl.String(),
    "row": pl.Int64(),
    "child_id": pl.String(),
    "column": pl.String(),
    "value": pl.String(),
    "message": pl.String(),
    "fix": pl.String(),
}
"""Columns of ``ValidationReport.problems``."""

REPAIR_SCHEMA: dict[str, pl.DataType] = {
    "repair": pl.String(),
    "table": pl.String(),
    "row": pl.Int64(),
    "child_id": pl.String(),
    "column": pl.String(),
    "action": pl.String(),
    "old": pl.String(),
    "new": pl.String(),
}
"""Columns of ``ValidationReport.repairs``: ``action`` is ``changed`` or ``excluded``."""

REPAIRS: dict[str, str] = {
    "strip_whitespace": "strip leading/trailing whitespace from ids and codes",
    "drop_duplicate_rows": "exclude rows identical to an earlier row of the same table",
    "drop_invalid_rows": "exclude rows with an unreadable or empty required value or end < start",
    "drop_orphans": "exclude placements, events and statuses of children missing from children",
    "censor_after_observed": "exclude rows starting after observed_until; later ends become open",
    "trim_overlaps": "end a non-temporary placement on the day the next one starts",
}
"""The opt-in repairs, applied in this order."""


class UnusableInputError(ValueError):
    """The input cannot be read as a care history at all (missing folder, no tables)."""


class DataValidationError(ValueError):
    """A care history broke validation rules; ``.report`` holds every problem.

    The message summarises the counts per rule and the first few problems.
    """

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        super().__init__(report.summary())


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating (and optionally repairing) a care history.

    Parameters
    ----------
    problems
        One row per problem, columns ``PROBLEM_SCHEMA``: ``rule`` (id), ``name``, ``severity``
        (``error``/``warning``), ``table``, ``row`` (1-based data-row number, null for
        table-level problems), ``child_id``, ``column``, ``value`` (as text), ``message``, ``fix``.
    checked
        Rows checked per table (``children``, ``placements``, ``events``, ``statuses``).
    repairs
        One row per repaired cell or excluded row (``REPAIR_SCHEMA``); empty unless repairs ran.
    source
        Where the tables came from (a folder path or ``"memory"``).
    """

    problems: pl.DataFrame
    checked: dict[str, int] = field(default_factory=dict)
    repairs: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REPAIR_SCHEMA))
    source: str = "memory"

    @property
    def errors(self) -> pl.DataFrame:
        """The problems with severity ``error``."""
        return self.problems.filter(pl.col("severity") == "error")

    @property
    def warnings(self) -> pl.DataFrame:
        """The problems with severity ``warning``."""
        return self.problems.filter(pl.col("severity") == "warning")

    @property
    def ok(self) -> bool:
        """Whether there is no error (warnings allowed)."""
        return self.errors.height == 0

    def counts_by_rule(self) -> pl.DataFrame:
        """Problems per rule: ``rule``, ``name``, ``severity``, ``table``, ``n``."""
        return (
            self.problems.group_by("rule", "name", "severity", "table")
            .agg(pl.len().cast(pl.Int64()).alias("n"))
            .sort("rule", "table")
        )

    def repair_counts(self) -> pl.DataFrame:
        """Repaired cells and excluded rows per repair: ``repair``, ``table``, ``action``, ``n``."""
        return (
            self.repairs.group_by("repair", "table", "action")
            .agg(pl.len().cast(pl.Int64()).alias("n"))
            .sort("repair", "table", "action")
        )

    def summary(self, first: int = 5) -> str:
        """A human summary: verdict, counts per rule and the first few problems."""
        n_err, n_warn = self.errors.height, self.warnings.height
        checked = ", ".join(f"{v} {k}" for k, v in self.checked.items())
        head = "valid" if self.ok else "INVALID"
        lines = [f"{head}: {n_err} error(s), {n_warn} warning(s) in {self.source} ({checked})"]
        for r in self.counts_by_rule().iter_rows(named=True):
            lines.append(f"  {r['rule']} {r['name']} [{r['table']}]: {r['n']}")
        if self.repairs.height:
            for r in self.repair_counts().iter_rows(named=True):
                lines.append(f"  repair {r['repair']} [{r['table']}]: {r['n']} {r['action']}")
        ordered = self.problems.sort(
            pl.col("severity") != "error", "table", "row", nulls_last=False, maintain_order=True
        )
        for p in ordered.head(first).iter_rows(named=True):
            where = f"row {p['row']}" if p["row"] is not None else "table"
            if p["child_id"] is not None:
                where += f" (child {p['child_id']!r})"
            lines.append(f"  - {p['rule']} {p['table']} {where}: {p['message']} Fix: {p['fix']}")
        if ordered.height > first:
            lines.append(f"  ... and {ordered.height - first} more")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: verdict, counts, problems and repairs."""
        return {
            "ok": self.ok,
            "source": self.source,
            "checked": dict(self.checked),
            "errors": self.errors.height,
            "warnings": self.warnings.height,
            "counts_by_rule": self.counts_by_rule().to_dicts(),
            "repair_counts": self.repair_counts().to_dicts(),
            "problems": self.problems.to_dicts(),
            "repairs": self.repairs.to_dicts(),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent, default=str)

    def raise_if_invalid(self) -> ValidationReport:
        """Raise :class:`DataValidationError` when there is an error; return ``self`` otherwise."""
        if not self.ok:
            raise DataValidationError(self)
        return self


# ---------------------------------------------------------------------------- problem builders
def _empty_problems() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


def problem(
    rule: str,
    table: str,
    message: str,
    *,
    row: int | None = None,
    child_id: str | None = None,
    column: str | None = None,
    value: str | None = None,
) -> pl.DataFrame:
    """One problem as a one-row frame (``PROBLEM_SCHEMA``), for table- or file-level rules."""
    r = RULES[rule]
    data = {
        "rule": [r.id],
        "name": [r.name],
        "severity": [r.severity],
        "table": [table],
        "row": [row],
        "child_id": [child_id],
        "column": [column],
        "value": [value],
        "message": [message],
        "fix": [r.fix],
    }
    return pl.DataFrame(data, schema=PROBLEM_SCHEMA)


def _rows(  # noqa: PLR0917
    frame: pl.DataFrame,
    mask: pl.Expr,
    rule: str,
    table: str,
    column: str | None,
    value: pl.Expr | None,
    message: pl.Expr,
) -> pl.DataFrame:
    """Vectorised: one problem per row of ``frame`` where ``mask`` holds."""
    r = RULES[rule]
    child = pl.col("child_id") if "child_id" in frame.columns else pl.lit(None, pl.String())
    return frame.filter(mask.fill_null(False)).select(
        pl.lit(r.id).alias("rule"),
        pl.lit(r.name).alias("name"),
        pl.lit(r.severity).alias("severity"),
        pl.lit(table).alias("table"),
        pl.col(ROW).cast(pl.Int64()).alias("row"),
        child.cast(pl.String()).alias("child_id"),
        pl.lit(column, pl.String()).alias("column"),
        (value if value is not None else pl.lit(None)).cast(pl.String()).alias("value"),
        message.cast(pl.String()).alias("message"),
        pl.lit(r.fix).alias("fix"),
    )


def _concat(parts: Sequence[pl.DataFrame]) -> pl.DataFrame:
    parts = [p for p in parts if p.height]
    return pl.concat(parts, how="vertical") if parts else _empty_problems()


def _repr(expr: pl.Expr) -> pl.Expr:
    """Quote a string value for messages, showing whitespace."""
    return pl.concat_str(pl.lit("'"), expr.cast(pl.String()).fill_null("<null>"), pl.lit("'"))


# ---------------------------------------------------------------------------- coercion
_ISO = r"^\d{4}-\d{2}-\d{2}$"
_DT_NAIVE = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"
_DT_TZ = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|UTC|[+-]\d{2}(:?\d{2})?)$"
_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")


def _date_hint(s: pl.Expr) -> pl.Expr:
    return (
        pl.when(s.str.contains(r"^\d{1,2}/\d{1,2}/\d{4}$"))
        .then(pl.lit(" (looks like dd/mm/YYYY or mm/dd/YYYY)"))
        .when(s.str.contains(r"^\d{1,2}-\d{1,2}-\d{4}$"))
        .then(pl.lit(" (looks like dd-mm-YYYY)"))
        .when(s.str.contains(r"^\d{8}$"))
        .then(pl.lit(" (looks like YYYYMMDD)"))
        .when(s.str.contains(_ISO))
        .then(pl.lit(" (no such day)"))
        .otherwise(pl.lit(""))
    )


def _coerce_column(
    frame: pl.DataFrame, table: str, name: str, target: pl.DataType
) -> tuple[pl.Expr, list[pl.DataFrame]]:
    """Return the expression producing the typed column and the problems found."""
    src = frame.schema[name]
    col = pl.col(name)
    problems: list[pl.DataFrame] = []
    if src == target:
        return col, problems
    if isinstance(target, pl.Date):
        if isinstance(src, pl.Datetime):
            if src.time_zone is not None:
                problems.append(
                    _rows(
                        frame,
                        col.is_not_null(),
                        "E114",
                        table,
                        name,
                        col,
                        pl.format(
                            "{} holds a timezone-aware datetime ({}); the local date "
                            "is used but the day is ambiguous",
                            pl.lit(name),
                            pl.lit(src.time_zone),
                        ),
                    )
                )
                return col.dt.replace_time_zone(None).dt.date(), problems
            problems.append(
                _rows(
                    frame,
                    col.is_not_null() & (col.dt.time() != pl.time(0)),
                    "W115",
                    table,
                    name,
                    col,
                    pl.format("{} holds a time of day; the date part is used", pl.lit(name)),
                )
            )
            return col.dt.date(), problems
        if isinstance(src, pl.String):
            s = col.str.strip_chars()
            tz = s.str.contains(_DT_TZ)
            naive = s.str.contains(_DT_NAIVE)
            iso = s.str.contains(_ISO)
            head = s.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
            parsed = pl.when(iso | tz | naive).then(head).otherwise(None)
            problems.append(
                _rows(
                    frame,
                    tz,
                    "E114",
                    table,
                    name,
                    col,
                    pl.format(
                        "{} = {} is timezone-aware; the day is ambiguous (the local "
                        "date {} was kept)",
                        pl.lit(name),
                        _repr(col),
                        s.str.slice(0, 10),
                    ),
                )
            )
            problems.append(
                _rows(
                    frame,
                    naive & head.is_not_null(),
                    "W115",
                    table,
                    name,
                    col,
                    pl.format(
                        "{} = {} has a time of day; the date {} is used",
                        pl.lit(name),
                        _repr(col),
                        s.str.slice(0, 10),
                    ),
                )
            )
            bad = s.is_not_null() & (s != "") & parsed.is_null()
            problems.append(
                _rows(
                    frame,
                    bad,
                    "E103",
                    table,
                    name,
                    col,
                    pl.format(
                        "{} = {} is not a date YYYY-MM-DD{}",
                        pl.lit(name),
                        _repr(col),
                        _date_hint(s),
                    ),
                )
            )
            return parsed, problems
    if isinstance(target, pl.Boolean) and isinstance(src, pl.String):
        s = col.str.strip_chars().str.to_lowercase()
        parsed = (
            pl.when(s.is_in(_TRUE)).then(True).when(s.is_in(_FALSE)).then(False).otherwise(None)
        )
        bad = s.is_not_null() & (s != "") & parsed.is_null()
        problems.append(
            _rows(
                frame,
                bad,
                "E102",
                table,
                name,
                col,
                pl.format(
                    "{} = {} is not a boolean (true/false/1/0/yes/no)", pl.lit(name), _repr(col)
                ),
            )
        )
        return parsed, problems
    if isinstance(target, pl.String):
        return col.cast(pl.String()), problems
    # numbers and anything else: a non-strict cast, reporting values that did not survive it
    source = col.str.strip_chars() if isinstance(src, pl.String) else col
    parsed = source.cast(target, strict=False)
    empty = source.cast(pl.String()) == "" if isinstance(src, pl.String) else pl.lit(False)
    bad = col.is_not_null() & ~empty & parsed.is_null()
    problems.append(
        _rows(
            frame,
            bad,
            "E102",
            table,
            name,
            col,
            pl.format(
                "{} = {} cannot be read as {}", pl.lit(name), _repr(col), pl.lit(str(target))
            ),
        )
    )
    return parsed, problems


def coerce_table(table: str, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cast a frame of any dtypes (e.g. all strings from CSV) to the canonical schema.

    Unreadable values become null and are reported (``E102``, ``E103``, ``E114``, ``W115``);
    absent required columns are reported (``E101``) and added as nulls; unknown columns are
    reported (``W108``) and kept after the canonical ones. The frame may carry the internal row
    column ``__row`` (1-based data-row numbers); it is added when absent.

    Returns
    -------
    (frame, problems)
        The typed frame (canonical columns first, ``__row`` last) and the problems
        (``PROBLEM_SCHEMA``).

    Examples
    --------
    >>> import polars as pl
    >>> raw = pl.DataFrame({"child_id": ["a", "b"], "date": ["2020-01-31", "31/01/2020"],
    ...                     "kind": ["review", "review"]})
    >>> typed, probs = coerce_table("events", raw)
    >>> typed["date"].to_list()
    [datetime.date(2020, 1, 31), None]
    >>> probs.select("rule", "row", "value").row(0)
    ('E103', 2, '31/01/2020')
    """
    if ROW not in frame.columns:
        frame = frame.with_row_index(ROW, offset=1)
    columns = TABLES[table]
    known = {c.name for c in columns}
    exprs: list[pl.Expr] = []
    problems: list[pl.DataFrame] = []
    for c in columns:
        if c.name in frame.columns:
            expr, probs = _coerce_column(frame, table, c.name, c.dtype)
            exprs.append(expr.cast(c.dtype).alias(c.name))
            problems.extend(probs)
        else:
            if c.required:
                problems.append(
                    problem(
                        "E101",
                        table,
                        f"table {table!r} has no column {c.name!r} "
                        f"({c.description}); found {sorted(set(frame.columns) - {ROW})}",
                        column=c.name,
                    )
                )
            default = pl.lit(False) if c.name == "temporary" else pl.lit(None)
            exprs.append(default.cast(c.dtype).alias(c.name))
    extra = [n for n in frame.columns if n not in known and n != ROW]
    for n in extra:
        problems.append(
            problem(
                "W108", table, f"column {n!r} is not part of table {table!r}; kept as is", column=n
            )
        )
    out = frame.select([*exprs, *[pl.col(n) for n in extra], pl.col(ROW).cast(pl.Int64())])
    if "temporary" in out.columns:
        out = out.with_columns(pl.col("temporary").fill_null(False))
    return out, _concat(problems)


# ---------------------------------------------------------------------------- checks
def _check_table(table: str, df: pl.DataFrame) -> list[pl.DataFrame]:
    """Column-level checks of one typed table: nulls, codes, whitespace, duplicates."""
    out: list[pl.DataFrame] = []
    if df.height == 0:
        rule = "E106" if table in ("children", "placements") else "W106"
        out.append(problem(rule, table, f"table {table!r} has no rows"))
        return out
    for c in TABLES[table]:
        if c.name not in df.columns:
            continue
        col = pl.col(c.name)
        if not c.nullable:
            rule = "E104" if c.name in ("child_id", "placement_id") else "E105"
            out.append(
                _rows(
                    df,
                    col.is_null(),
                    rule,
                    table,
                    c.name,
                    None,
                    pl.lit(f"{c.name} is empty ({c.description})"),
                )
            )
        if c.name in ID_COLUMNS:
            # the same test as ``strip_chars() != col`` without building a stripped copy
            ws = col.str.contains(r"^\s|\s$")
            out.append(
                _rows(
                    df,
                    ws,
                    "W113",
                    table,
                    c.name,
                    col,
                    pl.format(
                        "{} = {} has leading or trailing whitespace", pl.lit(c.name), _repr(col)
                    ),
                )
            )
        codes = CODE_COLUMNS.get((table, c.name))
        if codes is not None:
            rule = {"sex": "E201", "setting": "E202", "end_reason": "E203", "origin": "E204"}[
                c.name
            ]
            allowed = ", ".join(codes)
            out.append(
                _rows(
                    df,
                    col.is_not_null() & ~col.is_in(list(codes)),
                    rule,
                    table,
                    c.name,
                    col,
                    pl.format(
                        "{} = {} is not one of: {}", pl.lit(c.name), _repr(col), pl.lit(allowed)
                    ),
                )
            )
    key = ID_KEYS.get(table)
    if key is not None and key in df.columns:
        out.append(repeated_id_rows(df, table))
    if table in ("events", "statuses"):
        cols = [c.name for c in TABLES[table] if c.name in df.columns]
        keyed = _repeat_candidates(df, cols).with_columns(
            pl.col(ROW).min().over(cols).alias("__first")
        )
        out.append(
            _rows(
                keyed,
                pl.col(ROW) != pl.col("__first"),
                "W303",
                table,
                None,
                None,
                pl.format("the row repeats row {}", pl.col("__first")),
            )
        )
    return out


ID_KEYS: dict[str, str] = {"children": "child_id", "placements": "placement_id"}
"""The id column that must not repeat in a table (E301 ``children``, E302 ``placements``)."""


def repeated_id_rows(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Problems E301 / E302: the rows of ``frame`` whose id repeats an earlier row.

    One implementation for both validations: :func:`validate_history` passes a whole table,
    :mod:`earlysignal.data.partition_validate` only the rows whose id hash repeats across
    partitions. ``frame`` needs the ``__row`` column and the table's id column
    (:data:`ID_KEYS`); the first row of an id is kept, every later one is a problem naming it.

    Parameters
    ----------
    frame : polars.DataFrame
        Rows of ``children`` or ``placements`` with their ``__row`` numbers.
    table : {"children", "placements"}
        Which table, choosing the id column and the rule (E301 or E302).

    Returns
    -------
    polars.DataFrame
        One problem a repeated row (``PROBLEM_SCHEMA``).

    Examples
    --------
    >>> df = pl.DataFrame({"__row": [1, 2, 3], "child_id": ["a", "b", "a"]})
    >>> p = repeated_id_rows(df, "children")
    >>> p.select("rule", "row", "message").rows()
    [('E301', 3, "child_id 'a' occurs more than once (first at row 1)")]
    """
    key = ID_KEYS[table]
    rule = "E301" if table == "children" else "E302"
    keyed = frame.with_columns(pl.col(ROW).min().over(key).alias("__first"))
    dup = pl.col(key).is_not_null() & (pl.col(ROW) != pl.col("__first"))
    return _rows(
        keyed,
        dup,
        rule,
        table,
        key,
        pl.col(key),
        pl.format(
            "{} {} occurs more than once (first at row {})",
            pl.lit(key),
            _repr(pl.col(key)),
            pl.col("__first"),
        ),
    )


def _repeat_candidates(df: pl.DataFrame, cols: Sequence[str]) -> pl.DataFrame:
    """The rows whose 64-bit row hash occurs more than once: a superset of the repeated rows.

    Grouping a hundred million events by every column would need a hash table of several
    gigabytes; sorting one ``u64`` hash per row needs about 16 bytes a row. The exact check
    (grouping by the columns) then runs on these candidates only.
    """
    h = df.select(cols).hash_rows(seed=0)
    ordered = h.sort()
    repeated = ordered.filter(ordered == ordered.shift(1)).unique()
    return df.filter(h.is_in(repeated.implode())) if repeated.len() else df.clear()


def _check_history(frames: Mapping[str, pl.DataFrame], observed_until: date) -> list[pl.DataFrame]:
    """Cross-table and time checks on typed frames that carry ``__row``."""
    out: list[pl.DataFrame] = []
    children = frames["children"]
    births = (
        children.filter(pl.col("child_id").is_not_null())
        .select("child_id", pl.col("birth_date").alias("__birth"))
        .unique("child_id", keep="first")
    )
    ou = pl.lit(observed_until, pl.Date())
    ou_txt = observed_until.isoformat()

    # after observed_until (every date column, every table)
    for table, df in frames.items():
        for c in TABLES[table]:
            if c.name in df.columns and isinstance(c.dtype, pl.Date):
                col = pl.col(c.name)
                out.append(
                    _rows(
                        df,
                        col > ou,
                        "E404",
                        table,
                        c.name,
                        col,
                        pl.format(
                            "{} {} is after observed_until {}", pl.lit(c.name), col, pl.lit(ou_txt)
                        ),
                    )
                )

    for table in ("placements", "events", "statuses"):
        if table not in frames or frames[table].height == 0:
            continue
        df = frames[table]
        known = pl.col("child_id").is_in(births["child_id"].implode())
        out.append(
            _rows(
                df,
                pl.col("child_id").is_not_null() & ~known,
                "E304",
                table,
                "child_id",
                pl.col("child_id"),
                pl.format(
                    "child {} has {} rows but is not in children",
                    _repr(pl.col("child_id")),
                    pl.lit(table),
                ),
            )
        )
        start = "date" if table == "events" else "start"
        j = df.select(ROW, "child_id", start).join(
            births, on="child_id", how="left", maintain_order="left"
        )
        out.append(
            _rows(
                j,
                pl.col(start) < pl.col("__birth"),
                "E403",
                table,
                start,
                pl.col(start),
                pl.format(
                    "{} {} is before the birth date {}",
                    pl.lit(start),
                    pl.col(start),
                    pl.col("__birth"),
                ),
            )
        )
        if table == "placements":
            age = pl.col("start").dt.year() - pl.col("__birth").dt.year()
            out.append(
                _rows(
                    j,
                    age > MAX_PLAUSIBLE_AGE_YEARS,
                    "W407",
                    table,
                    "start",
                    pl.col("start"),
                    pl.format("placement starts at about age {}", age),
                )
            )
        if table in ("placements", "statuses"):
            out.append(
                _rows(
                    df,
                    pl.col("end") < pl.col("start"),
                    "E401",
                    table,
                    "end",
                    pl.col("end"),
                    pl.format("end {} is before start {}", pl.col("end"), pl.col("start")),
                )
            )

    pl_df = frames["placements"]
    if pl_df.height:
        ended = pl.col("end").is_not_null()
        out.append(
            _rows(
                pl_df,
                ~ended & pl.col("end_reason").is_not_null(),
                "E405",
                "placements",
                "end_reason",
                pl.col("end_reason"),
                pl.format(
                    "placement {} has no end but end_reason {}",
                    _repr(pl.col("placement_id")),
                    _repr(pl.col("end_reason")),
                ),
            )
        )
        out.append(
            _rows(
                pl_df,
                ended & pl.col("end_reason").is_null(),
                "E406",
                "placements",
                "end_reason",
                None,
                pl.format(
                    "placement {} ended on {} without end_reason",
                    _repr(pl.col("placement_id")),
                    pl.col("end"),
                ),
            )
        )
        out.append(_overlaps(pl_df))
    st_df = frames.get("statuses")
    if st_df is not None and st_df.height:
        out.append(_status_overlaps(st_df))
        placed = pl_df["child_id"].drop_nulls().unique().implode()
        if children.height:
            out.append(
                _rows(
                    children,
                    pl.col("child_id").is_not_null() & ~pl.col("child_id").is_in(placed),
                    "W305",
                    "children",
                    "child_id",
                    pl.col("child_id"),
                    pl.format("child {} has no placement", _repr(pl.col("child_id"))),
                )
            )
    return out


def _overlap_frame(placements: pl.DataFrame) -> pl.DataFrame:
    """Non-temporary placements sorted per child with the previous one's end and row."""
    far = pl.lit(date(9999, 12, 31), pl.Date())
    return (
        placements.filter(
            ~pl.col("temporary").fill_null(False)
            & pl.col("child_id").is_not_null()
            & pl.col("start").is_not_null()
        )
        .sort("child_id", "start", ROW)
        .with_columns(
            pl.col("end").fill_null(far).cum_max().shift(1).over("child_id").alias("__prev_end"),
            pl.col(ROW).shift(1).over("child_id").alias("__prev_row"),
            pl.col("placement_id").shift(1).over("child_id").alias("__prev_id"),
        )
    )


def _overlaps(placements: pl.DataFrame) -> pl.DataFrame:
    s = _overlap_frame(placements)
    open_prev = pl.col("__prev_end") == pl.lit(date(9999, 12, 31), pl.Date())
    prev_end_txt = (
        pl.when(open_prev)
        .then(pl.lit("ongoing"))
        .otherwise(pl.format("ends {}", pl.col("__prev_end")))
    )
    return _rows(
        s,
        pl.col("start") < pl.col("__prev_end"),
        "E402",
        "placements",
        "start",
        pl.col("start"),
        pl.format(
            "placement {} starts {} while an earlier placement (latest: {} at row {}) {}",
            _repr(pl.col("placement_id")),
            pl.col("start"),
            _repr(pl.col("__prev_id")),
            pl.col("__prev_row"),
            prev_end_txt,
        ),
    )


def _status_overlaps(statuses: pl.DataFrame) -> pl.DataFrame:
    far = pl.lit(date(9999, 12, 31), pl.Date())
    keys = ["child_id", "kind"]
    s = (
        statuses.filter(pl.all_horizontal([pl.col(k).is_not_null() for k in [*keys, "start"]]))
        .sort(*keys, "start", ROW)
        .with_columns(
            pl.col("end").fill_null(far).cum_max().shift(1).over(keys).alias("__prev_end"),
            pl.col(ROW).shift(1).over(keys).alias("__prev_row"),
        )
    )
    return _rows(
        s,
        pl.col("start") < pl.col("__prev_end"),
        "W408",
        "statuses",
        "start",
        pl.col("start"),
        pl.format(
            "status {} = {} starts {} while the {} status at row {} still holds",
            pl.col("kind"),
            _repr(pl.col("value")),
            pl.col("start"),
            pl.col("kind"),
            pl.col("__prev_row"),
        ),
    )


def _with_rows(frames: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    return {
        k: (v if ROW in v.columns else v.with_row_index(ROW, offset=1)) for k, v in frames.items()
    }


def check_frames(
    frames: Mapping[str, pl.DataFrame], observed_until: date
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Coerce and check raw or typed tables; the engine behind :func:`validate_history`.

    ``frames`` maps table names to frames (``children`` and ``placements`` required, which may
    carry ``__row``). Returns the typed frames (with ``__row``) and all problems.
    """
    typed: dict[str, pl.DataFrame] = {}
    parts: list[pl.DataFrame] = []
    for name, df in _with_rows(frames).items():
        t, p = coerce_table(name, df)
        typed[name] = t
        parts.append(p)
    for name, df in typed.items():
        parts.extend(_check_table(name, df))
    parts.extend(_check_history(typed, observed_until))
    return typed, _dedupe(_concat(parts))


def _dedupe(problems: pl.DataFrame) -> pl.DataFrame:
    """Drop a null-value problem on a cell already reported as unreadable; order stably."""
    unreadable = problems.filter(pl.col("rule").is_in(["E102", "E103"])).select(
        "table", "row", "column"
    )
    nulls = pl.col("rule").is_in(["E104", "E105"])
    keep = problems.join(
        unreadable.with_columns(pl.lit(True).alias("__dup")),
        on=["table", "row", "column"],
        how="left",
        nulls_equal=False,
        maintain_order="left",
    )
    keep = keep.filter(~(nulls & pl.col("__dup").fill_null(False))).drop("__dup")
    order = {t: i for i, t in enumerate(("meta", "children", "placements", "events", "statuses"))}
    return (
        keep.with_columns(
            pl.col("table")
            .replace_strict(order, default=len(order), return_dtype=pl.Int64())
            .alias("__t")
        )
        .sort("__t", "row", "rule", nulls_last=False, maintain_order=True)
        .drop("__t")
    )


def _counts(frames: Mapping[str, pl.DataFrame]) -> dict[str, int]:
    return {name: frames[name].height if name in frames else 0 for name in TABLES}


def validate_history(history: CareHistory, strict: bool = False) -> ValidationReport:
    """Check every rule in ``RULES`` on a care history.

    Parameters
    ----------
    history
        The history to check. Its frames may have wrong dtypes (they are then reported).
    strict
        Raise :class:`DataValidationError` (carrying the report) when there is an error.

    Returns
    -------
    ValidationReport
        Row numbers are 1-based positions in the frames.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> from earlysignal.data import CareHistory
    >>> h = CareHistory.from_frames(
    ...     children=pl.DataFrame({"child_id": ["c1"], "birth_date": [date(2010, 5, 1)],
    ...                            "sex": ["F"]}),
    ...     placements=pl.DataFrame({"child_id": ["c1"], "placement_id": ["p1"],
    ...                              "start": [date(2020, 1, 1)], "end": [None],
    ...                              "setting": ["foster"], "end_reason": [None]}),
    ...     events=None, observed_until=date(2021, 1, 1))
    >>> validate_history(h).problems.select("rule", "row", "value").to_dicts()
    [{'rule': 'E201', 'row': 1, 'value': 'F'}, {'rule': 'W106', 'row': None, 'value': None}]
    """
    frames = history.tables()
    _, problems = check_frames(frames, history.observed_until)
    report = ValidationReport(problems=problems, checked=_counts(frames))
    return report.raise_if_invalid() if strict else report


# ---------------------------------------------------------------------------- repairs
def _exclude(
    frame: pl.DataFrame, mask: pl.Expr, repair: str, table: str, reason: pl.Expr
) -> tuple[pl.DataFrame, pl.DataFrame]:
    m = mask.fill_null(False)
    child = pl.col("child_id").cast(pl.String()) if "child_id" in frame.columns else pl.lit(None)
    log = frame.filter(m).select(
        pl.lit(repair).alias("repair"),
        pl.lit(table).alias("table"),
        pl.col(ROW).cast(pl.Int64()).alias("row"),
        child.cast(pl.String()).alias("child_id"),
        pl.lit(None, pl.String()).alias("column"),
        pl.lit("excluded").alias("action"),
        reason.cast(pl.String()).alias("old"),
        pl.lit(None, pl.String()).alias("new"),
    )
    return frame.filter(~m), log


def _change(  # noqa: PLR0917
    frame: pl.DataFrame, mask: pl.Expr, repair: str, table: str, column: str, new: pl.Expr
) -> tuple[pl.DataFrame, pl.DataFrame]:
    m = mask.fill_null(False)
    log = frame.filter(m).select(
        pl.lit(repair).alias("repair"),
        pl.lit(table).alias("table"),
        pl.col(ROW).cast(pl.Int64()).alias("row"),
        pl.col("child_id").cast(pl.String()).alias("child_id"),
        pl.lit(column).alias("column"),
        pl.lit("changed").alias("action"),
        pl.col(column).cast(pl.String()).alias("old"),
        new.cast(pl.String()).alias("new"),
    )
    return frame.with_columns(pl.when(m).then(new).otherwise(pl.col(column)).alias(column)), log


def apply_repairs(
    frames: dict[str, pl.DataFrame],
    problems: pl.DataFrame,
    observed_until: date,
    rules: Iterable[str],
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Apply the chosen repairs (in ``REPAIRS`` order) to typed frames carrying ``__row``.

    ``problems`` are the problems found before repairing (used by ``drop_invalid_rows`` to
    exclude rows with unreadable values). Returns the repaired frames and the repair log
    (``REPAIR_SCHEMA``).
    """
    chosen = set(rules)
    unknown = chosen - set(REPAIRS)
    if unknown:
        raise ValueError(
            f"unknown repair(s) {sorted(unknown)}; choose from {list(REPAIRS)} (see "
            "docs/validation.md)"
        )
    frames = dict(frames)
    logs: list[pl.DataFrame] = []
    if "strip_whitespace" in chosen:
        for table, frame in frames.items():
            df = frame
            for c in TABLES[table]:
                is_code = (table, c.name) in CODE_COLUMNS
                if c.name in df.columns and (c.name in ID_COLUMNS or is_code):
                    col = pl.col(c.name)
                    df, log = _change(
                        df,
                        col.str.strip_chars() != col,
                        "strip_whitespace",
                        table,
                        c.name,
                        col.str.strip_chars(),
                    )
                    logs.append(log)
            frames[table] = df
    if "drop_duplicate_rows" in chosen:
        for table, df in frames.items():
            cols = [c.name for c in TABLES[table] if c.name in df.columns]
            keyed = df.with_columns(pl.col(ROW).min().over(cols).alias("__first"))
            kept, log = _exclude(
                keyed,
                pl.col(ROW) != pl.col("__first"),
                "drop_duplicate_rows",
                table,
                pl.format("repeats row {}", pl.col("__first")),
            )
            frames[table] = kept.drop("__first")
            logs.append(log)
    if "drop_invalid_rows" in chosen:
        unreadable = problems.filter(
            pl.col("rule").is_in(["E102", "E103", "E114"]) & pl.col("row").is_not_null()
        )
        for table, df in frames.items():
            bad_rows = unreadable.filter(pl.col("table") == table)["row"].implode()
            required = [c.name for c in TABLES[table] if not c.nullable and c.name in df.columns]
            null_req = pl.any_horizontal([pl.col(n).is_null() for n in required])
            mask = pl.col(ROW).is_in(bad_rows) | null_req
            if table in ("placements", "statuses"):
                mask = mask | (pl.col("end") < pl.col("start"))
            frames[table], log = _exclude(
                df,
                mask,
                "drop_invalid_rows",
                table,
                pl.lit("unreadable, empty required value or end < start"),
            )
            logs.append(log)
    if "drop_orphans" in chosen:
        ids = frames["children"]["child_id"].drop_nulls().implode()
        for table in ("placements", "events", "statuses"):
            if table in frames:
                frames[table], log = _exclude(
                    frames[table],
                    ~pl.col("child_id").is_in(ids),
                    "drop_orphans",
                    table,
                    pl.lit("child not in children"),
                )
                logs.append(log)
    if "censor_after_observed" in chosen:
        ou = pl.lit(observed_until, pl.Date())
        for table, start in (("placements", "start"), ("events", "date"), ("statuses", "start")):
            if table not in frames:
                continue
            frames[table], log = _exclude(
                frames[table],
                pl.col(start) > ou,
                "censor_after_observed",
                table,
                pl.lit(f"starts after {observed_until}"),
            )
            logs.append(log)
        for table in ("placements", "statuses"):
            if table not in frames:
                continue
            df = frames[table]
            late = pl.col("end") > ou
            if table == "placements":
                df, log = _change(
                    df,
                    late,
                    "censor_after_observed",
                    table,
                    "end_reason",
                    pl.lit(None, pl.String()),
                )
                logs.append(log)
                df = df.with_columns(
                    pl.when(late)
                    .then(None)
                    .otherwise(pl.col("end_reason_detail"))
                    .alias("end_reason_detail")
                )
            df, log = _change(
                df, late, "censor_after_observed", table, "end", pl.lit(None, pl.Date())
            )
            logs.append(log)
            frames[table] = df
    if "trim_overlaps" in chosen:
        frames["placements"], log = _trim_overlaps(frames["placements"])
        logs.append(log)
    log_parts = [x for x in logs if x.height]
    repairs = pl.concat(log_parts) if log_parts else pl.DataFrame(schema=REPAIR_SCHEMA)
    return frames, repairs.cast(REPAIR_SCHEMA)  # type: ignore[arg-type]


def _trim_overlaps(placements: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """End each non-temporary placement on the day the next one of the child starts."""
    logs: list[pl.DataFrame] = []
    df = placements
    for _ in range(100):  # each pass resolves the first overlap of every chain
        s = _overlap_frame(df).filter(pl.col("start") < pl.col("__prev_end"))
        if s.height == 0:
            break
        fix = s.select(pl.col("__prev_row").alias(ROW), pl.col("start").alias("__new_end"))
        fix = fix.group_by(ROW).agg(pl.col("__new_end").min())
        j = df.join(fix, on=ROW, how="left", maintain_order="left")
        hit = pl.col("__new_end").is_not_null()
        j, log_end = _change(j, hit, "trim_overlaps", "placements", "end", pl.col("__new_end"))
        j, log_reason = _change(
            j,
            hit & pl.col("end_reason").is_null(),
            "trim_overlaps",
            "placements",
            "end_reason",
            pl.lit("other"),
        )
        logs += [log_end, log_reason]
        df = j.drop("__new_end")
    parts = [x for x in logs if x.height]
    log = pl.concat(parts) if parts else pl.DataFrame(schema=REPAIR_SCHEMA)
    return df, log


def repair_frames(
    frames: Mapping[str, pl.DataFrame],
    problems: pl.DataFrame,
    observed_until: date,
    rules: Iterable[str],
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame, pl.DataFrame]:
    """Repair typed frames and re-check them.

    Returns the repaired frames, the remaining problems (reading problems on excluded rows are
    removed: they are in the repair log) and the repair log.
    """
    repaired, log = apply_repairs(dict(frames), problems, observed_until, rules)
    _, after = check_frames(repaired, observed_until)
    # reading-level problems (which the re-check cannot see) survive unless their row is gone
    reading = problems.filter(
        pl.col("rule").is_in(
            ["E102", "E103", "E110", "W109", "W111", "E112", "E114", "W115", "E116", "E117", "E118"]
        )
    )
    excluded = log.filter(pl.col("action") == "excluded").select("table", "row")
    reading = reading.join(excluded, on=["table", "row"], how="anti", maintain_order="left")
    seen = after.select("rule", "table", "row", "column")
    reading = reading.join(
        seen,
        on=["rule", "table", "row", "column"],
        how="anti",
        nulls_equal=True,
        maintain_order="left",
    )
    return repaired, _dedupe(_concat([reading, after])), log


def repair_history(
    history: CareHistory, rules: Iterable[str] = tuple(REPAIRS)
) -> tuple[CareHistory, ValidationReport]:
    """Apply opt-in repairs and validate the result; every change is logged in the report.

    Parameters
    ----------
    history
        The history to repair (not modified).
    rules
        Names from ``REPAIRS`` (all by default), applied in ``REPAIRS`` order:
        ``strip_whitespace``, ``drop_duplicate_rows``, ``drop_invalid_rows``, ``drop_orphans``,
        ``censor_after_observed``, ``trim_overlaps``.

    Returns
    -------
    (CareHistory, ValidationReport)
        The repaired history and the report of what remains, whose ``repairs`` frame holds one
        row per changed cell or excluded row (row numbers refer to the input).

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> from earlysignal.data import CareHistory
    >>> h = CareHistory.from_frames(
    ...     children=pl.DataFrame({"child_id": ["c1"], "birth_date": [date(2010, 5, 1)],
    ...                            "sex": ["male"]}),
    ...     placements=pl.DataFrame({"child_id": ["c1", "c9"], "placement_id": ["p1", "p2"],
    ...                              "start": [date(2020, 1, 1)] * 2, "end": [None, None],
    ...                              "setting": ["foster"] * 2, "end_reason": [None, None]}),
    ...     events=None, observed_until=date(2021, 1, 1))
    >>> fixed, report = repair_history(h, rules=["drop_orphans"])
    >>> fixed.placements.height, report.repair_counts().row(0)
    (1, ('drop_orphans', 'placements', 'excluded', 1))
    """
    frames = _with_rows(history.tables())
    typed, problems = check_frames(frames, history.observed_until)
    repaired, remaining, log = repair_frames(typed, problems, history.observed_until, rules)
    out = _to_history(history, repaired)
    report = ValidationReport(problems=remaining, checked=_counts(frames), repairs=log)
    return out, report


def _to_history(template: CareHistory, frames: Mapping[str, pl.DataFrame]) -> CareHistory:
    def strip(name: str) -> pl.DataFrame:
        return frames[name].drop(ROW, strict=False)

    return replace(
        template,
        children=strip("children"),
        placements=strip("placements"),
        events=strip("events"),
        statuses=strip("statuses") if "statuses" in frames else None,
    )
