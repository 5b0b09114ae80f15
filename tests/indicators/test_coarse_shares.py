"""Published indicator shares are no finer than their rounded counts."""

from __future__ import annotations

from datetime import date

import polars as pl

from earlysignal.data import CareHistory
from earlysignal.disclosure import check_table
from earlysignal.indicators.report import stability_indicators


def _history() -> CareHistory:
    kids = [f"c{i}" for i in range(47)]
    movers = set(kids[:13])  # 13 of 47 children have two moves: 27.7 %
    rows = []
    for k in kids:
        if k in movers:
            spans = [(date(2019, 1, 1), date(2019, 6, 1)), (date(2019, 6, 1), date(2020, 1, 1))]
            spans.append((date(2020, 1, 1), None))
        else:
            spans = [(date(2019, 1, 1), None)]
        for j, (start, end) in enumerate(spans):
            rows.append(
                {"child_id": k, "placement_id": f"{k}p{j}", "start": start, "end": end,
                 "setting": "foster", "end_reason": None if end is None else "breakdown"}
            )  # fmt: skip
    return CareHistory.from_frames(
        children=pl.DataFrame(
            {"child_id": kids, "birth_date": [date(2010, 1, 1)] * 47, "sex": ["female"] * 47}
        ),
        placements=pl.DataFrame(rows),
        events=None,
        observed_until=date(2021, 3, 31),
    )


def test_shares_come_from_the_rounded_counts() -> None:
    t = stability_indicators(_history(), year_ends=[date(2020, 3, 31)], dfe=False)
    row = t.filter(pl.col("indicator") == "moved_more_than_1").row(0, named=True)
    assert (row["children"], row["count"]) == (45, 15)  # 47 and 13, rounded to 5
    assert row["value"] == round(15 / 45, 2)  # not 13 / 47 = 0.2766, which gives 13 back
    shares = t.filter((pl.col("unit") == "share") & pl.col("value").is_not_null())
    for r in shares.iter_rows(named=True):
        assert r["value"] == round(r["count"] / r["children"], 2)
    assert not [p for p in check_table(t, count_cols=["children", "count"]) if "finer" in p]
