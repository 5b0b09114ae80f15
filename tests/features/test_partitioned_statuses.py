"""Partitioned validation and features with a statuses table (children at home)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from earlysignal.cohort import prediction_times
from earlysignal.data.partition_validate import validate_partitioned
from earlysignal.data.partitions import write_partitioned
from earlysignal.features import build_features, default_specs
from earlysignal.features.defaults import feature_vocabulary
from earlysignal.features.partitioned import build_features_partitioned, partitioned_vocabulary
from earlysignal.synth.at_home import simulate_at_home


def test_statuses_partitioned_equal_in_memory(tmp_path: Path) -> None:
    h = simulate_at_home(300, 3, 2).history
    assert h.statuses is not None and h.statuses.height > 0
    write_partitioned(h, tmp_path / "in", partition_size=70)
    assert partitioned_vocabulary(tmp_path / "in") == feature_vocabulary(h)
    assert feature_vocabulary(h)["statuses"]
    report = validate_partitioned(tmp_path / "in")
    expected = h.validate()
    assert report.checked == expected.checked
    assert report.problems.equals(expected.problems)
    keys = ["child_id", "prediction_time"]
    mem = build_features(h, prediction_times(h), default_specs(h, before="all")).sort(keys)
    res = build_features_partitioned(tmp_path / "in", tmp_path / "out", before="all")
    got = pl.read_parquet(res["files"]).sort(keys)
    assert mem.height > 0
    assert got.equals(mem)
