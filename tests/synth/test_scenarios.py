"""Bias scenarios change the records of one group, never the dynamics."""

from __future__ import annotations

import polars as pl
import pytest

from earlysignal.synth import simulate
from earlysignal.synth.scenarios import BiasScenario, get_scenario


def _incident_rate(h: pl.DataFrame, ev: pl.DataFrame, origin: str) -> float:
    ids = h.filter(pl.col("origin") == origin)["child_id"]
    n = ev.filter(pl.col("child_id").is_in(ids.implode()) & (pl.col("kind") == "incident"))
    return float(n["value"].sum()) / ids.len()


def test_recording_bias_inflates_group_events_only() -> None:
    base = simulate(1200, years=4, seed=3)
    biased = simulate(1200, years=4, seed=3, scenario="recording_bias")
    # same dynamics: identical placements
    assert base.history.placements.equals(biased.history.placements)
    ratio_group = _incident_rate(biased.history.children, biased.history.events, "migrant") / (
        _incident_rate(base.history.children, base.history.events, "migrant")
    )
    ratio_other = _incident_rate(biased.history.children, biased.history.events, "dutch") / (
        _incident_rate(base.history.children, base.history.events, "dutch")
    )
    assert 1.35 < ratio_group < 1.65
    assert 0.9 < ratio_other < 1.1


def test_label_bias_flips_group_labels_and_keeps_truth() -> None:
    sim = simulate(1200, years=4, seed=3, scenario="label_bias")
    p = sim.history.placements.join(sim.truth["placements"], on=["placement_id", "child_id"])
    p = p.join(sim.history.children.select("child_id", "origin"), on="child_id")
    flipped = p.filter(pl.col("end_reason") != pl.col("true_end_reason"))
    assert flipped.height > 0
    assert (flipped["origin"] == "migrant").all()
    assert (flipped["end_reason"] == "breakdown").all()
    sim.history.validate(strict=True)


def test_unknown_scenario_is_named() -> None:
    with pytest.raises(ValueError, match="unknown bias scenario 'nope'"):
        get_scenario("nope")
    with pytest.raises(ValueError, match="event_multiplier"):
        BiasScenario("x", event_multiplier=0.5)
