"""Stability indicators by year and by group, with the library's disclosure control.

The DfE measures come from :mod:`earlysignal.indicators.measures` (never recomputed here);
this module adds the move-based indicators and the Dutch *doorverhuizen* counts, groups them,
and protects the published table with :func:`earlysignal.disclosure.protect`.

Definitions (``docs/indicators.md``; the time rules are those of ``docs/architecture.md``):

* a **move** is the start of a non-temporary placement that is not the first of its care
  episode (a run of placements each starting at most one day after the previous one ended);
  temporary placements are never moves;
* the **year** ending on ``year_end`` runs from the day after the previous year end through
  ``year_end`` (England: 1 April - 31 March);
* **in care during the year**: a non-temporary placement with ``start <= year_end`` and
  (``end`` null or ``end >`` the first day of the year); **days in care** count each day
  ``d`` with ``start <= d < end`` (the move day belongs to the new placement) up to
  ``min(year_end, observed_until)``;
* ``moves_per_child``: moves during the year per child in care during the year;
* ``moves_per_1000_days``: moves during the year per 1,000 days in care during the year;
* ``moved_more_than_N``: share of the children in care at the year end (the population of
  ``measures.placements_during_year``) with more than ``N`` moves in their recorded history up
  to the year end (left-censored by the start of the records).

Published values: a share is the rounded count over the rounded number of children, to whole
percent (0.01), so it tells nothing the rounded counts do not; moves per child are rounded to
0.01 and moves per 1,000 days to 0.1. A move rate is a rate of events: it is published with
the distinct children who moved (``count``), hidden when fewer than 10 children moved or fewer
than 10 did not, and computed from the moves rounded to 5 (tied to the children who moved) over
the rounded children (or the days in care). Counts are protected by
:func:`earlysignal.disclosure.protect` (no cell under 10 children, counts rounded to 5,
complementary suppression; rates hidden when a support count is under 10 or was hidden), and
every hidden value is marked in its ``<column>_flag``.

Examples
--------
>>> from datetime import date
>>> from earlysignal.data import example_history
>>> h = example_history(
...     {"start": [date(2020, 1, 1), date(2020, 6, 1), date(2020, 9, 1)],
...      "end": [date(2020, 6, 1), date(2020, 9, 1), None],
...      "setting": ["foster", "residential", "foster"],
...      "end_reason": ["breakdown", "planned", None]},
...     observed_until=date(2021, 6, 1))
>>> moves_in_year(h, date(2021, 3, 31)).select("child_id", "moves", "days_in_care").rows()
[('a', 2, 365)]
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.data.timeline import placement_timeline
from earlysignal.disclosure import DisclosurePolicy, protect
from earlysignal.ledger import current_ledger, ledger_for, use_ledger

LEDGER_TABLES: dict[str, str] = {
    "shares": "indicators.shares",
    "rates": "indicators.rates",
    "moves": "indicators.moves_distribution",
}
"""The indicator tables' definition names in the publication ledger (:mod:`earlysignal.ledger`)."""

__all__ = [
    "AGE_BANDS",
    "INDICATORS",
    "care_timeline",
    "default_year_ends",
    "long_term_members",
    "moves_distribution",
    "moves_in_year",
    "stability_indicators",
]

AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("under 1", 0, 0),
    ("1-4", 1, 4),
    ("5-9", 5, 9),
    ("10-15", 10, 15),
    ("16+", 16, 200),
)
"""DfE age bands (age in whole years at the year end)."""

INDICATORS: dict[str, tuple[str, str]] = {
    "three_plus_placements": (
        "share",
        "Children in care at the year end with 3+ placements during the year (DfE)",
    ),
    "two_year_three_plus": (
        "share",
        "Children in care 2+ years at the year end with 3+ placements in those 2 years (DfE)",
    ),
    "long_term_stability": (
        "share",
        "Under-16s in care 2.5+ years living in the same placement 2+ years (DfE)",
    ),
    "moves_per_child": ("per child", "Moves during the year per child in care during it"),
    "moves_per_1000_days": ("per 1,000 days", "Moves during the year per 1,000 days in care"),
}
"""Indicator name -> (unit, one-line description). ``moved_more_than_N`` is added per N."""

