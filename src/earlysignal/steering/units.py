"""Placements a comparison looks at: unit, outcomes, case mix; measures per unit.

One row per non-temporary placement that **starts in the period** (the last ``spec.years``
years up to ``observed_until``): a cohort of placement starts, so no unit is judged on
placements it took over half-way. Follow-up runs from the start to the end, or to
``observed_until`` while ongoing (then nothing is counted as happened: censored, not "no").

The case mix of a placement is what the child brings at its start, known by the end of the
start day (the rule "strictly before t" with ``t`` = the day after the start, so that the
ending of the previous placement on the move day is known): age, earlier placements, earlier
unplanned endings, moves in the current care episode, time since the first placement, the
setting of this placement, and recorded incidents, missing episodes, police contacts and
crises in the year before. Nothing that belongs to the unit (its id, its region, its other
children) enters.

Examples
--------
>>> from datetime import date
>>> from earlysignal.data import example_history
>>> h = example_history(
...     {"start": [date(2020, 1, 1), date(2020, 6, 1)], "end": [date(2020, 6, 1), None],
...      "setting": ["foster", "residential"], "end_reason": ["breakdown", None],
...      "provider_id": ["A", "B"]},
...     observed_until=date(2021, 6, 1))
>>> t = placement_table(h, SteeringSpec(by="provider"))
>>> t.select("unit", "breakdown", "moves", "prior_unplanned").rows()
[('A', 1, 1, 0), ('B', 0, 0, 1)]
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.indicators.report import care_timeline
from earlysignal.steering.spec import UNIT_KINDS, SteeringError, SteeringSpec

__all__ = [
    "CASE_MIX_COLUMNS",
    "COUNT_COLUMNS",
    "EVENT_COUNTS",
    "EVENT_KINDS",
    "period_start",
    "placement_table",
    "unit_measures",
    "unit_members",
]

EVENT_KINDS: tuple[str, ...] = ("incident", "missing", "police_contact", "crisis")
"""Recorded events counted in the year before a placement start (case mix)."""

CASE_MIX_COLUMNS: tuple[str, ...] = (
    "age",
    "prior_placements",
    "prior_unplanned",
    "episode_moves",
    "log_days_in_care",
    *(f"events_{k}" for k in EVENT_KINDS),
    "setting",
)
"""Case-mix columns of :func:`placement_table` (``setting`` is categorical)."""

COUNT_COLUMNS: tuple[str, ...] = (
    "prior_placements",
    "prior_unplanned",
    "episode_moves",
    *(f"events_{k}" for k in EVENT_KINDS),
)
"""Case-mix columns that are counts: the case-mix model takes them as ``log(1 + count)``."""

UNPLANNED = ("breakdown", "provider_ended")

EVENT_COUNTS: tuple[str, ...] = (
    "breakdown",
    "provider_ended",
    "unplanned",
    "moves",
    "return_home",
    "carousel",
)
"""Outcome columns of :func:`placement_table` counted per unit (placements with the event)."""


def period_start(end: date, years: int) -> date:
    """First day of the period of ``years`` years ending on ``end`` (``observed_until``).

    Examples
    --------
    >>> period_start(date(2024, 3, 31), 3)
    datetime.date(2021, 4, 1)
    """
    try:
        return end.replace(year=end.year - years) + timedelta(days=1)
    except ValueError:  # 29 February
        return end.replace(year=end.year - years, day=28) + timedelta(days=1)


def _units(history: CareHistory, spec: SteeringSpec, p: pl.DataFrame) -> pl.DataFrame:
    table, col = UNIT_KINDS[spec.by]
    frame = history.placements if table == "placements" else history.children
    if col not in frame.columns:
        raise SteeringError(
            f"[steer.unit_missing] table {table!r} has no column {col!r}, needed for "
            f"--by {spec.by}; add the column (one value per row) or choose another --by"
        )
    if table == "placements":
        units = frame.select("placement_id", pl.col(col).cast(pl.String).alias("unit"))
        out = p.join(units, on="placement_id", how="left")
    else:
        units = frame.select("child_id", pl.col(col).cast(pl.String).alias("unit"))
        out = p.join(units, on="child_id", how="left")
    out = out.with_columns(pl.col("unit").str.strip_chars().replace("", None))
    if out.height and out["unit"].null_count() == out.height:
        raise SteeringError(
            f"[steer.unit_empty] column {col!r} of {table!r} is empty for every placement "
            f"starting in the period; fill it in (e.g. from the source's {col}) or choose "
            "another --by"
        )
    return out


def placement_table(history: CareHistory, spec: SteeringSpec) -> pl.DataFrame:
    """Placements starting in the period with unit, follow-up, outcomes and case mix.

    Parameters
    ----------
    history
        A canonical care history.
    spec
        The comparison (unit kind and period).

    Returns
    -------
    polars.DataFrame
        ``child_id``, ``placement_id``, ``unit`` (null when the source gives none: counted
        by :func:`unit_measures`' caller), ``start``, ``setting``, ``days`` (follow-up, >= 0),
        outcome counts ``breakdown``, ``provider_ended``, ``unplanned``, ``moves``,
        ``return_home`` (0/1), ``next_setting`` and ``next_days`` (the placement moved on to,
        when ``moves``), ``carousel`` (2+ moves of the child within 365 days after the
        start; null when the year is not fully observed and fewer happened), and the
        :data:`CASE_MIX_COLUMNS`.

    Raises
    ------
    SteeringError
        ``steer.unit_missing`` / ``steer.unit_empty`` when the unit column is absent or empty.
    """
    ou = history.observed_until
    lo = period_start(ou, spec.years)
    tl = care_timeline(history)
    nxt_move = pl.col("move").shift(-1).over("child_id").fill_null(False)
    unpl = pl.col("end_reason").is_in(list(UNPLANNED)).fill_null(False)
    tl = tl.with_columns(
        nxt_move.alias("_moved_on"),
        (pl.int_range(pl.len()).over("child_id")).alias("prior_placements"),
        (unpl.cast(pl.Int64).cum_sum().over("child_id") - unpl.cast(pl.Int64)).alias(
            "prior_unplanned"
        ),
        (pl.col("move").cast(pl.Int64).cum_sum().over("child_id", "episode")).alias(
            "episode_moves"
        ),
        pl.col("start").min().over("child_id").alias("_first"),
        pl.col("setting").shift(-1).over("child_id").alias("next_setting"),
        (pl.coalesce(pl.col("end"), pl.lit(ou)) - pl.col("start"))
        .dt.total_days()
        .shift(-1)
        .over("child_id")
        .cast(pl.Int64)
        .alias("next_days"),
    )
    p = tl.filter((pl.col("start") >= lo) & (pl.col("start") <= ou))
    # an earlier unplanned ending counts only if it ended on or before this start
    ends = tl.filter(unpl).select("child_id", pl.col("end").alias("_uend"))
    prior = (
        p.select("placement_id", "child_id", "start")
        .join(ends, on="child_id")
        .filter(pl.col("_uend") <= pl.col("start"))
        .group_by("placement_id")
        .agg(pl.len().cast(pl.Int64).alias("_pu"))
    )
    p = p.join(prior, on="placement_id", how="left").with_columns(
        pl.col("_pu").fill_null(0).alias("prior_unplanned")
    )
    stop = pl.coalesce(pl.col("end"), pl.lit(ou))
    p = p.with_columns(
        (stop - pl.col("start")).dt.total_days().clip(lower_bound=0).cast(pl.Int64).alias("days"),
        (pl.col("end_reason") == "breakdown").fill_null(False).cast(pl.Int64).alias("breakdown"),
        (pl.col("end_reason") == "provider_ended")
        .fill_null(False)
        .cast(pl.Int64)
        .alias("provider_ended"),
        unpl.cast(pl.Int64).alias("unplanned"),
        pl.col("_moved_on").cast(pl.Int64).alias("moves"),
        (pl.col("end_reason") == "return_home")
        .fill_null(False)
        .cast(pl.Int64)
        .alias("return_home"),
        ((pl.col("start") - pl.col("_first")).dt.total_days() + 1)
        .cast(pl.Float64)
        .log()
        .alias("log_days_in_care"),
    )
    # carousel: 2+ moves of the child in (start, start + 365]
    mv = tl.filter(pl.col("move")).select("child_id", pl.col("start").alias("_ms"))
    car = (
        p.select("placement_id", "child_id", "start")
        .join(mv, on="child_id")
        .filter(
            (pl.col("_ms") > pl.col("start"))
            & (pl.col("_ms") <= pl.col("start") + timedelta(days=365))
        )
        .group_by("placement_id")
        .agg(pl.len().cast(pl.Int64).alias("_nm"))
    )
    full = pl.col("start") + timedelta(days=365) <= pl.lit(ou)
    p = p.join(car, on="placement_id", how="left").with_columns(
        pl.when(pl.col("_nm").fill_null(0) >= 2)
        .then(1)
        .when(full)
        .then(0)
        .otherwise(None)
        .cast(pl.Int64)
        .alias("carousel")
    )
    # age and recorded events in the year before (dated on or before the start day)
    kids = history.children.select("child_id", "birth_date")
    p = p.join(kids, on="child_id", how="left").with_columns(
        ((pl.col("start") - pl.col("birth_date")).dt.total_days() / 365.25)
        .fill_null(10.0)
        .alias("age")
    )
    ev = history.events
    if ev is not None and ev.height:
        cnt = (
            p.select("placement_id", "child_id", "start")
            .join(
                ev.filter(pl.col("kind").is_in(list(EVENT_KINDS))).select(
                    "child_id", "date", "kind"
                ),
                on="child_id",
            )
            .filter(
                (pl.col("date") <= pl.col("start"))
                & (pl.col("date") > pl.col("start") - timedelta(days=365))
            )
            .group_by("placement_id")
            .agg(
                (pl.col("kind") == k).sum().cast(pl.Int64).alias(f"events_{k}") for k in EVENT_KINDS
            )
        )
        p = p.join(cnt, on="placement_id", how="left")
    else:
        p = p.with_columns(pl.lit(None, pl.Int64).alias(f"events_{k}") for k in EVENT_KINDS)
    p = p.with_columns(pl.col(f"events_{k}").fill_null(0) for k in EVENT_KINDS)
    p = _units(history, spec, p)
    return p.select(
        "child_id",
        "placement_id",
        "unit",
        "start",
        "days",
        *EVENT_COUNTS,
        pl.when(pl.col("moves") > 0).then(pl.col("next_setting")).alias("next_setting"),
        pl.when(pl.col("moves") > 0).then(pl.col("next_days")).alias("next_days"),
        *CASE_MIX_COLUMNS,
    ).sort("start", "placement_id")


def unit_measures(table: pl.DataFrame) -> pl.DataFrame:
    """Raw measures per unit (for the data team: publish only through the report's control).

    Parameters
    ----------
    table
        :func:`placement_table` output (rows without a unit are left out).

    Returns
    -------
    polars.DataFrame
        One row per unit: ``unit``, ``children`` (distinct), ``placements``,
        ``placement_days``, ``breakdown``, ``provider_ended``, ``unplanned``, ``moves``,
        ``moves_per_1000_days``, ``return_home``, ``carousel`` (placements followed by the
        carousel), ``carousel_known`` (placements with the year observed), and per event of
        :data:`EVENT_COUNTS` the distinct children who had it (``children_<event>``, e.g.
        ``children_breakdown``): an event count counts placements, and its children decide
        whether it may be published (:func:`earlysignal.steering.report.build_report`).

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"unit": ["A", "A"], "child_id": ["a", "b"], "days": [100, 900],
    ...     "breakdown": [1, 0], "provider_ended": [0, 0], "unplanned": [1, 0],
    ...     "moves": [1, 0], "return_home": [0, 0], "carousel": [None, 0]})
    >>> unit_measures(t).select("unit", "children", "moves_per_1000_days").row(0)
    ('A', 2, 1.0)
    """
    return (
        table.filter(pl.col("unit").is_not_null())
        .group_by("unit")
        .agg(
            pl.col("child_id").n_unique().cast(pl.Int64).alias("children"),
            pl.len().cast(pl.Int64).alias("placements"),
            pl.col("days").sum().cast(pl.Int64).alias("placement_days"),
            *(
                pl.col(c).sum().cast(pl.Int64)
                for c in ("breakdown", "provider_ended", "unplanned", "moves", "return_home")
            ),
            pl.col("carousel").sum().cast(pl.Int64).alias("carousel"),
            pl.col("carousel").is_not_null().sum().cast(pl.Int64).alias("carousel_known"),
            *(
                pl.col("child_id")
                .filter(pl.col(c).fill_null(0) > 0)
                .n_unique()
                .cast(pl.Int64)
                .alias(f"children_{c}")
                for c in EVENT_COUNTS
            ),
        )
        .with_columns(
            (pl.col("moves") * 1000 / pl.col("placement_days").clip(lower_bound=1)).alias(
                "moves_per_1000_days"
            )
        )
        .sort("unit")
    )


def unit_members(table: pl.DataFrame, events: Sequence[str]) -> pl.DataFrame:
    """Who each unit's counts count: ids for the publication ledger, never published.

    Parameters
    ----------
    table
        :func:`placement_table` output (rows without a unit are left out).
    events
        Outcome columns counted per placement (0/1, null when unknown).

    Returns
    -------
    polars.DataFrame
        One row per unit: ``unit``, ``_m_children`` (its distinct children) and, per event,
        ``_m_<event>`` (the distinct children who had the event). An event count counts
        placements, but its cells are keyed by these children in the ledger (and published
        only when there are at least 10 of them): a difference between two reports is then
        guarded on children, whatever the number of events (``docs/disclosure.md``).

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"unit": ["A", "A", "A"], "child_id": ["a", "a", "b"],
    ...     "placement_id": ["p1", "p2", "p3"], "moves": [1, 1, 0]})
    >>> unit_members(t, ["moves"]).row(0)
    ('A', ['a', 'b'], ['a'])
    """
    return (
        table.filter(pl.col("unit").is_not_null())
        .group_by("unit")
        .agg(
            pl.col("child_id").cast(pl.String).unique().sort().alias("_m_children"),
            *(
                pl.col("child_id")
                .cast(pl.String)
                .filter(pl.col(e).fill_null(0) > 0)
                .unique()
                .sort()
                .alias(f"_m_{e}")
                for e in events
            ),
        )
        .sort("unit")
    )
