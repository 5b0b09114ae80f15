"""Validation partition by partition equals validation in memory (differential)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from earlysignal.data import CareHistory, DataValidationError
from earlysignal.data.partition_validate import validate_partitioned
from earlysignal.data.partitions import write_partitioned
from earlysignal.synth import simulate


@pytest.fixture(scope="module")
def clean() -> CareHistory:
    return simulate(1200, years=5, seed=7).history


def _broken(h: CareHistory) -> CareHistory:
    """Problems of every kind, some across children and partitions."""
    pl_ = h.placements
    ids = pl_["placement_id"].to_list()
    ids[5] = ids[-5]  # a placement id shared by two children far apart (E302)
    ids[10] = None  # null key (E104)
    ends = pl_["end"].to_list()
    ends[20] = date(1990, 1, 1)  # end before start (E401)
    placements = pl_.with_columns(pl.Series("placement_id", ids), pl.Series("end", ends))
    orphan = h.events.head(3).with_columns(pl.lit("NOBODY").alias("child_id"))  # E304
    events = pl.concat([h.events, orphan, h.events.slice(100, 2)])  # repeated rows (W303)
    children = pl.concat([h.children, h.children.slice(700, 1)])  # repeated child (E301)
    children = children.with_columns(
        pl.when(pl.int_range(pl.len()) == 3).then(pl.lit("F")).otherwise("sex").alias("sex")
    )  # E201
    return CareHistory(
        children=children,
        placements=placements,
        events=events,
        observed_until=h.observed_until,
    )


@pytest.mark.parametrize("size", [300, 500, 5000])
def test_clean_cohort_reports_equal(clean: CareHistory, tmp_path: Path, size: int) -> None:
    write_partitioned(clean, tmp_path / "p", partition_size=size)
    expected = clean.validate()
    got = validate_partitioned(tmp_path / "p")
    assert got.checked == expected.checked
    assert got.problems.equals(expected.problems)


@pytest.mark.parametrize("size", [300, 1000])
def test_broken_cohort_reports_equal(clean: CareHistory, tmp_path: Path, size: int) -> None:
    broken = _broken(clean)
    write_partitioned(broken, tmp_path / "p", partition_size=size)
    expected = broken.validate()
    got = validate_partitioned(tmp_path / "p")
    assert not expected.ok
    assert set(expected.problems["rule"]) >= {"E301", "E302", "E104", "E401", "E304", "W303"}
    assert got.checked == expected.checked
    assert got.counts_by_rule().equals(expected.counts_by_rule())
    assert got.problems.equals(expected.problems)
    with pytest.raises(DataValidationError):
        validate_partitioned(tmp_path / "p", strict=True)


def test_empty_events_in_one_partition_is_not_w106(tmp_path: Path) -> None:
    h = simulate(50, years=2, seed=2).history
    first = h.children["child_id"][0]
    events = h.events.filter(pl.col("child_id") != first)
    h2 = CareHistory(h.children, h.placements, events, h.observed_until)
    write_partitioned(h2, tmp_path / "p", partition_size=1)
    got = validate_partitioned(tmp_path / "p")
    assert "W106" not in got.problems["rule"].to_list()
    assert got.problems.equals(h2.validate().problems)
