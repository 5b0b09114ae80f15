"""Indicators publish through the publication ledger in use: a later extraction with a few
more children repeats the earlier figures, in every indicator table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from earlysignal.data import CareHistory
from earlysignal.indicators.report import moves_distribution, stability_indicators
from earlysignal.ledger import PublicationLedger, use_ledger
from earlysignal.synth import simulate

COUNTS = ["children", "count"]


def _without(history: CareHistory, drop: list[str]) -> CareHistory:
    keep = pl.col("child_id").is_in(drop).not_()
    return CareHistory.from_frames(
        children=history.children.filter(keep),
        placements=history.placements.filter(keep),
        events=None if history.events is None else history.events.filter(keep),
        observed_until=history.observed_until,
    )


def _figures(table: pl.DataFrame) -> list[tuple[object, ...]]:
    key = ["year_end", "indicator", "group", "group_value"]
    return table.sort(key, nulls_last=True).select(*key, *COUNTS).rows()


def test_a_later_extraction_with_a_few_more_children_repeats_the_figures(tmp_path: Path) -> None:
    full = simulate(600, years=4, seed=3).history
    in_care = full.placements.filter(pl.col("end").is_null())["child_id"].unique().sort()
    early = _without(full, in_care.head(4).to_list())  # 4 children fewer in the first run
    ye = date(full.observed_until.year - 1, 3, 31)
    plain = stability_indicators(early, by=["sex"], year_ends=[ye])
    assert _figures(stability_indicators(full, by=["sex"], year_ends=[ye])) != _figures(plain)
    with use_ledger(PublicationLedger(tmp_path)) as led:
        first = stability_indicators(early, by=["sex"], year_ends=[ye])
        second = stability_indicators(full, by=["sex"], year_ends=[ye])
        moves1 = moves_distribution(early, ye)
        moves2 = moves_distribution(full, ye)
    assert _figures(first) == _figures(plain)  # the first run publishes as without a ledger
    assert _figures(second) == _figures(first)
    assert moves2.select("moves", "children").rows() == moves1.select("moves", "children").rows()
    assert led is not None and sum(led.stats.repeated.values()) > 0
    assert not [c for c in second.columns if c.startswith("_m_")]
