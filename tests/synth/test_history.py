"""A small simulated history is valid and has every mechanism the issue asks for."""

from __future__ import annotations

import polars as pl

from earlysignal.schema import EndReason, Setting
from earlysignal.synth import Simulation


def test_valid_and_complete(small_sim: Simulation) -> None:
    h = small_sim.history
    h.validate(strict=True)
    assert h.children.height == 1500
    p = h.placements
    assert set(p["setting"].unique()) <= {s.value for s in Setting}
    reasons = set(p["end_reason"].drop_nulls().unique())
    assert reasons <= {r.value for r in EndReason}
    assert {"breakdown", "planned", "return_home", "aged_out", "transfer"} <= reasons
    assert p["temporary"].any()
    kinds = set(h.events["kind"].unique())
    assert {"incident", "missing", "police_contact", "review", "caseworker_change"} <= kinds
    births = h.children.join(p.group_by("child_id").agg(pl.col("start").min()), on="child_id")
    infants = births.filter(pl.col("start") < pl.col("birth_date").dt.offset_by("1y"))
    assert infants.height > 0
    details = set(p.filter(pl.col("end_reason") == "breakdown")["end_reason_detail"].unique())
    assert {"CREQB", "CREQO", "CHILD"} <= details
    # nothing after observed_until, and the truth covers every non-temporary placement
    assert (h.events["date"] <= h.observed_until).all()
    truth = small_sim.truth["placements"]
    assert truth.height == p.filter(~pl.col("temporary")).height
