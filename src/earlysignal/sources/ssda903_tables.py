"""The SSDA903 tables around the episodes: missing periods, reviews and UASC as events and
flags, and the shared code and de-duplication checks.

Split from :mod:`earlysignal.sources.ssda903`. Each function takes the stacked string frames
of one table (``_file``, ``_row``, ``_year`` columns), records every excluded or repaired row
in the :class:`~earlysignal.sources.ssda903_report.IssueLog`, and returns data.

Examples
--------
>>> f = pl.DataFrame({"CHILD": ["1", "1"], "_year": [2019, 2020], "_file": ["a", "b"],
...                   "_row": [1, 1]})
>>> kept, merged = dedupe_latest(f, ["CHILD"])
>>> kept["_year"].to_list(), merged
([2020], 1)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from earlysignal.sources import ssda903_codes as codes
from earlysignal.sources.ssda903_read import parse_dates
from earlysignal.sources.ssda903_report import IssueLog
from earlysignal.sources.ssda903_rules import check_missing_periods

__all__ = [
    "EventTables",
    "check_codes",
    "children_table",
    "dedupe_latest",
    "event_tables",
    "header_tables",
]


def check_codes(
    frame: pl.DataFrame,
    column: str,
    valid: Iterable[str],
    issues: IssueLog,
    *,
    repair: str,
    allow_null: bool,
    blocking: bool = True,
) -> pl.DataFrame:
    """Flag codes outside the code set; in repair mode keep the row with the code ``repair``."""
    valid_list = sorted(valid)
    unknown = pl.col(column).is_not_null() & ~pl.col(column).is_in(valid_list)
    rows = frame.filter(unknown)
    if rows.height:
        issues.add_rows(
            rows,
            "unknown_code",
            "repaired",
            f"{column} is not in the SSDA903 code set; "
            + (
                "kept as is"
                if repair == "kept"
                else f"kept with the code treated as {repair!r} (source code kept)"
            ),
            f"use one of {', '.join(valid_list[:12])}{' ...' if len(valid_list) > 12 else ''} "
            "(see docs/ssda903.md)",
            column=column,
            blocking=blocking,
        )
    if not allow_null:
        rows = frame.filter(pl.col(column).is_null())
        if rows.height:
            issues.add_rows(
                rows,
                "missing_value",
                "repaired",
                f"{column} is empty; kept with the code treated as {repair!r}",
                f"fill {column}",
                column=column,
                blocking=blocking,
            )
    return frame


def dedupe_latest(frame: pl.DataFrame, keys: Sequence[str]) -> tuple[pl.DataFrame, int]:
    """Keep the latest return's version of each key; count the versions merged."""
    ordered = frame.sort([*keys, "_year", "_file", "_row"])
    kept = ordered.unique(subset=list(keys), keep="last", maintain_order=True)
    return kept, frame.height - kept.height


@dataclass
class EventTables:
    """Events from the missing and reviews tables, the UASC children, and row accounting."""

    events: list[pl.DataFrame]
    merged: dict[str, int]
    kept: dict[str, int]
    uasc_ids: pl.DataFrame | None


