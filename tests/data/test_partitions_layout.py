"""The partitioned layout: a child's rows never split, row numbers kept, manifest counts."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from earlysignal.data import CareHistory
from earlysignal.data.partitions import (
    LAYOUT_VERSION,
    iter_partitions,
    read_manifest,
    read_partition,
    write_partitioned,
)
from earlysignal.synth import simulate


@pytest.fixture(scope="module")
def history() -> CareHistory:
    return simulate(400, years=4, seed=3).history


def test_children_never_split_and_rows_kept(history: CareHistory, tmp_path: Path) -> None:
    manifest = write_partitioned(history, tmp_path / "p", partition_size=90)
    assert manifest.n_partitions == 5
    assert manifest.counts() == history.counts()
    seen: dict[str, int] = {}
    for i, part in enumerate(iter_partitions(tmp_path / "p", rows=True)):
        for name, frame in part.tables().items():
            for cid in frame["child_id"].unique().to_list():
                assert seen.setdefault(cid, i) == i, f"child {cid} split across partitions"
            # __row is the row's position in the in-memory table
            original = history.tables()[name].with_row_index("__row", offset=1)
            back = original.join(frame.select("__row"), on="__row", how="semi")
            assert back.drop("__row").equals(frame.drop("__row").select(back.drop("__row").columns))
    assert set(seen) == set(history.children["child_id"].to_list())


def test_round_trip_equals_history(history: CareHistory, tmp_path: Path) -> None:
    write_partitioned(history, tmp_path / "p", partition_size=150)
    parts = list(iter_partitions(tmp_path / "p"))
    for name, frame in history.tables().items():
        back = pl.concat([p.tables()[name] for p in parts])
        assert back.sort(back.columns).equals(frame.sort(frame.columns)), name
    assert read_partition(tmp_path / "p", 0).observed_until == history.observed_until


def test_manifest(history: CareHistory, tmp_path: Path) -> None:
    write_partitioned(history, tmp_path / "p", partition_size=1000)
    raw = json.loads((tmp_path / "p" / "manifest.json").read_text())
    assert raw["schema_version"] == LAYOUT_VERSION
    assert raw["observed_until"] == history.observed_until.isoformat()
    assert raw["counts"]["events"] == history.events.height
    assert read_manifest(tmp_path / "p").n_partitions == 1


def test_not_a_partitioned_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a partitioned folder"):
        read_manifest(tmp_path)


def test_refuses_to_overwrite(history: CareHistory, tmp_path: Path) -> None:
    write_partitioned(history, tmp_path / "p", partition_size=1000)
    with pytest.raises(FileExistsError):
        write_partitioned(history, tmp_path / "p", partition_size=1000)
