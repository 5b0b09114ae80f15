"""A local publication ledger: nearly the same children always publish the same figure.

The differencing defence of :mod:`earlysignal.disclosure` across runs (``docs/disclosure.md``).
Two publications on overlapping periods (the same cohort, then one month later with a few
more children) let an attacker subtract one table from the other: rounding to 5 and
complementary suppression protect each table on its own, but not the difference of two tables
whose cells differ by a few children (a cell crossing a rounding boundary, or a suppression
pattern that moves, shows where the new children went, and can bound a hidden cell under 10).

The ledger is a folder on the publisher's own disk, never published. For every published
table (a *definition*: the table's name) it keeps, per cell (group key and count column), the
keyed hashes of the cell's children and what was published: the figure, or that the cell was
hidden. The rule (applied by :func:`earlysignal.disclosure.protect` when a ledger is in use
and the table gives each count's children):

* a cell whose children differ from an earlier recorded cell of the same definition (same
  table, group and column) by fewer than ``min_count`` children (the symmetric difference: added
  plus removed children) **repeats that earlier outcome**: the same figure when it was
  published, hidden when it was hidden (nearest earlier cell first, then the latest);
* a cell under ``min_count`` children is hidden whatever was published before (primary
  suppression comes first), and complementary suppression is applied after, as in one run;
* every other cell is published afresh and recorded as a new anchor.

So two runs whose cells differ by fewer than ``min_count`` children publish the same figures
and the same pattern, except where a cell fell under the threshold (hidden, with its
complementary cells): no difference between them describes a group of fewer than
``min_count`` children. A repeated figure is off from today's true count by at most
``min_count - 1`` children plus the rounding (11 children with the defaults); the docs say so.

Hashes: the first 8 bytes of ``HMAC-SHA256(ledger key, child id)``, with a random key made when
the ledger is created and kept in the ledger folder (``ledger.key``, readable by its owner
only). Without the key a hash cannot be linked to a child id; the ids are never written.

Examples
--------
>>> import tempfile
>>> led = PublicationLedger(tempfile.mkdtemp())
>>> h = led.member_hashes(["c1", "c2", "c3"])
>>> led.record("demo", {('["north"]', "n"): (h, 10)})
1
>>> led.anchors("demo", {('["north"]', "n"): led.member_hashes(["c1", "c2"])}, max_difference=9)
{('["north"]', 'n'): Anchor(value=10, difference=1)}
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import json
import os
import secrets
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from earlysignal._suppression import Cell, Key

__all__ = [
    "Anchor",
    "LedgerError",
    "LedgerStats",
    "PublicationLedger",
    "current_ledger",
    "ledger_card",
    "ledger_for",
    "use_ledger",
]

DEFAULT_FOLDER = "publication-ledger"
"""The ledger's folder inside a run's output folder (``[disclosure] ledger = "auto"``)."""
KEY_FILE = "ledger.key"
README = "README.txt"
_README_TEXT = (
    "earlysignal publication ledger. Keyed hashes of the children of every published cell, "
    "used to publish the same figures for nearly the same children in later runs "
    "(docs/disclosure.md). Keep this folder private: never publish, share or log it. "
    "Deleting it makes the next run publish afresh, without the differencing defence.\n"
)

CellRef = tuple[str, str]
"""A cell of a table: (group key as JSON text, count column)."""


def _slug(table: str) -> str:
    """A file-name-safe, stable tag of a table's definition name."""
    return hashlib.sha256(table.encode()).hexdigest()[:12]


class LedgerError(ValueError):
    """The ledger folder cannot be used (unreadable key, damaged files)."""


@dataclass(frozen=True, slots=True)
class Anchor:
    """The earlier outcome a cell repeats.

    ``value`` is the published figure (``None``: the cell was hidden); ``difference`` the number
    of children in the symmetric difference between the earlier cell and this one.
    """

    value: int | None
    difference: int


