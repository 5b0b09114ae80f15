"""Case mix at a placement start uses only what is known by the end of the start day.

Moving, adding or removing anything dated after the start never changes a placement's case
mix; the outcomes of a placement use only what happens after its start.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.data import CareHistory
from earlysignal.steering.spec import SteeringSpec
from earlysignal.steering.units import CASE_MIX_COLUMNS, placement_table

START = date(2021, 1, 1)


def _history(extra_days: list[int], kinds: list[str], later_reason: str) -> CareHistory:
    kids = ["a", "b"]
    return CareHistory.from_frames(
        children=pl.DataFrame(
            {"child_id": kids, "birth_date": [date(2008, 5, 1)] * 2, "sex": ["female", "male"]}
        ),
        placements=pl.DataFrame(
            {
                "child_id": ["a", "a", "a", "b"],
                "placement_id": ["p1", "p2", "p3", "q1"],
                "start": [date(2020, 6, 1), START, START + timedelta(days=200), START],
                "end": [START, START + timedelta(days=200), None, None],
                "setting": ["foster", "residential", "foster", "foster"],
                "end_reason": ["breakdown", later_reason, None, None],
                "provider_id": ["A", "B", "C", "B"],
            }
        ),
        events=pl.DataFrame(
            {
                "child_id": ["a"] * (2 + len(extra_days)),
                "date": [
                    date(2020, 10, 1),
                    START,
                    *(START + timedelta(days=d) for d in extra_days),
                ],
                "kind": ["incident", "missing", *kinds],
            }
        ),
        observed_until=date(2023, 12, 31),
    )


@settings(max_examples=30)
@given(
    extra=st.lists(st.integers(1, 900), max_size=6),
    kind=st.sampled_from(["incident", "missing", "police_contact", "crisis"]),
    reason=st.sampled_from(["breakdown", "planned", "provider_ended"]),
)
def test_nothing_after_the_start_changes_the_case_mix(
    extra: list[int], kind: str, reason: str
) -> None:
    spec = SteeringSpec(by="provider", years=3)
    base = placement_table(_history([], [], "planned"), spec)
    other = placement_table(_history(extra, [kind] * len(extra), reason), spec)
    cols = ["placement_id", *CASE_MIX_COLUMNS]
    p2_base = base.filter(pl.col("placement_id") == "p2").select(cols)
    p2_other = other.filter(pl.col("placement_id") == "p2").select(cols)
    assert p2_base.equals(p2_other)
    row = base.filter(pl.col("placement_id") == "p2").row(0, named=True)
    assert row["prior_unplanned"] == 1 and row["prior_placements"] == 1
    assert row["events_incident"] == 1 and row["events_missing"] == 1  # on or before the start


def test_ongoing_placement_with_an_unobserved_year_has_a_censored_carousel() -> None:
    h = _history([], [], "planned")
    t = placement_table(
        CareHistory.from_frames(
            children=h.children,
            placements=h.placements,
            events=h.events,
            observed_until=START + timedelta(days=300),
        ),
        SteeringSpec(by="provider", years=1),
    )
    q1 = t.filter(pl.col("placement_id") == "q1").row(0, named=True)
    assert q1["carousel"] is None  # fewer than 2 moves and the year is not over: unknown, not 0


@settings(max_examples=30)
@given(
    before=st.lists(st.integers(1, 400), max_size=5),
    kind=st.sampled_from(["incident", "missing", "police_contact", "crisis"]),
    first_reason=st.sampled_from(["breakdown", "planned", "provider_ended"]),
)
def test_outcomes_use_only_what_happens_after_the_start(
    before: list[int], kind: str, first_reason: str
) -> None:
    """Events before the start and how the previous placement ended never change a
    placement's outcomes (they may change its case mix)."""
    spec = SteeringSpec(by="provider", years=3)
    base = placement_table(_history([], [], "planned"), spec)
    h = _history([-d for d in before], [kind] * len(before), "planned")
    p = h.placements.with_columns(
        pl.when(pl.col("placement_id") == "p1")
        .then(pl.lit(first_reason))
        .otherwise(pl.col("end_reason"))
        .alias("end_reason")
    )
    other = placement_table(
        CareHistory.from_frames(
            children=h.children, placements=p, events=h.events, observed_until=h.observed_until
        ),
        spec,
    )
    outcomes = ["placement_id", "days", "breakdown", "provider_ended", "unplanned", "moves",
                "return_home", "carousel"]  # fmt: skip
    assert (
        base.filter(pl.col("placement_id") != "p1")
        .select(outcomes)
        .equals(other.filter(pl.col("placement_id") != "p1").select(outcomes))
    )
