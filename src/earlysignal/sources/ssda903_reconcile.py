"""Reconciling SSDA903 episodes across yearly returns: one current version of each episode.

Split from :mod:`earlysignal.sources.ssda903`. Each return holds every episode open at any
time in its collection year, so an episode appears in several returns, and later returns
correct earlier ones. In order (each step counted by rule in the import report):

1. ``exact_repeat``: rows identical in every field within one return are merged.
2. ``zero_day_episode``: a zero-day X1 episode (DEC = DECOM) sharing its DECOM with another
   row of the same return is the same-day predecessor of that row, never the current one: it
   is merged into it (it covers no day).
3. ``same_day_episodes``: other rows of one return sharing (CHILD, DECOM) but differing are
   reported row by row; DfE's rule decides: the later row in the return's order is current.
4. ``replaced_by_later_return``: of the versions of (CHILD, DECOM) in several returns, the
   latest return's is kept (corrections, later endings win).
5. liia-tools' stage-1 rules for an episode left open in a return that is not its authority's
   latest: ``RULE_3`` a repeat of its neighbour under another DECOM, deleted
   (``stale_duplicate``); ``RULE_3A`` the previous episode comes from a later return, which
   replaced it, deleted (``superseded_by_later_return``); ``RULE_2`` no later episode: care
   ceased at the end of the last return that held it (``ceased_not_in_later_return``, REC
   ``E99``); ``RULE_1A`` the next episode starts care again (RNE S): ceased at the earlier of
   that year end and the day before (``ceased_before_reentry``); ``RULE_1`` otherwise it ended
   when the next began (``closed_at_next_episode``, REC X1).
6. liia-tools' stage-2 rules between returns: ``RULE_4`` an episode overlapping the next one,
   which a later return holds, ends where that one starts (``cut_by_later_return``);
   ``RULE_5`` an X1 ending followed by a gap before the next episode from a later return is
   joined to it (``x1_gap_joined``); and, beyond liia, an episode from an earlier return that
   starts inside an episode of a later return is dropped (``superseded_by_later_return``).

Examples
--------
>>> from datetime import date
>>> ep = pl.DataFrame({
...     "CHILD": ["a", "a"], "DECOM": [date(2019, 5, 1)] * 2, "DEC": [None, date(2020, 1, 1)],
...     "RNE": ["S", "S"], "LS": ["C2", "C2"], "CIN": ["N1", "N1"], "PLACE": ["U4", "U4"],
...     "PLACE_PROVIDER": ["PR1"] * 2, "REC": [None, "E11"], "REASON_PLACE_CHANGE": [None] * 2,
...     "URN": ["A", "A"], "PL_POST": [None, None], "_file": ["2019.csv", "2020.csv"],
...     "_row": [1, 1], "_year": [2019, 2020], "_la": [None, None]})
>>> out = reconcile(ep, {2019: date(2020, 3, 31), 2020: date(2021, 3, 31)}, IssueLog("repair"))
>>> out.frame.select("DEC", "REC").rows(), out.counts["replaced_by_later_return"]
([(datetime.date(2020, 1, 1), 'E11')], 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import polars as pl

from earlysignal.sources.ssda903_derive import INFERRED_CEASED, INFERRED_CHANGE
from earlysignal.sources.ssda903_report import IssueLog
from earlysignal.sources.ssda903_rules import child_shift

__all__ = ["CONTENT", "Reconciled", "missing_years", "reconcile"]

CONTENT = (
    "CHILD",
    "DECOM",
    "DEC",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "REC",
    "REASON_PLACE_CHANGE",
    "URN",
    "PL_POST",
)
"""Fields compared to tell an exact repeat from a differing row."""

_SAME = ("RNE", "LS", "PLACE", "PLACE_PROVIDER", "PL_POST", "URN")
"""Fields liia-tools compares to call an open episode a repeat of its neighbour (RULE_3)."""


@dataclass
class Reconciled:
    """Reconciled episodes (one current version each, sorted by CHILD and DECOM), with the
    number of rows merged and excluded and of episodes changed, by rule."""

    frame: pl.DataFrame
    merged: int
    excluded: int
    counts: dict[str, int] = field(default_factory=dict)


def missing_years(years: set[int]) -> tuple[int, ...]:
    """Years between the first and last of ``years`` that are absent.

    >>> missing_years({2017, 2018, 2020})
    (2019,)
    """
    if not years:
        return ()
    return tuple(y for y in range(min(years), max(years) + 1) if y not in years)


def _neighbours(ep: pl.DataFrame, cols: tuple[str, ...]) -> pl.DataFrame:
    return ep.sort("CHILD", "DECOM").with_columns(
        *(child_shift(c, -1).alias(f"{c}_next") for c in cols),
        *(child_shift(c, 1).alias(f"{c}_prev") for c in cols),
    )


def _same(a: str, b: str) -> pl.Expr:
    return (pl.col(a) == pl.col(b)).fill_null(pl.col(a).is_null() & pl.col(b).is_null())


def reconcile(
    ep: pl.DataFrame,
    year_ends: dict[int, date],
    issues: IssueLog,
    latest_years: dict[str, int] | None = None,
) -> Reconciled:
    """Apply the rules of the module docstring to checked episodes of one or more returns.

    ``ep`` has the episode columns of :data:`CONTENT` (dates parsed) plus ``_file``, ``_row``,
    ``_year`` (return year) and ``_la`` (authority or null); ``year_ends`` maps a return year
    to the last day of its collection year; ``latest_years`` the latest return year of each
    authority (``""`` without an LA column), by default the latest year among ``ep``'s rows
    (a return may hold no episode of the children left).
    """
    counts: dict[str, int] = {}
    n0 = ep.height
    ep = ep.with_columns(pl.col("_la").fill_null(""))
    # 1. exact repeats within one return
    ep = ep.sort("_year", "_file", "_row")
    dedup = ep.unique(subset=[*CONTENT, "_year"], keep="first", maintain_order=True)
    counts["exact_repeat"] = ep.height - dedup.height
    ep = dedup
    # 2. zero-day X1 predecessors sharing a DECOM within one return
    key = ["CHILD", "DECOM", "_year"]
    n_key = pl.len().over(key)
    zero = (pl.col("DEC") == pl.col("DECOM")).fill_null(False) & (pl.col("REC") == "X1").fill_null(
        False
    )
    nonzero_in_key = (~zero).sum().over(key)
    zd = ep.filter((n_key > 1) & zero & (nonzero_in_key > 0))
    if zd.height:
        issues.add_rows(
            zd,
            "zero_day_episode",
            "warning",
            "a zero-day episode (DEC = DECOM, REC X1) shares its start with another episode of "
            "the same return: it is the same-day predecessor and is merged into that episode",
            "none needed (check the episode order if this is unexpected)",
            column="DECOM",
            blocking=False,
        )
        ep = ep.join(zd.select("_file", "_row"), on=["_file", "_row"], how="anti")
    counts["zero_day_episode"] = zd.height
    # 3. other same-day rows within one return: the later in the return's order is current
    ep = ep.sort("_year", "_file", "_row")
    later = pl.int_range(pl.len()).over(key) < pl.len().over(key) - 1
    sd = ep.filter(later)
    if sd.height:
        issues.add_rows(
            sd,
            "same_day_episodes",
            "excluded",
            "another row of the same return has the same CHILD and DECOM but differs; by DfE's "
            "rule the later row in the return's order is the current episode, this one is "
            "left out",
            "keep one row per episode (CHILD, DECOM) in each return",
            column="DECOM",
            blocking=False,
        )
        ep = ep.join(sd.select("_file", "_row"), on=["_file", "_row"], how="anti")
    counts["same_day_episodes"] = sd.height
    # 4. versions across returns: the latest return's is kept
    ordered = ep.sort("CHILD", "DECOM", "_year", "_file", "_row")
    kept = ordered.unique(subset=["CHILD", "DECOM"], keep="last", maintain_order=True)
    counts["replaced_by_later_return"] = ep.height - kept.height
    ep = kept
    merged = (
        counts["exact_repeat"] + counts["zero_day_episode"] + counts["replaced_by_later_return"]
    )
    excluded = counts["same_day_episodes"]

    # 5. stage 1: episodes left open in a return that is not the authority's latest
    latest = ep.group_by("_la").agg(pl.col("_year").max().alias("_latest"))
    if latest_years is not None:
        given = pl.DataFrame(
            {"_la": list(latest_years), "_latest": list(latest_years.values())},
            schema={"_la": pl.String(), "_latest": pl.Int64()},
        )
        latest = latest.join(given, on="_la", how="left", suffix="_given").select(
            "_la", pl.max_horizontal("_latest", "_latest_given").alias("_latest")
        )
    ep = _neighbours(ep.join(latest, on="_la"), (*_SAME, "DECOM", "_year"))
    year_end = pl.col("_year").replace_strict(year_ends, return_dtype=pl.Date)
    stale = pl.col("DEC").is_null() & (pl.col("_year") != pl.col("_latest"))
    has_next = pl.col("DECOM_next").is_not_null()
    has_prev = pl.col("DECOM_prev").is_not_null()
    dup_next = has_next & pl.all_horizontal([_same(c, f"{c}_next") for c in _SAME])
    dup_prev = has_prev & pl.all_horizontal([_same(c, f"{c}_prev") for c in _SAME])
    rule = (
        pl.when(~stale)
        .then(pl.lit(None, dtype=pl.String))
        .when(dup_next | dup_prev)
        .then(pl.lit("RULE_3"))
        .when(has_prev & (pl.col("_year_prev") > pl.col("_year")))
        .then(pl.lit("RULE_3A"))
        .when(~has_next)
        .then(pl.lit("RULE_2"))
        .when(pl.col("RNE_next") == "S")
        .then(pl.lit("RULE_1A"))
        .otherwise(pl.lit("RULE_1"))
    )
    ep = ep.with_columns(rule.alias("_rule"))
    texts = {
        "RULE_3": (
            "stale_duplicate",
            "excluded",
            "the episode is open in an earlier return and repeats its neighbouring episode "
            "under another DECOM (liia-tools RULE_3); left out",
        ),
        "RULE_3A": (
            "superseded_by_later_return",
            "excluded",
            "the episode is open in an earlier return but a later return restates the child's "
            "history from an earlier start without it (liia-tools RULE_3A); left out",
        ),
        "RULE_2": (
            "ceased_not_in_later_return",
            "repaired",
            "the episode is open in an earlier return and no later return holds it: care "
            "ceased at the end of the last return that held it (liia-tools RULE_2, REC E99)",
        ),
        "RULE_1A": (
            "ceased_before_reentry",
            "repaired",
            "the episode is open in an earlier return and the next episode starts care again "
            "(RNE S): care ceased at the earlier of that return's year end and the day before "
            "(liia-tools RULE_1A, REC E99)",
        ),
        "RULE_1": (
            "closed_at_next_episode",
            "repaired",
            "the episode is open in an earlier return and a later episode follows: it ended "
            "when the next began (liia-tools RULE_1, REC X1)",
        ),
    }
    for code, (name, action, message) in texts.items():
        rows = ep.filter(pl.col("_rule") == code)
        counts[name] = counts.get(name, 0) + rows.height
        if rows.height:
            issues.add_rows(
                rows,
                name,
                action,  # type: ignore[arg-type]
                message,
                "send the corrected episode in the later return, or close it in the earlier one",
                column="DEC",
                blocking=False,
            )
    dropped = ep.filter(pl.col("_rule").is_in(["RULE_3", "RULE_3A"]))
    excluded += dropped.height
    day = timedelta(days=1)
    ep = ep.filter(~pl.col("_rule").is_in(["RULE_3", "RULE_3A"]).fill_null(False)).with_columns(
        pl.when(pl.col("_rule") == "RULE_2")
        .then(year_end)
        .when(pl.col("_rule") == "RULE_1A")
        .then(pl.min_horizontal(year_end, pl.col("DECOM_next") - day))
        .when(pl.col("_rule") == "RULE_1")
        .then(pl.col("DECOM_next"))
        .otherwise(pl.col("DEC"))
        .alias("DEC"),
        pl.when(pl.col("_rule").is_in(["RULE_2", "RULE_1A"]))
        .then(pl.lit(INFERRED_CEASED))
        .when(pl.col("_rule") == "RULE_1")
        .then(pl.lit("X1"))
        .otherwise(pl.col("REC"))
        .alias("REC"),
        pl.when((pl.col("_rule") == "RULE_1") & pl.col("RNE_next").is_in(["P", "B", "T", "U"]))
        .then(pl.lit(INFERRED_CHANGE))
        .otherwise(pl.col("REASON_PLACE_CHANGE"))
        .alias("REASON_PLACE_CHANGE"),
    )
    # RULE_1A may give a DEC before DECOM when re-entry is the next day: keep DEC >= DECOM
    ep = ep.with_columns(
        pl.when(pl.col("DEC") < pl.col("DECOM"))
        .then(pl.col("DECOM"))
        .otherwise(pl.col("DEC"))
        .alias("DEC")
    )

    # 6. stage 2, between returns
    ep = _neighbours(
        ep.select(*CONTENT, "_file", "_row", "_year", "_la", "_rule"), ("DECOM", "_year", "DEC")
    )
    overlaps = has_prev & (pl.col("DEC_prev").is_null() | (pl.col("DEC_prev") > pl.col("DECOM")))
    inside = ep.filter(overlaps & (pl.col("_year_prev") > pl.col("_year")))
    if inside.height:
        issues.add_rows(
            inside,
            "superseded_by_later_return",
            "excluded",
            "the episode starts inside an episode that a later return holds: the later "
            "return's version of the period is kept and this one left out",
            "send the corrected episodes in the later return",
            column="DECOM",
            blocking=False,
        )
        ep = ep.join(inside.select("_file", "_row"), on=["_file", "_row"], how="anti")
        ep = _neighbours(
            ep.select(*CONTENT, "_file", "_row", "_year", "_la", "_rule"), ("DECOM", "_year", "DEC")
        )
    counts["superseded_by_later_return"] += inside.height
    excluded += inside.height
    later_next = has_next & (pl.col("_year") < pl.col("_year_next"))
    r4 = later_next & pl.col("DEC").is_not_null() & (pl.col("DEC") > pl.col("DECOM_next"))
    r5 = (
        later_next
        & pl.col("DEC").is_not_null()
        & (pl.col("DEC") < pl.col("DECOM_next"))
        & (pl.col("REC") == "X1")
    )
    for name, cond, message in (
        (
            "cut_by_later_return",
            r4,
            "the episode overlaps the next one, which a later return holds: it ends where "
            "that one starts (liia-tools RULE_4)",
        ),
        (
            "x1_gap_joined",
            r5,
            "the episode ends with X1 (care continues) but the next episode, from a later "
            "return, starts after a gap: the episode is extended to it (liia-tools RULE_5)",
        ),
    ):
        rows = ep.filter(cond)
        counts[name] = rows.height
        if rows.height:
            issues.add_rows(
                rows,
                name,
                "repaired",
                message,
                "correct DEC in the earlier return",
                column="DEC",
                blocking=False,
            )
    ep = ep.with_columns(
        pl.when(r4 | r5).then(pl.col("DECOM_next")).otherwise(pl.col("DEC")).alias("DEC")
    )
    frame = ep.select(*CONTENT, "_file", "_row", "_year", "_la", "_rule").sort("CHILD", "DECOM")
    assert frame.height == n0 - merged - excluded
    return Reconciled(frame=frame, merged=merged, excluded=excluded, counts=counts)
