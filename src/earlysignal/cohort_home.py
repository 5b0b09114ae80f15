"""Prediction times for children at home: :class:`AtHomeSchedule` (issue 20).

A regular calendar grid of prediction times while a measure or youth care at home runs and
the child has never been placed: the design of the ``entry`` outcome
(:mod:`earlysignal.outcomes_home`). Children placed use :class:`earlysignal.cohort.Schedule`
(every grid date while a placement is in effect), the design of ``return_home`` and
``stable_return``.

Examples
--------
>>> from datetime import date
>>> from earlysignal.data import example_history
>>> from earlysignal.cohort import prediction_times
>>> h = example_history(
...     {"start": date(2020, 8, 1)},
...     statuses={"kind": "measure", "value": "ots", "start": date(2020, 1, 15)},
...     observed_until=date(2021, 1, 1))
>>> d = AtHomeSchedule(every_days=91, anchor=date(2020, 1, 1))
>>> prediction_times(h, d)["prediction_time"].to_list()
[datetime.date(2020, 4, 1), datetime.date(2020, 7, 1)]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

__all__ = ["AtHomeSchedule"]


@dataclass(frozen=True, slots=True)
class AtHomeSchedule:
    """Grid dates ``anchor + n * every_days`` while a child is at home under a measure.

    A grid date ``t`` is kept when a ``statuses`` row of kind ``measure`` or ``youth_care``
    is in force at ``t`` (``start < t`` and ``end`` null or ``end >= t``) and no
    non-temporary placement of the child starts before ``t`` (never placed: the ``entry``
    risk set). ``start`` and ``end`` bound the period (inclusive; default: the statuses'
    first start to ``observed_until``).
    """

    every_days: int = 91
    anchor: date = date(2000, 1, 1)
    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        if self.every_days < 1:
            raise ValueError(
                f"AtHomeSchedule.every_days must be a positive number of days, got "
                f"{self.every_days}; use for example 91 for quarterly prediction times"
            )


def at_home_times(history: object, design: AtHomeSchedule) -> tuple[pl.DataFrame, dict[str, int]]:
    """The grid of :class:`AtHomeSchedule` (``TIME_COLUMNS``; placement columns null)."""
    from earlysignal.cohort import TIME_COLUMNS
    from earlysignal.data.history import CareHistory
    from earlysignal.outcomes_home import MEASURE_KINDS

    assert isinstance(history, CareHistory)
    if history.statuses is None:
        raise ValueError(
            "AtHomeSchedule: the history has no statuses table; children at home are found by "
            f"statuses of kind {' or '.join(map(repr, MEASURE_KINDS))}: add them"
        )
    ou = history.observed_until
    hi = min(ou, design.end) if design.end else ou
    a, e = design.anchor, design.every_days
    first = (
        history.placements.filter(~pl.col("temporary").fill_null(False))
        .group_by("child_id")
        .agg(pl.col("start").min().alias("_first"))
    )
    meas = history.statuses.filter(pl.col("kind").is_in(list(MEASURE_KINDS)))
    lo_t = pl.col("start") + pl.duration(days=1)  # t > start
    if design.start is not None:
        lo_t = pl.max_horizontal(lo_t, pl.lit(design.start))
    hi_t = pl.min_horizontal(pl.col("end").fill_null(pl.lit(hi)), pl.lit(hi))  # t <= end
    n_lo = ((lo_t - pl.lit(a)).dt.total_days() + e - 1) // e
    n_hi = (hi_t - pl.lit(a)).dt.total_days() // e
    grid = (
        meas.select(
            "child_id",
            pl.int_ranges(n_lo, pl.max_horizontal(n_hi + 1, n_lo)).alias("_n"),
        )
        .explode("_n", empty_as_null=False, keep_nulls=False)
        .with_columns((pl.lit(a) + pl.duration(days=pl.col("_n") * e)).alias("prediction_time"))
        .join(first, on="child_id", how="left")
    )
    placed = pl.col("_first").is_not_null() & (pl.col("_first") < pl.col("prediction_time"))
    n_placed = int(grid.select(placed.sum()).item())
    out = (
        grid.filter(~placed)
        .unique(subset=["child_id", "prediction_time"], keep="first")
        .select(
            "child_id",
            "prediction_time",
            pl.lit(None, pl.String).alias("placement_id"),
            pl.lit(None, pl.Date).alias("placement_start"),
            pl.lit(None, pl.String).alias("setting"),
        )
    )
    return out.select(TIME_COLUMNS), {"placed_before": n_placed}
