"""Descriptive stability indicators of a ``CareHistory`` (DfE measures, moves, episodes)."""

from earlysignal.indicators.measures import (
    care_episodes,
    in_care_at,
    long_term_stability,
    placements_during_year,
    three_plus_placements,
    two_year_placements,
    two_year_three_plus,
)

__all__ = [
    "care_episodes",
    "in_care_at",
    "long_term_stability",
    "placements_during_year",
    "three_plus_placements",
    "two_year_placements",
    "two_year_three_plus",
]
