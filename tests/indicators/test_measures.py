"""DfE stability measures on hand-built histories."""

from __future__ import annotations

from datetime import date

import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.indicators.measures import (
    care_episodes,
    in_care_at,
    long_term_stability,
    placements_during_year,
    three_plus_placements,
    two_year_three_plus,
)

YE = date(2021, 3, 31)


def _h(rows: list[tuple[str, str, date, date | None, str, bool]]) -> CareHistory:
    pl_ = pl.DataFrame(
        {
            "child_id": [r[0] for r in rows],
            "placement_id": [f"p{i}" for i in range(len(rows))],
            "start": [r[2] for r in rows],
            "end": [r[3] for r in rows],
            "setting": ["foster"] * len(rows),
            "provider_id": [r[1] for r in rows],
            "end_reason": [None if r[3] is None else "planned" for r in rows],
            "temporary": [r[5] for r in rows],
        }
    )
    ids = sorted({r[0] for r in rows})
    ch = pl.DataFrame(
        {"child_id": ids, "birth_date": [date(2010, 1, 1)] * len(ids), "sex": ["female"] * len(ids)}
    )
    return CareHistory.from_frames(
        children=ch, placements=pl_, events=None, observed_until=date(2022, 1, 1)
    )


def test_placements_during_year_counts_overlap_and_skips_temporary() -> None:
    h = _h(
        [
            ("a", "x", date(2019, 1, 1), date(2020, 4, 1), "", False),  # overlaps the year by a day
            ("a", "y", date(2020, 4, 1), date(2020, 9, 1), "", False),
            ("a", "r", date(2020, 5, 1), date(2020, 5, 3), "", True),  # respite: not counted
            ("a", "z", date(2020, 9, 1), None, "", False),
            ("b", "w", date(2019, 1, 1), date(2020, 3, 31), "", False),  # ended before the year
            ("b", "v", date(2020, 3, 31), None, "", False),
            ("c", "u", date(2020, 6, 1), date(2021, 3, 31), "", False),  # left on the year end
        ]
    )
    df = placements_during_year(h, YE)
    assert df.to_dicts() == [{"child_id": "a", "placements": 3}, {"child_id": "b", "placements": 1}]
    assert three_plus_placements(h, YE) == 0.5


def test_two_year_needs_two_years_in_care() -> None:
    h = _h(
        [
            ("a", "x", date(2018, 1, 1), date(2019, 6, 1), "", False),
            ("a", "y", date(2019, 6, 1), date(2020, 6, 1), "", False),
            ("a", "z", date(2020, 6, 1), None, "", False),
            ("b", "x", date(2019, 6, 1), date(2020, 6, 1), "", False),  # in care < 2 years
            ("b", "y", date(2020, 6, 1), date(2020, 8, 1), "", False),
            ("b", "z", date(2020, 8, 1), None, "", False),
            ("c", "q", date(2015, 1, 1), None, "", False),
        ]
    )
    assert two_year_three_plus(h, YE) == 0.5


def test_long_term_stability_same_carer_across_status_changes() -> None:
    h = _h(
        [
            ("a", "x", date(2017, 1, 1), date(2018, 1, 1), "", False),
            ("a", "x", date(2018, 1, 1), None, "", False),  # same carer, new record
            ("b", "x", date(2017, 1, 1), date(2020, 1, 1), "", False),
            ("b", "y", date(2020, 1, 1), None, "", False),  # new carer within 2 years
            ("c", "x", date(2020, 1, 1), None, "", False),  # not in care 2.5 years
        ]
    )
    assert long_term_stability(h, YE) == 0.5


def test_episodes_and_in_care() -> None:
    h = _h(
        [
            ("a", "x", date(2017, 1, 1), date(2018, 1, 1), "", False),
            ("a", "y", date(2018, 1, 2), date(2018, 6, 1), "", False),  # next day: same episode
            ("a", "z", date(2019, 1, 1), None, "", False),  # a new episode
        ]
    )
    ep = care_episodes(h)
    assert ep["episode"].to_list() == [1, 2]
    assert ep["placements"].to_list() == [2, 1]
    assert in_care_at(h, YE)["episode_start"].to_list() == [date(2019, 1, 1)]
    assert in_care_at(h, date(2018, 9, 1)).height == 0
