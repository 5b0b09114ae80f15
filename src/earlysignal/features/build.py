"""The point-in-time feature kernel and :func:`build_features`.

How it works (sort once, then binary search): every kind of dated fact a feature needs (placement
starts, moves, breakdown ends, events of one kind, ...) becomes one *stream*: a sorted ``int64``
array of keys ``child_index * 2**32 + (day + 2**31)``. For a prediction time of child ``c`` at
cutoff day ``d`` the number of facts of ``c`` dated strictly before ``d`` is the difference of two
binary searches (``searchsorted`` of ``key(c, d)`` and of ``key(c, -inf)``), a window count is the
difference of two searches, and "the last fact before ``d``" is the element just before the
search position. Each stream is sorted once and each search result is cached, so a build costs
one sort per stream plus a few vectorised ``searchsorted`` calls over the prediction times: no
times x facts join is ever materialised. Searches with a cutoff can only see facts dated before
it, which is what makes the features point-in-time by construction. The prediction times are
sorted (by child index and day) and so are the queries; from ``MERGE_MIN_QUERIES`` rows on, a
search is a sorted merge run on every core (numba, :mod:`earlysignal.features._search`)
instead of a binary search per query (``docs/performance.md`` has the figures).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import polars as pl

from earlysignal.cohort import placement_timeline
from earlysignal.data.history import CareHistory
from earlysignal.features.specs import (
    AgeAtFirstEntry,
    AgeAtTime,
    BoundaryPolicy,
    BreakdownCount,
    ChildAttribute,
    CurrentSetting,
    DaysInCurrentPlacement,
    DaysSinceFirstEntry,
    DaysSinceLastEvent,
    DaysSinceLastMove,
    DistinctProviders,
    EventCount,
    EventTrend,
    FeatureSpec,
    MoveCount,
    PersonaMembership,
    PlacementCount,
    ProviderEndingCount,
    Reentries,
    SettingsSeen,
    StatusInForce,
    UnplannedEndingShare,
)
from earlysignal.schema import Setting, polars_schema

if TYPE_CHECKING:
    from earlysignal.features.defaults import VocabularyCut

__all__ = ["KEY_COLUMNS", "build_features", "feature_names"]

log = logging.getLogger(__name__)

KEY_COLUMNS: tuple[str, ...] = ("child_id", "prediction_time", "placement_id", "setting")
"""Key columns that open every frame of :func:`build_features`."""

_OFFSET = 1 << 31
_SHIFT = 1 << 32
_NO_END = np.iinfo(np.int64).max
_EPOCH = date(1970, 1, 1)

I64 = npt.NDArray[np.int64]
Column = tuple[str, pl.Series]


def feature_names(specs: Sequence[FeatureSpec]) -> list[str]:
    """The feature column names of specs, in order (multi-column specs expanded).

    Raises ``ValueError`` naming a duplicated column.

    Examples
    --------
    >>> from earlysignal.features.specs import MoveCount, CurrentSetting
    >>> feature_names([MoveCount(365), CurrentSetting(settings=("foster", "residential"))])
    ['moves_365d', 'current_setting_foster', 'current_setting_residential']
    """
    names = [o.name for s in specs for o in s.outputs()]
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise ValueError(
                f"feature column {n!r} is produced twice by the specs; remove the duplicate spec"
            )
        seen.add(n)
    return names


class _Stream:
    """One sorted stream of dated facts with aligned payload arrays."""

    __slots__ = ("days", "keys", "payload")

    def __init__(self, keys: I64, days: I64, payload: dict[str, I64]) -> None:
        self.keys = keys
        self.days = days
        self.payload = payload


class _Kernel:
    """Prediction times (sorted by child index and day) plus cached stream searches."""

    def __init__(
        self,
        history: CareHistory,
        idmap: pl.DataFrame,
        cidx: I64,
        tday: I64,
        policy: BoundaryPolicy,
    ) -> None:
        self.history = history
        self.idmap = idmap
        self.n_children = idmap.height
        self.cidx = cidx
        self.tday = tday
        self.cut = tday + (1 if policy is BoundaryPolicy.INCLUSIVE else 0)
        self.base = cidx * _SHIFT + _OFFSET
        self.n = len(tday)
        self._streams: dict[str, _Stream] = {}
        self._search: dict[tuple[str, str], I64] = {}
        self._timeline: pl.DataFrame | None = None
        self._events: dict[str, pl.DataFrame] | None = None
        self._statuses: pl.DataFrame | None = None
        self._children: pl.DataFrame | None = None
        self._birth: I64 | None = None
        self.excluded: dict[str, int] = {}

    # -------------------------------------------------------------- streams
    def timeline(self) -> pl.DataFrame:
        if self._timeline is None:
            self._timeline = self._with_index(placement_timeline(self.history))
        return self._timeline

    def _with_index(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Add ``_c``, the child's index (null for children not in the children table)."""
        return frame.join(self.idmap, on="child_id", how="left", maintain_order="left")

    def _events_by_kind(self) -> dict[str, pl.DataFrame]:
        if self._events is None:
            ev = self._with_index(self.history.events.select("child_id", "kind", "date"))
            self._events = {
                str(k[0]): f
                for k, f in ev.drop("child_id").partition_by("kind", as_dict=True).items()
            }
        return self._events

    def _statuses_indexed(self) -> pl.DataFrame:
        """The statuses with ``_c``, joined once for every (kind, value) stream."""
        if self._statuses is None:
            st = self.history.statuses
            if st is None:
                st = pl.DataFrame(schema=polars_schema("statuses"))
            self._statuses = self._with_index(
                st.select("child_id", "kind", "value", "start", "end")
            )
        return self._statuses

    def _register(self, name: str, keys: I64, days: I64, payload: dict[str, I64]) -> None:
        """Register a stream whose keys are already sorted (with the children's offsets)."""
        counts = np.bincount(keys >> 32, minlength=self.n_children)
        offsets = np.zeros(self.n_children + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        self._streams[name] = _Stream(keys, days, payload)
        self._search[(name, "child_lo")] = offsets[self.cidx]

    def _make(self, name: str, frame: pl.DataFrame, day: str, payload: Sequence[str] = ()) -> None:
        """Build a stream from a frame with ``_c`` (or ``child_id``), a date column, payloads."""
        if "_c" not in frame.columns:
            frame = self._with_index(frame)
        f = frame.select(
            "_c", pl.col(day).cast(pl.Int64).alias("_d"), *[pl.col(p) for p in payload]
        )
        unknown = f["_c"].null_count()
        if unknown:
            self.excluded[name] = unknown
        f = (
            f.filter(pl.col("_c").is_not_null() & pl.col("_d").is_not_null())
            .with_columns(
                (pl.col("_c").cast(pl.Int64) * _SHIFT + pl.col("_d") + _OFFSET).alias("_k")
            )
            .sort("_k")
        )
        counts = np.bincount(f["_c"].to_numpy(), minlength=self.n_children)
        offsets = np.zeros(self.n_children + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        self._streams[name] = _Stream(
            f["_k"].to_numpy(),
            f["_d"].to_numpy(),
            {p: f[p].to_numpy() for p in payload},
        )
        self._search[(name, "child_lo")] = offsets[self.cidx]

    def stream(self, name: str) -> _Stream:
        if name not in self._streams:
            self._build_stream(name)
        return self._streams[name]

    def _build_stream(self, name: str) -> None:
        tl = self.timeline()
        setting_codes = {s: i for i, s in enumerate(_settings())}
        if name == "start":
            frame = tl.with_row_index("row").select(
                "_c",
                "start",
                pl.col("row").cast(pl.Int64),
                pl.col("end").cast(pl.Int64).fill_null(_NO_END).alias("end_day"),
                pl.col("setting")
                .replace_strict(setting_codes, default=len(setting_codes), return_dtype=pl.Int64)
                .alias("setting_code"),
                # an integer per distinct provider (-1: none recorded), for DistinctProviders
                pl.col("provider_id")
                .cast(pl.Categorical)
                .to_physical()
                .cast(pl.Int64)
                .fill_null(-1)
                .alias("provider_code"),
            )
            self._make(name, frame, "start", ("row", "end_day", "setting_code", "provider_code"))
        elif name == "move":
            self._make(name, tl.filter(pl.col("move")), "start")
        elif name == "reentry":
            self._make(name, tl.filter(pl.col("reentry")), "start")
        elif name == "end":
            self._make(name, tl.filter(pl.col("end").is_not_null()), "end")
        elif name == "breakdown":
            self._make(name, tl.filter(pl.col("end_reason") == "breakdown"), "end")
        elif name == "provider_ended":
            self._make(name, tl.filter(pl.col("end_reason") == "provider_ended"), "end")
        elif name in ("setting_first", "provider_first"):
            # the first start of each (child, setting) or (child, provider) pair, taken from
            # the start stream (sorted by child and day): np.unique's first index of a pair is
            # its earliest start, and those indices in order keep the stream sorted
            starts = self.stream("start")
            code = starts.payload["setting_code" if name == "setting_first" else "provider_code"]
            pair = (starts.keys >> 32) * (int(code.max(initial=0)) + 2) + (code + 1)
            first = np.sort(np.unique(pair, return_index=True)[1])
            first = first[code[first] >= 0]
            self._register(name, starts.keys[first], starts.days[first], {})
        elif name.startswith("event:"):
            kind = name.removeprefix("event:")
            empty = pl.DataFrame(schema={"_c": pl.UInt32, "date": pl.Date})
            # each kind's partition is dropped once its stream is built
            self._make(name, self._events_by_kind().pop(kind, empty), "date")
        elif name.startswith(("status_start:", "status_end:")):
            which, _, rest = name.partition(":")
            kind, _, value = rest.partition("\x00")
            st = self._statuses_indexed().filter(
                (pl.col("kind") == kind) & (pl.col("value") == value)
            )
            self._make(name, st, "start" if which == "status_start" else "end")
        else:  # pragma: no cover - internal names only
            raise KeyError(name)

    # -------------------------------------------------------------- searches
    def search(self, name: str, which: str, days: I64) -> I64:
        """Cached ``searchsorted`` of ``key(child, days)`` (``which`` names ``days``)."""
        key = (name, which)
        if key not in self._search:
            s = self.stream(name)
            self._search[key] = _searchsorted(s.keys, self.base + days)
        return self._search[key]

    def child_lo(self, name: str) -> I64:
        """Position of the child's first fact in the stream (from per-child offsets)."""
        self.stream(name)
        return self._search[(name, "child_lo")]

    def before_cut(self, name: str) -> I64:
        return self.search(name, "cut", self.cut)

    def count_before(self, name: str) -> I64:
        """Facts of the child dated before the cutoff."""
        return self.before_cut(name) - self.child_lo(name)

    def count_window(self, name: str, lo_back: int, hi_back: int = 0) -> I64:
        """Facts dated in ``[cut - lo_back, cut - hi_back)``."""
        hi = (
            self.before_cut(name)
            if hi_back == 0
            else self.search(name, f"cut-{hi_back}", self.cut - hi_back)
        )
        lo = self.search(name, f"cut-{lo_back}", self.cut - lo_back)
        return hi - lo

    def last_before(self, name: str) -> tuple[I64, npt.NDArray[np.bool_]]:
        """Index of the child's last fact before the cutoff and whether there is one."""
        i = self.before_cut(name) - 1
        return i, i >= self.child_lo(name)

    def current_placement(self) -> tuple[I64, npt.NDArray[np.bool_]]:
        """Index in the ``start`` stream of the placement current as known at the cutoff."""
        i, has = self.last_before("start")
        s = self.stream("start")
        safe = np.where(has, i, 0)
        if len(s.keys) == 0:
            return safe, np.zeros(self.n, dtype=bool)
        ok = has & (s.payload["end_day"][safe] >= self.cut)
        return safe, ok

    def first_start(self) -> tuple[I64, npt.NDArray[np.bool_]]:
        lo = self.child_lo("start")
        s = self.stream("start")
        safe = np.minimum(lo, max(len(s.keys) - 1, 0))
        if len(s.keys) == 0:
            return safe, np.zeros(self.n, dtype=bool)
        ok = (
            (lo < len(s.keys))
            & (s.keys[safe] < self.base + self.cut)
            & (s.keys[safe] >= self.cidx * _SHIFT)
        )
        return safe, ok

    def children(self) -> pl.DataFrame:
        """The children table, one row per child index (first row of a duplicated id)."""
        if self._children is None:
            self._children = self.history.children.unique(
                "child_id", keep="first", maintain_order=True
            )
        return self._children

    def birth_days(self) -> I64:
        if self._birth is None:
            b: I64 = self.children()["birth_date"].cast(pl.Int64).to_numpy()
            self._birth = b[self.cidx]
        return self._birth

    def evict(self, name: str) -> None:
        """Free a stream and its cached searches once no later spec needs them."""
        self._streams.pop(name, None)
        for key in [k for k in self._search if k[0] == name]:
            del self._search[key]

    def in_effect(self) -> tuple[I64, npt.NDArray[np.bool_]]:
        """Timeline row of the placement in effect at t (``start < t``, ``end`` null or
        ``> t``, as recorded at extraction, whatever the policy) and whether there is one."""
        i = self.search("start", "t", self.tday) - 1
        s = self.stream("start")
        has = i >= self.child_lo("start")
        safe = np.where(has, i, 0)
        if len(s.keys) == 0:
            return safe, np.zeros(self.n, dtype=bool)
        ok = has & (s.payload["end_day"][safe] > self.tday)
        return s.payload["row"][safe], ok


MERGE_MIN_QUERIES = 50_000
"""From this many prediction times on, searches use the numba sorted merge (``_search``)."""


def _searchsorted(keys: I64, queries: I64) -> I64:
    """``np.searchsorted(keys, queries)``; a parallel sorted merge for large sorted queries.

    The kernel's queries are sorted by construction (prediction times sorted by child and day,
    shifted by a constant); the check is one pass, and unsorted queries take numpy's path.
    """
    if (
        queries.size >= MERGE_MIN_QUERIES
        and keys.size
        and bool(np.all(queries[1:] >= queries[:-1]))
    ):
        from earlysignal.features._search import merge_searchsorted

        out: I64 = merge_searchsorted(np.ascontiguousarray(keys), np.ascontiguousarray(queries))
        return out
    return np.searchsorted(keys, queries, side="left").astype(np.int64)


def _settings() -> tuple[str, ...]:
    return tuple(s.value for s in Setting)


def _nullable(
    name: str, values: npt.NDArray[Any], valid: npt.NDArray[np.bool_], dtype: Any
) -> Column:
    s = pl.Series(name, values).cast(dtype)
    return name, pl.select(
        pl.when(pl.Series(valid)).then(s).otherwise(None).alias(name)
    ).to_series()


def _int(name: str, values: npt.NDArray[Any]) -> Column:
    return name, pl.Series(name, values.astype(np.int32, copy=False))


# ---------------------------------------------------------------------------- per spec
def _placement_count(spec: PlacementCount, k: _Kernel) -> list[Column]:
    w = spec.window_days
    v = k.count_before("start") if w is None else k.count_window("start", w)
    return [_int(spec.name, v)]


def _move_count(spec: MoveCount, k: _Kernel) -> list[Column]:
    w = spec.window_days
    v = k.count_before("move") if w is None else k.count_window("move", w)
    return [_int(spec.name, v)]


def _breakdown_count(spec: BreakdownCount, k: _Kernel) -> list[Column]:
    w = spec.window_days
    v = k.count_before("breakdown") if w is None else k.count_window("breakdown", w)
    return [_int(spec.name, v)]


def _provider_ending_count(spec: ProviderEndingCount, k: _Kernel) -> list[Column]:
    w = spec.window_days
    v = k.count_before("provider_ended") if w is None else k.count_window("provider_ended", w)
    return [_int(spec.name, v)]


def _days_since_last(stream: str, name: str, k: _Kernel) -> list[Column]:
    i, has = k.last_before(stream)
    s = k.stream(stream)
    days = k.tday - s.days[np.where(has, i, 0)] if len(s.days) else np.zeros(k.n, np.int64)
    return [_nullable(name, days, has, pl.Int32)]


def _days_since_last_move(spec: DaysSinceLastMove, k: _Kernel) -> list[Column]:
    return _days_since_last("move", spec.name, k)


def _days_in_current(spec: DaysInCurrentPlacement, k: _Kernel) -> list[Column]:
    i, ok = k.current_placement()
    s = k.stream("start")
    days = k.tday - s.days[i] if len(s.days) else np.zeros(k.n, np.int64)
    return [_nullable(spec.name, days, ok, pl.Int32)]


def _current_setting(spec: CurrentSetting, k: _Kernel) -> list[Column]:
    i, ok = k.current_placement()
    s = k.stream("start")
    codes = s.payload["setting_code"][i] if len(s.days) else np.full(k.n, -1)
    all_settings = _settings()
    out: list[Column] = []
    for o, setting in zip(spec.outputs(), spec.settings, strict=True):
        code = all_settings.index(setting) if setting in all_settings else len(all_settings)
        out.append((o.name, pl.Series(o.name, ok & (codes == code)).cast(pl.Int8)))
    return out


def _settings_seen(spec: SettingsSeen, k: _Kernel) -> list[Column]:
    return [_int(spec.name, k.count_before("setting_first"))]


def _providers(spec: DistinctProviders, k: _Kernel) -> list[Column]:
    return [_int(spec.name, k.count_before("provider_first"))]


def _unplanned_share(spec: UnplannedEndingShare, k: _Kernel) -> list[Column]:
    ended = k.count_before("end")
    bd = k.count_before("breakdown")
    share = bd / np.maximum(ended, 1)
    return [_nullable(spec.name, share, ended > 0, pl.Float64)]


def _since_first_entry(spec: DaysSinceFirstEntry, k: _Kernel) -> list[Column]:
    i, ok = k.first_start()
    s = k.stream("start")
    days = k.tday - s.days[i] if len(s.days) else np.zeros(k.n, np.int64)
    return [_nullable(spec.name, days, ok, pl.Int32)]


def _reentries(spec: Reentries, k: _Kernel) -> list[Column]:
    return [_int(spec.name, k.count_before("reentry"))]


def _event_count(spec: EventCount, k: _Kernel) -> list[Column]:
    name = f"event:{spec.kind}"
    w = spec.window_days
    v = k.count_before(name) if w is None else k.count_window(name, w)
    return [_int(spec.name, v)]


def _since_event(spec: DaysSinceLastEvent, k: _Kernel) -> list[Column]:
    return _days_since_last(f"event:{spec.kind}", spec.name, k)


def _trend(spec: EventTrend, k: _Kernel) -> list[Column]:
    name = f"event:{spec.kind}"
    r, e = spec.recent_days, spec.earlier_days
    recent = k.count_window(name, r)
    earlier = k.count_window(name, r + e, r)
    return [(spec.name, pl.Series(spec.name, 365.0 * (recent / r - earlier / e)))]


def _status(spec: StatusInForce, k: _Kernel) -> list[Column]:
    key = f"{spec.kind}\x00{spec.value}"
    started = k.count_before(f"status_start:{key}")
    # a status is over when end < t, under either policy (it holds on its end day)
    ended = k.search(f"status_end:{key}", "t", k.tday) - k.child_lo(f"status_end:{key}")
    return [(spec.name, pl.Series(spec.name, started - ended > 0).cast(pl.Int8))]


def _age(spec: AgeAtTime, k: _Kernel) -> list[Column]:
    return [(spec.name, pl.Series(spec.name, (k.tday - k.birth_days()) / 365.25))]


def _age_first(spec: AgeAtFirstEntry, k: _Kernel) -> list[Column]:
    i, ok = k.first_start()
    s = k.stream("start")
    days = s.days[i] if len(s.days) else np.zeros(k.n, np.int64)
    return [_nullable(spec.name, (days - k.birth_days()) / 365.25, ok, pl.Float64)]


def _attribute(spec: ChildAttribute, k: _Kernel) -> list[Column]:
    ch = k.children()
    if spec.attribute not in ch.columns:
        raise KeyError(
            f"ChildAttribute({spec.attribute!r}): table 'children' has no column "
            f"{spec.attribute!r}; available: {ch.columns}"
        )
    col = ch[spec.attribute]
    if spec.value is not None:
        values = (col.cast(pl.String) == spec.value).cast(pl.Int8)
    elif col.dtype == pl.Boolean:
        values = col.cast(pl.Int8)
    elif col.dtype.is_numeric():
        values = col.cast(pl.Float64)
    else:
        sample = col.drop_nulls().unique().sort().head(3).to_list()
        raise TypeError(
            f"ChildAttribute({spec.attribute!r}): column children.{spec.attribute} is "
            f"{col.dtype}, not numeric; give value= to make a 0/1 column, e.g. "
            f"ChildAttribute({spec.attribute!r}, value={sample[0] if sample else 'x'!r})"
        )
    return [(spec.name, values.gather(pl.Series(k.cidx)).alias(spec.name))]


def _persona(spec: PersonaMembership, k: _Kernel) -> list[Column]:
    # numba and the sequence code load only when a study asks for personas
    from earlysignal.features.personas import persona_columns

    ids = k.idmap["child_id"].gather(pl.Series(k.cidx))
    return persona_columns(spec, k.history, ids, pl.Series(k.cut).cast(pl.Date))


_COMPUTE: dict[type, Callable[[Any, _Kernel], list[Column]]] = {
    PlacementCount: _placement_count,
    MoveCount: _move_count,
    BreakdownCount: _breakdown_count,
    ProviderEndingCount: _provider_ending_count,
    DaysSinceLastMove: _days_since_last_move,
    DaysInCurrentPlacement: _days_in_current,
    CurrentSetting: _current_setting,
    SettingsSeen: _settings_seen,
    DistinctProviders: _providers,
    UnplannedEndingShare: _unplanned_share,
    DaysSinceFirstEntry: _since_first_entry,
    Reentries: _reentries,
    EventCount: _event_count,
    DaysSinceLastEvent: _since_event,
    EventTrend: _trend,
    StatusInForce: _status,
    AgeAtTime: _age,
    AgeAtFirstEntry: _age_first,
    ChildAttribute: _attribute,
    PersonaMembership: _persona,
}


def _streams_of(spec: FeatureSpec) -> set[str]:
    """The streams a spec reads (to free each after its last use)."""
    if isinstance(spec, (PlacementCount, DaysInCurrentPlacement, CurrentSetting)):
        return {"start"}
    if isinstance(spec, (DaysSinceFirstEntry, AgeAtFirstEntry)):
        return {"start"}
    if isinstance(spec, (MoveCount, DaysSinceLastMove)):
        return {"move"}
    if isinstance(spec, BreakdownCount):
        return {"breakdown"}
    if isinstance(spec, ProviderEndingCount):
        return {"provider_ended"}
    if isinstance(spec, UnplannedEndingShare):
        return {"breakdown", "end"}
    if isinstance(spec, SettingsSeen):
        return {"setting_first", "start"}
    if isinstance(spec, DistinctProviders):
        return {"provider_first", "start"}
    if isinstance(spec, Reentries):
        return {"reentry"}
    if isinstance(spec, (EventCount, DaysSinceLastEvent, EventTrend)):
        return {f"event:{spec.kind}"}
    if isinstance(spec, StatusInForce):
        key = f"{spec.kind}\x00{spec.value}"
        return {f"status_start:{key}", f"status_end:{key}"}
    return set()


def _parse_outcomes(outcomes: Sequence[tuple[Any, ...]]) -> list[tuple[str, int, int, str]]:
    parsed: list[tuple[str, int, int, str]] = []
    for o in outcomes:
        if len(o) in (2, 3, 4):
            k = int(o[2]) if len(o) >= 3 else 2
            definition = str(o[3]) if len(o) == 4 else "child_side"
            parsed.append((str(o[0]), int(o[1]), k, definition))
        else:
            raise ValueError(
                f"outcome {o!r} must be (name, horizon_days), (name, horizon_days, k) or (name, "
                "horizon_days, k, breakdown_definition), e.g. ('breakdown', 180), ('carousel', "
                "365, 2) or ('breakdown', 180, 2, 'any_unplanned')"
            )
    return parsed


def build_features(
    history: CareHistory,
    times: pl.DataFrame,
    specs: Sequence[FeatureSpec] | None = None,
    *,
    outcomes: Sequence[tuple[Any, ...]] = (("breakdown", 180),),
    policy: BoundaryPolicy = BoundaryPolicy.STRICT,
    censor: str = "window",
    vocabulary_before: VocabularyCut | None = None,
) -> pl.DataFrame:
    """Point-in-time features and outcome labels for prediction times.

    Parameters
    ----------
    history
        The care histories.
    times
        Prediction times with ``child_id`` and ``prediction_time`` (e.g. from
        :func:`earlysignal.cohort.prediction_times`); the placement in effect is derived when
        ``placement_id`` is absent. Every child must be in ``history.children``.
    specs
        Feature specs; default :func:`earlysignal.features.default_specs` of the history, its
        vocabulary (event kinds, frequent status values) cut at ``vocabulary_before``.
    outcomes
        ``(outcome, horizon_days)``, ``(outcome, horizon_days, k)`` or ``(outcome,
        horizon_days, k, breakdown_definition)`` tuples; one label column each (see
        :func:`earlysignal.outcomes.label`). Use ``()`` for none.
    policy
        :class:`BoundaryPolicy.STRICT` (default: facts dated strictly before ``t``) or
        ``INCLUSIVE`` (facts dated on ``t`` count too).
    censor
        Censoring of the labels (:func:`earlysignal.outcomes.label`): ``"window"`` (default)
        nulls every label whose window runs past ``history.observed_until``, whatever happened
        in it; ``"event"`` is the explicit, biased opt-out.
    vocabulary_before
        Only with ``specs=None``: the default vocabulary from facts dated strictly before this
        date. Pass the training period's end when a model is fitted
        (:func:`earlysignal.split.fraction_boundaries`). Default: the earliest prediction time
        given, which no row's features can see past, so the default never lets a later fact
        decide which features exist; ``"all"`` is the explicit opt-in to the whole history
        (descriptive work only).

    Returns
    -------
    pl.DataFrame
        ``child_id``, ``prediction_time``, ``placement_id``, ``setting`` (the placement in
        effect), then the feature columns in spec order (counts Int32, days Int32, flags Int8,
        ages, shares and trends Float64; null where documented as "never happened", which is
        NaN in ``frame.select(names).to_numpy()``), then the label columns (Int8, null when
        censored or not at risk). One row per input row, in the input's order.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> from earlysignal.data import example_history
    >>> from earlysignal.features.specs import MoveCount, EventCount
    >>> h = example_history(
    ...     {"start": [date(2020, 1, 1), date(2020, 3, 1)], "end": [date(2020, 3, 1), None],
    ...      "setting": ["foster", "residential"], "end_reason": ["breakdown", None]},
    ...     events={"kind": "incident", "date": [date(2020, 2, 1), date(2020, 4, 1)]},
    ...     observed_until=date(2021, 1, 1))
    >>> t = pl.DataFrame({"child_id": ["a"], "prediction_time": [date(2020, 4, 1)]})
    >>> f = build_features(h, t, [MoveCount(365), EventCount("incident", 90)])
    >>> f.select("setting", "moves_365d", "events_incident_90d", "label_breakdown_180d").row(0)
    ('residential', 1, 1, 0)
    """
    from earlysignal.features.defaults import default_specs
    from earlysignal.outcomes import label_with_report

    policy = BoundaryPolicy(policy)
    if specs is None:
        cut = vocabulary_before
        if cut is None:
            first = times["prediction_time"].cast(pl.Date).min() if times.height else None
            cut = first if isinstance(first, date) else date.min
        specs = default_specs(history, before=cut)
    specs = tuple(specs)
    names = feature_names(specs)
    for spec in specs:
        if type(spec) not in _COMPUTE:
            raise TypeError(
                f"no feature computation for {type(spec).__name__}; use the specs of "
                "earlysignal.features (see docs/features.md)"
            )
    parsed = _parse_outcomes(outcomes)
    for _, col in [("", c) for c in ("child_id", "prediction_time")]:
        if col not in times.columns:
            raise KeyError(
                f"build_features: the prediction-time frame lacks column {col!r}; build it "
                "with earlysignal.cohort.prediction_times"
            )
    times = times.with_columns(pl.col("prediction_time").cast(pl.Date))
    keys = times.select("child_id", "prediction_time")

    ids = history.children["child_id"].unique(maintain_order=True)
    idmap = pl.DataFrame(
        {"child_id": ids, "_c": pl.int_range(0, len(ids), dtype=pl.UInt32, eager=True)}
    )
    cidx_s = keys.select("child_id").join(idmap, on="child_id", how="left",
                                          maintain_order="left")["_c"]  # fmt: skip
    if cidx_s.null_count():
        unknown = keys.filter(cidx_s.is_null())["child_id"]
        raise ValueError(
            f"build_features: {unknown.n_unique()} child_id(s) of the prediction times are not "
            f"in the history's children table, e.g. {unknown.unique().sort().head(3).to_list()}; "
            "use times of children in the history"
        )
    cidx = cidx_s.to_physical().cast(pl.Int64).to_numpy()
    tday = keys["prediction_time"].cast(pl.Int64).to_numpy()
    # one int64 key per row (child index, day): a sortedness check, then a sort only if needed
    composite = cidx * _SHIFT + (tday + _OFFSET)
    is_sorted = bool(np.all(composite[1:] >= composite[:-1]))
    order = (
        np.arange(len(composite), dtype=np.int64)
        if is_sorted
        else np.argsort(composite, kind="stable")
    )
    del composite
    kernel = _Kernel(history, idmap, cidx[order], tday[order], policy)

    columns: list[pl.Series] = []
    if "placement_id" not in times.columns or "setting" not in times.columns:
        # the placement in effect at t, from the same sorted stream (no as-of join)
        row, ok = kernel.in_effect()
        tl = kernel.timeline().select("placement_id", pl.col("start").alias("placement_start"),
                                      "setting")  # fmt: skip
        if tl.height:
            picked = tl[np.where(ok, row, 0)]
        else:
            picked = pl.DataFrame(
                {c: pl.Series([None] * kernel.n, dtype=tl.schema[c]) for c in tl.columns}
            )
        valid = pl.Series(ok)
        columns += [
            pl.select(pl.when(valid).then(picked[c]).alias(c)).to_series() for c in picked.columns
        ]
    last_use = {name: i for i, spec in enumerate(specs) for name in _streams_of(spec)}
    for i, spec in enumerate(specs):
        for name, series in _COMPUTE[type(spec)](spec, kernel):
            columns.append(series.alias(name))
        for name in [n for n, j in last_use.items() if j == i]:
            kernel.evict(name)
    feats = pl.DataFrame(columns) if columns else pl.DataFrame()
    if not is_sorted and feats.width:
        inverse = np.empty_like(order)
        inverse[order] = np.arange(len(order))
        feats = feats[inverse]
    if kernel.excluded:
        log.warning(
            "facts of children not in the children table were excluded: %s", kernel.excluded
        )
    if "placement_id" not in times.columns or "setting" not in times.columns:
        times = pl.concat([keys, feats.select("placement_id", "placement_start", "setting")],
                          how="horizontal")  # fmt: skip
    keys = times.select(KEY_COLUMNS)
    out = pl.concat([keys, feats.select(names)], how="horizontal")
    for outcome, horizon, k, definition in parsed:
        lab, _ = label_with_report(
            history, times, outcome, horizon, k=k, censor=censor, definition=definition
        )
        out = out.with_columns(lab.get_column(lab.columns[-1]))
    return out
