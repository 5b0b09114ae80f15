"""The share indicators already count distinct children: every per-child frame they are made
from holds one row per child, so a child with many placements or moves counts once."""

from __future__ import annotations

from datetime import date

import polars as pl

from earlysignal.indicators import measures
from earlysignal.indicators.report import long_term_members, moves_in_year, stability_indicators
from earlysignal.synth import simulate


def test_share_populations_are_distinct_children() -> None:
    h = simulate(150, years=4, seed=5).history
    ye = date(h.observed_until.year - 1, 3, 31)
    frames = {
        "three_plus_placements": measures.placements_during_year(h, ye),
        "two_year_three_plus": measures.two_year_placements(h, ye),
        "long_term_stability": long_term_members(h, ye),
        "moved_more_than_1": moves_in_year(h, ye).filter(pl.col("in_care_at_year_end")),
    }
    raw = stability_indicators(h, year_ends=[ye], protected=False).filter(pl.col("group") == "all")
    for name, frame in frames.items():
        assert frame["child_id"].n_unique() == frame.height, name
        row = raw.filter(pl.col("indicator") == name)
        assert row["children"].item() == frame["child_id"].n_unique(), name
        assert row["count"].item() <= row["children"].item(), name
