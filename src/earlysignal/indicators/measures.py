"""The DfE placement-stability measures, computed on a ``CareHistory`` with vectorised polars.

Our reading of the DfE definitions (Children looked after in England, "placement stability"
tables; SSDA903 guidance), applied to the canonical tables:

* **Looked after at the year end**: a non-temporary placement with ``start <= year_end`` and
  (``end`` null or ``end > year_end``). A child who moves on the year end is counted in the new
  placement.
* **Placements during the year**: non-temporary placements that overlap the 12 months ending
  on ``year_end`` (``start <= year_end`` and ``end`` null or ``end >= year_end - 1 year + 1 day``),
  counting the placement already in effect when the year began. Temporary placements (respite,
  holidays, short breaks) are not counted, as in the DfE tables. Status-only changes that the
  source records as a new placement are counted.
* **3+ placements in 2 years**: children looked after at the year end whose current care episode
  began at least 2 years earlier, with 3 or more placements overlapping the 2 years.
* **Long-term stability**: children aged under 16 at the year end, looked after continuously
  for at least 2.5 years, who have lived with the same carer (``provider_id``; the placement
  itself when the provider is unknown) for at least 2 years, across status-only changes.

A **care episode** follows ``docs/architecture.md``: a maximal run of a child's non-temporary
placements in which each starts at most one day after the previous one ended.

Examples
--------
>>> from datetime import date
>>> from earlysignal.data import example_history
>>> h = example_history(
...     {"child_id": ["a", "a", "a", "b"],
...      "start": [date(2020, 5, 1), date(2020, 8, 1), date(2020, 12, 1), date(2018, 1, 1)],
...      "end": [date(2020, 8, 1), date(2020, 12, 1), None, None],
...      "end_reason": ["breakdown", "planned", None, None]},
...     observed_until=date(2021, 6, 1))
>>> placements_during_year(h, date(2021, 3, 31))["placements"].to_list()
[3, 1]
>>> three_plus_placements(h, date(2021, 3, 31))
0.5
>>> long_term_stability(h, date(2021, 3, 31))
1.0
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from earlysignal.data.history import CareHistory

__all__ = [
    "care_episodes",
    "in_care_at",
    "long_term_stability",
    "placements_during_year",
    "three_plus_placements",
    "two_year_placements",
    "two_year_three_plus",
]


def _years_before(d: date, years: float) -> date:
    """``d`` minus whole years (and 6 months for .5), the day after: the start of the window."""
    whole = int(years)
    months = round((years - whole) * 12)
    y, m = d.year - whole, d.month - months
    while m <= 0:
        m += 12
        y -= 1
    try:
        back = d.replace(year=y, month=m)
    except ValueError:
        back = d.replace(year=y, month=m, day=28)
    return back


def _nontemporary(history: CareHistory) -> pl.LazyFrame:
    return history.placements.lazy().filter(~pl.col("temporary").fill_null(False))


def care_episodes(history: CareHistory) -> pl.DataFrame:
    """Care episodes of every child.

    Returns
    -------
    polars.DataFrame
        ``child_id``, ``episode`` (1, 2, ... per child), ``start``, ``end`` (null while
        ongoing), ``placements`` (non-temporary placements in the episode), ``last_end_reason``.

    Examples
    --------
    >>> from earlysignal.synth import simulate
    >>> care_episodes(simulate(50, years=2, seed=3).history).columns
    ['child_id', 'episode', 'start', 'end', 'placements', 'last_end_reason']
    """
    far = date(9999, 12, 31)
    return (
        _nontemporary(history)
        .sort("child_id", "start", "placement_id")
        .with_columns(
            pl.col("end").fill_null(far).cum_max().shift(1).over("child_id").alias("__prev_end")
        )
        .with_columns(
            (
                pl.col("__prev_end").is_null()
                | (pl.col("start") > pl.col("__prev_end") + timedelta(days=1))
            )
            .cum_sum()
            .over("child_id")
            .cast(pl.Int64)
            .alias("episode")
        )
        .group_by("child_id", "episode")
        .agg(
            pl.col("start").min(),
            pl.col("end").fill_null(far).max().alias("end"),
            pl.len().cast(pl.Int64).alias("placements"),
            pl.col("end_reason").sort_by("start").last().alias("last_end_reason"),
        )
        .with_columns(pl.when(pl.col("end") < far).then(pl.col("end")).alias("end"))
        .sort("child_id", "episode")
        .collect()
    )


def in_care_at(history: CareHistory, day: date) -> pl.DataFrame:
    """Children looked after on ``day`` with the start of their current episode.

    Returns
    -------
    polars.DataFrame
        ``child_id``, ``episode_start`` (sorted by ``child_id``).

    Examples
    --------
    >>> from earlysignal.synth import simulate
    >>> sim = simulate(80, years=2, seed=2)
    >>> in_care_at(sim.history, sim.history.observed_until).columns
    ['child_id', 'episode_start']
    """
    ep = care_episodes(history)
    return (
        ep.filter((pl.col("start") <= day) & (pl.col("end").is_null() | (pl.col("end") > day)))
        .select("child_id", pl.col("start").alias("episode_start"))
        .unique("child_id", keep="last")
        .sort("child_id")
    )


def _count_in_window(history: CareHistory, who: pl.DataFrame, lo: date, hi: date) -> pl.DataFrame:
    counts = (
        _nontemporary(history)
        .filter((pl.col("start") <= hi) & (pl.col("end").is_null() | (pl.col("end") >= lo)))
        .group_by("child_id")
        .agg(pl.len().cast(pl.Int64).alias("placements"))
        .collect()
    )
    return (
        who.select("child_id")
        .join(counts, on="child_id", how="left")
        .with_columns(pl.col("placements").fill_null(0))
        .sort("child_id")
    )


def placements_during_year(history: CareHistory, year_end: date) -> pl.DataFrame:
    """Non-temporary placements during the year, per child looked after at ``year_end``.

    Returns
    -------
    polars.DataFrame
        ``child_id``, ``placements`` (at least 1), sorted by ``child_id``.

    Examples
    --------
    See the module docstring.
    """
    who = in_care_at(history, year_end)
    return _count_in_window(history, who, _years_before(year_end, 1) + timedelta(days=1), year_end)


def three_plus_placements(history: CareHistory, year_end: date) -> float:
    """Share of children looked after at ``year_end`` with 3+ placements during the year.

    Returns NaN when no child is looked after at ``year_end``.

    Examples
    --------
    See the module docstring.
    """
    df = placements_during_year(history, year_end)
    return float("nan") if df.height == 0 else int((df["placements"] >= 3).sum()) / df.height


def two_year_placements(history: CareHistory, year_end: date) -> pl.DataFrame:
    """Placements in the 2 years to ``year_end`` of children looked after for 2+ years.

    Returns
    -------
    polars.DataFrame
        ``child_id``, ``placements``, sorted by ``child_id``.

    Examples
    --------
    >>> from earlysignal.synth import simulate
    >>> two_year_placements(simulate(80, years=3, seed=2).history, date(2017, 3, 31)).columns
    ['child_id', 'placements']
    """
    lo = _years_before(year_end, 2)
    who = in_care_at(history, year_end).filter(pl.col("episode_start") <= lo)
    return _count_in_window(history, who, lo + timedelta(days=1), year_end)


def two_year_three_plus(history: CareHistory, year_end: date) -> float:
    """Share of children looked after 2+ years at ``year_end`` with 3+ placements in 2 years.

    Examples
    --------
    >>> from earlysignal.synth import simulate
    >>> 0.0 <= two_year_three_plus(simulate(200, years=3, seed=2).history, date(2017, 3, 31))
    True
    """
    df = two_year_placements(history, year_end)
    return float("nan") if df.height == 0 else int((df["placements"] >= 3).sum()) / df.height


def long_term_stability(history: CareHistory, year_end: date) -> float:
    """Share of under-16s looked after 2.5+ years living with the same carer for 2+ years.

    Examples
    --------
    See the module docstring.
    """
    births = history.children.select("child_id", "birth_date")
    age16 = pl.col("birth_date").dt.offset_by("16y")
    who = (
        in_care_at(history, year_end)
        .filter(pl.col("episode_start") <= _years_before(year_end, 2.5))
        .join(births, on="child_id", how="left")
        .filter(age16 > year_end)
    )
    if who.height == 0:
        return float("nan")
    carer = pl.coalesce(pl.col("provider_id"), pl.col("placement_id"))
    cur = (
        _nontemporary(history)
        .filter(pl.col("child_id").is_in(who["child_id"].implode()) & (pl.col("start") <= year_end))
        .sort("child_id", "start", "placement_id")
        .with_columns(carer.alias("__carer"))
        .with_columns(
            (pl.col("__carer") != pl.col("__carer").shift(1).over("child_id"))
            .fill_null(True)
            .cum_sum()
            .over("child_id")
            .alias("__run")
        )
        .group_by("child_id", "__run")
        .agg(pl.col("start").min().alias("run_start"))
        .sort("child_id", "__run")
        .group_by("child_id")
        .agg(pl.col("run_start").last())
        .collect()
    )
    stable = cur.filter(pl.col("run_start") <= _years_before(year_end, 2)).height
    return stable / who.height
