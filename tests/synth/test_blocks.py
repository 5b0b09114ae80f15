"""The simulator in blocks: reproducible, partition-size independent, valid across partitions."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from earlysignal.data.partition_validate import validate_partitioned
from earlysignal.data.partitions import iter_partitions
from earlysignal.synth.blocks import simulate_partitioned


def _tables(folder: Path) -> dict[str, pl.DataFrame]:
    parts = list(iter_partitions(folder, rows=True))
    return {name: pl.concat([p.tables()[name] for p in parts]) for name in parts[0].tables()}


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.*"))}


@pytest.fixture(scope="module")
def by_block(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("blocks") / "k100"
    simulate_partitioned(250, folder, partition_size=100, block_size=100, years=3, seed=4)
    return folder


def test_same_seed_same_bytes(by_block: Path, tmp_path: Path) -> None:
    simulate_partitioned(250, tmp_path / "b", partition_size=100, block_size=100, years=3, seed=4)
    assert _files(by_block) == _files(tmp_path / "b")


def test_partition_size_does_not_change_the_cohort(by_block: Path, tmp_path: Path) -> None:
    for name, size in (("k200", 200), ("all", 1000)):
        simulate_partitioned(
            250, tmp_path / name, partition_size=size, block_size=100, years=3, seed=4
        )
    a = _tables(by_block)
    for other in ("k200", "all"):
        b = _tables(tmp_path / other)
        for name in a:
            assert a[name].equals(b[name]), (other, name)


def test_ids_cohort_wide_and_valid(by_block: Path) -> None:
    t = _tables(by_block)
    assert t["children"].height == 250
    assert t["children"]["child_id"].n_unique() == 250
    assert t["placements"]["placement_id"].n_unique() == t["placements"].height
    report = validate_partitioned(by_block)
    assert report.ok, report.summary()


def test_blocks_share_the_provider_pool(by_block: Path) -> None:
    truth = by_block / "truth"
    effects = pl.concat(
        [pl.read_parquet(f) for f in sorted(truth.glob("part-*-placements.parquet"))]
    ).join(pl.concat([p.placements for p in iter_partitions(by_block)]), on="placement_id")
    pool = effects.filter(pl.col("provider_id").str.starts_with("V"))
    # a pool provider has one effect whichever block its children come from
    per_provider = pool.group_by("provider_id").agg(pl.col("provider_effect").n_unique())
    assert per_provider["provider_effect"].max() == 1
    assert pool.select(pl.col("child_id").str.slice(1).cast(pl.Int64) // 100).n_unique() == 3
    shared = pl.read_parquet(truth / "providers.parquet")
    assert shared.height >= pool["provider_id"].n_unique()


def test_partition_size_must_be_a_multiple(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="multiple of the block size"):
        simulate_partitioned(250, tmp_path / "x", partition_size=150, block_size=100, years=3)
