"""SSDA903 consistency rules the importer checks itself (with or without DfE's validator).

Split from :mod:`earlysignal.sources.ssda903`. Each family is a function taking checked,
reconciled episodes (sorted by CHILD and DECOM) and returning them with the offending rows
excluded or kept as the rule says, every case an issue naming file and row:

- ``episode_after_death``: an episode starting after an episode that ended with REC E2 (died);
  error, excluded under repair;
- ``episode_after_18``: an episode starting on or after the child's 18th birthday; error,
  excluded under repair;
- ``rne_inconsistent``: a reason for new episode that contradicts the previous episode
  (S while care continues from an X1 ending; L without a legal status change; P or T with a
  legal status change, which is B or U; B or U without one); warning, RNE followed;
- ``ls_d1_after_2005``: legal status D1 (freeing order) on an episode starting on or after
  30 December 2005, when freeing orders were abolished; error, kept as recorded under repair;
- ``missing_outside_care``: a missing or away period starting when the child is not looked
  after (no episode spans MIS_START); error, excluded under repair;
- ``missing_overlap``: two missing or away periods of a child that overlap; error, kept under
  repair.
(``x1_without_next_episode`` and ``gap_without_s`` are checked where placements are derived.)

Examples
--------
>>> from datetime import date
>>> ep = pl.DataFrame({"CHILD": ["1"], "DECOM": [date(2010, 1, 1)], "DEC": [None],
...     "LS": ["D1"], "RNE": ["S"], "REC": [None], "_file": ["f"], "_row": [1]},
...     schema_overrides={"DEC": pl.Date, "REC": pl.String})
>>> log = IssueLog("repair")
>>> _ = check_legal_status(ep, log)
>>> [i.rule for i in log.items]
['ssda903.ls_d1_after_2005']
"""

from __future__ import annotations

from datetime import date

import polars as pl

from earlysignal.sources.ssda903_report import IssueLog

__all__ = [
    "D1_ABOLISHED",
    "check_after_death_or_18",
    "check_legal_status",
    "check_missing_periods",
    "check_rne",
    "child_shift",
]

D1_ABOLISHED = date(2005, 12, 30)
"""Freeing orders (LS D1) were replaced by placement orders on 30 December 2005."""


def child_shift(col: str, n: int) -> pl.Expr:
    """``col`` of the row ``n`` rows away (1: previous, -1: next) when it is the same child's.

    The frame must be sorted by CHILD (and date): a plain shift masked at child boundaries,
    much faster than ``shift().over("CHILD")`` on string ids.
    """
    return pl.when(pl.col("CHILD").shift(n) == pl.col("CHILD")).then(pl.col(col).shift(n))


