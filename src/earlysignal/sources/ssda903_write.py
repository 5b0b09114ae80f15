"""Writing a canonical history back to SSDA903 returns, one return per collection year.

The inverse of :func:`earlysignal.sources.import_ssda903` for what SSDA903 can say: DfE's
collection repeats an episode in every return of a year in which it was open, open (DEC, REC
and REASON_PLACE_CHANGE blank) in the returns before the year it ended. It exists to test the
importer (canonical -> returns -> import must give back the same placements, and injected
corruptions must be caught by their named rules) and to build benchmark extractions.

Mapping (the reverse of ``docs/ssda903.md``; a canonical value maps to one code):

- a placement is one episode, split where its legal status (``statuses`` ``legal_status``)
  changes (RNE L); RNE S where care starts, P (or B with a legal status change) where a
  placement follows another the same day;
- ``setting``: foster U4, kinship_foster U1, secure K1, residential K2, independent H5,
  with_parents P1, other Z1; ``provider_id`` is URN; PLACE_PROVIDER PR1;
- a placement followed the same day by another ends with REC X1 and REASON_PLACE_CHANGE
  ``end_reason_detail`` when it is such a code, else breakdown CREQB, provider_ended ALLEG,
  planned CARPL, transfer PLACE, other OTHER; a placement ending care ends with REC
  ``end_reason_detail`` when it is an E-code, else permanence E11, return_home E4A, aged_out
  E17, transfer E3, other E8;
- temporary placements are not written (they would need the host episode split around them);
  their number is returned;
- events ``missing``/``away`` become the missing table, ``review`` the reviews table;
  ``children.unaccompanied`` the UASC table; ``ethnicity`` ETHNIC.

Examples
--------
>>> import tempfile
>>> from datetime import date
>>> from earlysignal.data import CareHistory
>>> from earlysignal.sources import import_ssda903
>>> h = CareHistory.from_frames(
...     children=pl.DataFrame({"child_id": ["7"], "birth_date": [date(2010, 1, 1)],
...                            "sex": ["female"]}),
...     placements=pl.DataFrame({"child_id": ["7", "7"], "placement_id": ["a", "b"],
...         "start": [date(2019, 5, 1), date(2020, 6, 1)], "end": [date(2020, 6, 1), None],
...         "setting": ["foster", "residential"], "provider_id": ["U", "V"],
...         "end_reason": ["breakdown", None], "end_reason_detail": [None, None],
...         "temporary": [False, False]}),
...     events=None, observed_until=date(2021, 3, 31))
>>> out = write_returns(h, tempfile.mkdtemp(), first_year=2019)
>>> sorted(p.name for p in out.files if "episodes" in p.name)
['2019-episodes.csv', '2020-episodes.csv']
>>> back, _ = import_ssda903(out.folder, year_label="start")
>>> back.placements.select("start", "end", "end_reason").rows() == h.placements.select(
...     "start", "end", "end_reason").rows()
True
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.sources import ssda903_codes as codes

__all__ = ["SETTING_PLACE", "WrittenReturns", "episodes_from_history", "write_returns"]

SETTING_PLACE = {
    "foster": "U4",
    "kinship_foster": "U1",
    "secure": "K1",
    "residential": "K2",
    "independent": "H5",
    "with_parents": "P1",
    "other": "Z1",
}
"""Canonical setting -> the PLACE code written for it."""

_CHANGE_CODE = {
    "breakdown": "CREQB",
    "provider_ended": "ALLEG",
    "planned": "CARPL",
    "transfer": "PLACE",
    "other": "OTHER",
}
_CEASE_CODE = {
    "permanence": "E11",
    "return_home": "E4A",
    "aged_out": "E17",
    "transfer": "E3",
    "other": "E8",
    "breakdown": "E8",
    "provider_ended": "E8",
    "planned": "E8",
}
_SEX_CODE = {"male": "1", "female": "2"}
EPISODE_COLUMNS = (
    "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
    "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
)  # fmt: skip
"""Episode columns in DfE's order."""


@dataclass(frozen=True)
class WrittenReturns:
    """Where the returns went, and what could not be written."""

    folder: Path
    files: tuple[Path, ...]
    years: tuple[int, ...]
    temporary_left_out: int


