"""Partitioned canonical folders: a care history stored as Parquet partitions of children.

A partitioned folder holds one sub-folder per partition (``part-00000``, ``part-00001``, ...),
each a canonical folder of its own (``children.parquet``, ``placements.parquet``,
``events.parquet``, optional ``statuses.parquet``), plus ``manifest.json`` at the top:
the layout version, ``observed_until``, the partitions with their row counts per table, and
free-form provenance. **A child's rows are never split**: every row of a child (in every
table) lies in the partition that holds the child, so anything computed per child (validation
rules within a child, prediction times, features, labels, scores) can run one partition at a
time, and peak memory then depends on the partition size, not on the cohort.

Every table also carries ``__row``: the row's 1-based position in its table over the whole
cohort (partitions in order), so that a validation report built partition by partition names
the same rows as one built in memory. The readers drop it unless asked for it.

Examples
--------
>>> import tempfile, pathlib
>>> from earlysignal.synth import simulate
>>> h = simulate(60, years=2, seed=1).history
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "parts"
>>> manifest = write_partitioned(h, folder, partition_size=25)
>>> manifest.n_partitions, manifest.counts()["children"]
(3, 60)
>>> [p.children.height for p in iter_partitions(folder)]
[25, 25, 10]
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from earlysignal.data.history import CareHistory, _empty
from earlysignal.schema import TABLE_NAMES

__all__ = [
    "LAYOUT_VERSION",
    "MANIFEST_FILE",
    "PartitionManifest",
    "PartitionWriter",
    "is_partitioned",
    "iter_partitions",
    "read_manifest",
    "read_partition",
    "scan_table",
    "write_partitioned",
]

MANIFEST_FILE = "manifest.json"
LAYOUT_VERSION = 1
"""Version of the partitioned layout written in ``manifest.json`` (``schema_version``)."""

ROW = "__row"


@dataclass(frozen=True)
class PartitionManifest:
    """What ``manifest.json`` of a partitioned folder says.

    Parameters
    ----------
    observed_until
        The extraction date of the whole cohort (every partition shares it).
    partitions
        Per partition: ``name`` (sub-folder) and ``rows`` (rows per table).
    meta
        Free-form provenance (source, seeds, block size). Never row-level data.
    schema_version
        :data:`LAYOUT_VERSION` of the writer.
    """

    observed_until: date
    partitions: tuple[dict[str, Any], ...]
    meta: dict[str, Any] = field(default_factory=dict)
    schema_version: int = LAYOUT_VERSION

    @property
    def n_partitions(self) -> int:
        """Number of partitions."""
        return len(self.partitions)

    def counts(self) -> dict[str, int]:
        """Rows per table over all partitions (as ``CareHistory.counts``)."""
        out = dict.fromkeys(TABLE_NAMES, 0)
        for p in self.partitions:
            for k, v in p["rows"].items():
                out[k] = out.get(k, 0) + int(v)
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON content of ``manifest.json``."""
        return {
            "schema_version": self.schema_version,
            "layout": "partitions of children",
            "observed_until": self.observed_until.isoformat(),
            "n_partitions": self.n_partitions,
            "counts": self.counts(),
            "partitions": [dict(p) for p in self.partitions],
            "meta": self.meta,
        }


def is_partitioned(path: str | Path) -> bool:
    """Whether a folder is a partitioned folder (it has ``manifest.json``)."""
    return (Path(path) / MANIFEST_FILE).is_file()