def event_tables(
    missing: pl.DataFrame,
    reviews: pl.DataFrame,
    uasc: pl.DataFrame | None,
    issues: IssueLog,
    *,
    children_ids: pl.DataFrame,
    hd: pl.DataFrame,
    ep: pl.DataFrame,
    obs: date,
    pivot: int | None,
    earliest: date,
    latest: date,
) -> EventTables:
    """Missing periods and reviews as events, UASC as children's flags; every row counted.

    ``children_ids`` lists the children (``CHILD``) rows may refer to; ``hd`` has their
    ``DOB``; ``ep`` the kept episodes (missing periods must fall in care).
    """
    two_digit_year_pivot, earliest_date, last_year_end = pivot, earliest, latest
    mi, rv, ua = missing, reviews, uasc if uasc is not None else pl.DataFrame()
    events_frames: list[pl.DataFrame] = []
    dup_ev: dict[str, int] = {}
    kept_ev: dict[str, int] = {}
    first_decom = ep.group_by("CHILD").agg(pl.col("DECOM").min().alias("_first"))

    def finish_events(frame: pl.DataFrame, table: str, date_col: str) -> pl.DataFrame:
        orphan = frame.join(children_ids, on="CHILD", how="anti")
        if orphan.height:
            issues.add_rows(
                orphan,
                "child_not_in_header",
                "excluded",
                f"a {table} row for a child without a header row; row excluded",
                "add the child to the header file",
                blocking=False,
            )
        frame = frame.join(children_ids, on="CHILD", how="semi")
        future = frame.filter(pl.col(date_col) > obs)
        if future.height:
            issues.add_rows(
                future,
                "after_observed_until",
                "excluded",
                f"{date_col} is after observed_until ({obs}); row excluded",
                "correct the date, or pass a later observed_until",
                column=date_col,
                blocking=False,
            )
        frame = frame.filter(pl.col(date_col) <= obs)
        early = frame.join(hd.select("CHILD", pl.col("DOB").alias("_dob")), on="CHILD").filter(
            pl.col(date_col) < pl.col("_dob")
        )
        if early.height:
            issues.add_rows(
                early,
                "before_birth",
                "excluded",
                f"{date_col} is before the child's date of birth; row excluded",
                f"correct {date_col} or the child's DOB",
                column=date_col,
            )
            frame = frame.join(early.select("_file", "_row"), on=["_file", "_row"], how="anti")
        return frame

    if mi.height:
        mi = parse_dates(
            mi,
            ["MIS_START", "MIS_END"],
            issues,
            required=["MIS_START"],
            pivot=two_digit_year_pivot,
            earliest=earliest_date,
            latest=last_year_end,
        )
        mi = check_codes(
            mi, "MISSING", codes.MISSING_KIND.keys(), issues, repair="missing", allow_null=False
        )
        bad = mi.filter(pl.col("MIS_END").is_not_null() & (pl.col("MIS_END") < pl.col("MIS_START")))
        if bad.height:
            issues.add_rows(
                bad,
                "dates_out_of_order",
                "excluded",
                "MIS_END is before MIS_START; row excluded",
                "correct MIS_START or MIS_END",
                column="MIS_END",
            )
            mi = mi.join(bad.select("_file", "_row"), on=["_file", "_row"], how="anti")
        n = mi.height
        mi, dup_ev["missing"] = dedupe_latest(mi, ["CHILD", "MIS_START", "MISSING"])
        assert mi.height == n - dup_ev["missing"]
        mi = finish_events(mi, "missing", "MIS_START")
        mi = check_missing_periods(mi, ep, issues)
        kept_ev["missing"] = mi.height
        events_frames.append(
            mi.select(
                pl.col("CHILD").alias("child_id"),
                pl.col("MIS_START").alias("date"),
                pl.col("MISSING")
                .replace_strict(dict(codes.MISSING_KIND), default="missing")
                .alias("kind"),
                (pl.col("MIS_END") - pl.col("MIS_START"))
                .dt.total_days()
                .cast(pl.Float64)
                .alias("value"),
            )
        )
    if rv.height:
        rv = parse_dates(
            rv,
            ["REVIEW"],
            issues,
            required=["REVIEW"],
            pivot=two_digit_year_pivot,
            earliest=earliest_date,
            latest=last_year_end,
        )
        rv = check_codes(
            rv,
            "REVIEW_CODE",
            codes.REVIEW_CODES,
            issues,
            repair="kept",
            allow_null=True,
            blocking=False,
        )
        n = rv.height
        rv, dup_ev["reviews"] = dedupe_latest(rv, ["CHILD", "REVIEW"])
        assert rv.height == n - dup_ev["reviews"]
        rv = finish_events(rv, "reviews", "REVIEW")
        outside_care = rv.join(first_decom, on="CHILD", how="left").filter(
            pl.col("_first").is_null() | (pl.col("REVIEW") < pl.col("_first"))
        )
        if outside_care.height:
            issues.add_rows(
                outside_care,
                "review_before_care",
                "warning",
                "the review is dated before the child's first episode in the returns; kept",
                "check REVIEW (or supply the earlier returns)",
                column="REVIEW",
                blocking=False,
            )
        kept_ev["reviews"] = rv.height
        events_frames.append(
            rv.select(
                pl.col("CHILD").alias("child_id"),
                pl.col("REVIEW").alias("date"),
                pl.lit("review").alias("kind"),
                pl.lit(None, dtype=pl.Float64).alias("value"),
            )
        )
    uasc_ids: pl.DataFrame | None = None
    if uasc is not None:
        n = ua.height
        nochild = ua.filter(pl.col("CHILD").is_null())
        if nochild.height:
            issues.add_rows(
                nochild,
                "missing_value",
                "excluded",
                "CHILD is empty; row excluded",
                "fill CHILD",
                column="CHILD",
            )
        ua = ua.filter(pl.col("CHILD").is_not_null())
        ua, dup_ev["uasc"] = dedupe_latest(ua, ["CHILD"])
        orphan = ua.join(children_ids, on="CHILD", how="anti")
        if orphan.height:
            issues.add_rows(
                orphan,
                "child_not_in_header",
                "excluded",
                "a uasc row for a child without a header row; row excluded",
                "add the child to the header file",
                blocking=False,
            )
        ua = ua.join(children_ids, on="CHILD", how="semi")
        kept_ev["uasc"] = ua.height
        uasc_ids = ua.select("CHILD")
        del n

    return EventTables(events_frames, dup_ev, kept_ev, uasc_ids)


