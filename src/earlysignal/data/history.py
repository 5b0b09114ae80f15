"""``CareHistory``: the canonical care-history tables of one agency, held as polars frames."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from earlysignal.schema import TABLES

if TYPE_CHECKING:
    from earlysignal.data.validate import ValidationReport

__all__ = ["CareHistory", "conform"]

META_FILE = "meta.json"


def conform(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Put a frame that already has valid types into canonical column order and dtypes.

    Missing optional columns are added (``temporary`` as ``False``, others as null); extra
    columns are kept after the canonical ones. Raises ``KeyError`` naming a missing required
    column. Use :func:`earlysignal.data.validate.validate_history` (or ``coerce_table``) for
    untrusted input.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> ev = pl.DataFrame({"child_id": ["a"], "date": [date(2020, 1, 1)], "kind": ["review"]})
    >>> conform("events", ev).columns
    ['child_id', 'date', 'kind', 'value']
    """
    columns = TABLES[table]
    exprs: list[pl.Expr] = []
    for col in columns:
        if col.name in frame.columns:
            exprs.append(pl.col(col.name).cast(col.dtype))
        elif col.required:
            raise KeyError(f"table {table!r} lacks required column {col.name!r}")
        elif col.name == "temporary":
            exprs.append(pl.lit(False, dtype=pl.Boolean()).alias(col.name))
        else:
            exprs.append(pl.lit(None, dtype=col.dtype).alias(col.name))
    known = {c.name for c in columns}
    extra = [pl.col(c) for c in frame.columns if c not in known]
    return frame.select([*exprs, *extra])


def _empty(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema={c.name: c.dtype for c in TABLES[table]})


@dataclass(frozen=True)
class CareHistory:
    """The recorded care histories of a set of children, up to an extraction date.

    Parameters
    ----------
    children, placements, events
        Canonical tables (see ``earlysignal.schema.TABLES`` and ``docs/architecture.md``).
    observed_until
        The extraction date: nothing may be dated after it, and outcomes whose horizon runs
        past it are censored.
    statuses
        Optional interval facts (legal status, measure, care plan).
    meta
        Free-form provenance (source, simulator parameters, import report summary). Never
        row-level data.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> h = CareHistory.from_frames(
    ...     children=pl.DataFrame({"child_id": ["c1"], "birth_date": [date(2010, 5, 1)],
    ...                            "sex": ["female"]}),
    ...     placements=pl.DataFrame({"child_id": ["c1"], "placement_id": ["p1"],
    ...                              "start": [date(2020, 1, 1)], "end": [None],
    ...                              "setting": ["foster"], "end_reason": [None]}),
    ...     events=None,
    ...     observed_until=date(2021, 1, 1),
    ... )
    >>> h.counts()
    {'children': 1, 'placements': 1, 'events': 0, 'statuses': 0}
    """

    children: pl.DataFrame
    placements: pl.DataFrame
    events: pl.DataFrame
    observed_until: date
    statuses: pl.DataFrame | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_frames(
        cls,
        *,
        children: pl.DataFrame,
        placements: pl.DataFrame,
        events: pl.DataFrame | None,
        observed_until: date,
        statuses: pl.DataFrame | None = None,
        meta: dict[str, Any] | None = None,
    ) -> CareHistory:
        """Build a history from frames with correct types, conforming column order and dtypes."""
        return cls(
            children=conform("children", children),
            placements=conform("placements", placements),
            events=conform("events", events if events is not None else _empty("events")),
            observed_until=observed_until,
            statuses=conform("statuses", statuses) if statuses is not None else None,
            meta=dict(meta or {}),
        )

    # ------------------------------------------------------------------ inspection
    def counts(self) -> dict[str, int]:
        """Number of rows per table."""
        return {
            "children": self.children.height,
            "placements": self.placements.height,
            "events": self.events.height,
            "statuses": 0 if self.statuses is None else self.statuses.height,
        }

    def tables(self) -> dict[str, pl.DataFrame]:
        """The present tables by name (``statuses`` only when present)."""
        out = {"children": self.children, "placements": self.placements, "events": self.events}
        if self.statuses is not None:
            out["statuses"] = self.statuses
        return out

    def subset(self, child_ids: Iterable[str]) -> CareHistory:
        """The same history restricted to some children (order of rows kept)."""
        ids = pl.Series("child_id", list(child_ids), dtype=pl.String())

        def keep(df: pl.DataFrame) -> pl.DataFrame:
            return df.filter(pl.col("child_id").is_in(ids.implode()))

        return replace(
            self,
            children=keep(self.children),
            placements=keep(self.placements),
            events=keep(self.events),
            statuses=None if self.statuses is None else keep(self.statuses),
        )

    # ------------------------------------------------------------------ validation
    def validate(self, *, strict: bool = False) -> ValidationReport:
        """Check every rule of ``earlysignal.data.validate``; raise when ``strict`` and invalid."""
        from earlysignal.data.validate import validate_history

        return validate_history(self, strict=strict)

    # ------------------------------------------------------------------ storage
    def write(self, path: str | Path) -> Path:
        """Write the tables as Parquet files plus ``meta.json`` into a folder.

        The output is byte-for-byte deterministic for the same history.
        """
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in self.tables().items():
            frame.write_parquet(folder / f"{name}.parquet", compression="zstd", statistics=False)
        meta = {"observed_until": self.observed_until.isoformat(), **self.meta}
        (folder / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True, default=str))
        return folder

    @classmethod
    def read(cls, path: str | Path, *, strict: bool = True) -> CareHistory:
        """Read a canonical folder (Parquet, or CSV on input) and validate it.

        See :func:`earlysignal.data.io.read_folder` for the accepted layout.
        """
        from earlysignal.data.io import read_folder

        return read_folder(path, strict=strict)
