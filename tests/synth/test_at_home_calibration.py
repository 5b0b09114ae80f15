"""The at-home population reproduces its published targets inside their bands."""

from __future__ import annotations

import polars as pl

from earlysignal.synth.at_home import simulate_at_home
from earlysignal.synth.targets import at_home_calibration_table, format_table


def test_at_home_default_inside_every_band() -> None:
    sim = simulate_at_home()
    table = at_home_calibration_table(sim.history, sim.start)
    print(format_table(table))
    assert table.filter(~pl.col("inside")).height == 0, format_table(table)
    # most children at home are never placed
    placed = sim.history.placements["child_id"].n_unique() / sim.history.children.height
    assert placed < 0.3
