"""Prediction times and the placement in effect at each of them.

A *prediction time* ``t`` is a date at which a risk is estimated for a child: features use
only what was known strictly before ``t`` and outcomes what happens in ``(t, t + horizon]``
(see ``docs/architecture.md``, "Time"). This module builds frames of prediction times for the
common study designs, each a small frozen dataclass:

- :class:`Schedule`: a regular calendar grid (``anchor + n * every_days``), kept while the child
  is in care (a non-temporary placement in effect).
- :class:`AfterPlacementStart`: fixed days after the start of every non-temporary placement,
  kept while that placement is still in effect.
- :class:`YearEnds`: one date a year (31 March by default, England's statistics), kept for
  children in care on that day unless ``in_care_only=False``.
- :class:`UserTimes`: the user's own ``(child_id, prediction_time)`` frame, kept whole; rows
  with no placement in effect keep a null placement.

It also offers the care-episode structure every later module shares
(:func:`placement_timeline`, defined in :mod:`earlysignal.data.timeline` so that
``indicators`` can use it too): episodes, moves and re-entries.

Examples
--------
>>> from datetime import date
>>> from earlysignal.data import example_history
>>> h = example_history({"start": date(2020, 1, 1)}, observed_until=date(2021, 1, 1))
>>> prediction_times(h, AfterPlacementStart(days=(30, 90)))["prediction_time"].to_list()
[datetime.date(2020, 1, 31), datetime.date(2020, 3, 31)]
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import TypeAlias

import polars as pl

from earlysignal.cohort_home import AtHomeSchedule
from earlysignal.data.history import CareHistory
from earlysignal.data.timeline import placement_timeline

__all__ = [
    "AfterPlacementStart",
    "CohortReport",
    "Design",
    "Schedule",
    "UserTimes",
    "YearEnds",
    "age_group",
    "attach_placement",
    "placement_timeline",
    "prediction_times",
    "prediction_times_with_report",
]

log = logging.getLogger(__name__)

TIME_COLUMNS: tuple[str, ...] = (
    "child_id",
    "prediction_time",
    "placement_id",
    "placement_start",
    "setting",
)
"""Columns every prediction-time frame starts with."""


# ---------------------------------------------------------------------------- designs
@dataclass(frozen=True, slots=True)
class Schedule:
    """A regular calendar grid of prediction times while a child is in care.

    Parameters
    ----------
    every_days
        Days between two grid dates (91 is about a quarter).
    anchor
        A grid date; the grid is ``anchor + n * every_days`` for every integer ``n``, the same
        calendar for every child.
    start, end
        Optional study period (inclusive); by default from the first placement start to
        ``observed_until``.

    A grid date is kept for a child when a non-temporary placement is in effect at it (``start
    < t`` and ``end`` null or ``end > t``); grid dates outside care produce no row (nothing
    dropped: they were never rows).
    """

    every_days: int = 91
    anchor: date = date(2000, 1, 1)
    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        if self.every_days < 1:
            raise ValueError(
                f"Schedule.every_days must be a positive number of days, got {self.every_days}; "
                "use for example 91 for quarterly prediction times"
            )


@dataclass(frozen=True, slots=True)
class AfterPlacementStart:
    """Prediction times at fixed days after the start of every non-temporary placement.

    Parameters
    ----------
    days
        Days after the placement start (``t = start + d``), each at least 1.

    A time is kept when the placement is still in effect at it (``end`` null or ``end > t``)
    and ``t <= observed_until``; the others are dropped and counted in the report
    (``placement_ended``, ``after_observed_until``).
    """

    days: tuple[int, ...] = (30, 90)

    def __post_init__(self) -> None:
        bad = [d for d in self.days if d < 1]
        if not self.days or bad:
            raise ValueError(
                f"AfterPlacementStart.days must be positive day offsets, got {self.days!r}; "
                "a time on the start day itself would know nothing of the placement"
            )


@dataclass(frozen=True, slots=True)
class YearEnds:
    """One prediction time a year, on the same calendar day (31 March by default).

    Parameters
    ----------
    month, day
        The calendar day (England's children-looked-after statistics use 31 March).
    in_care_only
        Keep only children with a non-temporary placement in effect on that day (the DfE
        population). With ``False`` every child with a placement started before the day gets a
        row, with a null placement when out of care.
    first_year, last_year
        Optional range of years; by default from the first placement to ``observed_until``.
    """

    month: int = 3
    day: int = 31
    in_care_only: bool = True
    first_year: int | None = None
    last_year: int | None = None

    def __post_init__(self) -> None:
        try:
            date(2001, self.month, self.day)
        except ValueError as exc:
            raise ValueError(
                f"YearEnds(month={self.month}, day={self.day}) is not a calendar day in every "
                "year; choose a day that exists every year (29 February does not)"
            ) from exc


@dataclass(frozen=True, eq=False)
class UserTimes:
    """A user's own prediction times: a frame with ``child_id`` and ``prediction_time``.

    Other columns are kept. Exact duplicate keys are dropped and counted; children unknown to
    the history or times after ``observed_until`` raise an error. Rows with no placement in
    effect stay, with null placement columns.
    """

    frame: pl.DataFrame


Design: TypeAlias = Schedule | AfterPlacementStart | YearEnds | UserTimes | AtHomeSchedule


@dataclass(frozen=True, slots=True)
class CohortReport:
    """What a design produced and what it dropped.

    Attributes
    ----------
    design
        ``repr`` of the design (for a user frame, its class name and size).
    rows, children
        Rows and distinct children in the output.
    without_placement
        Output rows with no non-temporary placement in effect (null ``placement_id``).
    dropped
        Candidate rows not kept, by reason.
    """

    design: str
    rows: int
    children: int
    without_placement: int
    dropped: dict[str, int] = field(default_factory=dict)


def attach_placement(history: CareHistory, times: pl.DataFrame) -> pl.DataFrame:
    """Add the non-temporary placement in effect at each prediction time.

    The placement in effect at ``t`` has ``start < t`` and (``end`` null or ``end > t``), as
    recorded at extraction (``docs/architecture.md``); a placement ending on ``t`` is not in
    effect. Existing ``placement_id``, ``placement_start`` and ``setting`` columns are replaced.

    Returns
    -------
    pl.DataFrame
        ``times`` (all rows, other columns kept) with ``placement_id``, ``placement_start`` and
        ``setting`` (null when out of care) after the keys, sorted by (``child_id``,
        ``prediction_time``).

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> from earlysignal.data import example_history
    >>> h = example_history(
    ...     {"start": date(2020, 1, 1), "end": date(2020, 6, 1), "end_reason": "planned"},
    ...     observed_until=date(2021, 1, 1))
    >>> t = pl.DataFrame({"child_id": ["a", "a"],
    ...                   "prediction_time": [date(2020, 3, 1), date(2020, 6, 1)]})
    >>> attach_placement(h, t)["placement_id"].to_list()
    ['p1', None]
    """
    _check_time_columns(times)
    base = times.drop(
        [c for c in ("placement_id", "placement_start", "setting") if c in times.columns]
    ).with_columns(pl.col("prediction_time").cast(pl.Date))
    p = (
        history.placements.filter(~pl.col("temporary").fill_null(False))
        .select(
            "child_id",
            "placement_id",
            pl.col("start").alias("placement_start"),
            pl.col("end").alias("_end"),
            "setting",
        )
        .sort("placement_start")
    )
    joined = base.sort("prediction_time").join_asof(
        p,
        left_on="prediction_time",
        right_on="placement_start",
        by="child_id",
        strategy="backward",
        allow_exact_matches=False,
        check_sortedness=False,
    )
    in_effect = pl.col("_end").is_null() | (pl.col("_end") > pl.col("prediction_time"))
    cols = ["placement_id", "placement_start", "setting"]
    joined = joined.with_columns(
        [pl.when(in_effect).then(pl.col(c)).otherwise(None).alias(c) for c in cols]
    ).drop("_end")
    rest = [c for c in base.columns if c not in ("child_id", "prediction_time")]
    return joined.select("child_id", "prediction_time", *cols, *rest).sort(
        "child_id", "prediction_time", maintain_order=True
    )


def _check_time_columns(times: pl.DataFrame) -> None:
    missing = [c for c in ("child_id", "prediction_time") if c not in times.columns]
    if missing:
        raise KeyError(
            f"prediction-time frame lacks column(s) {missing}; it needs child_id (str) and "
            "prediction_time (date), e.g. from earlysignal.cohort.prediction_times"
        )


# ---------------------------------------------------------------------------- designs
def _day(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def _schedule(history: CareHistory, design: Schedule) -> tuple[pl.DataFrame, dict[str, int]]:
    p = history.placements.filter(~pl.col("temporary").fill_null(False))
    ou = _day(history.observed_until)
    lo_bound = _day(design.start) if design.start else None
    hi_bound = min(ou, _day(design.end)) if design.end else ou
    a, e = _day(design.anchor), design.every_days
    s = pl.col("start").cast(pl.Int64)
    # times t in (start, end) ∩ [lo, hi]: t > start, t < end (end null: t <= hi)
    first_t = s + 1 if lo_bound is None else pl.max_horizontal(s + 1, pl.lit(lo_bound))
    last_t = pl.min_horizontal(
        pl.col("end").cast(pl.Int64).fill_null(hi_bound + 1) - 1, pl.lit(hi_bound)
    )
    n_lo = (first_t - a + e - 1) // e  # ceil((first_t - a) / e)
    n_hi = (last_t - a) // e  # floor
    grid = (
        p.select(
            "child_id",
            "placement_id",
            pl.col("start").alias("placement_start"),
            "setting",
            pl.int_ranges(n_lo, pl.max_horizontal(n_hi + 1, n_lo)).alias("_n"),
        )
        .explode("_n", empty_as_null=False, keep_nulls=False)
        .with_columns((pl.col("_n") * e + a).cast(pl.Int32).cast(pl.Date).alias("prediction_time"))
        .drop("_n")
    )
    return grid.select(TIME_COLUMNS), {}


def _after_start(
    history: CareHistory, design: AfterPlacementStart
) -> tuple[pl.DataFrame, dict[str, int]]:
    p = history.placements.filter(~pl.col("temporary").fill_null(False))
    cand = p.select(
        "child_id",
        "placement_id",
        pl.col("start").alias("placement_start"),
        "setting",
        "end",
        pl.lit(list(design.days), dtype=pl.List(pl.Int64)).alias("_d"),
    ).explode("_d")
    cand = cand.with_columns(
        (pl.col("placement_start") + pl.duration(days=pl.col("_d"))).alias("prediction_time")
    )
    ended = pl.col("end").is_not_null() & (pl.col("end") <= pl.col("prediction_time"))
    late = pl.col("prediction_time") > history.observed_until
    counts = cand.select(
        ended.sum().alias("placement_ended"), (~ended & late).sum().alias("after_observed_until")
    ).row(0, named=True)
    kept = cand.filter(~ended & ~late).select(TIME_COLUMNS)
    return kept, {k: int(v) for k, v in counts.items()}


def _year_ends(history: CareHistory, design: YearEnds) -> tuple[pl.DataFrame, dict[str, int]]:
    p = history.placements.filter(~pl.col("temporary").fill_null(False))
    if p.height == 0:
        return pl.DataFrame(schema=_time_schema()), {}
    first_start = p["start"].min()
    assert isinstance(first_start, date)
    y0 = design.first_year if design.first_year is not None else first_start.year
    y1 = design.last_year if design.last_year is not None else history.observed_until.year
    days = [date(y, design.month, design.day) for y in range(y0, y1 + 1)]
    days = [d for d in days if d <= history.observed_until]
    per_child = p.group_by("child_id").agg(pl.col("start").min().alias("_first"))
    cand = (
        per_child.join(
            pl.DataFrame({"prediction_time": days}, schema={"prediction_time": pl.Date}),
            how="cross",
        )
        .filter(pl.col("_first") < pl.col("prediction_time"))
        .select("child_id", "prediction_time")
    )
    out = attach_placement(history, cand)
    dropped: dict[str, int] = {}
    if design.in_care_only:
        n0 = out.height
        out = out.filter(pl.col("placement_id").is_not_null())
        dropped["out_of_care"] = n0 - out.height
    return out.select(TIME_COLUMNS), dropped


def _user_times(history: CareHistory, design: UserTimes) -> tuple[pl.DataFrame, dict[str, int]]:
    frame = design.frame
    _check_time_columns(frame)
    frame = frame.with_columns(
        pl.col("child_id").cast(pl.String), pl.col("prediction_time").cast(pl.Date)
    )
    nulls = frame.filter(pl.col("child_id").is_null() | pl.col("prediction_time").is_null())
    if nulls.height:
        raise ValueError(
            f"UserTimes: {nulls.height} row(s) have a null child_id or prediction_time; "
            "every prediction time needs both: drop or fill those rows"
        )
    unknown = frame.join(history.children.select("child_id"), on="child_id", how="anti")
    if unknown.height:
        sample = unknown["child_id"].unique().sort().head(5).to_list()
        raise ValueError(
            f"UserTimes: {unknown['child_id'].n_unique()} child_id(s) are not in the history's "
            f"children table, e.g. {sample}; use times of children in the history"
        )
    late = frame.filter(pl.col("prediction_time") > history.observed_until)
    if late.height:
        raise ValueError(
            f"UserTimes: {late.height} prediction time(s) fall after observed_until "
            f"{history.observed_until} (e.g. child {late['child_id'][0]!r} at "
            f"{late['prediction_time'][0]}); nothing is known there: use earlier times"
        )
    n0 = frame.height
    frame = frame.unique(subset=["child_id", "prediction_time"], keep="first", maintain_order=True)
    return attach_placement(history, frame), {"duplicate_keys": n0 - frame.height}


def _time_schema() -> dict[str, pl.DataType]:
    return {
        "child_id": pl.String(),
        "prediction_time": pl.Date(),
        "placement_id": pl.String(),
        "placement_start": pl.Date(),
        "setting": pl.String(),
    }


def prediction_times_with_report(
    history: CareHistory, design: Design
) -> tuple[pl.DataFrame, CohortReport]:
    """Build prediction times for a design and report what was produced and dropped.

    See :func:`prediction_times` for the output columns.

    Examples
    --------
    >>> from datetime import date
    >>> from earlysignal.data import example_history
    >>> h = example_history(
    ...     {"start": date(2020, 1, 1), "end": date(2020, 2, 15), "end_reason": "planned"},
    ...     observed_until=date(2021, 1, 1))
    >>> times, report = prediction_times_with_report(h, AfterPlacementStart(days=(30, 90)))
    >>> times.height, report.dropped
    (1, {'placement_ended': 1, 'after_observed_until': 0})
    """
    if isinstance(design, Schedule):
        out, dropped = _schedule(history, design)
        label = repr(design)
    elif isinstance(design, AfterPlacementStart):
        out, dropped = _after_start(history, design)
        label = repr(design)
    elif isinstance(design, YearEnds):
        out, dropped = _year_ends(history, design)
        label = repr(design)
    elif isinstance(design, UserTimes):
        out, dropped = _user_times(history, design)
        label = f"UserTimes(frame of {design.frame.height} rows)"
    elif isinstance(design, AtHomeSchedule):  # children at home (earlysignal.cohort_home)
        from earlysignal.cohort_home import at_home_times

        out, dropped = at_home_times(history, design)
        label = repr(design)
    else:
        raise TypeError(
            f"unknown prediction-time design {design!r}; use Schedule, AfterPlacementStart, "
            "YearEnds or UserTimes from earlysignal.cohort, or AtHomeSchedule from "
            "earlysignal.cohort_home"
        )
    out = out.sort("child_id", "prediction_time", maintain_order=True)
    report = CohortReport(
        design=label,
        rows=out.height,
        children=out["child_id"].n_unique(),
        without_placement=out["placement_id"].null_count(),
        dropped=dropped,
    )
    log.info("prediction times: %s", report)
    return out, report


def prediction_times(history: CareHistory, design: Design | None = None) -> pl.DataFrame:
    """Prediction times for a study design, each with the placement in effect.

    Parameters
    ----------
    history
        The care histories.
    design
        :class:`Schedule` (default: every 91 days while in care), :class:`AfterPlacementStart`,
        :class:`YearEnds` or :class:`UserTimes`.

    Returns
    -------
    pl.DataFrame
        ``child_id`` (String), ``prediction_time`` (Date), ``placement_id`` (the non-temporary
        placement in effect at ``t``, null if none), ``placement_start`` (Date), ``setting``
        (String), then any extra columns of a user frame; sorted by (``child_id``,
        ``prediction_time``), one row per key. What was dropped is logged at INFO; use
        :func:`prediction_times_with_report` to get it.

    Examples
    --------
    >>> from datetime import date
    >>> from earlysignal.data import example_history
    >>> h = example_history({"start": date(2020, 1, 1)}, observed_until=date(2021, 1, 1))
    >>> prediction_times(h, YearEnds())["prediction_time"].to_list()
    [datetime.date(2020, 3, 31)]
    >>> prediction_times(h, Schedule(every_days=120, anchor=date(2020, 1, 1))).height
    3
    """
    return prediction_times_with_report(history, design or Schedule())[0]


def age_group(at: str = "prediction_time") -> pl.Expr:
    """The child's age band at a time (``0-11``, ``12-15``, ``16+``), for audits and monitoring.

    Age is ``(at - birth_date)`` in days over 365.25; the bands are those of the fairness audit
    (``[fairness] attributes = ["age_group", ...]``) and of the monitor's subgroups. One
    expression so that the audit of a study and the monitoring of its model group children
    alike.

    Parameters
    ----------
    at : str
        The date column the age is taken at; the frame also needs ``birth_date``.

    Returns
    -------
    polars.Expr
        A String expression named ``age_group``.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> t = [date(2021, 6, 1), date(2023, 6, 1), date(2026, 6, 1)]
    >>> f = pl.DataFrame({"birth_date": [date(2010, 1, 1)] * 3, "prediction_time": t})
    >>> f.select(age_group())["age_group"].to_list()
    ['0-11', '12-15', '16+']
    """
    age = (pl.col(at) - pl.col("birth_date")).dt.total_days() / 365.25
    return (
        pl.when(age < 12)
        .then(pl.lit("0-11"))
        .when(age < 16)
        .then(pl.lit("12-15"))
        .otherwise(pl.lit("16+"))
        .alias("age_group")
    )
