"""Persona membership as of t: facts on or after t never change it (the leakage property)."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.data import CareHistory
from earlysignal.personas.cluster import fit_personas
from earlysignal.personas.planted import planted_history
from earlysignal.personas.sequences import monthly_states
from earlysignal.personas.signal import membership_as_of
from earlysignal.personas.spec import PersonaSpec

SPEC = PersonaSpec(window=24, k=4)
_BASE, _ = planted_history(120, seed=5)
MODEL = fit_personas(monthly_states(_BASE, SPEC), SPEC)


def _rewrite_from(h: CareHistory, t: date, data: st.DataObject) -> CareHistory:
    """Everything on or after t replaced: later placements dropped or added, endings changed."""
    p = h.placements
    keep = p.filter(pl.col("start") < t).with_columns(
        end=pl.when(pl.col("end") >= t).then(pl.lit(None, pl.Date)).otherwise(pl.col("end")),
        end_reason=pl.when(pl.col("end") >= t)
        .then(pl.lit(None, pl.String))
        .otherwise(pl.col("end_reason")),
    )
    if data.draw(st.booleans()):  # the open placements end on or after t with a breakdown
        end = t + timedelta(days=data.draw(st.integers(0, 200)))
        keep = keep.with_columns(
            end_reason=pl.when(pl.col("end").is_null())
            .then(pl.lit("breakdown"))
            .otherwise("end_reason"),
            end=pl.when(pl.col("end").is_null()).then(pl.lit(end)).otherwise("end"),
        )
    return CareHistory.from_frames(
        children=h.children, placements=keep, events=None, observed_until=h.observed_until
    )


@settings(max_examples=15)
@given(st.integers(0, 119), st.integers(200, 3000), st.data())
def test_membership_uses_only_facts_before_t(row: int, days: int, data: st.DataObject) -> None:
    cid = f"C{row:06d}"
    entry = _BASE.placements.filter(pl.col("child_id") == cid)["start"].min()
    assert isinstance(entry, date)
    t = entry + timedelta(days=days)
    times = pl.DataFrame({"child_id": [cid], "t": [t]})
    before = membership_as_of(MODEL, _BASE, times)
    after = membership_as_of(MODEL, _rewrite_from(_BASE, t, data), times)
    assert before.rows() == after.rows()
    months = before["persona_months"][0]
    assert months <= SPEC.window
    assert (before["persona"][0] is None) == (months < 3)


def test_no_history_before_t_means_no_persona() -> None:
    cid = "C000000"
    entry = _BASE.placements.filter(pl.col("child_id") == cid)["start"].min()
    assert isinstance(entry, date)
    times = pl.DataFrame({"child_id": [cid, cid], "t": [entry, entry + timedelta(days=40)]})
    out = membership_as_of(MODEL, _BASE, times)
    assert out["persona"].to_list() == [None, None]
    assert out["persona_months"].to_list() == [0, 1]
