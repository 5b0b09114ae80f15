"""A steering result of given placements, for the tests of what a steering report publishes."""

from __future__ import annotations

from datetime import date

import polars as pl

from earlysignal.steering.compare import SteeringResult
from earlysignal.steering.spec import SteeringSpec
from earlysignal.steering.units import unit_measures


def steering_result(placements: pl.DataFrame) -> SteeringResult:
    """Providers' measures of ``placements`` (2021-2023), no comparison drawn."""
    return SteeringResult(
        spec=SteeringSpec(by="provider"),
        period_start=date(2021, 1, 1),
        period_end=date(2023, 12, 31),
        placements=placements,
        measures=unit_measures(placements),
        comparisons={},
        draws={},
        excluded={},
        units_without_placements=(),
    )
