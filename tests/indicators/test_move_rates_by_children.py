"""A move rate is published only when 10+ distinct children moved, from rounded counts."""

from __future__ import annotations

import polars as pl
from move_histories import YE, region_history  # type: ignore[import-not-found]

from earlysignal.indicators.report import stability_indicators


def test_three_children_with_twelve_moves_get_no_rate() -> None:
    h = region_history(
        {
            "north": [4, 4, 4] + [0] * 37,  # 3 of 40 children moved 12 times
            "south": [1] * 20 + [0] * 20,
            "east": [2] * 15 + [0] * 15,
        }
    )
    t = stability_indicators(h, year_ends=[YE], by=["region"], dfe=False)
    north = t.filter((pl.col("group_value") == "north") & (pl.col("unit") != "share"))
    assert set(north["indicator"]) == {"moves_per_child", "moves_per_1000_days"}
    assert north["children"].to_list() == [40, 40]  # the population is published
    assert north["value"].null_count() == 2 and north["count"].null_count() == 2
    assert north["value_flag"].to_list() == ["suppressed", "suppressed"]
    # overall: 38 of 110 children moved 62 times; published: 40 children who moved, and
    # 60 moves (rounded to 5) over 110 children
    overall = t.filter((pl.col("group") == "all") & (pl.col("indicator") == "moves_per_child"))
    assert overall.select("children", "count", "value").row(0) == (110, 40, round(60 / 110, 2))