_ROUND = {"share": 2, "per child": 2, "per 1,000 days": 1}
_DFE = ("three_plus_placements", "two_year_three_plus", "long_term_stability")


def default_year_ends(history: CareHistory) -> list[date]:
    """Year ends (31 March) whose whole year is observed.

    For an SSDA903 import these are the ends of the collection years it covers (from
    ``history.meta``); otherwise every 31 March up to ``observed_until`` whose year starts on
    or after the first placement start (and after ``meta["period_start"]`` when given, e.g.
    the end of the simulator's burn-in).

    Examples
    --------
    >>> from datetime import date
    >>> from earlysignal.data import example_history
    >>> h = example_history({"start": date(2018, 6, 1)}, observed_until=date(2021, 6, 1))
    >>> default_year_ends(h)
    [datetime.date(2020, 3, 31), datetime.date(2021, 3, 31)]
    """
    imported = history.meta.get("import", {})
    years = imported.get("collection_years") if isinstance(imported, dict) else None
    if years:
        ends = sorted({date.fromisoformat(str(y[1])) for y in years})
        return [d for d in ends if d <= history.observed_until]
    if history.placements.height == 0:
        return []
    first = history.placements["start"].min()
    assert isinstance(first, date)
    period_start = history.meta.get("period_start")  # e.g. the simulator's, after burn-in
    if period_start is not None:
        first = max(first, date.fromisoformat(str(period_start)))
    out: list[date] = []
    year = first.year
    while True:
        d = date(year, 3, 31)
        if d > history.observed_until:
            break
        if _year_start(d) >= first:
            out.append(d)
        year += 1
    return out


def care_timeline(history: CareHistory) -> pl.DataFrame:
    """Non-temporary placements with their care episode and move flag.

    The columns of :func:`earlysignal.data.timeline.placement_timeline` that the indicators
    use: an episode starts at a child's first placement or one starting more than one day
    after the previous one ended; every other start is a move.

    Returns
    -------
    polars.DataFrame
        ``child_id``, ``placement_id``, ``start``, ``end``, ``setting``, ``end_reason``,
        ``episode`` (Int32, 1-based per child), ``move`` (Boolean), sorted by child and start.

    Examples
    --------
    >>> from datetime import date
    >>> from earlysignal.data import example_history
    >>> h = example_history(  # p2 is a week of respite: temporary, never a move
    ...     {"start": [date(2020, 1, 1), date(2020, 2, 1), date(2020, 3, 1)],
    ...      "end": [date(2020, 3, 1), date(2020, 2, 8), None],
    ...      "end_reason": ["breakdown", "planned", None], "temporary": [False, True, False]},
    ...     observed_until=date(2021, 6, 1))
    >>> care_timeline(h).select("placement_id", "episode", "move").rows()
    [('p1', 1, False), ('p3', 1, True)]
    """
    return placement_timeline(history).select(
        "child_id", "placement_id", "start", "end", "setting", "end_reason", "episode", "move"
    )


