"""A report for one region: units compared on that region's children, the case-mix model still
fitted on every child; a bad or absent region is a named error."""

from __future__ import annotations

import polars as pl
import pytest

from earlysignal.steering.compare import compare_units
from earlysignal.steering.spec import SteeringError, SteeringSpec
from earlysignal.synth import Simulation


def test_within_a_region_uses_the_same_expected_counts_on_fewer_children(
    small_sim: Simulation,
) -> None:
    h = small_sim.history
    spec = SteeringSpec(by="provider", years=5, outcomes=("unplanned",))
    full = compare_units(h, spec, draws=50)
    north = compare_units(h, SteeringSpec(by="provider", years=5, outcomes=("unplanned",),
                                          within=("region", "north")), draws=50)  # fmt: skip
    kids = h.children.filter(pl.col("region") == "north")["child_id"]
    assert north.placements["child_id"].is_in(kids.implode()).all()
    joined = north.placements.join(full.placements, on="placement_id", suffix="_full")
    assert joined.height == north.placements.height
    assert (joined["expected_unplanned"] - joined["expected_unplanned_full"]).abs().max() < 1e-12
    assert north.measures["children"].sum() < full.measures["children"].sum()


def test_an_unknown_region_is_a_named_error(small_sim: Simulation) -> None:
    spec = SteeringSpec(by="provider", within=("region", "atlantis"))
    with pytest.raises(SteeringError, match=r"\[steer.within_empty\].*'atlantis'"):
        compare_units(small_sim.history, spec, draws=50)
