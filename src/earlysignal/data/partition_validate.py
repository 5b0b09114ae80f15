"""Validation of a partitioned folder, one partition at a time, merged into one report.

Every rule of :mod:`earlysignal.data.validate` looks within one child (a child's rows, its
placements against its birth date, its overlaps) or within one row, except three kinds that
look across children, handled here:

- **E301 / E302, repeated ids** (a ``child_id`` twice in ``children``, a ``placement_id``
  twice in ``placements``): two children may share a placement id in different partitions. The
  per-partition results of these two rules are dropped and the rules run once over the whole
  cohort on the id column only: a 64-bit hash of every id (8 bytes a row) is sorted to find the
  repeated hashes, then only the rows with a repeated hash are read back and grouped exactly.
- **Table-level rules** (E106 / W106 empty table, and file-level problems without a row): a
  partition may have no events while the cohort has; these are decided on the cohort's totals
  (and a problem repeated by every partition is reported once).

Problems carry the cohort-wide row numbers (``__row`` of the partitioned layout), and the
merged report is ordered as :func:`~earlysignal.data.validate.validate_history` orders it, so
the report equals the in-memory one.

Examples
--------
>>> import tempfile, pathlib
>>> from earlysignal.synth import simulate
>>> from earlysignal.data.partitions import write_partitioned
>>> h = simulate(60, years=2, seed=1).history
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "parts"
>>> _ = write_partitioned(h, folder, partition_size=25)
>>> report = validate_partitioned(folder)
>>> report.ok, report.checked["children"]
(True, 60)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from earlysignal.data.partitions import ROW, iter_partitions, read_manifest, scan_table
from earlysignal.data.validate import (
    ID_KEYS,
    ValidationReport,
    _concat,
    _dedupe,
    check_frames,
    problem,
    repeated_id_rows,
)
from earlysignal.schema import TABLE_NAMES

__all__ = ["validate_partitioned"]

_CROSS = ("E301", "E302", "E106", "W106")


def _repeated_ids(folder: Path, table: str) -> pl.DataFrame:
    """Rows of ``table`` whose id repeats an earlier row anywhere in the cohort."""
    key = ID_KEYS[table]
    hashes = [
        scan_table(folder, table)
        .select(pl.col(key).hash(seed=0))
        .collect(engine="streaming")
        .to_series()
        .to_numpy()
    ]
    h = np.sort(np.concatenate(hashes))
    repeated = np.unique(h[1:][h[1:] == h[:-1]])
    del h, hashes
    if repeated.size == 0:
        return pl.DataFrame()
    candidates = (
        scan_table(folder, table)
        .select(*dict.fromkeys([ROW, "child_id", key]))
        .filter(pl.col(key).hash(seed=0).is_in(pl.Series(repeated).implode()))
        .collect(engine="streaming")
    )
    return repeated_id_rows(candidates, table)


def _table_level(parts: Sequence[pl.DataFrame], checked: dict[str, int]) -> list[pl.DataFrame]:
    out: list[pl.DataFrame] = []
    for table in TABLE_NAMES:
        if table not in checked:
            continue
        if checked[table] == 0:
            rule = "E106" if table in ("children", "placements") else "W106"
            out.append(problem(rule, table, f"table {table!r} has no rows"))
    rowless = _concat([p.filter(pl.col("row").is_null()) for p in parts])
    if rowless.height:
        out.append(rowless.unique(maintain_order=True))
    return out


def validate_partitioned(path: str | Path, *, strict: bool = False) -> ValidationReport:
    """Check every rule of ``earlysignal.data.validate`` on a partitioned folder.

    Memory is that of one partition plus 8 bytes a row of ``children`` and ``placements``
    for the cohort-wide id checks (see the module docstring).

    Parameters
    ----------
    path
        A partitioned folder (:mod:`earlysignal.data.partitions`).
    strict
        Raise :class:`~earlysignal.data.validate.DataValidationError` when there is an error.

    Returns
    -------
    ValidationReport
        The same report as ``CareHistory.validate`` on the whole cohort in memory (rows are
        the cohort-wide positions).
    """
    folder = Path(path)
    manifest = read_manifest(folder)
    checked: dict[str, int] = {}
    row_parts: list[pl.DataFrame] = []
    rowless_parts: list[pl.DataFrame] = []
    for history in iter_partitions(folder, rows=True):
        frames = history.tables()
        _, problems = check_frames(frames, manifest.observed_until)
        for name in TABLE_NAMES:
            checked[name] = checked.get(name, 0) + (frames[name].height if name in frames else 0)
        problems = problems.filter(~pl.col("rule").is_in(_CROSS))
        row_parts.append(problems.filter(pl.col("row").is_not_null()))
        rowless_parts.append(problems.filter(pl.col("row").is_null()))
        del history, frames
    has = {
        name: any(p["rows"].get(name) is not None for p in manifest.partitions)
        for name in TABLE_NAMES
    }
    counted = {k: v for k, v in checked.items() if has[k] or k in ("children", "placements")}
    parts = [
        *_table_level(rowless_parts, counted),
        *row_parts,
        _repeated_ids(folder, "children"),
        _repeated_ids(folder, "placements"),
    ]
    parts = [p for p in parts if p.height]
    problems = _dedupe(_concat(parts))
    report = ValidationReport(
        problems=problems, checked={name: checked.get(name, 0) for name in TABLE_NAMES}
    )
    return report.raise_if_invalid() if strict else report