def moves_in_year(
    history: CareHistory, year_end: date, *, timeline: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Per child in care at any time during the year: moves, days in care, moves so far.

    Parameters
    ----------
    history
        A canonical care history.
    year_end
        Last day of the year.
    timeline
        ``care_timeline(history)`` when already computed (reused across year ends).

    Returns
    -------
    polars.DataFrame
        ``child_id``, ``moves`` (Int64, moves starting during the year), ``days_in_care``
        (Int64), ``moves_to_date`` (Int64, moves in the recorded history up to the year end),
        ``in_care_at_year_end`` (Boolean) and ``setting`` (the last placement's setting in the
        year), one row per child, sorted.

    Examples
    --------
    See the module docstring.
    """
    year_start = _year_start(year_end)
    stop = min(year_end, history.observed_until) + timedelta(days=1)  # exclusive
    t = care_timeline(history) if timeline is None else timeline
    end_excl = pl.coalesce(pl.col("end"), pl.lit(stop)).clip(upper_bound=stop)
    start_in = pl.col("start").clip(lower_bound=year_start)
    days = (end_excl - start_in).dt.total_days().clip(lower_bound=0)
    in_year = (pl.col("start") <= year_end) & (
        pl.col("end").is_null() | (pl.col("end") > year_start)
    )
    at_end = (pl.col("start") <= year_end) & (pl.col("end").is_null() | (pl.col("end") > year_end))
    so_far = (
        t.filter(pl.col("start") <= year_end)
        .group_by("child_id")
        .agg(pl.col("move").sum().cast(pl.Int64).alias("moves_to_date"))
    )
    return (
        t.filter(in_year)
        .sort("child_id", "start")
        .group_by("child_id")
        .agg(
            (pl.col("move") & (pl.col("start") >= year_start)).sum().cast(pl.Int64).alias("moves"),
            days.sum().cast(pl.Int64).alias("days_in_care"),
            at_end.any().alias("in_care_at_year_end"),
            pl.col("setting").last().alias("setting"),
        )
        .join(so_far, on="child_id", how="left")
        .select(
            "child_id", "moves", "days_in_care", "moves_to_date", "in_care_at_year_end", "setting"
        )
        .sort("child_id")
    )


def _year_start(year_end: date) -> date:
    try:
        previous = year_end.replace(year=year_end.year - 1)
    except ValueError:  # 29 February
        previous = year_end.replace(year=year_end.year - 1, day=28)
    return previous + timedelta(days=1)


def _groups(
    history: CareHistory, members: pl.DataFrame, year_end: date, by: Sequence[str]
) -> pl.DataFrame:
    """Attach the grouping columns (as strings) to a per-child frame."""
    need = [b for b in by if b not in ("age_group", "setting")]
    missing = [b for b in need if b not in history.children.columns]
    if missing:
        raise ValueError(
            f"stability_indicators: group column(s) {missing} are not in the children table "
            f"(it has {history.children.columns}); use a children column, 'age_group' or "
            "'setting'"
        )
    kids = history.children.select("child_id", "birth_date", *need)
    out = members.join(kids, on="child_id", how="left")
    exprs: list[pl.Expr] = []
    if "age_group" in by:
        age = (
            pl.lit(year_end.year)
            - pl.col("birth_date").dt.year()
            - (
                (pl.col("birth_date").dt.month() > year_end.month)
                | (
                    (pl.col("birth_date").dt.month() == year_end.month)
                    & (pl.col("birth_date").dt.day() > year_end.day)
                )
            ).cast(pl.Int32)
        )
        band = pl.lit(None, dtype=pl.String())
        for label, lo, hi in reversed(AGE_BANDS):
            band = pl.when(age.is_between(lo, hi)).then(pl.lit(label)).otherwise(band)
        exprs.append(band.alias("age_group"))
    for b in by:
        if b != "age_group":
            exprs.append(pl.col(b).cast(pl.String()).fill_null("unknown").alias(b))
    return out.with_columns(exprs)


def _share_rows(
    frame: pl.DataFrame,
    flag: str,
    by: Sequence[str],
    indicator: str,
    year_end: date,
    *,
    members: bool = False,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def one(group: str, value: str | None, sub: pl.DataFrame) -> None:
        n = sub.height
        k = int(sub[flag].sum()) if n else 0
        row = {
            "year_end": year_end,
            "group": group,
            "group_value": value,
            "indicator": indicator,
            "children": n,
            "count": k,
            "_rest": n - k,
            "value": k / n if n else None,
        }
        if members:  # each count's children, for the publication ledger
            ids = sub["child_id"].cast(pl.String)
            hit = sub[flag].fill_null(False)
            row |= {
                "_m_children": ids.to_list(),
                "_m_count": ids.filter(hit).to_list(),
                "_m_rest": ids.filter(~hit).to_list(),
            }
        rows.append(row)

    one("all", None, frame)
    for b in by:
        for (value,), sub in frame.group_by(b, maintain_order=True):
            one(b, str(value), sub)
    return rows


def _rate_rows(
    frame: pl.DataFrame, by: Sequence[str], year_end: date, *, members: bool = False
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def one(group: str, value: str | None, sub: pl.DataFrame) -> None:
        n = sub.height
        moves = int(sub["moves"].sum()) if n else 0
        days = int(sub["days_in_care"].sum()) if n else 0
        moved = sub["moves"] > 0
        k = int(moved.sum()) if n else 0  # the distinct children who moved
        for name, v in (
            ("moves_per_child", moves / n if n else None),
            ("moves_per_1000_days", 1000 * moves / days if days else None),
        ):
            row = {
                "year_end": year_end,
                "group": group,
                "group_value": value,
                "indicator": name,
                "children": n,
                "count": k,
                "_rest": n - k,
                "_moves": moves,
                "_days": days,
                "value": v,
            }
            if members:  # the children counted, for the publication ledger
                ids = sub["child_id"].cast(pl.String)
                row |= {
                    "_m_children": ids.to_list(),
                    "_m_count": ids.filter(moved).to_list(),
                    "_m_rest": ids.filter(~moved).to_list(),
                }
            rows.append(row)

    one("all", None, frame)
    for b in by:
        for (value,), sub in frame.group_by(b, maintain_order=True):
            one(b, str(value), sub)
    return rows


def _rates_from_rounded(prot: pl.DataFrame) -> pl.DataFrame:
    """Move rates recomputed from the published (rounded) moves and children; null when hidden.

    Moves per child: rounded moves over rounded children; per 1,000 days: rounded moves over
    the exact days in care (a length of time, not a count of children).
    """
    moves = pl.col("_moves").cast(pl.Float64)
    per = (
        pl.when(pl.col("indicator") == "moves_per_child")
        .then(moves / pl.col("children"))
        .otherwise(1000 * moves / pl.col("_days"))
    )
    shown = pl.col("value_flag").is_null() & pl.col("_moves").is_not_null()
    return prot.with_columns(pl.when(shown).then(per).alias("value")).drop(
        "_moves", "_moves_flag", "_days", "_rest", "_rest_flag"
    )


def _months_back(d: date, months: int) -> date:
    """``d`` moved back by whole months (day clipped to 28 when the month is shorter)."""
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    try:
        return d.replace(year=y, month=m + 1)
    except ValueError:
        return d.replace(year=y, month=m + 1, day=28)


def long_term_members(history: CareHistory, year_end: date) -> pl.DataFrame:
    """Per-child form of ``measures.long_term_stability`` (which returns only the share).

    The population and the rule are those of :func:`earlysignal.indicators.measures.
    long_term_stability`: under-16s at ``year_end`` whose current care episode began at least
    2.5 years earlier; ``flag`` is true when the current carer (``provider_id``, else the
    placement) has been the same for at least 2 years. A test checks that the mean of
    ``flag`` equals ``measures.long_term_stability`` exactly.

    Returns
    -------
    polars.DataFrame
        ``child_id``, ``flag`` (Boolean), sorted by ``child_id``.

    Examples
    --------
    >>> from datetime import date
    >>> from earlysignal.data import example_history
    >>> h = example_history(
    ...     {"child_id": ["a", "b", "b"],
    ...      "start": [date(2017, 1, 1), date(2017, 1, 1), date(2020, 1, 1)],
    ...      "end": [None, date(2020, 1, 1), None], "end_reason": [None, "planned", None]},
    ...     observed_until=date(2021, 6, 1))
    >>> long_term_members(h, date(2021, 3, 31)).rows()
    [('a', True), ('b', False)]
    """
    from earlysignal.indicators.measures import in_care_at

    births = history.children.select("child_id", "birth_date")
    who = (
        in_care_at(history, year_end)
        .filter(pl.col("episode_start") <= _months_back(year_end, 30))
        .join(births, on="child_id", how="left")
        .filter(pl.col("birth_date").dt.offset_by("16y") > year_end)
        .select("child_id")
    )
    carer = pl.coalesce(pl.col("provider_id"), pl.col("placement_id"))
    runs = (
        history.placements.filter(
            ~pl.col("temporary").fill_null(False)
            & pl.col("child_id").is_in(who["child_id"].implode())
            & (pl.col("start") <= year_end)
        )
        .sort("child_id", "start", "placement_id")
        .with_columns(carer.alias("_carer"))
        .with_columns(
            (
                (pl.col("_carer") != pl.col("_carer").shift(1))
                | (pl.col("child_id") != pl.col("child_id").shift(1))
            )
            .fill_null(True)
            .alias("_new")
        )
        .filter(pl.col("_new"))
        .group_by("child_id")
        .agg(pl.col("start").last().alias("run_start"))
    )
    return (
        who.join(runs, on="child_id", how="left")
        .select(
            "child_id",
            (pl.col("run_start") <= _months_back(year_end, 24)).fill_null(False).alias("flag"),
        )
        .sort("child_id")
    )


def _dfe_members(history: CareHistory, year_end: date) -> dict[str, pl.DataFrame]:
    """Per-child membership (``child_id``, ``flag``) of the three DfE measures."""
    from earlysignal.indicators import measures

    three = (pl.col("placements") >= 3).alias("flag")
    return {
        "three_plus_placements": measures.placements_during_year(history, year_end).select(
            "child_id", three
        ),
        "two_year_three_plus": measures.two_year_placements(history, year_end).select(
            "child_id", three
        ),
        "long_term_stability": long_term_members(history, year_end),
    }


_OUT_SCHEMA: dict[str, pl.DataType] = {
    "year_end": pl.Date(),
    "group": pl.String(),
    "group_value": pl.String(),
    "indicator": pl.String(),
    "unit": pl.String(),
    "children": pl.Int64(),
    "count": pl.Int64(),
    "value": pl.Float64(),
}


def stability_indicators(
    history: CareHistory,
    *,
    year_ends: Sequence[date] | None = None,
    by: Sequence[str] = (),
    moved_more_than: Sequence[int] = (1, 3),
    dfe: bool = True,
    protected: bool = True,
    policy: DisclosurePolicy | None = None,
) -> pl.DataFrame:
    """Stability indicators per year end, overall and by group, disclosure-protected.

    Parameters
    ----------
    history
        A canonical care history.
    year_ends
        Year ends to report; default :func:`default_year_ends`.
    by
        Grouping columns: columns of ``children`` (``sex``, ``region``, ``origin``,
        ``unaccompanied``, ...), ``age_group`` (DfE bands at the year end) or ``setting``
        (the last placement's setting in the year).
    moved_more_than
        The ``N`` of each ``moved_more_than_N`` indicator (Dutch *doorverhuizen*).
    dfe
        Include the DfE measures from :mod:`earlysignal.indicators.measures`.
    protected
        Apply :func:`earlysignal.disclosure.protect` (default). ``False`` returns raw counts
        and exact values: for the data team only, never for publication.
    policy
        Disclosure policy (default ``earlysignal.disclosure.DEFAULT_POLICY``).

    Returns
    -------
    polars.DataFrame
        Tidy, one row per (``year_end``, ``group``, ``group_value``, ``indicator``):
        ``group`` is ``all`` (``group_value`` null) or a ``by`` column; ``unit`` is ``share``,
        ``per child`` or ``per 1,000 days``; ``children`` the indicator's population;
        ``count`` the distinct children with the property (for the move rates: the children
        who moved during the year, who decide whether the rate is published); ``value``.
        When protected, ``children_flag``, ``count_flag``, ``value_flag`` (why a value is
        hidden, null when published) and ``suppressed`` follow.

    Examples
    --------
    >>> from datetime import date
    >>> import polars as pl
    >>> from earlysignal.data import example_history
    >>> kids = [f"c{i}" for i in range(40)]
    >>> h = example_history({"child_id": kids, "start": date(2019, 1, 1)},
    ...     children={"sex": ["female", "male"] * 20}, observed_until=date(2021, 3, 31))
    >>> t = stability_indicators(h, year_ends=[date(2021, 3, 31)], dfe=False)
    >>> rate = t.filter(pl.col("indicator") == "moves_per_child")
    >>> rate.select("children", "count", "value").row(0)  # no child moved: hidden
    (40, None, None)
    """
    ends = list(year_ends) if year_ends is not None else default_year_ends(history)
    keep = protected and current_ledger() is not None
    share_rows: list[dict[str, Any]] = []
    rate_rows: list[dict[str, Any]] = []
    timeline = care_timeline(history)
    for ye in ends:
        per_child = moves_in_year(history, ye, timeline=timeline)
        grouped = _groups(history, per_child, ye, by) if by else per_child
        rate_rows.extend(_rate_rows(grouped, by, ye, members=keep))
        at_end = grouped.filter(pl.col("in_care_at_year_end"))  # = measures.in_care_at
        if dfe:
            for name, members in _dfe_members(history, ye).items():
                g = _groups(history, members, ye, by) if by else members
                share_rows.extend(_share_rows(g, "flag", by, name, ye, members=keep))
        for n in moved_more_than:
            flagged = at_end.with_columns((pl.col("moves_to_date") > n).alias("flag"))
            share_rows.extend(
                _share_rows(flagged, "flag", by, f"moved_more_than_{n}", ye, members=keep)
            )
    lists = pl.List(pl.String())
    share_m = {"_m_children": lists, "_m_count": lists, "_m_rest": lists} if keep else {}
    shares = pl.DataFrame(
        share_rows,
        schema={
            **{k: v for k, v in _OUT_SCHEMA.items() if k != "unit"},
            "_rest": pl.Int64(),
            **share_m,
        },
    ).with_columns(pl.lit("share").alias("unit"))
    rates = pl.DataFrame(
        rate_rows,
        schema={
            **{k: v for k, v in _OUT_SCHEMA.items() if k != "unit"},
            "_rest": pl.Int64(),
            "_moves": pl.Int64(),
            "_days": pl.Int64(),
            **share_m,
        },
    ).with_columns(
        pl.col("indicator")
        .replace_strict({k: v[0] for k, v in INDICATORS.items()}, default="share")
        .alias("unit"),
    )
    if not protected:
        out = pl.concat(
            [shares.drop("_rest"), rates.drop("_rest", "_moves", "_days")], how="diagonal_relaxed"
        )
        return _finish(out.select(list(_OUT_SCHEMA)), flags=False)
    parts: list[pl.DataFrame] = []
    strata = ["year_end", "indicator", "group"]
    if shares.height:
        prot = protect(
            shares,
            count_cols=["children", "count", "_rest"],
            by=["group_value"],
            strata=strata,
            rate_cols=["value"],
            rate_support={"value": ["count", "_rest"]},
            rate_of={"value": ("count", "children")},
            row_sums={"children": ["count", "_rest"]},
            policy=policy,
            members={c: f"_m_{c.strip('_')}" for c in ("children", "count", "_rest")}
            if keep
            else None,
            table=LEDGER_TABLES["shares"],
        )
        parts.append(prot.drop("_rest", "_rest_flag"))
    if rates.height:
        # a rate of events is decided by the children who had them (``count``, the children
        # who moved) and by those who did not (``_rest``), like a share; the moves are a
        # count of rows tied to the children who moved (docs/disclosure.md)
        prot = protect(
            rates,
            count_cols=["children", "count", "_rest", "_moves"],
            by=["group_value"],
            strata=strata,
            rate_cols=["value"],
            rate_support={"value": ["children", "count", "_rest"]},
            row_sums={"children": ["count", "_rest"]},
            tied={"_moves": "count"},
            policy=policy,
            members={c: f"_m_{c.strip('_')}" for c in ("children", "count", "_rest")}
            if keep
            else None,
            table=LEDGER_TABLES["rates"],
        )
        parts.append(_rates_from_rounded(prot))
    cols = [*_OUT_SCHEMA, "children_flag", "count_flag", "value_flag", "suppressed"]
    if not parts:
        return pl.DataFrame(
            schema={
                **_OUT_SCHEMA,
                "children_flag": pl.String(),
                "count_flag": pl.String(),
                "value_flag": pl.String(),
                "suppressed": pl.Boolean(),
            }
        )
    out = pl.concat([p.select(cols) for p in parts], how="vertical_relaxed")
    return _finish(out, flags=True)


def _finish(out: pl.DataFrame, *, flags: bool) -> pl.DataFrame:
    digits = pl.col("unit").replace_strict(_ROUND, default=2, return_dtype=pl.Int64)
    value = pl.col("value")
    rounded = pl.when(digits == 1).then(value.round(1)).otherwise(value.round(2))
    order = {name: i for i, name in enumerate(INDICATORS)}
    return (
        out.with_columns(rounded.alias("value") if flags else value)
        .with_columns(
            pl.col("indicator").replace_strict(order, default=len(order)).alias("_o"),
            (pl.col("group") != "all").alias("_g"),
        )
        .sort("year_end", "_o", "indicator", "_g", "group", "group_value", nulls_last=False)
        .drop("_o", "_g")
    )


def moves_distribution(
    history: CareHistory,
    year_end: date,
    *,
    top: int = 6,
    protected: bool = True,
    policy: DisclosurePolicy | None = None,
) -> pl.DataFrame:
    """How many children in care at the year end have had 0, 1, 2, ... moves so far.

    Parameters
    ----------
    history
        A canonical care history.
    year_end
        The year end; the population is the children in care on that day.
    top
        The last bin collects ``top`` or more moves (``"6+"``).
    protected, policy
        As in :func:`stability_indicators`.

    Returns
    -------
    polars.DataFrame
        ``year_end``, ``moves`` (String bin label, in order), ``children`` (Int64), and when
        protected ``children_flag`` and ``suppressed``.

    Examples
    --------
    >>> from datetime import date
    >>> from earlysignal.data import example_history
    >>> kids = [f"c{i}" for i in range(30)]
    >>> movers = kids[:14]  # 14 children moved once on 1 June 2020
    >>> h = example_history(
    ...     {"child_id": kids + movers,
    ...      "start": [date(2019, 1, 1)] * 30 + [date(2020, 6, 1)] * 14,
    ...      "end": [date(2020, 6, 1)] * 14 + [None] * 30,
    ...      "end_reason": ["planned"] * 14 + [None] * 30},
    ...     observed_until=date(2021, 3, 31))
    >>> moves_distribution(h, date(2021, 3, 31), top=1).select("moves", "children").rows()
    [('0', 15), ('1+', 15)]
    """
    per_child = moves_in_year(history, year_end).filter(pl.col("in_care_at_year_end"))
    binned = per_child.select(pl.col("moves_to_date").fill_null(0).clip(upper_bound=top))
    counts = {int(k): int(n) for k, n in binned["moves_to_date"].value_counts().iter_rows()}
    labels = [str(i) for i in range(top)] + [f"{top}+"]
    table = pl.DataFrame(
        {
            "year_end": [year_end] * (top + 1),
            "moves": labels,
            "children": [counts.get(i, 0) for i in range(top + 1)],
        },
        schema={"year_end": pl.Date(), "moves": pl.String(), "children": pl.Int64()},
    )
    if not protected:
        return table
    if current_ledger() is None:
        return protect(table, count_cols=["children"], by=["moves"], policy=policy)
    ids = per_child.select(
        pl.col("child_id").cast(pl.String),
        pl.col("moves_to_date").fill_null(0).clip(upper_bound=top).alias("_bin"),
    )
    members = [ids.filter(pl.col("_bin") == i)["child_id"].to_list() for i in range(top + 1)]
    table = table.with_columns(pl.Series("_m_children", members, dtype=pl.List(pl.String())))
    return protect(
        table,
        count_cols=["children"],
        by=["moves"],
        policy=policy,
        members={"children": "_m_children"},
        table=LEDGER_TABLES["moves"],
    )


def run_indicators_cli(  # noqa: PLR0917
    folder: Path,
    by: Sequence[str],
    out: Path | None,
    plots: Path | None,
    raw: bool,
    report: Path | None = None,
    lang: str = "en",
) -> int:
    """Body of ``earlysignal indicators``: read a canonical folder, print and write the table,
    and with ``report`` the indicator report in ``lang`` (:mod:`earlysignal.indicators.document`).

    Exit codes: 0 done, 1 the folder holds an invalid history, 2 unusable input.
    """
    import typer

    from earlysignal.data.validate import DataValidationError, UnusableInputError
    from earlysignal.i18n import UnsupportedLanguageError, check_language

    try:
        lang = check_language(lang)
    except UnsupportedLanguageError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    if report is not None and raw:
        typer.echo(
            "error: rule IND-REPORT: --report writes a published report and needs the "
            "disclosure-protected table; drop --raw (raw counts are for the data team only)",
            err=True,
        )
        return 2

    try:
        history = CareHistory.read(folder)
    except DataValidationError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 1
    except (UnusableInputError, FileNotFoundError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    # the publication ledger beside the written table (or in the default output folder)
    ledger = None if raw else ledger_for("auto", out.parent if out else Path("earlysignal-output"))
    try:
        with use_ledger(ledger):
            table = stability_indicators(history, by=list(by), protected=not raw)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    _print_table(table)
    if ledger is not None:
        typer.echo(f"publication ledger (private, never publish): {ledger.path}")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        table.write_csv(out)
        typer.echo(f"wrote {out}" + (" (RAW counts: not for publication)" if raw else ""))
    if plots is not None:
        from earlysignal.indicators.plots import (
            plot_indicators_over_time,
            plot_moves_distribution,
        )

        plots.mkdir(parents=True, exist_ok=True)
        plot_indicators_over_time(table, lang=lang).savefig(
            plots / "indicators_over_time.png", dpi=120
        )
        ends = sorted(set(table["year_end"].to_list()))
        if ends:
            with use_ledger(ledger):
                fig = plot_moves_distribution(history, ends[-1], lang=lang)
            fig.savefig(plots / "moves_distribution.png", dpi=120)
        typer.echo(f"wrote figures to {plots}")
    if report is not None:
        from earlysignal.indicators.document import write_indicator_report

        typer.echo(f"wrote {write_indicator_report(table, report, lang=lang)}")
    return 0


def _print_table(table: pl.DataFrame) -> None:
    from rich.console import Console
    from rich.table import Table

    view = table.filter(pl.col("group") == "all") if "group" in table.columns else table
    t = Table(title="Stability indicators (all children; hidden values shown as c)")
    for name in ("year_end", "indicator", "children", "count", "value"):
        t.add_column(name, justify="right" if name in ("children", "count", "value") else "left")

    def cell(r: dict[str, Any], col: str) -> str:
        if r.get(f"{col}_flag") is not None:
            return "c"
        return "" if r[col] is None else str(r[col])

    for r in view.iter_rows(named=True):
        t.add_row(
            str(r["year_end"]),
            r["indicator"],
            *(cell(r, c) for c in ("children", "count", "value")),
        )
    Console(soft_wrap=False).print(t)
