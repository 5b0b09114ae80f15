"""Features built partition by partition equal the in-memory build (differential, property)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from earlysignal.cohort import prediction_times
from earlysignal.data import CareHistory
from earlysignal.data.partitions import write_partitioned
from earlysignal.features import build_features, default_specs, feature_vocabulary
from earlysignal.features.defaults import VocabularyCut
from earlysignal.features.partitioned import build_features_partitioned, partitioned_vocabulary
from earlysignal.synth import simulate

KEYS = ["child_id", "prediction_time"]
OUTCOMES = (("breakdown", 180), ("carousel", 365))


@pytest.fixture(scope="module")
def cohort() -> CareHistory:
    return simulate(1500, years=6, seed=11).history


def _in_memory(h: CareHistory, before: VocabularyCut) -> pl.DataFrame:
    specs = default_specs(h, before=before)
    return build_features(h, prediction_times(h), specs, outcomes=OUTCOMES).sort(KEYS)


def _partitioned(h: CareHistory, root: Path, size: int, before: VocabularyCut) -> pl.DataFrame:
    write_partitioned(h, root / "in", partition_size=size)
    result = build_features_partitioned(root / "in", root / "out", before=before, outcomes=OUTCOMES)
    return pl.read_parquet(result["files"]).sort(KEYS)


def test_four_partitions_equal_in_memory(cohort: CareHistory, tmp_path: Path) -> None:
    before = date(2019, 1, 1)
    expected = _in_memory(cohort, before)
    got = _partitioned(cohort, tmp_path, 375, before)
    assert expected.height > 10_000
    assert got.columns == expected.columns
    assert got.equals(expected)


def test_vocabulary_of_the_cohort(cohort: CareHistory, tmp_path: Path) -> None:
    write_partitioned(cohort, tmp_path / "in", partition_size=400)
    for before in (None, date(2016, 6, 1)):
        assert partitioned_vocabulary(tmp_path / "in", before=before) == feature_vocabulary(
            cohort, before=before
        )


@pytest.fixture(scope="module")
def small() -> tuple[CareHistory, pl.DataFrame]:
    h = simulate(120, years=4, seed=3).history
    return h, _in_memory(h, "all")


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(size=st.integers(min_value=1, max_value=130))
def test_partition_count_does_not_change_features(
    small: tuple[CareHistory, pl.DataFrame], size: int
) -> None:
    h, expected = small
    with tempfile.TemporaryDirectory() as d:
        got = _partitioned(h, Path(d), size, "all")
    assert got.equals(expected)
