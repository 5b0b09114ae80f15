"""The CBS adapter: youth-care microdata (JGDHULPBUS, JGDBESCHERMBUS) to a ``CareHistory``.

Researchers in CBS Remote Access (offline machines) get yearly SPSS files: ``JGDHULP{YYYY}BUSV{n}``
(youth-care trajectories: ``RINPERSOONS``, ``RINPERSOON``, ``JGDHHULPVORM``, validity start and
end), ``JGDBESCHERM{YYYY}BUSV{n}`` (protection and probation measures: ``JGDBMAATREGEL`` and its
validity dates) and ``GBAPERSOON{YYYY}TABV{n}`` (sex, birth year and month). This module reads them
(``.sav`` through pyreadstat, or CSV with the same columns) into canonical tables:

- child id = ``RINPERSOONS`` + ``RINPERSOON`` (CBS's own pseudonymised key; nothing else is read);
- a trajectory is form of care (hulpvorm) + start date, as CBS counts it: the same trajectory in
  several yearly files is kept once (the latest year's version), and overlapping trajectories of
  one form of care are merged, as CBS does; both are counted;
- forms of care with accommodation become placements (canonical setting from the code list), the
  others events at their start date; measures become statuses;
- accommodation trajectories less than ``gap_days`` apart are bridged into a move; one nested in
  another becomes a temporary placement; other overlaps are errors (repair: trimmed);
- there is no end reason in the files as documented, so ended placements get ``other``:
  breakdown cannot be observed (``docs/cbs.md``; studies use a move-based proxy).

Nothing is dropped silently: every row read is kept, merged or excluded by a named rule, and
:class:`~earlysignal.sources.cbs_report.CBSImportReport` accounts for all of them. With
``errors="raise"`` (default) any blocking problem raises :class:`CBSError` naming the rule, file,
row and value; with ``errors="repair"`` each is excluded or repaired and counted. No network.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "GBAPERSOON2020TABV1.csv").write_text(
...     "RINPERSOONS,RINPERSOON,GBAGESLACHT,GBAGEBOORTEJAAR,GBAGEBOORTEMAAND\\n"
...     "R,000000001,2,2008,5\\n")
>>> _ = (d / "JGDHULP2020BUSV1.csv").write_text(
...     "RINPERSOONS,RINPERSOON,JGDHHULPVORM,JGDHGELDIGHEIDBEGINDATUM,JGDHGELDIGHEIDEINDDATUM\\n"
...     "R,000000001,11,20200105,20200601\\nR,000000001,14,20200602,\\n")
>>> history, report = import_cbs(d)
>>> history.placements.select("setting", "end_reason").rows()
[('foster', 'other'), ('residential', None)]
>>> history.observed_until, report.rows_read["hulp"]
(datetime.date(2020, 12, 31), 2)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, Literal

import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.sources import cbs_derive as derive
from earlysignal.sources.cbs_codes import CBSCodes, load_codes, source_definitions
from earlysignal.sources.cbs_read import (
    SHORT_NAMES,
    check_labels,
    discover,
    read_file,
    resolve_columns,
)
from earlysignal.sources.cbs_report import CBSError, CBSFile, CBSImportReport, Issues

__all__ = ["CBSError", "CBSImportReport", "import_cbs", "run_import_cli", "write_import"]


def import_cbs(
    src: str | Path | Iterable[str | Path],
    out: str | Path | None = None,
    *,
    codes: CBSCodes | str | Path | None = None,
    observed_until: date | None = None,
    errors: Literal["raise", "repair"] = "raise",
    validate: bool = True,
) -> tuple[CareHistory, CBSImportReport]:
    """Import CBS youth-care files of one or more years into a validated ``CareHistory``.

    Parameters
    ----------
    src
        A folder (or list) of ``JGDHULP{YYYY}BUSV{n}``, ``JGDBESCHERM{YYYY}BUSV{n}`` and
        ``GBAPERSOON{YYYY}TABV{n}`` files, ``.sav`` or ``.csv``; of several versions of one year
        the highest is read. Other files are listed as ignored.
    out
        If given, the canonical folder to write (plus ``import_report.json`` and the row-level
        ``import_issues.csv``).
    codes
        Code lists (:func:`~earlysignal.sources.cbs_codes.load_codes` or a TOML path); default
        the shipped lists.
    observed_until
        The extraction date; default 31 December of the latest file year.
    errors
        ``raise``: raise :class:`CBSError` listing every blocking problem; ``repair``: exclude
        or repair each and count it.
    validate
        Run the canonical validation on the result (recorded in ``report.validation``).

    Examples
    --------
    See the module docstring.
    """
    if errors not in ("raise", "repair"):
        raise ValueError(f"errors must be 'raise' or 'repair', got {errors!r}")
    cl = codes if isinstance(codes, CBSCodes) else load_codes(codes)
    issues = Issues(errors)
    found, ignored = discover(src)
    latest: dict[tuple[str, int | None], int] = {}
    for _, kind, year, v in found:
        latest[(kind, year)] = max(v, latest.get((kind, year), v))
    files: list[CBSFile] = []
    frames: dict[str, list[pl.DataFrame]] = {"hulp": [], "bescherm": [], "persons": []}
    counts = {k: {"read": 0, "excluded": 0, "duplicates": 0, "merged": 0} for k in frames}
    for path, kind, year, v in found:
        if v != latest[(kind, year)]:
            ignored.append(path.name)
            issues.add(
                "older_version",
                "warning",
                f"version {v} of this file is replaced by version {latest[(kind, year)]}: not read",
                "none needed",
                file=path.name,
                blocking=False,
            )
            continue
        frame, labels, n = read_file(path, issues)
        files.append(CBSFile(path.name, kind, year, v, n))
        counts[kind]["read"] += n
        if frame is None:
            continue
        roles = resolve_columns(frame, kind, cl, path.name, issues)
        if roles is None:
            counts[kind]["excluded"] += n
            continue
        if kind == "hulp" and roles["hulpvorm"] in labels:
            check_labels(
                labels[roles["hulpvorm"]],
                {c: h.label for c, h in cl.hulpvorm.items()},
                path.name,
                roles["hulpvorm"],
                issues,
            )
        if kind == "bescherm" and roles["maatregel"] in labels:
            check_labels(
                labels[roles["maatregel"]],
                {c: m.label for c, m in cl.maatregel.items()},
                path.name,
                roles["maatregel"],
                issues,
            )
        sel = [pl.col(c).alias(SHORT_NAMES.get(r, r)) for r, c in roles.items()]
        if kind == "hulp":
            for col, alias in ((cl.end_reason_column, "_extra"), (cl.provider, "_prov")):
                if col and col in frame.columns:
                    sel.append(pl.col(col).alias(alias))
        frames[kind].append(
            frame.select(sel).with_columns(
                pl.lit(path.name).alias("_file"),
                pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias("_row"),
                pl.lit(year, dtype=pl.Int32).alias("_year"),
            )
        )
    if not frames["hulp"]:
        issues.add(
            "no_hulp_files",
            "error",
            "no readable JGDHULP file: no youth-care history",
            "pass the folder holding the JGDHULP{YYYY}BUSV{n} files (.sav or .csv)",
        )
        raise CBSError([i for i in issues.items if i.severity == "error"])
    if not frames["persons"]:
        issues.add(
            "no_persons_file",
            "error",
            "no readable GBAPERSOON file: birth dates and sex are unknown",
            "add GBAPERSOON{YYYY}TABV{n} (RINPERSOONS, RINPERSOON, GBAGESLACHT, "
            "GBAGEBOORTEJAAR, GBAGEBOORTEMAAND)",
        )
        raise CBSError([i for i in issues.items if i.severity == "error"])
    years = [y for _, _, y, _ in found if y is not None]
    hulp = pl.concat(frames["hulp"], how="diagonal_relaxed")
    if observed_until is not None:
        obs = observed_until
    elif years:
        obs = date(max(years), 12, 31)
    else:
        latest_day = hulp.select(
            pl.max_horizontal(derive.parse_date("begin").max(), derive.parse_date("end").max())
        ).item()
        obs = latest_day or date(1900, 1, 1)
        issues.add(
            "no_file_year",
            "warning",
            f"no file name carries a year: the extraction date is taken as the latest date in "
            f"the files ({obs})",
            "name the files JGDHULP{YYYY}BUSV{n}, or give observed_until",
            blocking=False,
        )
    tr = derive.trajectories(
        hulp, "JGDHHULPVORM", set(cl.hulpvorm), cl, obs, issues, counts["hulp"]
    )
    besch = (
        pl.concat(frames["bescherm"], how="diagonal_relaxed")
        if frames["bescherm"]
        else pl.DataFrame()
    )
    ms = derive.trajectories(
        besch, "JGDBMAATREGEL", set(cl.maatregel), cl, obs, issues, counts["bescherm"]
    )
    children, excluded_children = derive.children(
        pl.concat(frames["persons"], how="diagonal_relaxed"), cl, issues, counts["persons"]
    )
    known = set(children["child_id"].to_list())
    for name, t, c in (("JGDHULP", tr, counts["hulp"]), ("JGDBESCHERM", ms, counts["bescherm"])):
        orphans = t.filter(~pl.col("_child").is_in(sorted(known)))
        for child, n in orphans.group_by("_child").len().sort("_child").iter_rows():
            reason = "has no valid row" if child in excluded_children else "is missing"
            issues.add(
                "no_person",
                "excluded",
                f"the child {reason} in GBAPERSOON: its {n} {name} trajectory(ies) are left out",
                "add the person to the GBAPERSOON file",
                child=child,
            )
        c["excluded"] += orphans.height
    tr = tr.filter(pl.col("_child").is_in(sorted(known)))
    ms = ms.filter(pl.col("_child").is_in(sorted(known)))
    kinds = {c: h.kind for c, h in cl.hulpvorm.items()}
    acc = tr.filter(pl.col("code").replace_strict(kinds, default=None) == "placement")
    placements = derive.placements(acc, cl, issues, counts["hulp"])
    ev = tr.filter(pl.col("code").replace_strict(kinds, default=None) == "event")
    events = ev.select(
        pl.col("_child").alias("child_id"),
        pl.col("start").alias("date"),
        pl.col("code")
        .replace_strict({c: h.event for c, h in cl.hulpvorm.items()}, return_dtype=pl.String)
        .alias("kind"),
        pl.lit(None, dtype=pl.Float64).alias("value"),
    ).sort("child_id", "date", "kind")
    statuses = ms.select(
        pl.col("_child").alias("child_id"),
        pl.col("code")
        .replace_strict({c: m.kind for c, m in cl.maatregel.items()}, return_dtype=pl.String)
        .alias("kind"),
        pl.col("code")
        .replace_strict({c: m.value for c, m in cl.maatregel.items()}, return_dtype=pl.String)
        .alias("value"),
        "start",
        "end",
    ).sort("child_id", "start", "kind")
    errs = issues.errors()
    if errs:
        raise CBSError(errs)
    in_care = set(tr["_child"]) | set(ms["_child"])
    n_persons = children.height
    children = _birth_dates(
        children.filter(pl.col("child_id").is_in(in_care)), placements, events, statuses
    )
    kept = {
        "hulp": placements.height + events.height,
        "bescherm": statuses.height,
        "persons": children.height,
    }
    history = CareHistory.from_frames(
        children=children,
        placements=placements,
        events=events,
        statuses=statuses,
        observed_until=obs,
    )
    report = CBSImportReport(
        files=tuple(files),
        ignored_files=tuple(ignored),
        observed_until=obs,
        rows_read={k: c["read"] for k, c in counts.items()},
        duplicates_merged={k: c["duplicates"] for k, c in counts.items()},
        overlaps_merged={k: c["merged"] for k, c in counts.items()},
        excluded={k: c["excluded"] for k, c in counts.items()},
        kept=kept,
        not_in_care={"persons": n_persons - children.height},
        issues=tuple(issues.items),
        output_counts=history.counts(),
        validation=_validation_summary(history) if validate else None,
        notes=(
            "No end reason in the files: every ended placement has end_reason 'other'; "
            "breakdown cannot be observed (use a move-based outcome).",
            f"Accommodation trajectories at most {cl.gap_days} days apart are one move.",
            "Events are dated at the start of a trajectory without accommodation and carry no "
            "value (its length is known only when it ends).",
            "Birth dates are year and month from GBAPERSOON, set to the 15th.",
        ),
        codes={"origin": cl.origin, "source": cl.source},
    )
    history = CareHistory(
        children=history.children,
        placements=history.placements,
        events=history.events,
        observed_until=history.observed_until,
        statuses=history.statuses,
        meta={
            "source": "cbs",
            "import": report.summary(),
            "source_definitions": source_definitions(),
        },
    )
    if out is not None:
        write_import(history, report, out)
    return history, report


def _birth_dates(
    children: pl.DataFrame, placements: pl.DataFrame, events: pl.DataFrame, statuses: pl.DataFrame
) -> pl.DataFrame:
    """Birth date = the 15th of the birth month, or the child's first recorded day if that is
    earlier in the same month (GBAPERSOON gives year and month only)."""
    first = (
        pl.concat(
            [
                placements.select("child_id", pl.col("start").alias("_d")),
                events.select("child_id", pl.col("date").alias("_d")),
                statuses.select("child_id", pl.col("start").alias("_d")),
            ]
        )
        .group_by("child_id")
        .agg(pl.col("_d").min())
    )
    bd = pl.col("birth_date")
    month_start = pl.date(bd.dt.year(), bd.dt.month(), 1)
    early = (pl.col("_d") < bd) & (pl.col("_d") >= month_start)
    return (
        children.join(first, on="child_id", how="left")
        .with_columns(
            pl.when(early.fill_null(False)).then(pl.col("_d")).otherwise(bd).alias("birth_date")
        )
        .drop("_d")
        .sort("child_id")
    )


def _validation_summary(history: CareHistory) -> dict[str, Any]:
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


def write_import(history: CareHistory, report: CBSImportReport, out: str | Path) -> Path:
    """Write the canonical folder plus ``import_report.json`` and ``import_issues.csv``."""
    folder = history.write(out)
    (folder / "import_report.json").write_text(
        json.dumps(report.summary(), indent=2, sort_keys=True, default=str)
    )
    report.issues_frame().write_csv(folder / "import_issues.csv")
    return folder


def run_import_cli(
    src: Path, out: Path, codes: Path | None, observed_until: str | None, repair: bool
) -> int:
    """Body of ``earlysignal import-cbs``: import, print the report, return the exit code.

    Exit codes: 0 imported and valid, 1 errors in the files (listed) or an invalid result,
    2 unusable input (no such folder, no youth-care or persons file, a bad code-list file).
    """
    import typer

    from earlysignal.sources.cbs_codes import CBSCodesError

    try:
        obs = date.fromisoformat(observed_until) if observed_until else None
        history, report = import_cbs(
            src, out, codes=codes, observed_until=obs, errors="repair" if repair else "raise"
        )
    except (FileNotFoundError, CBSCodesError) as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    except CBSError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2 if exc.unusable else 1
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    typer.echo(report.to_text())
    ok = report.validation is None or bool(report.validation.get("ok"))
    typer.echo(
        f"wrote {out} ({'valid' if ok else 'INVALID'}); row-level issues in "
        f"{Path(out) / 'import_issues.csv'}"
    )
    del history
    return 0 if ok else 1