def header_tables(
    frame: pl.DataFrame | None,
    ep: pl.DataFrame,
    issues: IssueLog,
    *,
    header: str,
    pivot: int | None,
    earliest: date,
    latest: date,
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """The header table checked and de-duplicated (latest return's row per child), the
    children to list (with rows synthesised for children without one when ``header`` is
    ``optional``), and the number of rows merged."""
    two_digit_year_pivot, earliest_date, last_year_end = pivot, earliest, latest
    if frame is not None:
        hd = parse_dates(
            frame,
            ["DOB"],
            issues,
            required=["DOB"],
            pivot=two_digit_year_pivot,
            earliest=earliest_date,
            latest=last_year_end,
        )
        hd = check_codes(
            hd, "SEX", codes.SEX_MAP.keys(), issues, repair="unknown", allow_null=False
        )
        hd = check_codes(
            hd, "ETHNIC", codes.ETHNIC_CODES, issues, repair="kept", allow_null=True, blocking=False
        )
    else:
        hd = pl.DataFrame(
            schema={
                "CHILD": pl.String(),
                "SEX": pl.String(),
                "DOB": pl.Date(),
                "ETHNIC": pl.String(),
                "_file": pl.String(),
                "_row": pl.Int64(),
                "_year": pl.Int64(),
            }
        )
    n_hd = hd.height
    conflicts = (
        hd.group_by("CHILD")
        .agg(pl.struct("SEX", "DOB", "ETHNIC").n_unique().alias("n"))
        .filter(pl.col("n") > 1)
    )
    for (child,) in conflicts.select("CHILD").iter_rows():
        issues.add(
            "header_conflict",
            "warning",
            "the child's SEX, DOB or ETHNIC differ between returns; the latest return is kept",
            "make the header consistent across returns",
            child=child,
            blocking=False,
        )
    hd, dup_hd = dedupe_latest(hd, ["CHILD"])
    assert hd.height == n_hd - dup_hd
    if header == "optional":
        synth = (
            ep.join(hd.select("CHILD"), on="CHILD", how="anti")
            .select("CHILD")
            .unique()
            .with_columns(
                pl.lit("U").alias("SEX"),
                pl.lit(None, dtype=pl.Date).alias("DOB"),
                pl.lit(None, dtype=pl.String).alias("ETHNIC"),
            )
        )
        if synth.height:
            issues.add(
                "header_synthesised",
                "warning",
                f"{synth.height} child(ren) have episodes but no header row; listed with an "
                "unknown birth date and sex (header='optional')",
                "supply the header table for a valid history",
                blocking=False,
            )
        hd_all = pl.concat([hd.select("CHILD", "SEX", "DOB", "ETHNIC"), synth], how="vertical")
    else:
        hd_all = hd.select("CHILD", "SEX", "DOB", "ETHNIC")

    return hd, hd_all, dup_hd


def children_table(
    hd_all: pl.DataFrame,
    uasc_ids: pl.DataFrame | None,
    placements: pl.DataFrame,
    issues: IssueLog,
) -> pl.DataFrame:
    """The canonical children table (``ethnicity`` kept as a sensitive extra column)."""
    children = hd_all.select(
        pl.col("CHILD").alias("child_id"),
        pl.col("DOB").alias("birth_date"),
        pl.col("SEX").replace_strict(dict(codes.SEX_MAP), default="unknown").alias("sex"),
    )
    if uasc_ids is not None:
        children = children.with_columns(
            pl.col("child_id").is_in(uasc_ids["CHILD"].implode()).alias("unaccompanied")
        )
    children = children.with_columns(hd_all["ETHNIC"].alias("ethnicity")).sort("child_id")
    without = children.join(placements.select("child_id").unique(), on="child_id", how="anti")
    if without.height:
        issues.add(
            "child_without_episodes",
            "warning",
            f"{without.height} child(ren) in the header have no episode kept; they stay in "
            "the children table",
            "check the episodes files",
            blocking=False,
        )

    return children
