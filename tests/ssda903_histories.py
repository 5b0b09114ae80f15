"""A hypothesis strategy for canonical histories that SSDA903 can express (round-trip tests)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import polars as pl
from hypothesis import assume
from hypothesis import strategies as st

from earlysignal.data import CareHistory
from earlysignal.sources.ssda903_write import SETTING_PLACE

OBS = date(2022, 3, 31)
CHANGE = ["breakdown", "provider_ended", "planned", "transfer", "other"]
CEASE = ["permanence", "return_home", "aged_out", "transfer", "other"]
KEYS = ["child_id", "start", "end", "setting", "provider_id", "end_reason"]


@st.composite
def histories(draw: st.DrawFn, max_children: int = 6, temporaries: bool = False) -> CareHistory:
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
    temps = []
    for cid, start, end, _, urn, _ in rows if temporaries else []:
        # a temporary move strictly inside its host: after its start, before its end
        span = ((end or OBS) - start).days
        if span < 3 or not draw(st.booleans()):
            continue
        a = draw(st.integers(1, span - 2))
        b = draw(st.integers(a + 1, span - 1))
        if end is None and draw(st.booleans()):  # still away at observed_until
            temps.append((cid, start + timedelta(days=a), None, "other", urn, None))
        else:
            reason = draw(st.sampled_from(CHANGE))
            temps.append((cid, start + timedelta(days=a), start + timedelta(days=b), "other",
                          draw(st.sampled_from("FGH")), reason))  # fmt: skip
    placements = pl.DataFrame(
        rows, schema=["child_id", "start", "end", "setting", "provider_id", "end_reason"],
        orient="row",
    ).with_columns(
        (pl.col("child_id") + "-" + pl.col("start").cast(pl.String)).alias("placement_id"),
        pl.lit(None, pl.String).alias("end_reason_detail"),
        pl.lit(False).alias("temporary"),
    )  # fmt: skip
    if temps:
        placements = pl.concat([placements, pl.DataFrame(
            temps, schema=["child_id", "start", "end", "setting", "provider_id", "end_reason"],
            orient="row",
        ).with_columns(
            (pl.col("child_id") + "-" + pl.col("start").cast(pl.String) + "-T")
            .alias("placement_id"),
            pl.lit(None, pl.String).alias("end_reason_detail"),
            pl.lit(True).alias("temporary"),
        ).select(placements.columns)])  # fmt: skip
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
