"""Property tests: canonical -> SSDA903 returns -> import gives back the same placements, and
each injected corruption is caught by its named rule with nothing lost."""

from __future__ import annotations

import itertools
import re
import tempfile
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from earlysignal.data import CareHistory
from earlysignal.sources import SSDA903Error, import_ssda903
from earlysignal.sources.ssda903_write import SETTING_PLACE, write_returns

OBS = date(2022, 3, 31)
CHANGE = ["breakdown", "provider_ended", "planned", "transfer", "other"]
CEASE = ["permanence", "return_home", "aged_out", "transfer", "other"]
KEYS = ["child_id", "start", "end", "setting", "provider_id", "end_reason"]


@st.composite
def histories(draw: st.DrawFn, max_children: int = 6) -> CareHistory:
    n = draw(st.integers(1, max_children))
    kids, rows = [], []
    for k in range(n):
        cid = f"C{k}"
        kids.append((cid, date(2006, 1, 1) + timedelta(days=draw(st.integers(0, 2500))),
                     draw(st.sampled_from(["male", "female"]))))  # fmt: skip
        day = date(2017, 4, 1) + timedelta(days=draw(st.integers(0, 1200)))
        for _ in range(draw(st.integers(1, 5))):
            if day > OBS:
                break
            end = day + timedelta(days=draw(st.integers(1, 500)))
            step = draw(st.sampled_from(["next", "next", "gap", "stop"]))
            setting = draw(st.sampled_from(sorted(SETTING_PLACE)))
            urn = draw(st.sampled_from("ABCDE"))
            if end >= OBS:
                rows.append((cid, day, None, setting, urn, None))
                break
            if step == "next":
                rows.append((cid, day, end, setting, urn, draw(st.sampled_from(CHANGE))))
                day = end
            else:
                rows.append((cid, day, end, setting, urn, draw(st.sampled_from(CEASE))))
                if step == "stop":
                    break
                day = end + timedelta(days=draw(st.integers(1, 300)))
        # the last placement written ends care (or is open): never a change reason
        if rows and rows[-1][0] == cid and rows[-1][5] in CHANGE:
            rows[-1] = (*rows[-1][:5], draw(st.sampled_from(CEASE)))
    assume(rows)
    placements = pl.DataFrame(
        rows, schema=["child_id", "start", "end", "setting", "provider_id", "end_reason"],
        orient="row",
    ).with_columns(
        (pl.col("child_id") + "-" + pl.col("start").cast(pl.String)).alias("placement_id"),
        pl.lit(None, pl.String).alias("end_reason_detail"),
        pl.lit(False).alias("temporary"),
    )  # fmt: skip
    children = pl.DataFrame(kids, schema=["child_id", "birth_date", "sex"], orient="row")
    children = children.join(placements.select("child_id").unique(), on="child_id", how="semi")
    # legal statuses: runs from the first placement, changing on drawn days (RNE L or B)
    statuses = []
    for (cid,) in children.select("child_id").iter_rows():
        mine = placements.filter(pl.col("child_id") == cid)
        first, last = mine["start"].min(), mine["end"].max()
        last = OBS if last is None or mine["end"].null_count() else last
        assert isinstance(first, date) and isinstance(last, date)
        span = (last - first).days
        cuts = sorted({first + timedelta(days=d) for d in draw(
            st.lists(st.integers(1, max(span - 1, 1)), max_size=2)) if 0 < d < span})  # fmt: skip
        bounds = [first, *cuts, None]
        for a, b in itertools.pairwise(bounds):
            statuses.append((cid, "legal_status", draw(st.sampled_from(["C2", "E1", "V2"])), a, b))
    status_frame = pl.DataFrame(
        statuses, schema=["child_id", "kind", "value", "start", "end"], orient="row"
    )
    return CareHistory.from_frames(
        children=children,
        placements=placements,
        events=None,
        statuses=status_frame,
        observed_until=OBS,
    )


def returns_of(history: CareHistory) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="ssda903_rt_"))
    write_returns(history, folder, last_year=2021)
    return folder


def imported(folder: Path, **kw: object):  # type: ignore[no-untyped-def]
    kw.setdefault("year_label", "start")
    kw.setdefault("validate", False)
    return import_ssda903(folder, **kw)  # type: ignore[arg-type]


def same_placements(a: CareHistory, b: CareHistory) -> bool:
    return (
        a.placements.sort("child_id", "start")
        .select(KEYS)
        .equals(b.placements.sort("child_id", "start").select(KEYS))
    )


def nothing_lost(report) -> None:  # type: ignore[no-untyped-def]
    for t, n in report.rows_read.items():
        assert n == report.duplicates_merged[t] + report.excluded[t] + report.kept[t], t


def episode_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*-episodes.csv"))


@settings(max_examples=25)
@given(histories())
def test_canonical_to_returns_to_import_gives_the_same_placements(h: CareHistory) -> None:
    back, report = imported(returns_of(h), validate=True)
    assert same_placements(h, back)
    assert report.validation is not None and report.validation["ok"]
    assert report.issues == ()  # consistent returns: not even a warning
    nothing_lost(report)


