"""Helpers shared by the feature, outcome and cohort tests (drawing times, perturbing)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import polars as pl
from hypothesis import strategies as st

from earlysignal.data import CareHistory


def all_dates(h: CareHistory) -> list[date]:
    """Every date that appears in a history (sorted, unique)."""
    cols = [
        h.placements["start"],
        h.placements["end"],
        h.events["date"],
        pl.Series([h.observed_until]),
    ]
    if h.statuses is not None:
        cols += [h.statuses["start"], h.statuses["end"]]
    return sorted({d for c in cols for d in c.drop_nulls().to_list()})


def draw_time(data: st.DataObject, h: CareHistory) -> date:
    """A prediction time at or next to a date of the history (edges on purpose)."""
    base = data.draw(st.sampled_from(all_dates(h)), label="base date")
    t = base + timedelta(days=data.draw(st.sampled_from([-1, 0, 0, 1, 2]), label="offset"))
    return min(t, h.observed_until)


def with_providers(h: CareHistory) -> CareHistory:
    """Give placements provider ids (a few shared ones) so provider features are exercised."""
    p = h.placements.with_columns(
        ("prov" + (pl.col("placement_id").hash(seed=1) % 4).cast(pl.String)).alias("provider_id")
    )
    return replace(h, placements=p)


def times_for(h: CareHistory, t: date) -> pl.DataFrame:
    """One prediction time ``t`` for every child of the history."""
    ids = h.children["child_id"].to_list()
    return pl.DataFrame(
        {"child_id": ids, "prediction_time": [t] * len(ids)},
        schema={"child_id": pl.String, "prediction_time": pl.Date},
    )


def perturb_future(data: st.DataObject, h: CareHistory, t: date) -> CareHistory:
    """Move, add or remove records dated at or after ``t``; rewrite the unknown future of
    placements and statuses still in effect at ``t``. Nothing dated before ``t`` changes."""
    ou = h.observed_until
    span = max((ou - t).days, 0)

    def later() -> date:
        return t + timedelta(days=data.draw(st.integers(0, span)))

    # events at or after t: drop, move within [t, ou], add
    ev = h.events
    past = ev.filter(pl.col("date") < t)
    fut = [r for r in ev.filter(pl.col("date") >= t).iter_rows(named=True)
           if data.draw(st.booleans())]  # fmt: skip
    for r in fut:
        if data.draw(st.booleans()):
            r["date"] = later()
    kinds = ["incident", "missing", "review", "crisis", "brand_new_kind"]
    for cid in h.children["child_id"].to_list():
        for _ in range(data.draw(st.integers(0, 2))):
            fut.append({"child_id": cid, "date": later(), "kind": data.draw(st.sampled_from(kinds)),
                        "value": None})  # fmt: skip
    ev = pl.concat([past, pl.DataFrame(fut, schema=ev.schema)])

    # placements: starting at or after t -> drop / move later; in effect at t -> new future
    rows = []
    for r in h.placements.iter_rows(named=True):
        if r["start"] >= t:
            if data.draw(st.booleans()):
                continue
            r["start"] = later()
            if r["end"] is not None:
                r["end"] = r["start"] + timedelta(days=data.draw(st.integers(0, 100)))
        elif r["end"] is None or r["end"] >= t:
            r["end"] = data.draw(st.sampled_from([None, t, t + timedelta(days=1), later()]))
            r["end_reason"] = (
                None if r["end"] is None
                else data.draw(st.sampled_from(["breakdown", "planned", "return_home"]))
            )  # fmt: skip
        rows.append(r)
    if data.draw(st.booleans()):
        cid = data.draw(st.sampled_from(h.children["child_id"].to_list()))
        rows.append({**h.placements.row(0, named=True), "child_id": cid,
                     "placement_id": "new-future", "start": later(), "end": None,
                     "end_reason": None, "setting": "secure", "temporary": False})  # fmt: skip
    pl_frame = pl.DataFrame(rows, schema=h.placements.schema)

    statuses = h.statuses
    if statuses is not None:
        srows = []
        for r in statuses.iter_rows(named=True):
            if r["start"] >= t:
                if data.draw(st.booleans()):
                    continue
                r["start"] = later()
                r["end"] = None
            elif r["end"] is None or r["end"] >= t:
                r["end"] = data.draw(st.sampled_from([None, t, later()]))
            srows.append(r)
        statuses = pl.DataFrame(srows, schema=statuses.schema)
    return replace(h, events=ev, placements=pl_frame, statuses=statuses)


def add_late_facts(h: CareHistory, cut: date, n: int) -> CareHistory:
    """Events of a new kind and many statuses of a new value, all dated on or after ``cut``."""
    ids = h.children["child_id"].to_list()
    days = [cut + timedelta(days=i % 3) for i in range(n)]
    kids = [ids[i % len(ids)] for i in range(n)]
    ev = pl.concat(
        [h.events, pl.DataFrame({"child_id": kids, "date": days, "kind": ["late_kind"] * n})],
        how="diagonal_relaxed",
    )
    late = pl.DataFrame(
        {"child_id": kids, "kind": ["measure"] * n, "value": ["late_value"] * n,
         "start": days, "end": [None] * n},
        schema_overrides={"end": pl.Date},
    )  # fmt: skip
    st_ = late if h.statuses is None else pl.concat([h.statuses, late], how="diagonal_relaxed")
    ou = max(h.observed_until, *days)
    return replace(h, events=ev, statuses=st_, observed_until=ou)
