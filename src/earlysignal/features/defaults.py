"""The default feature set and a tidy description of any spec set."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal, TypeAlias

import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.features.specs import (
    DEFAULT_EVENT_KINDS,
    DEFAULT_WINDOWS,
    AgeAtFirstEntry,
    AgeAtTime,
    BreakdownCount,
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
    PlacementCount,
    ProviderEndingCount,
    Reentries,
    SettingsSeen,
    StatusInForce,
    UnplannedEndingShare,
)

__all__ = [
    "MAX_DEFAULT_STATUSES",
    "VocabularyCut",
    "default_specs",
    "describe",
    "feature_vocabulary",
    "vocabulary_cut",
    "vocabulary_of",
]

MAX_DEFAULT_STATUSES = 20
"""At most this many (kind, value) status flags in the default set (the most frequent)."""

VocabularyCut: TypeAlias = date | Literal["all"]
"""Where a default vocabulary is cut: a date (facts strictly before it; the training period's
end) or ``"all"``, the explicit opt-in to the whole history for descriptive work."""


def vocabulary_cut(before: date | str | None, *, where: str) -> date | None:
    """The cut of a default vocabulary: ``before`` as a date, ``None`` for ``"all"``.

    A default vocabulary taken from the whole history lets facts of the evaluation periods decide
    which features exist (an event kind first recorded in the test period), so the cut is never
    implied: ``before=None`` is refused with the fix.

    Examples
    --------
    >>> vocabulary_cut(date(2021, 1, 1), where="default_specs") is not None
    True
    >>> vocabulary_cut("all", where="default_specs") is None
    True
    >>> vocabulary_cut(None, where="default_specs")
    Traceback (most recent call last):
    ...
    ValueError: features rule 'vocabulary from the training period': default_specs ...
    """
    if isinstance(before, date):
        return before
    if before == "all":
        return None
    raise ValueError(
        f"features rule 'vocabulary from the training period': {where} was given a history but "
        f"no vocabulary cut (before={before!r}); the default feature vocabulary (event kinds, "
        "frequent status values) must come from facts dated before the training period's end, "
        "so that nothing seen only in later periods decides which features exist. Pass "
        "before=train_end (e.g. earlysignal.split.fraction_boundaries(times)[0]), or "
        'before="all" for descriptive work on the whole history (never for a model evaluated '
        "on later periods)"
    )


def feature_vocabulary(history: CareHistory, *, before: date | None = None) -> dict[str, Any]:
    """The data-driven part of the default feature set: event kinds and top status values.

    Chosen from facts dated strictly before ``before`` only (events with ``date < before``,
    statuses with ``start < before``), so that pass the training period's end (the first day
    of the calibration period) and nothing seen only later (an event kind that first appears in
    the test period, a status value that becomes frequent later) decides which features exist.
    ``before=None`` uses the whole history (descriptive work only, never for a model that is
    evaluated on later periods). Record the result with the run (the experiment runner puts it
    in the card data and the saved model's metadata).

    Returns
    -------
    dict
        ``before`` (ISO date or ``None``), ``event_kinds`` (sorted list), ``statuses`` (list of
        ``[kind, value]``: the at most :data:`MAX_DEFAULT_STATUSES` most frequent pairs, by
        rows, ties by kind and value; sorted).

    Examples
    --------
    >>> from datetime import date
    >>> from earlysignal.data import example_history
    >>> h = example_history(
    ...     {"start": date(2020, 1, 1)},
    ...     events={"kind": ["incident", "new_kind"], "date": [date(2020, 2, 1), date(2021, 2, 1)]},
    ...     observed_until=date(2021, 6, 1))
    >>> feature_vocabulary(h, before=date(2021, 1, 1))["event_kinds"]
    ['incident']
    >>> feature_vocabulary(h)["event_kinds"]
    ['incident', 'new_kind']
    """
    statuses = None if history.statuses is None else history.statuses.lazy()
    return vocabulary_of(history.events.lazy(), statuses, before=before)


def vocabulary_of(
    events: pl.LazyFrame, statuses: pl.LazyFrame | None, *, before: date | None = None
) -> dict[str, Any]:
    """:func:`feature_vocabulary` of lazy tables (e.g. scans of every partition of a cohort).

    Only the ``kind`` column of events and the status (kind, value) counts are collected, so a
    cohort's vocabulary is found without holding its tables in memory.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> ev = pl.LazyFrame({"kind": ["b", "a", "b"], "date": [date(2020, 1, 1)] * 3})
    >>> vocabulary_of(ev, None)["event_kinds"]
    ['a', 'b']
    """
    if before is not None:
        events = events.filter(pl.col("date") < before)
    kinds = sorted(
        events.select(pl.col("kind").drop_nulls().unique())
        .collect(engine="streaming")["kind"]
        .to_list()
    )
    pairs_found: list[list[str]] = []
    st = statuses
    if st is not None and before is not None:
        st = st.filter(pl.col("start") < before)
    if st is not None:
        pairs = (
            st.group_by("kind", "value")
            .len()
            .sort(["len", "kind", "value"], descending=[True, False, False])
            .head(MAX_DEFAULT_STATUSES)
            .sort("kind", "value")
            .collect(engine="streaming")
        )
        pairs_found = [[k, v] for k, v in pairs.select("kind", "value").iter_rows()]
    return {
        "before": None if before is None else before.isoformat(),
        "event_kinds": kinds,
        "statuses": pairs_found,
    }


def default_specs(
    history: CareHistory | None = None,
    *,
    before: VocabularyCut | None = None,
    vocabulary: dict[str, Any] | None = None,
) -> tuple[FeatureSpec, ...]:
    """The default feature set.

    Placement history (placements, moves and breakdowns ever and in 90/365/730-day windows,
    provider-side endings ever and in 365 days, days since the last move, days in the current
    placement, current setting one-hot, settings seen, distinct providers, share of unplanned
    endings, days since first entry, re-entries), events per kind (count in 90 and 365 days,
    days since the last, 90-day versus previous 275-day trend), statuses in force (the most
    frequent (kind, value) pairs, at most :data:`MAX_DEFAULT_STATUSES`; none without a history)
    and child facts (age at t, age at first entry). Event kinds and statuses come from
    :func:`feature_vocabulary` of the history with facts dated before ``before``: the training
    period's end, so that nothing seen only later decides which features exist. With a history
    ``before`` is required: ``before="all"`` is the explicit opt-in to the whole history
    (descriptive work only); none is refused (:func:`vocabulary_cut`).
    Without a history the event kinds are
    :data:`~earlysignal.features.specs.DEFAULT_EVENT_KINDS`. No child attribute is included:
    sensitive ones are refused, others are a study's choice. A ``vocabulary`` found beforehand
    (:func:`feature_vocabulary`, or :func:`vocabulary_of` over a partitioned cohort) is used
    instead of the history's.

    Examples
    --------
    >>> specs = default_specs()
    >>> [s.name for s in specs][:3]
    ['placements_ever', 'placements_90d', 'placements_365d']
    >>> any(s.name == "events_incident_90d" for s in specs)
    True
    >>> from earlysignal.data import example_history
    >>> h = example_history(
    ...     {"start": date(2020, 1, 1)},
    ...     events={"kind": ["incident", "new_kind"], "date": [date(2020, 2, 1), date(2021, 2, 1)]},
    ...     observed_until=date(2021, 6, 1))
    >>> [s.name for s in default_specs(h, before=date(2021, 1, 1)) if "new_kind" in s.name]
    []
    """
    specs: list[FeatureSpec] = []
    for cls in (PlacementCount, MoveCount, BreakdownCount):
        specs.append(cls(None))
        specs.extend(cls(w) for w in DEFAULT_WINDOWS)
    specs += [ProviderEndingCount(None), ProviderEndingCount(365)]
    specs += [
        DaysSinceLastMove(),
        DaysInCurrentPlacement(),
        CurrentSetting(),
        SettingsSeen(),
        DistinctProviders(),
        UnplannedEndingShare(),
        DaysSinceFirstEntry(),
        Reentries(),
    ]
    if vocabulary is None and history is not None:
        vocabulary = feature_vocabulary(
            history, before=vocabulary_cut(before, where="default_specs")
        )
    if vocabulary is None:
        kinds: Sequence[str] = DEFAULT_EVENT_KINDS
        statuses: list[list[str]] = []
    else:
        kinds, statuses = vocabulary["event_kinds"], vocabulary["statuses"]
    for kind in kinds:
        specs += [
            EventCount(kind, 90),
            EventCount(kind, 365),
            DaysSinceLastEvent(kind),
            EventTrend(kind, 90, 275),
        ]
    specs += [StatusInForce(k, v) for k, v in statuses]
    specs += [AgeAtTime(), AgeAtFirstEntry()]
    return tuple(specs)


def describe(specs: Sequence[FeatureSpec]) -> pl.DataFrame:
    """One row per feature column: name, spec, description, unit, phrase, definition.

    Examples
    --------
    >>> from earlysignal.features.specs import MoveCount
    >>> describe([MoveCount(365)]).select("name", "unit").row(0)
    ('moves_365d', 'moves')
    """
    rows = [
        {
            "name": o.name,
            "spec": repr(s),
            "description": o.description,
            "unit": o.unit,
            "phrase": o.phrase,
            "definition": o.definition,
        }
        for s in specs
        for o in s.outputs()
    ]
    schema = dict.fromkeys(
        ("name", "spec", "description", "unit", "phrase", "definition"), pl.String
    )
    return pl.DataFrame(rows, schema=schema)
