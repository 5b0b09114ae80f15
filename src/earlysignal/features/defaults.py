"""The default feature set and a tidy description of any spec set."""

from __future__ import annotations

from collections.abc import Sequence

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
    Reentries,
    SettingsSeen,
    StatusInForce,
    UnplannedEndingShare,
)

__all__ = ["MAX_DEFAULT_STATUSES", "default_specs", "describe"]

MAX_DEFAULT_STATUSES = 20
"""At most this many (kind, value) status flags in the default set (the most frequent)."""


def default_specs(history: CareHistory | None = None) -> tuple[FeatureSpec, ...]:
    """The default feature set.

    Placement history (placements, moves and breakdowns ever and in 90/365/730-day windows,
    days since the last move, days in the current placement, current setting one-hot, settings
    seen, distinct providers, share of unplanned endings, days since first entry, re-entries),
    events per kind (count in 90 and 365 days, days since the last, 90-day versus previous
    275-day trend), statuses in force (the history's most frequent (kind, value) pairs, at most
    :data:`MAX_DEFAULT_STATUSES`; none without a history) and child facts (age at t, age at first
    entry). Event kinds are the history's observed kinds (sorted), or
    :data:`~earlysignal.features.specs.DEFAULT_EVENT_KINDS` without a history. No child
    attribute is included: sensitive ones are refused, others are a study's choice.

    Examples
    --------
    >>> specs = default_specs()
    >>> [s.name for s in specs][:3]
    ['placements_ever', 'placements_90d', 'placements_365d']
    >>> any(s.name == "events_incident_90d" for s in specs)
    True
    """
    specs: list[FeatureSpec] = []
    for cls in (PlacementCount, MoveCount, BreakdownCount):
        specs.append(cls(None))
        specs.extend(cls(w) for w in DEFAULT_WINDOWS)
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
    if history is None:
        kinds: Sequence[str] = DEFAULT_EVENT_KINDS
    else:
        kinds = sorted(history.events["kind"].drop_nulls().unique().to_list())
    for kind in kinds:
        specs += [
            EventCount(kind, 90),
            EventCount(kind, 365),
            DaysSinceLastEvent(kind),
            EventTrend(kind, 90, 275),
        ]
    if history is not None and history.statuses is not None and history.statuses.height:
        pairs = (
            history.statuses.group_by("kind", "value")
            .len()
            .sort(["len", "kind", "value"], descending=[True, False, False])
            .head(MAX_DEFAULT_STATUSES)
            .sort("kind", "value")
        )
        specs += [StatusInForce(k, v) for k, v in pairs.select("kind", "value").iter_rows()]
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
