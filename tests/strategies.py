"""Hypothesis strategies shared by the test suite.

``care_histories()`` draws valid ``CareHistory`` objects: several children, each with consecutive,
non-overlapping non-temporary placements with realistic end reasons (the last one may be ongoing),
temporary placements lying inside others, events while in care, optional statuses, and an
``observed_until`` on or after every date. Every drawn history validates without any problem.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl
from hypothesis import strategies as st

from earlysignal.data import CareHistory
from earlysignal.schema import SEX_CODES, EndReason, Setting, polars_schema

EVENT_KINDS = ("incident", "missing", "police_contact", "school_change", "crisis", "review")
STATUS_VALUES = ("ots", "voogdij", "voluntary", "jeugdzorgplus_machtiging")
_END_REASONS = [r.value for r in EndReason]
_SETTINGS = [s.value for s in Setting]


@st.composite
def care_histories(
    draw: st.DrawFn,
    min_children: int = 2,
    max_children: int = 6,
    statuses: bool | None = None,
) -> CareHistory:
    """A valid care history (see the module docstring).

    Parameters
    ----------
    min_children, max_children
        How many children.
    statuses
        ``True``/``False`` to force a statuses table in or out; ``None`` draws it.
    """
    n_children = draw(st.integers(min_children, max_children))
    with_statuses = draw(st.booleans()) if statuses is None else statuses
    children: list[dict[str, Any]] = []
    placements: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    status_rows: list[dict[str, Any]] = []
    latest = date(2000, 1, 1)
    for i in range(n_children):
        cid = f"c{i:03d}"
        birth = date(2000, 1, 1) + timedelta(days=draw(st.integers(0, 19 * 365)))
        children.append(
            {
                "child_id": cid,
                "birth_date": birth,
                "sex": draw(st.sampled_from(SEX_CODES)),
                "origin": draw(st.sampled_from([None, "dutch", "migrant_child", "migrant"])),
            }
        )
        latest = max(latest, birth)
        start = birth + timedelta(days=draw(st.integers(0, 12 * 365)))
        n_place = draw(st.integers(1, 4))
        for j in range(n_place):
            pid = f"{cid}-p{j}"
            last = j == n_place - 1
            ongoing = last and draw(st.booleans())
            length = draw(st.integers(1, 700))
            end = None if ongoing else start + timedelta(days=length)
            placements.append(
                {
                    "child_id": cid,
                    "placement_id": pid,
                    "start": start,
                    "end": end,
                    "setting": draw(st.sampled_from(_SETTINGS)),
                    "end_reason": None if end is None else draw(st.sampled_from(_END_REASONS)),
                    "temporary": False,
                }
            )
            latest = max(latest, start if end is None else end)
            if end is not None and length >= 3 and draw(st.booleans()):
                t0 = start + timedelta(days=draw(st.integers(1, length - 2)))
                t1 = t0 + timedelta(days=draw(st.integers(0, (end - t0).days - 1)))
                placements.append(
                    {
                        "child_id": cid,
                        "placement_id": f"{pid}-t",
                        "start": t0,
                        "end": t1,
                        "setting": "foster",
                        "end_reason": "planned",
                        "temporary": True,
                    }
                )
            for _ in range(draw(st.integers(0, 3))):
                span = length if end is not None else 400
                day = start + timedelta(days=draw(st.integers(0, span)))
                events.append(
                    {
                        "child_id": cid,
                        "date": day,
                        "kind": draw(st.sampled_from(EVENT_KINDS)),
                        "value": draw(st.sampled_from([None, 1.0, 2.0, 3.5])),
                    }
                )
                latest = max(latest, day)
            if end is None:
                break
            start = end + timedelta(days=draw(st.sampled_from([0, 0, 1, 30, 200])))
        if with_statuses:
            first = placements[-1]["start"] if placements else birth
            s_end = draw(st.sampled_from([None, 30, 365]))
            status_rows.append(
                {
                    "child_id": cid,
                    "kind": "legal_status",
                    "value": draw(st.sampled_from(STATUS_VALUES)),
                    "start": first,
                    "end": None if s_end is None else first + timedelta(days=s_end),
                }
            )
            latest = max(latest, first + timedelta(days=s_end or 0))
    # every agency records at least one event (an empty events table is reported as W106)
    events.append(
        {"child_id": "c000", "date": placements[0]["start"], "kind": "review", "value": None}
    )
    observed_until = latest + timedelta(days=draw(st.integers(0, 365)))
    events_frame = pl.DataFrame(
        list({tuple(e.values()): e for e in events}.values()), schema=polars_schema("events")
    )
    statuses_frame = (
        pl.DataFrame(status_rows, schema=polars_schema("statuses")) if with_statuses else None
    )
    return CareHistory.from_frames(
        children=pl.DataFrame(
            children,
            schema={
                "child_id": pl.String,
                "birth_date": pl.Date,
                "sex": pl.String,
                "origin": pl.String,
            },
        ),
        placements=pl.DataFrame(
            placements,
            schema={
                "child_id": pl.String,
                "placement_id": pl.String,
                "start": pl.Date,
                "end": pl.Date,
                "setting": pl.String,
                "end_reason": pl.String,
                "temporary": pl.Boolean,
            },
        ),
        events=events_frame,
        statuses=statuses_frame,
        observed_until=observed_until,
    )