def read_manifest(path: str | Path) -> PartitionManifest:
    """Read ``manifest.json`` of a partitioned folder.

    Raises ``ValueError`` naming the file when it is missing, unreadable or of a later layout.
    """
    file = Path(path) / MANIFEST_FILE
    try:
        raw = json.loads(file.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(
            f"{file}: not a partitioned folder ({exc}); write one with "
            "earlysignal.data.partitions.write_partitioned or earlysignal simulate "
            "--partition-size"
        ) from exc
    version = int(raw.get("schema_version", 0))
    if version > LAYOUT_VERSION:
        raise ValueError(
            f"{file}: schema_version {version} is newer than this earlysignal reads "
            f"({LAYOUT_VERSION}); upgrade earlysignal"
        )
    return PartitionManifest(
        observed_until=date.fromisoformat(raw["observed_until"]),
        partitions=tuple(raw["partitions"]),
        meta=dict(raw.get("meta", {})),
        schema_version=version,
    )


def read_partition(path: str | Path, index: int, *, rows: bool = False) -> CareHistory:
    """One partition as a ``CareHistory`` (``rows=True`` keeps the cohort-wide ``__row``)."""
    folder = Path(path)
    manifest = read_manifest(folder)
    return _read(folder, manifest, index, rows=rows)


def _read(folder: Path, manifest: PartitionManifest, index: int, *, rows: bool) -> CareHistory:
    part = folder / manifest.partitions[index]["name"]
    frames: dict[str, pl.DataFrame | None] = {}
    for name in TABLE_NAMES:
        file = part / f"{name}.parquet"
        if not file.exists():
            frames[name] = None
            continue
        df = pl.read_parquet(file)
        frames[name] = df if rows else df.drop(ROW, strict=False)
    children, placements = frames["children"], frames["placements"]
    if children is None or placements is None:
        raise ValueError(f"{part}: children.parquet or placements.parquet is missing")
    return CareHistory(
        children=children,
        placements=placements,
        events=frames["events"] if frames["events"] is not None else _empty("events"),
        observed_until=manifest.observed_until,
        statuses=frames.get("statuses"),
        meta={**manifest.meta, "partition": index},
    )


def iter_partitions(path: str | Path, *, rows: bool = False) -> Iterator[CareHistory]:
    """Yield the partitions of a partitioned folder one at a time, in order."""
    folder = Path(path)
    manifest = read_manifest(folder)
    for i in range(manifest.n_partitions):
        yield _read(folder, manifest, i, rows=rows)


def scan_table(path: str | Path, table: str) -> pl.LazyFrame:
    """A lazy scan of one table over every partition (for column-wise passes)."""
    folder = Path(path)
    manifest = read_manifest(folder)
    files = [
        folder / p["name"] / f"{table}.parquet"
        for p in manifest.partitions
        if (folder / p["name"] / f"{table}.parquet").exists()
    ]
    if not files:
        raise ValueError(f"{folder}: no partition has {table}.parquet")
    return pl.scan_parquet(files)


class PartitionWriter:
    """Write a partitioned folder one partition at a time (bounded memory).

    Each :meth:`add` writes the next partition; :meth:`close` writes ``manifest.json``. The
    caller guarantees that a child's rows are all in one added history (the simulator in
    blocks does; :func:`write_partitioned` does).

    Parameters
    ----------
    path
        The folder to create.
    observed_until
        The cohort's extraction date.
    meta
        Provenance for the manifest.
    """

    def __init__(
        self, path: str | Path, observed_until: date, meta: Mapping[str, Any] | None = None
    ) -> None:
        self.path = Path(path)
        self.observed_until = observed_until
        self.meta = dict(meta or {})
        self._parts: list[dict[str, Any]] = []
        self._offsets: dict[str, int] = dict.fromkeys(TABLE_NAMES, 0)
        if is_partitioned(self.path):
            raise FileExistsError(f"{self.path} already holds a partitioned folder")
        self.path.mkdir(parents=True, exist_ok=True)

    def add(self, history: CareHistory) -> dict[str, Any]:
        """Write one partition; ``__row`` continues the row numbering of earlier partitions."""
        if history.observed_until != self.observed_until:
            raise ValueError(
                f"partition observed_until {history.observed_until} differs from the cohort's "
                f"{self.observed_until}"
            )
        name = f"part-{len(self._parts):05d}"
        folder = self.path / name
        folder.mkdir(parents=True, exist_ok=True)
        rows: dict[str, int] = {}
        for table, given in history.tables().items():
            frame = given
            if ROW not in frame.columns:
                frame = frame.with_row_index(ROW, offset=self._offsets[table] + 1).with_columns(
                    pl.col(ROW).cast(pl.Int64())
                )
            frame.write_parquet(folder / f"{table}.parquet", compression="zstd", statistics=True)
            self._offsets[table] += frame.height
            rows[table] = frame.height
        entry = {"name": name, "rows": rows}
        self._parts.append(entry)
        return entry

    def close(self) -> PartitionManifest:
        """Write ``manifest.json`` and return the manifest."""
        manifest = PartitionManifest(
            observed_until=self.observed_until, partitions=tuple(self._parts), meta=self.meta
        )
        text = json.dumps(manifest.to_dict(), indent=2, sort_keys=True, default=str)
        (self.path / MANIFEST_FILE).write_text(text)
        return manifest


def write_partitioned(
    history: CareHistory,
    path: str | Path,
    *,
    partition_size: int = 100_000,
) -> PartitionManifest:
    """Write an in-memory history as partitions of ``partition_size`` children.

    Children are taken in blocks of their order in ``history.children`` (by distinct
    ``child_id``; repeated ids stay together); every row of a child goes with the child. Rows
    of ids missing from ``children`` (orphans, rule E304) go to the partition
    ``hash(child_id) mod P``, so validation still reports them. ``__row`` keeps each row's
    1-based position in the in-memory table.

    Parameters
    ----------
    history
        The history to write.
    path
        The folder to create (must not hold a partitioned folder already).
    partition_size
        Children per partition (the last may hold fewer).

    Returns
    -------
    PartitionManifest
    """
    if partition_size < 1:
        raise ValueError(f"partition_size must be at least 1, got {partition_size}")
    ids = history.children.select(pl.col("child_id").unique(maintain_order=True))
    n_parts = max(1, -(-ids.height // partition_size))
    assign = ids.with_row_index("__i").select(
        "child_id", (pl.col("__i") // partition_size).cast(pl.Int64()).alias("__part")
    )

    def with_part(frame: pl.DataFrame) -> pl.DataFrame:
        return (
            frame.with_row_index(ROW, offset=1)
            .with_columns(pl.col(ROW).cast(pl.Int64()))
            .join(assign, on="child_id", how="left", maintain_order="left", nulls_equal=True)
            .with_columns(
                pl.col("__part").fill_null(
                    (pl.col("child_id").fill_null("").hash(seed=0) % n_parts).cast(pl.Int64())
                )
            )
        )

    tables = {name: with_part(frame) for name, frame in history.tables().items()}
    writer = PartitionWriter(path, history.observed_until, history.meta)
    for i in range(n_parts):
        parts = {
            name: frame.filter(pl.col("__part") == i).drop("__part")
            for name, frame in tables.items()
        }
        writer.add(
            CareHistory(
                children=parts["children"],
                placements=parts["placements"],
                events=parts["events"],
                observed_until=history.observed_until,
                statuses=parts.get("statuses"),
            )
        )
    return writer.close()