def _status_runs(statuses: pl.DataFrame | None, kind: str) -> dict[str, list[tuple[Any, ...]]]:
    runs: dict[str, list[tuple[Any, ...]]] = {}
    if statuses is None:
        return runs
    for child, value, start, end in (
        statuses.filter(pl.col("kind") == kind)
        .sort("child_id", "start")
        .select("child_id", "value", "start", "end")
        .iter_rows()
    ):
        runs.setdefault(child, []).append((value, start, end))
    return runs


def _value_at(runs: list[tuple[Any, ...]], day: date, default: str) -> str:
    value = default
    for v, start, end in runs:
        if start <= day and (end is None or day < end):
            value = v
    return str(value)


def episodes_from_history(history: CareHistory) -> pl.DataFrame:
    """One row per SSDA903 episode (dates as ``date``), from non-temporary placements."""
    legal = _status_runs(history.statuses, "legal_status")
    cin = _status_runs(history.statuses, "category_of_need")
    rows: list[tuple[Any, ...]] = []
    pl_rows = (
        history.placements.filter(~pl.col("temporary"))
        .sort("child_id", "start")
        .select("child_id", "start", "end", "setting", "provider_id", "end_reason",
                "end_reason_detail")
        .rows()
    )  # fmt: skip
    for i, (child, start, end, setting, urn, reason, detail) in enumerate(pl_rows):
        prev = pl_rows[i - 1] if i and pl_rows[i - 1][0] == child else None
        nxt = pl_rows[i + 1] if i + 1 < len(pl_rows) and pl_rows[i + 1][0] == child else None
        continues_from = prev is not None and prev[2] == start
        continues_to = nxt is not None and end is not None and nxt[1] == end
        runs = legal.get(child, [])
        cuts = sorted({s for _, s, _ in runs if start < s and (end is None or s < end)})
        bounds = [start]
        for cut in cuts:  # a new episode only where the legal status actually changes
            if _value_at(runs, cut, "C2") != _value_at(runs, bounds[-1], "C2"):
                bounds.append(cut)
        for j, b in enumerate(bounds):
            e_end = bounds[j + 1] if j + 1 < len(bounds) else end
            ls = _value_at(runs, b, "C2")
            if j == 0:
                if not continues_from:
                    rne = "S"
                else:
                    assert prev is not None
                    ls_before = _value_at(runs, max(prev[1], prev[2] - timedelta(days=1)), "C2")
                    rne = "B" if ls_before != ls else "P"
            else:
                rne = "L"
            last = j + 1 == len(bounds)
            if e_end is None:
                rec = rpc = None
            elif not last:
                rec, rpc = "X1", None
            elif continues_to:
                rec = "X1"
                rpc = (
                    detail
                    if detail in codes.REASON_PLACE_CHANGE_END
                    else _CHANGE_CODE.get(reason or "other", "OTHER")
                )
            else:
                rec = (
                    detail if detail in codes.REC_END else _CEASE_CODE.get(reason or "other", "E8")
                )
                rpc = None
            rows.append(
                (
                    child,
                    b,
                    rne,
                    ls,
                    _value_at(cin.get(child, []), b, "N1"),
                    SETTING_PLACE.get(setting, "Z1"),
                    "PR1",
                    e_end,
                    rec,
                    rpc,
                    None,
                    None,
                    urn,
                )
            )
    schema: dict[str, pl.DataType] = dict.fromkeys(EPISODE_COLUMNS, pl.String())
    schema["DECOM"] = pl.Date()
    schema["DEC"] = pl.Date()
    return pl.DataFrame(rows, schema=schema, orient="row")


def _fmt(col: str) -> pl.Expr:
    return pl.col(col).dt.strftime("%d/%m/%Y")


