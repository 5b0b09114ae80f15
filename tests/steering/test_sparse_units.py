"""Units too small to show: the report says why (ids unique per placement), and bigger providers
in the simulator (``SimParams.candidates_per_provider``) give a provider report with figures."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl

from earlysignal.data import CareHistory
from earlysignal.steering.compare import compare_units
from earlysignal.steering.report import build_report, write_report
from earlysignal.steering.spec import SteeringSpec
from earlysignal.synth import Simulation, simulate
from earlysignal.synth.params import SimParams


def test_ids_unique_per_placement_are_named_as_the_reason(
    small_sim: Simulation, tmp_path: Path
) -> None:
    h = small_sim.history  # like the SSDA903 sample: a provider id per placement
    p = h.placements.with_columns(pl.col("placement_id").alias("provider_id"))
    h2 = CareHistory.from_frames(
        children=h.children, placements=p, events=h.events, observed_until=h.observed_until
    )
    res = compare_units(h2, SteeringSpec(by="provider"), draws=50)
    rep = build_report(res, history=h2, key=b"k")
    assert rep["placements_per_unit"] == 1.0
    write_report(rep, tmp_path)
    md = (tmp_path / "steering.md").read_text()
    assert "A unit had on average 1.0 placements starting in the period." in md
    assert "nearly unique per placement" in md
    assert md.count("No unit can be shown for this outcome") == 2


def test_organisation_sized_providers_are_compared_with_figures_shown(tmp_path: Path) -> None:
    small = simulate(3000, years=5, seed=4)
    big = simulate(3000, years=5, seed=4, params=replace(SimParams(), candidates_per_provider=400))
    assert big.truth["providers"].height <= 45  # the floor of 40 (rounded per setting)
    assert small.truth["providers"].height > 4 * big.truth["providers"].height
    spec = SteeringSpec(by="provider", years=3, outcomes=("moves",))
    rep = build_report(compare_units(big.history, spec, draws=50), history=big.history, key=b"k")
    moves = rep["outcomes"]["moves"]
    assert moves["units"] >= 20
    shown = [r for r in moves["rows"] if r["ratio"] is not None]
    assert len(shown) >= 10  # real figures, not only suppressed cells
    assert rep["placements_per_unit"] > 3  # family carers (one child each) are units too
    assert SimParams().candidates_per_provider == 25  # default histories are unchanged