def _drop(ep: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    return ep.join(rows.select("_file", "_row"), on=["_file", "_row"], how="anti")


def check_after_death_or_18(ep: pl.DataFrame, dob: pl.DataFrame, issues: IssueLog) -> pl.DataFrame:
    """Exclude episodes after a death (REC E2) or from the child's 18th birthday on.

    ``dob`` has columns ``CHILD`` and ``DOB``.
    """
    died = (
        ep.filter(pl.col("REC") == "E2").group_by("CHILD").agg(pl.col("DEC").min().alias("_died"))
    )
    after = ep.join(died, on="CHILD").filter(pl.col("DECOM") >= pl.col("_died"))
    the_death = (pl.col("REC") == "E2") & (pl.col("DEC") == pl.col("_died"))
    after = after.filter(~the_death.fill_null(False))
    if after.height:
        issues.add_rows(
            after,
            "episode_after_death",
            "excluded",
            "the episode starts after an episode that ended because the child died (REC E2); "
            "row excluded",
            "correct REC of the earlier episode or remove this one",
            column="DECOM",
        )
        ep = _drop(ep, after)
    adult = ep.join(dob.select("CHILD", "DOB"), on="CHILD").filter(
        pl.col("DECOM") >= pl.col("DOB").dt.offset_by("18y")
    )
    if adult.height:
        issues.add_rows(
            adult,
            "episode_after_18",
            "excluded",
            "the episode starts on or after the child's 18th birthday (no longer a child "
            "looked after); row excluded",
            "correct DECOM or the child's DOB",
            column="DECOM",
        )
        ep = _drop(ep, adult)
    return ep


def check_rne(ep: pl.DataFrame, issues: IssueLog) -> pl.DataFrame:
    """Warn where RNE contradicts the previous episode (the episode is kept, RNE followed)."""
    ep = ep.sort("CHILD", "DECOM")
    prev_dec = child_shift("DEC", 1)
    prev_rec = child_shift("REC", 1)
    prev_ls = child_shift("LS", 1)
    contiguous = (prev_dec == pl.col("DECOM")).fill_null(False)
    continues = contiguous & (prev_rec == "X1").fill_null(False)
    ls_changed = (prev_ls != pl.col("LS")).fill_null(False)
    rne = pl.col("RNE")
    cases = (
        pl.when(continues & (rne == "S"))
        .then(
            pl.lit(
                "RNE S (started to be looked after) but the previous episode ends the same "
                "day with X1 (care continues)"
            )
        )
        .when(contiguous & (rne == "L") & ~ls_changed)
        .then(pl.lit("RNE L (legal status change) but LS is the same as before"))
        .when(contiguous & rne.is_in(["P", "T"]) & ls_changed)
        .then(pl.lit("RNE P or T (placement change only) but LS changed too: B or U"))
        .when(contiguous & rne.is_in(["B", "U"]) & ~ls_changed)
        .then(pl.lit("RNE B or U (legal status and placement) but LS did not change: P or T"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    flagged = ep.with_columns(cases.alias("_why")).filter(pl.col("_why").is_not_null())
    for rec in flagged.select("_file", "_row", "CHILD", "RNE", "_why").iter_rows():
        issues.add(
            "rne_inconsistent",
            "warning",
            f"{rec[4]}; RNE is followed",
            "record the reason for new episode that matches what changed",
            file=rec[0],
            row=rec[1],
            child=rec[2],
            column="RNE",
            value=rec[3],
            blocking=False,
        )
    return ep


def check_legal_status(ep: pl.DataFrame, issues: IssueLog) -> pl.DataFrame:
    """Flag LS D1 (freeing order) on episodes starting on or after 30 December 2005."""
    rows = ep.filter((pl.col("LS") == "D1") & (pl.col("DECOM") >= D1_ABOLISHED))
    if rows.height:
        issues.add_rows(
            rows,
            "ls_d1_after_2005",
            "repaired",
            "legal status D1 (freeing order) on an episode starting on or after 30 December "
            "2005, when freeing orders were abolished; kept as recorded",
            "use E1 (placement order) or the legal status that applied",
            column="LS",
        )
    return ep


def check_missing_periods(mi: pl.DataFrame, ep: pl.DataFrame, issues: IssueLog) -> pl.DataFrame:
    """Exclude missing periods starting outside care; flag overlapping ones (kept).

    ``mi`` has ``CHILD``, ``MIS_START``, ``MIS_END``; ``ep`` the reconciled episodes.
    """
    spans = ep.select("CHILD", pl.col("DECOM").alias("_s"), pl.col("DEC").alias("_e"))
    inside = (
        mi.select("_file", "_row", "CHILD", "MIS_START")
        .join(spans, on="CHILD", how="inner")
        .filter(
            (pl.col("MIS_START") >= pl.col("_s"))
            & (pl.col("_e").is_null() | (pl.col("MIS_START") <= pl.col("_e")))
        )
        .select("_file", "_row")
        .unique()
    )
    outside = mi.join(inside, on=["_file", "_row"], how="anti")
    if outside.height:
        issues.add_rows(
            outside,
            "missing_outside_care",
            "excluded",
            "the missing or away period starts when the child is not looked after (no episode "
            "spans MIS_START); row excluded",
            "correct MIS_START, or the episodes",
            column="MIS_START",
        )
        mi = mi.join(outside.select("_file", "_row"), on=["_file", "_row"], how="anti")
    srt = mi.sort("CHILD", "MIS_START")
    prev_end = child_shift("MIS_END", 1)
    has_prev = child_shift("MIS_START", 1).is_not_null()
    over = srt.filter(has_prev & (prev_end.is_null() | (prev_end > pl.col("MIS_START"))))
    if over.height:
        issues.add_rows(
            over,
            "missing_overlap",
            "repaired",
            "the missing or away period starts before the child's previous one ended; both "
            "kept as recorded",
            "correct MIS_START or the previous MIS_END",
            column="MIS_START",
        )
    return mi
