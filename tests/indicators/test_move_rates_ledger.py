"""With a ledger in use, a move rate repeats while the children who moved change by fewer than
10, however many more moves those children had: the difference of two rates would describe
them."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from move_histories import YE, region_history  # type: ignore[import-not-found]

from earlysignal.indicators.report import stability_indicators
from earlysignal.ledger import PublicationLedger, use_ledger


def _rates(table: pl.DataFrame) -> list[tuple[object, ...]]:
    return (
        table.filter(pl.col("unit") == "per child")
        .sort("group", "group_value", nulls_last=True)
        .select("group", "group_value", "children", "count", "value")
        .rows()
    )


def test_more_moves_by_the_same_children_repeat_the_rate(tmp_path: Path) -> None:
    before = region_history({"north": [1] * 20 + [0] * 20, "south": [1] * 15 + [0] * 25})
    after = region_history({"north": [4] * 3 + [1] * 17 + [0] * 20, "south": [1] * 15 + [0] * 25})
    plain = [stability_indicators(h, year_ends=[YE], by=["region"], dfe=False)
             for h in (before, after)]  # fmt: skip
    assert _rates(plain[0]) != _rates(plain[1])  # 9 more moves of 3 children show without it
    with use_ledger(PublicationLedger(tmp_path)):
        first = stability_indicators(before, year_ends=[YE], by=["region"], dfe=False)
        second = stability_indicators(after, year_ends=[YE], by=["region"], dfe=False)
    assert _rates(first) == _rates(plain[0])
    assert _rates(second) == _rates(first)
