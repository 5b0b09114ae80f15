"""Deriving canonical rows from CBS trajectories for :mod:`earlysignal.sources.cbs`.

A trajectory is form of care (or measure) + start date, as CBS counts it. :func:`trajectories`
checks rows, keeps the latest year's version of a repeated trajectory and merges overlapping
ones of one code; :func:`placements` turns accommodation trajectories into placements
(overlaps, nesting and short gaps resolved); :func:`children` reads GBAPERSOON rows.

Examples
--------
>>> parse_date("d").meta.output_name()
'd'
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl

from earlysignal.schema import polars_schema
from earlysignal.sources.cbs_codes import CBSCodes
from earlysignal.sources.cbs_report import Issues

__all__ = ["TR_SCHEMA", "children", "parse_date", "placements", "trajectories"]

TR_SCHEMA = {
    "_child": pl.String(),
    "code": pl.Int64(),
    "start": pl.Date(),
    "end": pl.Date(),
    "_extra": pl.String(),
    "_prov": pl.String(),
}


def parse_date(col: str) -> pl.Expr:
    """A text column of ``YYYYMMDD`` (or ISO) dates as ``pl.Date``; null where not a date."""
    s = pl.col(col)
    return pl.coalesce(
        s.str.to_date("%Y%m%d", strict=False), s.str.to_date("%Y-%m-%d", strict=False)
    )


def _whole(x: pl.Expr) -> pl.Expr:
    """A float as a whole number; null when it has a fraction (11.5 is no code)."""
    return pl.when(x.is_finite() & (x == x.floor())).then(x.cast(pl.Int64, strict=False))


def trajectories(  # noqa: PLR0917
    frame: pl.DataFrame,
    what: str,
    known: set[int],
    codes: CBSCodes,
    obs: date,
    issues: Issues,
    counts: dict[str, int],
) -> pl.DataFrame:
    """Checked, de-duplicated and merged trajectories: _child, code, start, end (+ extras)."""
    if frame.is_empty():
        return pl.DataFrame(schema=TR_SCHEMA)
    open_end = [v for v in codes.open_end if v]
    f = frame.with_columns(
        pl.when(pl.col("person").fill_null("") != "")
        .then(pl.col("person_type").fill_null("") + pl.col("person"))
        .alias("_child"),
        _whole(pl.col("code").str.strip_chars().cast(pl.Float64, strict=False)).alias("_code"),
        parse_date("begin").alias("start"),
        pl.when(pl.col("end").is_null() | (pl.col("end") == "") | pl.col("end").is_in(open_end))
        .then(None)
        .otherwise(parse_date("end"))
        .alias("_end"),
        (pl.col("end").is_null() | (pl.col("end") == "") | pl.col("end").is_in(open_end)).alias(
            "_open"
        ),
    )
    n0 = f.height

    def drop(mask: pl.Expr, rule: str, message: str, fix: str, column: str | None) -> None:
        nonlocal f
        bad = f.filter(mask)
        if bad.height:
            issues.add_rows(bad, rule, "excluded", message, fix, column=column)
            f = f.filter(~mask)

    drop(
        pl.col("_child").is_null(),
        "missing_id",
        f"{what} row without RINPERSOON",
        "export the files with RINPERSOONS and RINPERSOON filled in",
        "person",
    )
    drop(
        pl.col("_code").is_null() | ~pl.col("_code").is_in(sorted(known)),
        "unknown_code",
        f"{what} code not in the code list",
        "add the code to the code list (--codes) or correct the row",
        "code",
    )
    drop(
        pl.col("start").is_null(),
        "bad_date",
        "start date missing or not a date (YYYYMMDD)",
        "write dates as YYYYMMDD",
        "begin",
    )
    drop(
        ~pl.col("_open") & pl.col("_end").is_null(),
        "bad_date",
        "end date not a date (YYYYMMDD), nor empty for an open trajectory",
        "write dates as YYYYMMDD, or leave the end empty",
        "end",
    )
    drop(
        pl.col("_end") < pl.col("start"),
        "end_before_start",
        "the end date is before the start date",
        "correct the dates",
        "end",
    )
    drop(
        pl.col("start") > obs,
        "after_extraction",
        f"starts after the extraction date {obs}",
        "set observed_until to the extraction date, or correct the row",
        "begin",
    )
    year_first = pl.date(pl.col("_year"), 1, 1)
    year_last = pl.date(pl.col("_year"), 12, 31)
    outside = pl.col("_year").is_not_null() & (
        (pl.col("start") > year_last) | (pl.col("_end") < year_first)
    ).fill_null(False)
    drop(
        outside,
        "outside_file_year",
        "the trajectory is not valid in the year its file is for (mixed years)",
        "put the row in the file of the year(s) it was valid in",
        "begin",
    )
    late = f.filter(pl.col("_end") > obs)
    if late.height:
        issues.add_rows(
            late,
            "after_extraction",
            "repaired",
            f"ends after the extraction date {obs}: kept as open at extraction",
            "set observed_until to the extraction date, or correct the row",
            column="end",
        )
        f = f.with_columns(
            pl.when(pl.col("_end") > obs).then(None).otherwise(pl.col("_end")).alias("_end")
        )
    counts["excluded"] += n0 - f.height
    # identical rows in one file: merged, reported
    key = ["_child", "_code", "start", "_end", "_file"]
    dup = f.filter(pl.struct(key).is_duplicated() & ~pl.struct(key).is_first_distinct())
    if dup.height:
        issues.add_rows(
            dup,
            "duplicate_row",
            "repaired",
            "the same row twice in one file: kept once",
            "none needed",
            blocking=False,
        )
        f = f.unique(subset=key, keep="first", maintain_order=True)
    # the same trajectory (code + start) in several yearly files: the latest year's version
    f = f.with_columns(pl.col("_year").fill_null(0))
    latest = f.group_by("_child", "_code", "start").agg(pl.col("_year").max().alias("_ly"))
    f2 = f.join(latest, on=["_child", "_code", "start"]).filter(pl.col("_year") == pl.col("_ly"))
    counts["duplicates"] += dup.height + (f.height - f2.height)
    f = f2.sort("_child", "_code", "start", pl.col("_end").is_null(), "_end", "_file", "_row")
    # overlapping trajectories of one form of care: merged, as CBS does
    rows: list[tuple[Any, ...]] = []
    merged: list[tuple[str, int, str]] = []
    for c in ("_extra", "_prov"):
        if c not in f.columns:
            f = f.with_columns(pl.lit(None, dtype=pl.String).alias(c))
    cols = ("_child", "_code", "start", "_end", "_file", "_row", "_extra", "_prov")
    for child, code, start, end, fname, row, ex, prov in f.select(cols).iter_rows():
        if rows and rows[-1][0] == child and rows[-1][1] == code:
            pc, pcode, ps, pe, pex, pprov = rows[-1]
            if pe is None or start < pe:
                new_end = None if (pe is None or end is None) else max(pe, end)
                # the later end decides the end reason; the first provider is kept
                last_ex = ex if (end is None or (pe is not None and end >= pe)) else pex
                rows[-1] = (pc, pcode, ps, new_end, last_ex, pprov or prov)
                merged.append((fname, row, child))
                continue
        rows.append((child, code, start, end, ex, prov))
    for fname, row, child in merged:
        issues.add(
            "overlap_merged",
            "repaired",
            f"overlaps an earlier {what} trajectory of the same code: merged into it, as CBS does",
            "none needed",
            file=fname,
            row=row,
            child=child,
            blocking=False,
        )
    counts["merged"] += len(merged)
    return pl.DataFrame(rows, schema=TR_SCHEMA, orient="row")


def placements(
    tr: pl.DataFrame, codes: CBSCodes, issues: Issues, counts: dict[str, int]
) -> pl.DataFrame:
    """Accommodation trajectories -> placements: overlaps, nesting and gaps resolved."""
    out: list[dict[str, Any]] = []
    gap = codes.gap_days
    reasons = codes.end_reasons
    for (child,), g in tr.sort("_child", "start", "end", nulls_last=True).group_by(
        "_child", maintain_order=True
    ):
        kept: list[dict[str, Any]] = []
        for code, start, end, ex, prov in g.select(
            "code", "start", "end", "_extra", "_prov"
        ).iter_rows():
            cur = {
                "child_id": child,
                "start": start,
                "end": end,
                "code": code,
                "extra": ex,
                "provider": prov,
                "temporary": False,
            }
            main = [k for k in kept if not k["temporary"]]
            prev = main[-1] if main else None
            if prev is not None and (prev["end"] is None or start < prev["end"]):
                inside = prev["end"] is None or (end is not None and end <= prev["end"])
                if inside and start > prev["start"]:
                    issues.add(
                        "nested_accommodation",
                        "repaired",
                        "an accommodation trajectory inside another: kept as a temporary "
                        "placement (not a move)",
                        "none needed; see docs/cbs.md",
                        child=str(child),
                        value=code,
                        blocking=False,
                    )
                    cur["temporary"] = True
                elif start > prev["start"]:
                    issues.add(
                        "overlapping_accommodation",
                        "repaired",
                        f"two forms of care with accommodation at once (from {start}): the "
                        f"earlier one is ended on {start}",
                        "correct the dates, or import with --repair to trim",
                        child=str(child),
                        value=code,
                    )
                    prev["end"] = start
                else:
                    issues.add(
                        "overlapping_accommodation",
                        "excluded",
                        f"two forms of care with accommodation starting on {start}: the second "
                        "is left out",
                        "correct the rows, or import with --repair to exclude",
                        child=str(child),
                        value=code,
                    )
                    counts["excluded"] += 1
                    continue
            elif prev is not None and prev["end"] is not None:
                days = (start - prev["end"]).days
                if 1 < days <= gap:
                    issues.add(
                        "gap_bridged",
                        "repaired",
                        f"a new placement {days} days after the previous one ended: one move "
                        f"(gap <= {gap} days)",
                        "set [moves] gap_days in --codes to change this",
                        child=str(child),
                        blocking=False,
                    )
                    prev["end"] = start - timedelta(days=1)
            kept.append(cur)
        out.extend(kept)
    rows = []
    for i, p in enumerate(out):
        h = codes.hulpvorm[p["code"]]
        ended = p["end"] is not None
        reason = None
        if ended:
            reason = reasons.get(p["extra"] or "", "other")
            if codes.end_reason_column and (p["extra"] or "") not in reasons:
                issues.add(
                    "unknown_end_reason",
                    "repaired",
                    f"end-reason code {p['extra']!r} is not in [end_reasons.codes]: "
                    "end_reason 'other'",
                    "map the code in a --codes file",
                    child=str(p["child_id"]),
                    value=p["extra"],
                    blocking=False,
                )
        rows.append(
            {
                "child_id": p["child_id"],
                "placement_id": f"{p['child_id']}-{i:07d}",
                "start": p["start"],
                "end": p["end"],
                "setting": h.setting,
                "provider_id": p["provider"],
                "end_reason": reason,
                "end_reason_detail": (p["extra"] if codes.end_reason_column and ended else None),
                "temporary": p["temporary"],
                "siblings_together": None,
            }
        )
    return pl.DataFrame(rows, schema=polars_schema("placements"), orient="row")


def children(
    persons: pl.DataFrame, codes: CBSCodes, issues: Issues, counts: dict[str, int]
) -> tuple[pl.DataFrame, set[str]]:
    """The children table from GBAPERSOON rows (one per person: the latest year's)."""
    f = persons.with_columns(
        (pl.col("person_type").fill_null("") + pl.col("person")).alias("_child"),
        pl.col("birth_year").cast(pl.Int32, strict=False).alias("_y"),
        pl.col("birth_month").cast(pl.Int32, strict=False).alias("_m"),
    )
    bad = f.filter(pl.col("person").is_null() | (pl.col("person") == ""))
    if bad.height:
        issues.add_rows(
            bad,
            "missing_id",
            "excluded",
            "GBAPERSOON row without RINPERSOON",
            "export the file with RINPERSOON filled in",
        )
        f = f.filter(pl.col("person").is_not_null() & (pl.col("person") != ""))
    ok = pl.col("_y").is_between(1900, 2100) & pl.col("_m").is_between(1, 12)
    bad_birth = f.filter(~ok.fill_null(False))
    if bad_birth.height:
        issues.add_rows(
            bad_birth,
            "bad_birth_date",
            "excluded",
            "birth year or month missing or not valid",
            "correct GBAGEBOORTEJAAR / GBAGEBOORTEMAAND",
            column="birth_year",
        )
    excluded_children = set(bad_birth["_child"].to_list())
    f = f.filter(ok.fill_null(False))
    counts["excluded"] += bad.height + bad_birth.height
    n = f.height
    f = f.sort("_year", "_file", "_row", nulls_last=False).unique(
        "_child", keep="last", maintain_order=True
    )
    counts["duplicates"] += n - f.height
    children = f.select(
        pl.col("_child").alias("child_id"),
        pl.date(pl.col("_y"), pl.col("_m"), 15).alias("birth_date"),
        pl.col("sex")
        .replace_strict(dict(codes.sex), default="unknown", return_dtype=pl.String)
        .alias("sex"),
    ).sort("child_id")
    return children, excluded_children - set(children["child_id"].to_list())