@settings(max_examples=15)
@given(histories(), st.data())
def test_blank_rows_are_skipped_and_counted(h: CareHistory, data: st.DataObject) -> None:
    folder = returns_of(h)
    target = data.draw(st.sampled_from(sorted(folder.glob("*.csv"))))
    lines = target.read_text().splitlines()
    at = data.draw(st.integers(1, len(lines)))
    blank = data.draw(st.sampled_from(["", ",,,,", "  "]))
    target.write_text("\n".join([*lines[:at], blank, *lines[at:]]) + "\n")
    back, report = imported(folder)
    assert same_placements(h, back)
    assert report.count("blank_row") == 1
    nothing_lost(report)


@settings(max_examples=15)
@given(histories(), st.data())
def test_two_digit_years_are_caught_and_read_with_a_pivot(
    h: CareHistory, data: st.DataObject
) -> None:
    folder = returns_of(h)
    files = [f for f in episode_files(folder) if len(f.read_text().splitlines()) > 1]
    target = data.draw(st.sampled_from(files))
    target.write_text(re.sub(r"(\d\d/\d\d/)20(\d\d)", r"\1\2", target.read_text()))
    with pytest.raises(SSDA903Error) as info:
        imported(folder)
    assert [i.file for i in info.value.issues if i.rule == "ssda903.two_digit_years"] == [
        target.name
    ]
    back, report = imported(folder, two_digit_year_pivot=50)
    assert same_placements(h, back)
    nothing_lost(report)


@settings(max_examples=15)
@given(histories(), st.data())
def test_same_day_rows_are_reported_and_the_later_is_current(
    h: CareHistory, data: st.DataObject
) -> None:
    folder = returns_of(h)
    files = [f for f in episode_files(folder) if len(f.read_text().splitlines()) > 1]
    target = data.draw(st.sampled_from(files))
    lines = target.read_text().splitlines()
    at = data.draw(st.integers(1, len(lines) - 1))
    fields = lines[at].split(",")
    fields[5] = "Z1" if fields[5] != "Z1" else "U4"  # a different PLACE, same CHILD and DECOM
    target.write_text("\n".join([*lines[:at], ",".join(fields), *lines[at:]]) + "\n")
    back, report = imported(folder)
    assert same_placements(h, back)
    assert report.count("same_day_episodes") == 1
    nothing_lost(report)


@settings(max_examples=15)
@given(histories(), st.data())
def test_a_stale_open_episode_is_closed_by_its_rule(h: CareHistory, data: st.DataObject) -> None:
    folder = returns_of(h)
    files = episode_files(folder)
    frames = {f: pl.read_csv(f, infer_schema=False) for f in files}
    # children open at the end of a return that is not the last one
    candidates = sorted(
        {(c, i) for i, f in enumerate(files[:-1])
         for c in frames[f].filter(pl.col("DEC").is_null())["CHILD"]}
    )  # fmt: skip
    assume(candidates)
    child, i = data.draw(st.sampled_from(candidates))
    for f in files[i + 1 :]:  # the child vanishes from every later return
        frames[f].filter(pl.col("CHILD") != child).write_csv(f)
    back, report = imported(folder)
    assert report.count("ceased_not_in_later_return") == 1
    ended = back.placements.filter(pl.col("child_id") == child)["end"].max()
    assert ended == date(int(files[i].name[:4]) + 1, 3, 31)  # end of the last return holding it
    nothing_lost(report)


@settings(max_examples=15)
@given(histories(), st.data())
def test_a_dropped_year_is_refused_or_marked(h: CareHistory, data: st.DataObject) -> None:
    folder = returns_of(h)
    files = episode_files(folder)
    assume(len(files) >= 3)
    target = data.draw(st.sampled_from(files[1:-1]))
    year = int(target.name[:4])
    target.unlink()
    with pytest.raises(SSDA903Error, match=rf"missing_return_year.*{year}"):
        imported(folder)
    _, report = imported(folder, errors="repair")
    assert report.years_missing == {"": (year,)}
    assert report.affected_periods == ((date(year, 4, 1), date(year + 1, 3, 31)),)
    nothing_lost(report)


@settings(max_examples=15)
@given(histories(), st.data())
def test_a_later_correction_wins(h: CareHistory, data: st.DataObject) -> None:
    folder = returns_of(h)
    files = episode_files(folder)
    frames = {f: pl.read_csv(f, infer_schema=False) for f in files}
    # episodes open in one return and ended for good (an E code) in a later one
    ended = []
    for i, f in enumerate(files[1:], start=1):
        closed = frames[f].filter(pl.col("REC").str.starts_with("E"))
        before = frames[files[i - 1]].filter(pl.col("DEC").is_null())
        ended += [(f, c, d) for c, d in closed.join(before, on=["CHILD", "DECOM"]).select(
            "CHILD", "DECOM").iter_rows()]  # fmt: skip
    assume(ended)
    f, child, decom = data.draw(st.sampled_from(ended))
    new = "E45" if frames[f].filter((pl.col("CHILD") == child) & (pl.col("DECOM") == decom))[
        "REC"].item() != "E45" else "E11"  # fmt: skip
    frames[f].with_columns(
        pl.when((pl.col("CHILD") == child) & (pl.col("DECOM") == decom))
        .then(pl.lit(new)).otherwise(pl.col("REC")).alias("REC")
    ).write_csv(f)  # fmt: skip
    back, report = imported(folder)
    row = back.placements.filter(
        (pl.col("child_id") == child) & (pl.col("end_reason_detail") == new)
    )
    assert row.height == 1 and row["end_reason"].item() == "permanence"
    nothing_lost(report)