def write_returns(
    history: CareHistory,
    folder: str | Path,
    *,
    first_year: int | None = None,
    last_year: int | None = None,
) -> WrittenReturns:
    """Write one SSDA903 return per collection year (labelled by the year it starts).

    Parameters
    ----------
    history
        The canonical history to write.
    folder
        Where ``{YEAR}-episodes.csv``, ``-header.csv``, ``-missing.csv``, ``-reviews.csv`` and
        ``-uasc.csv`` go (created if needed).
    first_year, last_year
        Collection years to write (``2020`` covers 1 April 2020 - 31 March 2021). Default:
        from the year of the first placement to the year holding ``observed_until``.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    ep = episodes_from_history(history)
    obs = history.observed_until
    last = last_year if last_year is not None else (obs.year if obs.month >= 4 else obs.year - 1)
    if first_year is None:
        d0 = ep["DECOM"].min() if ep.height else obs
        assert isinstance(d0, date)
        first_year = d0.year if d0.month >= 4 else d0.year - 1
    kids = history.children
    ethnic = pl.col("ethnicity") if "ethnicity" in kids.columns else pl.lit(None, pl.String)
    header = kids.select(
        pl.col("child_id").alias("CHILD"),
        pl.col("sex").replace_strict(_SEX_CODE, default="U").alias("SEX"),
        _fmt("birth_date").alias("DOB"),
        ethnic.alias("ETHNIC"),
        pl.lit(None, pl.String).alias("UPN"),
        pl.lit(None, pl.String).alias("MOTHER"),
        pl.lit(None, pl.String).alias("MC_DOB"),
    )
    dob = kids.select(pl.col("child_id").alias("CHILD"), _fmt("birth_date").alias("DOB"))
    ev = history.events
    files: list[Path] = []
    for y in range(first_year, last + 1):
        y0, y1 = date(y, 4, 1), date(y + 1, 3, 31)
        in_year = ep.filter(
            (pl.col("DECOM") <= y1) & (pl.col("DEC").is_null() | (pl.col("DEC") >= y0))
        )
        open_then = pl.col("DEC").is_null() | (pl.col("DEC") > y1)
        year_ep = in_year.with_columns(
            pl.when(open_then).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("REC", "REASON_PLACE_CHANGE")
        ).with_columns(
            pl.when(open_then).then(None).otherwise(_fmt("DEC")).alias("DEC"),
            _fmt("DECOM").alias("DECOM"),
        )
        paths = {
            t: out / f"{y}-{t}.csv" for t in ("episodes", "header", "missing", "reviews", "uasc")
        }
        year_ep.select(EPISODE_COLUMNS).write_csv(paths["episodes"])
        ids = year_ep.select("CHILD").unique()
        header.join(ids, on="CHILD", how="semi").sort("CHILD").write_csv(paths["header"])
        ev_year = ev.filter((pl.col("date") >= y0) & (pl.col("date") <= y1)).rename(
            {"child_id": "CHILD"}
        )
        miss = ev_year.filter(pl.col("kind").is_in(["missing", "away"])).join(dob, on="CHILD")
        miss.select(
            "CHILD",
            "DOB",
            pl.when(pl.col("kind") == "away")
            .then(pl.lit("A"))
            .otherwise(pl.lit("M"))
            .alias("MISSING"),
            _fmt("date").alias("MIS_START"),
            # an end after the return's year end is not known yet in that return
            pl.when(pl.col("date") + pl.duration(days=pl.col("value").cast(pl.Int64)) <= y1)
            .then(pl.col("date") + pl.duration(days=pl.col("value").cast(pl.Int64)))
            .dt.strftime("%d/%m/%Y")
            .alias("MIS_END"),
        ).write_csv(paths["missing"])
        rev = ev_year.filter(pl.col("kind") == "review").join(dob, on="CHILD")
        rev.select(
            "CHILD", "DOB", _fmt("date").alias("REVIEW"), pl.lit("PN1").alias("REVIEW_CODE")
        ).write_csv(paths["reviews"])
        uasc = (
            kids.filter(pl.col("unaccompanied").fill_null(False))
            if "unaccompanied" in kids.columns
            else kids.head(0)
        )
        uasc.select(
            pl.col("child_id").alias("CHILD"),
            pl.col("sex").replace_strict(_SEX_CODE, default="U").alias("SEX"),
            _fmt("birth_date").alias("DOB"),
            pl.lit(None, pl.String).alias("DUC"),
        ).join(ids, on="CHILD", how="semi").write_csv(paths["uasc"])
        files.extend(paths.values())
    n_temp = int(history.placements["temporary"].sum())
    return WrittenReturns(out, tuple(files), tuple(range(first_year, last + 1)), n_temp)
