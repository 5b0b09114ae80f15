"""Bad input: unit column missing or empty, units without placements, every unit too small."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from earlysignal.data import CareHistory
from earlysignal.steering.compare import compare_units
from earlysignal.steering.report import build_report, write_report
from earlysignal.steering.spec import SteeringError, SteeringSpec
from earlysignal.synth import Simulation


def _with(h: CareHistory, **frames: pl.DataFrame) -> CareHistory:
    return CareHistory.from_frames(
        children=frames.get("children", h.children),
        placements=frames.get("placements", h.placements),
        events=h.events,
        observed_until=h.observed_until,
    )


def test_missing_unit_column_is_named(small_sim: Simulation) -> None:
    with pytest.raises(
        SteeringError, match=r"\[steer.unit_missing\] table 'children' has no column 'municipality'"
    ):
        compare_units(small_sim.history, SteeringSpec(by="municipality"))


def test_empty_unit_column_is_named(small_sim: Simulation) -> None:
    h = small_sim.history
    h2 = _with(h, children=h.children.with_columns(pl.lit(" ").alias("region")))
    with pytest.raises(SteeringError, match=r"\[steer.unit_empty\].*'region'"):
        compare_units(h2, SteeringSpec(by="region"))


def test_every_unit_below_the_threshold_gives_a_report_that_says_so(
    small_sim: Simulation, tmp_path: Path
) -> None:
    spec = SteeringSpec(by="region", min_children=100_000)
    res = compare_units(small_sim.history, spec, draws=50)
    assert all(c.height == 0 for c in res.comparisons.values())
    rep = build_report(res, history=small_sim.history)
    write_report(rep, tmp_path)
    md = (tmp_path / "steering.md").read_text()
    assert md.count("No unit can be shown for this outcome") == 2
    assert "4 units with placements in the period have fewer than 100000" in md


def test_units_without_placements_and_placements_without_unit_are_counted(
    small_sim: Simulation,
) -> None:
    h = small_sim.history
    p = h.placements.with_columns(
        pl.when(pl.col("start") < pl.date(2012, 1, 1))
        .then(pl.lit("OLD-PROVIDER"))
        .when(pl.col("placement_id").str.ends_with("7"))
        .then(None)
        .otherwise(pl.col("provider_id"))
        .alias("provider_id")
    )
    res = compare_units(_with(h, placements=p), SteeringSpec(by="provider"), draws=100)
    assert "OLD-PROVIDER" in res.units_without_placements
    assert res.excluded["placements_without_unit"] > 0
    assert res.excluded["units_too_small_unplanned"] > 0
