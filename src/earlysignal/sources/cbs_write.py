"""Write a canonical history as CBS-shaped yearly files (for tests and demos, never real data).

The reverse of :mod:`earlysignal.sources.cbs`: for every year from the first placement to the
last complete year (``through``), ``JGDHULP{YYYY}BUSV1`` holds every trajectory valid in that
year (its end left empty when it was still open at the year's end, as a yearly file sees it),
``JGDBESCHERM{YYYY}BUSV1`` every measure, and one ``GBAPERSOON{YYYY}TABV1`` the children's sex,
birth year and month. Files are SPSS ``.sav`` (pyreadstat, with value labels) or CSV.

What CBS files cannot hold is left out, and counted in :attr:`CBSWriteResult.dropped`:
temporary placements (respite), placements with parents or in independent living (not youth care
with accommodation), events and statuses with no code in the code lists; consecutive placements
in one setting joined by a status change only (``end_reason == "transfer"``) are one trajectory.
Child ids become RIN keys (``RINPERSOONS`` ``R`` + a 9-digit ``RINPERSOON``); the link is
returned in memory (:attr:`CBSWriteResult.key`), never written.

Examples
--------
>>> import tempfile
>>> from earlysignal.synth import simulate
>>> h = simulate(30, years=3, seed=0).history
>>> res = write_cbs(h, tempfile.mkdtemp(), fmt="csv")
>>> sorted({p.name[:7] for p in res.files})
['GBAPERS', 'JGDBESC', 'JGDHULP']
>>> res.key.columns
['child_id', 'RINPERSOONS', 'RINPERSOON']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.sources.cbs_codes import CBSCodes, load_codes

__all__ = ["SETTING_FALLBACK", "CBSWriteResult", "write_cbs"]

SETTING_FALLBACK: dict[str, str] = {"kinship_foster": "foster", "other": "residential"}
"""Settings with no form of care of their own, written as the one named (CBS has one foster
care code for kinship and non-kinship care). ``independent`` and ``with_parents`` are not
youth care with accommodation and are not written."""


@dataclass(frozen=True)
class CBSWriteResult:
    """Files written, the child-id -> RIN key link (in memory only) and what was left out."""

    files: tuple[Path, ...]
    key: pl.DataFrame
    dropped: dict[str, int] = field(default_factory=dict)
    through: date | None = None


def _hulp_codes(codes: CBSCodes) -> tuple[dict[str, int], dict[str, int]]:
    setting_code: dict[str, int] = {}
    event_code: dict[str, int] = {}
    for code, h in sorted(codes.hulpvorm.items()):
        if h.kind == "placement" and h.setting is not None:
            setting_code.setdefault(h.setting, code)
        elif h.event is not None:
            event_code.setdefault(h.event, code)
    for setting, alias in SETTING_FALLBACK.items():
        if setting not in setting_code and alias in setting_code:
            setting_code[setting] = setting_code[alias]
    return setting_code, event_code


def _trajectories(history: CareHistory, codes: CBSCodes, dropped: dict[str, int]) -> pl.DataFrame:
    """child_id, code, start, end of every youth-care trajectory the files can hold."""
    setting_code, event_code = _hulp_codes(codes)
    p = history.placements
    dropped["temporary placements"] = int(p["temporary"].sum())
    p = p.filter(~pl.col("temporary")).with_columns(
        pl.col("setting")
        .replace_strict(setting_code, default=None, return_dtype=pl.Int64)
        .alias("code")
    )
    dropped["placements without a form of care"] = int(p["code"].is_null().sum())
    p = p.filter(pl.col("code").is_not_null()).sort("child_id", "start")
    rows: list[tuple[Any, ...]] = []
    joined = 0
    for child, code, start, end, reason in p.select(
        "child_id", "code", "start", "end", "end_reason"
    ).iter_rows():
        if rows and rows[-1][0] == child and rows[-1][1] == code and rows[-1][4] == "transfer":
            prev_end = rows[-1][3]
            if prev_end is not None and (start - prev_end).days <= 1:
                rows[-1] = (child, code, rows[-1][2], end, reason)
                joined += 1
                continue
        rows.append((child, code, start, end, reason))
    dropped["status-only changes joined"] = joined
    acc = pl.DataFrame(
        [r[:4] for r in rows],
        schema={"child_id": pl.String, "code": pl.Int64, "start": pl.Date, "end": pl.Date},
        orient="row",
    )
    ev = history.events.filter(pl.col("kind").is_in(list(event_code)))
    dropped["events without a form of care"] = history.events.height - ev.height
    ev = ev.select(
        "child_id",
        pl.col("kind").replace_strict(event_code, return_dtype=pl.Int64).alias("code"),
        pl.col("date").alias("start"),
        pl.col("date").alias("end"),
    )
    return pl.concat([acc, ev]).sort("child_id", "start", "code")


def _measures(history: CareHistory, codes: CBSCodes, dropped: dict[str, int]) -> pl.DataFrame:
    lookup = {(m.kind, m.value): c for c, m in sorted(codes.maatregel.items(), reverse=True)}
    st = history.statuses
    empty = pl.DataFrame(
        schema={"child_id": pl.String, "code": pl.Int64, "start": pl.Date, "end": pl.Date}
    )
    if st is None or st.is_empty():
        return empty
    rows = [
        (c, lookup[(k, v)], s, e)
        for c, k, v, s, e in st.select("child_id", "kind", "value", "start", "end").iter_rows()
        if (k, v) in lookup
    ]
    dropped["statuses without a measure code"] = st.height - len(rows)
    return pl.DataFrame(rows, schema=empty.schema, orient="row") if rows else empty


def _year_rows(tr: pl.DataFrame, year: int, obs: date) -> pl.DataFrame:
    first, last = date(year, 1, 1), min(date(year, 12, 31), obs)
    in_year = tr.filter(
        (pl.col("start") <= last) & (pl.col("end").is_null() | (pl.col("end") >= first))
    )
    return in_year.with_columns(
        pl.col("start").dt.strftime("%Y%m%d").alias("begin"),
        pl.when(pl.col("end") <= last)
        .then(pl.col("end").dt.strftime("%Y%m%d"))
        .otherwise(pl.lit(""))
        .alias("end_text"),
    )


def _write(
    frame: pl.DataFrame, path: Path, fmt: str, labels: dict[str, dict[int | float, str]]
) -> Path:
    if fmt == "csv":
        out = path.with_suffix(".csv")
        frame.write_csv(out)
        return out
    import pyreadstat

    out = path.with_suffix(".sav")
    numeric = frame.with_columns(pl.col(c).cast(pl.Float64) for c in labels)
    pyreadstat.write_sav(numeric, str(out), variable_value_labels=labels)  # type: ignore[arg-type]
    return out


def write_cbs(
    history: CareHistory,
    out: str | Path,
    *,
    fmt: Literal["sav", "csv"] = "sav",
    codes: CBSCodes | None = None,
    through: date | None = None,
) -> CBSWriteResult:
    """Write ``history`` as yearly CBS-shaped files in ``out`` (created if needed).

    Parameters
    ----------
    history
        A canonical history (simulated: never write real children's data this way).
    out
        The folder to write.
    fmt
        ``sav`` (SPSS, with value labels, as CBS delivers) or ``csv``.
    codes
        The code lists (default: the shipped ones); the writer uses the first code per setting,
        event kind and (kind, value) of a measure.
    through
        The last day written: later starts are left out and later ends left open. Default: the
        last 31 December on or before ``history.observed_until``, because CBS files are yearly
        (``import_cbs`` then reads 31 December of the last file as the extraction date).

    Returns
    -------
    CBSWriteResult
        The files, the child-id -> RIN key link and the counts of what was left out.

    Examples
    --------
    See the module docstring.
    """
    if fmt not in ("sav", "csv"):
        raise ValueError(f"fmt must be 'sav' or 'csv', got {fmt!r}")
    cl = codes or load_codes()
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    dropped: dict[str, int] = {}
    obs = history.observed_until
    last = through or (obs if (obs.month, obs.day) == (12, 31) else date(obs.year - 1, 12, 31))
    if last > obs:
        raise ValueError(f"through ({last}) is after the history's observed_until ({obs})")
    cut = [
        pl.col("start") <= last,
        pl.when(pl.col("end") <= last).then(pl.col("end")).alias("end"),
    ]
    tr = _trajectories(history, cl, dropped)
    ms = _measures(history, cl, dropped)
    n = tr.height + ms.height
    tr = tr.filter(cut[0]).with_columns(cut[1])
    ms = ms.filter(cut[0]).with_columns(cut[1])
    dropped["starting after the last day written"] = n - tr.height - ms.height
    ids = sorted(set(tr["child_id"]) | set(ms["child_id"]))
    key = pl.DataFrame(
        {
            "child_id": ids,
            "RINPERSOONS": ["R"] * len(ids),
            "RINPERSOON": [f"{i + 1:09d}" for i in range(len(ids))],
        },
        schema={"child_id": pl.String, "RINPERSOONS": pl.String, "RINPERSOON": pl.String},
    )
    starts = [d for d in (tr["start"].min(), ms["start"].min()) if isinstance(d, date)]
    first_year = min(starts).year if starts else last.year
    hulp_labels: dict[str, dict[int | float, str]] = {
        "JGDHHULPVORM": {c: h.label for c, h in cl.hulpvorm.items()}
    }
    maat_labels: dict[str, dict[int | float, str]] = {
        "JGDBMAATREGEL": {c: m.label for c, m in cl.maatregel.items()}
    }
    files: list[Path] = []
    for year in range(first_year, last.year + 1):
        for name, frame, col, labels, prefix in (
            ("JGDHULP", tr, "JGDHHULPVORM", hulp_labels, "JGDH"),
            ("JGDBESCHERM", ms, "JGDBMAATREGEL", maat_labels, "JGDB"),
        ):
            rows = _year_rows(frame, year, last).join(key, on="child_id", how="left")
            table = rows.sort("RINPERSOON", "start", "code").select(
                "RINPERSOONS",
                "RINPERSOON",
                pl.col("code").alias(col),
                pl.col("begin").alias(f"{prefix}GELDIGHEIDBEGINDATUM"),
                pl.col("end_text").alias(f"{prefix}GELDIGHEIDEINDDATUM"),
            )
            files.append(_write(table, folder / f"{name}{year}BUSV1", fmt, labels))
    sex_code = {"male": "1", "female": "2"}
    persons = (
        history.children.join(key, on="child_id", how="inner")
        .sort("RINPERSOON")
        .select(
            "RINPERSOONS",
            "RINPERSOON",
            pl.col("sex").replace_strict(sex_code, default="").alias("GBAGESLACHT"),
            pl.col("birth_date").dt.year().cast(pl.String).alias("GBAGEBOORTEJAAR"),
            pl.col("birth_date").dt.month().cast(pl.String).str.zfill(2).alias("GBAGEBOORTEMAAND"),
        )
    )
    files.append(_write(persons, folder / f"GBAPERSOON{last.year}TABV1", fmt, {}))
    return CBSWriteResult(files=tuple(files), key=key, dropped=dropped, through=last)