@dataclass(slots=True)
class LedgerStats:
    """What the ledger did in this session, per table: counts of cells (never children)."""

    repeated: dict[str, int] = field(default_factory=dict)
    """Cells that repeated an earlier published figure."""
    held_hidden: dict[str, int] = field(default_factory=dict)
    """Cells hidden because nearly the same children were hidden before."""
    recorded: dict[str, int] = field(default_factory=dict)
    """Cells published or hidden afresh and recorded as new anchors."""

    def add(self, kind: str, table: str, n: int) -> None:
        """Add ``n`` cells of ``kind`` (``repeated``, ``held_hidden``, ``recorded``)."""
        counts: dict[str, int] = getattr(self, kind)
        counts[table] = counts.get(table, 0) + n


class PublicationLedger:
    """A publication ledger in a folder on the publisher's disk (created when missing).

    Parameters
    ----------
    path
        The ledger folder. It holds ``ledger.key`` (the hashing key), a README and one pair of
        Parquet files per recorded table and run (``entries-<table tag>-<time>.parquet``,
        ``members-...``); a lookup reads only its table's entries and the members of the
        candidate cells.

    Examples
    --------
    >>> import tempfile
    >>> led = PublicationLedger(tempfile.mkdtemp())
    >>> led.member_hashes(["a"]) == led.member_hashes(["a"])
    True
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.stats = LedgerStats()
        self._key: bytes | None = None
        self._hashes: dict[str, int] = {}

    def _ensure(self) -> bytes:
        if self._key is not None:
            return self._key
        self.path.mkdir(parents=True, exist_ok=True)
        key_path = self.path / KEY_FILE
        if not key_path.exists():
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(32))
            (self.path / README).write_text(_README_TEXT, encoding="utf-8")
        text = key_path.read_text(encoding="ascii").strip()
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) < 16:
            raise LedgerError(
                f"LEDGER-KEY: the ledger key {key_path} is damaged (expected 64 hex digits); "
                "restore it from a backup, or move the ledger folder away to start a new one "
                "(the next run then publishes without the differencing defence)"
            )
        self._key = key
        return key

    def member_hashes(self, ids: Iterable[object]) -> list[int]:
        """Keyed hashes of child ids (distinct, sorted): integers in ``[0, 2**64)``."""
        key = self._ensure()
        cache = self._hashes
        out: set[int] = set()
        for i in ids:
            text = str(i)
            h = cache.get(text)
            if h is None:  # each child is hashed once per ledger session, not once per cell
                digest = hmac.new(key, text.encode(), hashlib.sha256).digest()
                h = cache[text] = int.from_bytes(digest[:8], "big")
            out.add(h)
        return sorted(out)

    def _read(self, pattern: str, files: Sequence[Path] | None = None) -> pl.DataFrame | None:
        files = sorted(self.path.glob(pattern)) if files is None else list(files)
        if not files:
            return None
        try:
            return pl.concat([pl.read_parquet(f) for f in files], how="vertical")
        except Exception as exc:  # any unreadable part is the same problem
            raise LedgerError(
                f"LEDGER-READ: the ledger files {pattern} in {self.path} cannot be read ({exc}); "
                "restore the folder from a backup or move it away to start a new ledger"
            ) from exc

    def anchors(
        self,
        table: str,
        cells: Mapping[CellRef, Sequence[int]],
        *,
        max_difference: int,
        by_group: bool = True,
    ) -> dict[CellRef, Anchor]:
        """The earlier outcome each cell repeats: cells within ``max_difference`` children.

        For each cell (its member hashes from :meth:`member_hashes`), the earlier recorded cell
        of the same table, group and column with the smallest symmetric difference (the
        latest on ties), when that difference is at most ``max_difference``. With
        ``by_group=False`` an earlier cell of the same column matches whatever its group: for
        groups whose labels are not stable between runs (personas found by clustering, whose
        numbers can swap), nearly the same children are then found under another label.
        """
        if not cells:
            return {}
        self._ensure()
        slug = _slug(table)
        entries = self._read(f"entries-{slug}-*.parquet")
        if entries is None:
            return {}
        wanted = pl.DataFrame(
            {
                "cell": list(range(len(cells))),
                "key": [k for k, _ in cells],
                "column": [c for _, c in cells],
                "new_size": [len(v) for v in cells.values()],
            },
            schema={"cell": pl.Int64, "key": pl.String, "column": pl.String, "new_size": pl.Int64},
        )
        on = ["key", "column"] if by_group else ["column"]
        cand = entries.filter(pl.col("table") == table).join(wanted, on=on)
        if cand.height == 0:
            return {}
        parts = sorted(set(cand["part"].to_list()))  # only the parts holding candidates
        members = self._read(
            "members", [self.path / f"members-{slug}-{part}.parquet" for part in parts]
        )
        new = pl.DataFrame(
            {
                "cell": [i for i, v in enumerate(cells.values()) for _ in v],
                "h": [h for v in cells.values() for h in v],
            },
            schema={"cell": pl.Int64, "h": pl.UInt64},
        )
        if members is None:
            inter = pl.DataFrame(schema={"cell": pl.Int64, "entry": pl.String, "common": pl.Int64})
        else:
            old = members.join(cand.select("entry").unique(), on="entry")
            inter = (
                new.join(old, on="h")
                .group_by("cell", "entry")
                .agg(pl.len().cast(pl.Int64).alias("common"))
            )
        scored = (
            cand.join(inter, on=["cell", "entry"], how="left")
            .with_columns(pl.col("common").fill_null(0))
            .with_columns(
                (pl.col("size") + pl.col("new_size") - 2 * pl.col("common")).alias("difference")
            )
            .filter(pl.col("difference") <= max_difference)
            .sort(["cell", "difference", "recorded_at"], descending=[False, False, True])
            .unique("cell", keep="first", maintain_order=True)
        )
        refs = list(cells)
        return {
            refs[r["cell"]]: Anchor(value=r["value"], difference=int(r["difference"]))
            for r in scored.iter_rows(named=True)
        }

    def record(self, table: str, cells: Mapping[CellRef, tuple[Sequence[int], int | None]]) -> int:
        """Record cells published (figure) or hidden (``None``) afresh; returns how many."""
        if not cells:
            return 0
        self._ensure()
        stamp = datetime.now(UTC)
        part = f"{stamp:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
        ids = [f"{part}-{i}" for i in range(len(cells))]
        entries = pl.DataFrame(
            {
                "entry": ids,
                "part": [part] * len(cells),
                "table": [table] * len(cells),
                "key": [k for k, _ in cells],
                "column": [c for _, c in cells],
                "size": [len(m) for m, _ in cells.values()],
                "value": [v for _, v in cells.values()],
                "recorded_at": [stamp] * len(cells),
            },
            schema={
                "entry": pl.String,
                "part": pl.String,
                "table": pl.String,
                "key": pl.String,
                "column": pl.String,
                "size": pl.Int64,
                "value": pl.Int64,
                "recorded_at": pl.Datetime("us", "UTC"),
            },
        )
        members = pl.DataFrame(
            {
                "entry": [e for e, (m, _) in zip(ids, cells.values(), strict=True) for _ in m],
                "h": [h for m, _ in cells.values() for h in m],
            },
            schema={"entry": pl.String, "h": pl.UInt64},
        )
        # members first: an entry never points at members that were not written
        slug = _slug(table)
        members.write_parquet(self.path / f"members-{slug}-{part}.parquet")
        entries.write_parquet(self.path / f"entries-{slug}-{part}.parquet")
        self.stats.add("recorded", table, len(cells))
        return len(cells)


# --- the cells of a table (used by earlysignal.disclosure.protect) ----------------------------


def key_text(key: Key) -> str:
    """A group key as JSON text (the ledger's cell reference)."""
    return json.dumps(list(key), default=str)


def member_sets(
    frame: pl.DataFrame,
    keys: Sequence[Key],
    member_cols: Mapping[str, str],
    *,
    tied: Mapping[str, str],
    raw: Mapping[str, Sequence[int]],
    ledger: PublicationLedger | None,
) -> dict[Cell, list[int]]:
    """Each cell's children (hashed when a ledger is in use), checked against its count."""
    out: dict[Cell, list[int]] = {}
    lists: dict[str, list[list[object] | None]] = {}
    for c, mc in member_cols.items():
        if mc not in lists:
            col = frame.get_column(mc)
            if not isinstance(col.dtype, pl.List):
                raise LedgerError(
                    f"protect: members column {mc!r} must hold a list of child ids per row, got "
                    f"dtype {col.dtype}; aggregate with pl.col('child_id').unique()"
                )
            lists[mc] = col.to_list()
        for i, k in enumerate(keys):
            ids = lists[mc][i] or []
            distinct = set(ids)
            if c not in tied and len(distinct) != raw[c][i]:
                raise LedgerError(
                    f"protect: row {i} of {c!r} counts {raw[c][i]} children but its members "
                    f"column {mc!r} lists {len(distinct)} distinct ids; the members must be the "
                    "children the count counts"
                )
            if ledger is not None:
                out[(k, c)] = ledger.member_hashes(distinct)
    return out


def record_fresh(
    led: PublicationLedger,
    table: str,
    keys: Sequence[Key],
    hashes: Mapping[Cell, list[int]],
    *,
    anchors: Mapping[Cell, Anchor],
    repeat: Mapping[tuple[str, int], int],
    columns: Mapping[str, pl.Series],
    hidden: set[Cell],
) -> None:
    """Record the cells published or hidden afresh; count those that repeated an earlier one."""
    row_of = {k: i for i, k in enumerate(keys)}
    fresh: dict[CellRef, tuple[list[int], int | None]] = {}
    n_repeated = n_held = 0
    for (k, c), h in hashes.items():
        a = anchors.get((k, c))
        is_hidden = (k, c) in hidden
        if a is not None and is_hidden and a.value is None:
            n_held += 1  # still hidden like before: the earlier anchor stands
            continue
        if not is_hidden and (c, row_of[k]) in repeat:
            n_repeated += 1
            continue
        fresh[(key_text(k), c)] = (h, None if is_hidden else columns[c][row_of[k]])
    led.record(table, fresh)
    led.stats.add("repeated", table, n_repeated)
    led.stats.add("held_hidden", table, n_held)


_CURRENT: contextvars.ContextVar[PublicationLedger | None] = contextvars.ContextVar(
    "earlysignal_publication_ledger", default=None
)


def current_ledger() -> PublicationLedger | None:
    """The ledger in use (set by :func:`use_ledger`), or ``None``.

    Examples
    --------
    >>> current_ledger() is None
    True
    """
    return _CURRENT.get()


@contextmanager
def use_ledger(ledger: PublicationLedger | None) -> Iterator[PublicationLedger | None]:
    """Use ``ledger`` for every table :func:`earlysignal.disclosure.protect` publishes inside.

    ``None`` turns the ledger off inside the block.

    Examples
    --------
    >>> import tempfile
    >>> with use_ledger(PublicationLedger(tempfile.mkdtemp())) as led:
    ...     current_ledger() is led
    True
    >>> current_ledger() is None
    True
    """
    token = _CURRENT.set(ledger)
    try:
        yield ledger
    finally:
        _CURRENT.reset(token)


def ledger_for(setting: str, output_dir: str | Path) -> PublicationLedger | None:
    """The ledger a run uses: ``"auto"`` (``<output_dir>/publication-ledger``), ``"off"``, a path.

    Examples
    --------
    >>> ledger_for("off", "out") is None
    True
    >>> ledger_for("auto", "out").path.as_posix()
    'out/publication-ledger'
    """
    value = setting.strip()
    if value.lower() == "off":
        return None
    if value.lower() in ("", "auto"):
        return PublicationLedger(Path(output_dir) / DEFAULT_FOLDER)
    return PublicationLedger(Path(value).expanduser())


def ledger_card(
    ledger: PublicationLedger | None, *, min_count: int = 10, rounding: int = 5
) -> dict[str, object]:
    """What the card says about the ledger: whether one was used and the rule's figures.

    Only the rule is published (never the folder, nor how many cells repeated a figure: that
    would tell how many groups changed by fewer than ``min_count`` children).

    Examples
    --------
    >>> ledger_card(None)
    {'on': False, 'min_cell': 10, 'max_error': 11}
    """
    return {
        "on": ledger is not None,
        "min_cell": min_count,
        "max_error": min_count - 1 + rounding // 2,
    }
