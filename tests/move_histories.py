"""Small care histories whose children move a given number of times in one year (shared by
tests/indicators/test_move_rates_*.py)."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from earlysignal.data import CareHistory

YE = date(2021, 3, 31)


def region_history(moves: dict[str, list[int]]) -> CareHistory:
    """Children per region, each with the given number of moves during the year to ``YE``."""
    kids, regions, rows = [], [], []
    for region, per_child in moves.items():
        for i, k in enumerate(per_child):
            cid = f"{region}{i}"
            kids.append(cid)
            regions.append(region)
            starts = [date(2019, 1, 1)] + [date(2020, 5, 1) + timedelta(20 * j) for j in range(k)]
            for j, start in enumerate(starts):
                end = starts[j + 1] if j + 1 < len(starts) else None
                rows.append(
                    {"child_id": cid, "placement_id": f"{cid}p{j}", "start": start, "end": end,
                     "setting": "foster", "end_reason": None if end is None else "breakdown"}
                )  # fmt: skip
    return CareHistory.from_frames(
        children=pl.DataFrame(
            {
                "child_id": kids,
                "birth_date": [date(2010, 1, 1)] * len(kids),
                "sex": ["female"] * len(kids),
                "region": regions,
            }
        ),
        placements=pl.DataFrame(rows),
        events=None,
        observed_until=YE,
    )
