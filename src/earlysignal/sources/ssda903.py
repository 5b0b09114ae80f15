"""The SSDA903 adapter: England's yearly children-looked-after returns to a ``CareHistory``.

An SSDA903 *episode* is a period with one legal status and one placement: a new episode starts
whenever either changes. Placements are therefore derived from episodes (a new placement where
``RNE`` is S, P, B, T or U; ``RNE`` L is a change of legal status only and becomes a status).
Each yearly return holds every episode open at any time in its collection year (1 April -
31 March), so one episode appears in several returns: the latest return's version of each
(``CHILD``, ``DECOM``) is kept and the others are counted as duplicates merged.

Nothing is dropped silently: every row read is either kept, merged as a duplicate or excluded
by a named rule, and :class:`ImportReport` accounts for all of them. The work is split by job:
:mod:`~earlysignal.sources.ssda903_read` (layouts, encodings, separators, dates),
:mod:`~earlysignal.sources.ssda903_reconcile` (one current version of each episode across
returns, liia-tools' episode fixes), :mod:`~earlysignal.sources.ssda903_rules` (consistency
rules), :mod:`~earlysignal.sources.ssda903_derive` (placements and statuses),
:mod:`~earlysignal.sources.ssda903_report` (issues and the report),
:mod:`~earlysignal.sources.ssda903_write` (canonical tables back to returns) and
:mod:`~earlysignal.sources.ssda903_dfe` (DfE's validator in its own environment).
By default an error in the returns (missing column, unknown code, unparseable or out-of-order
dates, overlapping episodes, a return for the wrong year, a child without a header row)
raises :class:`SSDA903Error` naming
the file, row and rule; with ``errors="repair"`` each is repaired or the row excluded, and
counted. Known data-quality issues that do not block an import (``REC`` X1 on open episodes,
DfE rule 148) are reported as warnings. Mapping decisions are in
:mod:`earlysignal.sources.ssda903_codes` and ``docs/ssda903.md``.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "2020-header.csv").write_text("CHILD,SEX,DOB,ETHNIC\\n1,2,01/02/2008,WBRI\\n")
>>> _ = (d / "2020-episodes.csv").write_text(
...     "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,URN\\n"
...     "1,01/05/2020,S,C2,N1,U4,PR1,01/09/2020,X1,CREQB,A\\n"
...     "1,01/09/2020,P,C2,N1,K2,PR4,,,,B\\n")
>>> history, report = import_ssda903(d, year_label="start")
>>> history.placements.select("setting", "end_reason", "end_reason_detail").rows()
[('foster', 'breakdown', 'CREQB'), ('residential', None, None)]
>>> history.observed_until, report.rows_read["episodes"]
(datetime.date(2021, 3, 31), 2)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, Literal

import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.sources import ssda903_codes as codes
from earlysignal.sources.ssda903_derive import derive
from earlysignal.sources.ssda903_read import (
    REQUIRED_COLUMNS,
    discover,
    parse_dates,
    read_return_file,
)
from earlysignal.sources.ssda903_reconcile import missing_years, reconcile
from earlysignal.sources.ssda903_report import (
    ImportIssue,
    ImportReport,
    IssueLog,
    ReturnFile,
    SSDA903Error,
)
from earlysignal.sources.ssda903_rules import (
    check_after_death_or_18,
    check_legal_status,
    check_rne,
    child_shift,
)
from earlysignal.sources.ssda903_tables import (
    check_codes,
    children_table,
    event_tables,
    header_tables,
)

__all__ = [
    "REQUIRED_COLUMNS",
    "ImportIssue",
    "ImportReport",
    "ReturnFile",
    "SSDA903Error",
    "import_ssda903",
]

EARLIEST_DATE = date(1990, 1, 1)
"""Dates before this are implausible in a children-looked-after return (``implausible_date``)."""


def _year_window(year: int, label: str) -> tuple[date, date]:
    """First and last day of the collection year of a return labelled ``year``."""
    if label == "start":
        return date(year, 4, 1), date(year + 1, 3, 31)
    return date(year - 1, 4, 1), date(year, 3, 31)


_FLOAT_ID = r"^\d+\.0+$"


def _check_child_ids(frame: pl.DataFrame, issues: IssueLog) -> pl.DataFrame:
    """A CHILD written as ``566910.0`` (a spreadsheet made it a number): error with a hint;
    under repair the ``.0`` is removed."""
    rows = frame.filter(pl.col("CHILD").str.contains(_FLOAT_ID))
    if rows.height:
        issues.add_rows(
            rows,
            "child_id_as_number",
            "repaired",
            "CHILD looks like a number written by a spreadsheet (e.g. 566910.0), so it will "
            "not match the same child in other files; read as the id without '.0'",
            "export CHILD as text (format the column as Text before saving the CSV)",
            column="CHILD",
        )
        frame = frame.with_columns(pl.col("CHILD").str.replace(r"\.0+$", ""))
    return frame


def _scope_by_authority(frame: pl.DataFrame) -> pl.DataFrame:
    """Ids are unique within an authority only: prefix CHILD with LA when there is one."""
    return frame.with_columns(
        pl.when(pl.col("_la").is_not_null())
        .then(pl.col("_la") + "/" + pl.col("CHILD"))
        .otherwise(pl.col("CHILD"))
        .alias("CHILD")
    )


def import_ssda903(
    src: str | Path | Iterable[str | Path],
    out: str | Path | None = None,
    *,
    observed_until: date | None = None,
    year_label: Literal["auto", "start", "end"] = "auto",
    errors: Literal["raise", "repair"] = "raise",
    validate: bool = True,
    two_digit_year_pivot: int | None = None,
    earliest_date: date = EARLIEST_DATE,
    header: Literal["required", "optional"] = "required",
    dfe_rules: bool = False,
) -> tuple[CareHistory, ImportReport]:
    """Import one or more yearly SSDA903 returns into a validated ``CareHistory``.

    Parameters
    ----------
    src
        A folder of CSV returns (``{YEAR}-episodes.csv``, prefixed names such as
        ``SSDA903_2020_episodes.csv``, one sub-folder per year, or files with a ``YEAR``
        column; an ``LA`` column scopes ids by authority), or a list of such files. Other
        files are listed as ignored.
    out
        If given, the canonical folder to write (Parquet tables, ``meta.json`` with the
        report's summary, ``import_report.json``, and the row-level ``import_issues.csv``).
    observed_until
        The extraction date; default: the end (31 March) of the latest collection year.
    year_label
        Whether a return's year names the collection year's ``start`` or ``end``; ``auto``
        picks the reading under which fewer episodes fall outside their return's year.
    errors
        ``raise`` (default): raise :class:`SSDA903Error` listing every error. ``repair``:
        exclude or repair each offending row and count it in the report.
    validate
        Run the canonical validation on the result (recorded in ``report.validation``).
    two_digit_year_pivot
        Read ``dd/mm/yy`` dates with this pivot (50: ``00``-``49`` are 2000-2049, ``50``-``99``
        1950-1999). By default two-digit years are an error, never guessed.
    earliest_date
        Dates before it are implausible (``implausible_date``); dates after the extraction
        date (end of the latest return) are too.
    header
        ``required`` (default): episodes need the header table (birth date, sex).
        ``optional``: without header rows, children are listed with an unknown birth date
        (the canonical validation then fails and says so; use it to inspect episodes).
    dfe_rules
        Also run DfE's validator (``csc-validator-be-903``) in its own environment and fold
        its findings into ``report.dfe`` by rule code (see :mod:`.ssda903_dfe`).

    Returns
    -------
    (CareHistory, ImportReport)
        The history (``children`` has the extra sensitive column ``ethnicity``; ``statuses``
        holds ``legal_status`` and ``category_of_need``) and the import report.

    Examples
    --------
    See the module docstring.
    """
    if errors not in ("raise", "repair"):
        raise ValueError(f"errors must be 'raise' or 'repair', got {errors!r}")
    if year_label not in ("auto", "start", "end"):
        raise ValueError(f"year_label must be 'auto', 'start' or 'end', got {year_label!r}")
    if two_digit_year_pivot is not None and not 0 <= two_digit_year_pivot <= 99:
        raise ValueError(f"two_digit_year_pivot must be 0-99, got {two_digit_year_pivot}")
    issues = IssueLog(errors)
    found, ignored = discover(src)
    for name in ignored:
        issues.add(
            "ignored_file",
            "warning",
            "not read: the name names no SSDA903 table (episodes, header, missing, uasc, "
            "reviews) or it is not a .csv/.txt file",
            "rename the file, e.g. 2021-episodes.csv, if it is a return",
            file=name,
            blocking=False,
        )
    frames: dict[str, list[pl.DataFrame]] = {t: [] for t in REQUIRED_COLUMNS}
    files: list[ReturnFile] = []
    rows_read: dict[str, int] = dict.fromkeys(REQUIRED_COLUMNS, 0)
    blank: dict[str, int] = dict.fromkeys(REQUIRED_COLUMNS, 0)
    root = Path(src) if isinstance(src, str | Path) and Path(src).is_dir() else None
    empty_years: set[int] = set()
    la_files: dict[str, bool] = {}
    for p, table, year in found:
        shown = str(p.relative_to(root)) if root is not None else p.name
        raw = read_return_file(p, table, year, issues, display=shown)
        files.append(ReturnFile(shown, table, raw.years, raw.rows, raw.encoding, raw.separator))
        rows_read[table] += raw.rows
        blank[table] += raw.blank_rows
        if table == "episodes" and year is not None and raw.frame is not None:
            empty_years.add(year)  # a return without episodes still is that year's return
        if raw.frame is not None:
            la_files[shown] = "LA" in raw.frame.columns
            frames[table].append(_scope_by_authority(_check_child_ids(raw.frame, issues)))
    with_la = {name for name, has in la_files.items() if has}
    if with_la:
        for name in sorted(set(la_files) - with_la):
            issues.add(
                "la_column_missing",
                "error",
                "other files carry an LA column (ids scoped by authority) but this one does "
                "not: its CHILD ids cannot be matched to an authority",
                "add the LA column to every table of a multi-authority extract",
                file=name,
                column="LA",
            )
    if not frames["episodes"]:
        issues.add(
            "no_episodes",
            "error",
            "no readable episodes file: a history cannot be derived",
            "pass a folder or files including {YEAR}-episodes.csv",
        )
        raise SSDA903Error(issues.errors() or issues.items, issues.items)
    if not frames["header"] and header == "required":
        issues.add(
            "no_header",
            "error",
            "no readable header file: children's birth dates and sex are unknown",
            "pass the {YEAR}-header.csv files with the episodes (or header='optional')",
        )
        raise SSDA903Error(issues.errors() or issues.items, issues.items)

    def stack(table: str) -> pl.DataFrame:
        fr = frames[table]
        return pl.concat(fr, how="diagonal_relaxed") if fr else pl.DataFrame()

    # ------------------------------------------------------------ years and the label
    ep_all = stack("episodes")
    years_by_la: dict[str, set[int]] = {}
    for la, y in ep_all.select(pl.col("_la").fill_null(""), "_year").unique().iter_rows():
        years_by_la.setdefault(la, set()).add(y)
    if set(years_by_la) <= {""}:
        years_by_la.setdefault("", set()).update(empty_years)
    all_years = sorted({y for ys in years_by_la.values() for y in ys})

    def windows_for(label: str) -> dict[int, tuple[date, date]]:
        return {y: _year_window(y, label) for y in all_years}

    # a provisional latest date for plausibility: the later of both readings' last year end
    latest_possible = max(w[1] for w in windows_for("start").values())
    if observed_until is not None:
        latest_possible = max(latest_possible, observed_until)
    ep = parse_dates(
        ep_all,
        ["DECOM", "DEC"],
        issues,
        required=["DECOM"],
        pivot=two_digit_year_pivot,
        earliest=earliest_date,
        latest=latest_possible,
        open_ended=["DEC"],
    )
    for col, valid, repair, allow_null, blocking in (
        ("RNE", codes.RNE_CODES, "P", False, True),
        ("LS", codes.LEGAL_STATUS_CODES, "unknown", False, True),
        ("CIN", codes.CIN_CODES, "unknown", True, False),
        ("PLACE", codes.PLACE_SETTING.keys(), "Z1", False, True),
        ("PLACE_PROVIDER", codes.PLACE_PROVIDER_CODES, "unknown", True, False),
        ("REC", {*codes.REC_END, "X1"}, "E8", True, True),
        ("REASON_PLACE_CHANGE", codes.REASON_PLACE_CHANGE_END.keys(), "OTHER", True, True),
    ):
        ep = check_codes(
            ep, col, valid, issues, repair=repair, allow_null=allow_null, blocking=blocking
        )
    order = ep.filter(pl.col("DEC").is_not_null() & (pl.col("DEC") < pl.col("DECOM")))
    if order.height:
        issues.add_rows(
            order,
            "dates_out_of_order",
            "excluded",
            "the episode ends (DEC) before it starts (DECOM); row excluded",
            "correct DECOM or DEC",
            column="DEC",
        )
        ep = ep.filter(~(pl.col("DEC").is_not_null() & (pl.col("DEC") < pl.col("DECOM"))))

    def outside(label: str) -> pl.Expr:
        bounds = windows_for(label)
        starts = pl.col("_year").replace_strict({y: b[0] for y, b in bounds.items()})
        ends = pl.col("_year").replace_strict({y: b[1] for y, b in bounds.items()})
        return (pl.col("DECOM") > ends) | (pl.col("DEC").is_not_null() & (pl.col("DEC") < starts))

    if year_label == "auto":
        n_start = ep.filter(outside("start")).height
        n_end = ep.filter(outside("end")).height
        label = "start" if n_start < n_end else "end"
    else:
        label = year_label
    windows = windows_for(label)
    wrong = ep.filter(outside(label))
    if wrong.height:
        for rec in wrong.select("_file", "_row", "CHILD", "_year", "DECOM", "DEC").iter_rows():
            y0, y1 = windows[rec[3]]
            issues.add(
                "wrong_year",
                "excluded",
                f"the episode ({rec[4]} to {rec[5] or 'open'}) was not open during the "
                f"collection year of return {rec[3]} ({y0} to {y1}); row excluded",
                "check the file is the return for that year (or its YEAR column), "
                f"or pass year_label explicitly (now {label!r})",
                file=rec[0],
                row=rec[1],
                child=rec[2],
                column="DECOM",
                value=rec[4],
            )
        ep = ep.filter(~outside(label))
    extraction = {la: windows[max(ys)][1] for la, ys in years_by_la.items()}
    last_year_end = max(extraction.values())
    obs = observed_until or last_year_end
    # an episode cannot have ended after the data were extracted (a two-digit year read as
    # four digits, or a typing slip): an error, unlike an end after an earlier observed_until
    extracted = max(last_year_end, obs)
    future = ep.filter(pl.col("DEC") > extracted)
    if future.height:
        issues.add_rows(
            future,
            "implausible_date",
            "excluded",
            f"DEC is after the extraction date {extracted} (the end of the latest return); "
            "row excluded",
            "correct DEC",
            column="DEC",
        )
        ep = ep.filter(~(pl.col("DEC") > extracted).fill_null(False))
    for la, when in sorted(extraction.items()):
        if when < last_year_end and la:
            issues.add(
                "authority_extraction_earlier",
                "warning",
                f"authority {la!r} has returns only up to {when}; its children's episodes "
                f"still open then are treated as open until {obs}",
                f"pass observed_until={when.isoformat()} for a window common to all authorities",
                value=la,
                blocking=False,
            )
    # missing return years: refused, or (repair) marked
    gaps = {la: missing_years(ys) for la, ys in years_by_la.items()}
    affected: list[tuple[date, date]] = []
    for la, gap in sorted(gaps.items()):
        for y in gap:
            w = _year_window(y, label)
            affected.append(w)
            issues.add(
                "missing_return_year",
                "warning",
                f"no episodes return for {y} ({w[0]} to {w[1]})"
                + (f" from authority {la!r}" if la else "")
                + " although earlier and later returns exist: episodes, moves and endings in "
                "that period are incomplete (the period is marked in the report)",
                "add the missing year's return, or import with --repair to go on with the "
                "period marked",
                value=str(y),
            )

    # REC on open episodes (DfE rule 148): a known data-quality issue, reported, REC ignored
    rec_open = ep.filter(pl.col("DEC").is_null() & pl.col("REC").is_not_null())
    if rec_open.height:
        issues.add_rows(
            rec_open,
            "rec_on_open_episode",
            "warning",
            "an open episode (DEC blank) carries REC; DfE rule 148 says REC must be blank then. "
            "The episode is treated as open and REC ignored",
            "leave REC blank on open episodes",
            column="REC",
            blocking=False,
        )
        ep = ep.with_columns(
            pl.when(pl.col("DEC").is_null()).then(None).otherwise(pl.col("REC")).alias("REC")
        )
    year_end = pl.col("_year").replace_strict({y: b[1] for y, b in windows.items()})
    late = ep.filter(pl.col("DEC").is_not_null() & (pl.col("DEC") > year_end))
    if late.height:
        issues.add_rows(
            late,
            "ceased_after_year_end",
            "warning",
            "the episode ceased (DEC) after the end of its return's collection year; "
            "kept (a later return, if given, has the last word)",
            "report the episode as open in this return",
            column="DEC",
            blocking=False,
        )

    # ------------------------------------------------------------ reconcile across returns
    n_checked = ep.height
    recon = reconcile(
        ep,
        {y: b[1] for y, b in windows.items()},
        issues,
        latest_years={la: max(ys) for la, ys in years_by_la.items()},
    )
    ep = recon.frame
    dup_ep = recon.merged
    # anything after the extraction date: episodes starting later are excluded, later ends
    # are censored (the episode was still open at observed_until)
    after = ep.filter(pl.col("DECOM") > obs)
    if after.height:
        issues.add_rows(
            after,
            "after_observed_until",
            "excluded",
            f"the episode starts after observed_until ({obs}); row excluded",
            "pass a later observed_until",
            column="DECOM",
            blocking=False,
        )
        ep = ep.filter(pl.col("DECOM") <= obs)
    cens = ep.filter(pl.col("DEC").is_not_null() & (pl.col("DEC") > obs))
    if cens.height:
        issues.add_rows(
            cens,
            "censored_at_observed_until",
            "repaired",
            f"the episode ends after observed_until ({obs}); kept as open at that date",
            "pass a later observed_until to keep the end",
            column="DEC",
            blocking=False,
        )
        ep = ep.with_columns(
            pl.when(pl.col("DEC") > obs).then(None).otherwise(pl.col("REC")).alias("REC"),
            pl.when(pl.col("DEC") > obs).then(None).otherwise(pl.col("DEC")).alias("DEC"),
        )

    # ------------------------------------------------------------ header -> children
    hd, hd_all, dup_hd = header_tables(
        stack("header") if frames["header"] else None,
        ep,
        issues,
        header=header,
        pivot=two_digit_year_pivot,
        earliest=earliest_date,
        latest=last_year_end,
    )

    # episodes of children without a header row, or starting before birth
    no_header = ep.join(hd_all.select("CHILD"), on="CHILD", how="anti")
    if no_header.height:
        issues.add_rows(
            no_header,
            "child_not_in_header",
            "excluded",
            "the child has episodes but no header row (no birth date or sex); row excluded",
            "add the child to the header file",
        )
        ep = ep.join(hd_all.select("CHILD"), on="CHILD", how="semi")
    before = ep.join(hd.select("CHILD", pl.col("DOB")), on="CHILD").filter(
        pl.col("DECOM") < pl.col("DOB")
    )
    if before.height:
        issues.add_rows(
            before,
            "episode_before_birth",
            "excluded",
            "the episode starts before the child's date of birth; row excluded",
            "correct DECOM or the child's DOB",
            column="DECOM",
        )
        ep = ep.join(before.select("CHILD", "DECOM"), on=["CHILD", "DECOM"], how="anti")

    # ------------------------------------------------------------ consistency rules
    ep = ep.sort("CHILD", "DECOM")
    ep = check_after_death_or_18(ep, hd.select("CHILD", "DOB"), issues)
    ep = check_rne(ep, issues)
    ep = check_legal_status(ep, issues)
    # remaining overlaps within one return: the previous episode is open or ends after the
    # next starts
    ep = ep.sort("CHILD", "DECOM")
    prev_dec = child_shift("DEC", 1)
    has_prev = child_shift("DECOM", 1).is_not_null()
    ep = ep.with_columns(
        (has_prev & (prev_dec.is_null() | (prev_dec > pl.col("DECOM")))).alias("_overlap")
    )
    overl = ep.filter(pl.col("_overlap"))
    if overl.height:
        issues.add_rows(
            overl,
            "overlapping_episodes",
            "repaired",
            "the episode starts before the child's previous episode (of the same or a later "
            "return) ended, or while it is open; the previous episode is cut to end on this "
            "DECOM",
            "correct DEC of the previous episode or DECOM of this one",
            column="DECOM",
        )
        nxt = child_shift("DECOM", -1)
        cut = child_shift("_overlap", -1).fill_null(False)
        ep = ep.with_columns(
            pl.when(cut).then(nxt).otherwise(pl.col("DEC")).alias("DEC"),
            pl.when(cut).then(pl.lit("X1")).otherwise(pl.col("REC")).alias("REC"),
        )
    kept_ep = ep.height

    # ------------------------------------------------------------ placements and statuses
    placements, statuses = derive(ep, issues)

    # ------------------------------------------------------------ events
    et = event_tables(
        stack("missing"),
        stack("reviews"),
        stack("uasc") if frames["uasc"] else None,
        issues,
        children_ids=hd_all.select("CHILD"),
        hd=hd,
        ep=ep,
        obs=obs,
        pivot=two_digit_year_pivot,
        earliest=earliest_date,
        latest=last_year_end,
    )
    events_frames, dup_ev, kept_ev, uasc_ids = et.events, et.merged, et.kept, et.uasc_ids

    children = children_table(hd_all, uasc_ids, placements, issues)

    errs = issues.errors()
    if errs:
        raise SSDA903Error(errs, issues.items)

    events = (
        pl.concat(events_frames, how="vertical_relaxed")
        if events_frames
        else pl.DataFrame(
            schema={
                "child_id": pl.String(),
                "date": pl.Date(),
                "kind": pl.String(),
                "value": pl.Float64(),
            }
        )
    ).sort("child_id", "date", "kind", "value", nulls_last=True)

    # ------------------------------------------------------------ accounting and output
    kept = {
        "episodes": kept_ep,
        "header": hd.height,
        "missing": kept_ev.get("missing", 0),
        "uasc": kept_ev.get("uasc", 0),
        "reviews": kept_ev.get("reviews", 0),
    }
    dups = {
        "episodes": dup_ep,
        "header": dup_hd,
        "missing": dup_ev.get("missing", 0),
        "uasc": dup_ev.get("uasc", 0),
        "reviews": dup_ev.get("reviews", 0),
    }
    excluded = {t: rows_read[t] - dups[t] - kept[t] for t in rows_read}
    n_temp = int(placements["temporary"].sum())
    flow = {
        "episode rows read": rows_read["episodes"],
        "blank rows skipped": blank["episodes"],
        "rows excluded before reconciliation": rows_read["episodes"]
        - blank["episodes"]
        - n_checked,
        "exact repeats merged": recon.counts["exact_repeat"],
        "zero-day episodes merged": recon.counts["zero_day_episode"],
        "versions replaced by a later return": recon.counts["replaced_by_later_return"],
        "excluded in reconciliation": recon.excluded,
        "excluded after reconciliation": recon.frame.height - kept_ep,
        "episodes kept": kept_ep,
        "placements": placements.height - n_temp,
        "temporary placements": n_temp,
    }
    history = CareHistory.from_frames(
        children=children,
        placements=placements,
        events=events,
        statuses=statuses,
        observed_until=obs,
    )
    notes = (
        "ETHNIC is kept as the sensitive extra column 'ethnicity' and not mapped to the CBS "
        "origin classification (ethnicity is not migration background).",
        "Temporary moves (PLACE T0-T4) are temporary placements inside the placement they "
        "interrupt; they are never moves.",
        "Short breaks (LS V3/V4) are kept as placements and as legal_status statuses; filter "
        "them with statuses if a published-statistics definition is needed.",
    )
    report = ImportReport(
        files=tuple(files),
        ignored_files=tuple(ignored),
        year_label=label,
        observed_until=obs,
        rows_read=rows_read,
        duplicates_merged=dups,
        excluded=excluded,
        kept=kept,
        issues=tuple(issues.items),
        output_counts=history.counts(),
        validation=None,
        notes=notes,
        collection_years=tuple(windows[y] for y in sorted(windows)),
        years_found={la: tuple(sorted(ys)) for la, ys in sorted(years_by_la.items())},
        years_missing={la: gaps[la] for la in sorted(gaps)},
        affected_periods=tuple(sorted(set(affected))),
        extraction_dates=dict(sorted(extraction.items())),
        flow=flow,
    )
    validation: dict[str, Any] | None = None
    if validate:
        validation = _validation_summary(history)
    dfe: dict[str, int] | None = None
    if dfe_rules:
        from earlysignal.sources.ssda903_dfe import run_dfe_validator

        dfe = run_dfe_validator(found, label)
    report = ImportReport(**{**_fields(report), "validation": validation, "dfe": dfe})
    history = CareHistory(
        children=history.children,
        placements=history.placements,
        events=history.events,
        observed_until=history.observed_until,
        statuses=history.statuses,
        meta={"source": "ssda903", "import": report.summary()},
    )
    if out is not None:
        write_import(history, report, out)
    return history, report


def _fields(report: ImportReport) -> dict[str, Any]:
    return {f: getattr(report, f) for f in report.__dataclass_fields__}


def _validation_summary(history: CareHistory) -> dict[str, Any]:
    """Run the canonical validation and summarise it (counts only)."""
    result = history.validate(strict=False)
    return {
        "ok": result.ok,
        "errors": result.errors.height,
        "warnings": result.warnings.height,
        "counts_by_rule": {
            f"{r['rule']} {r['name']} [{r['table']}]": int(r["n"])
            for r in result.counts_by_rule().iter_rows(named=True)
        },
    }


def write_import(history: CareHistory, report: ImportReport, out: str | Path) -> Path:
    """Write the canonical folder plus ``import_report.json`` and ``import_issues.csv``."""
    folder = history.write(out)
    (folder / "import_report.json").write_text(
        json.dumps(report.summary(), indent=2, sort_keys=True, default=str)
    )
    report.issues_frame().write_csv(folder / "import_issues.csv")
    return folder
