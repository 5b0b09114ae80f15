"""Point-in-time features: specs, the default set, the kernel and ``build_features``.

A feature at prediction time ``t`` uses only facts dated strictly before ``t`` by default
(:class:`BoundaryPolicy`); see ``docs/features.md`` for every default feature.

Examples
--------
>>> from earlysignal.features import MoveCount, feature_names
>>> feature_names([MoveCount(90), MoveCount()])
['moves_90d', 'moves_ever']
"""

from earlysignal.features.build import KEY_COLUMNS, build_features, feature_names
from earlysignal.features.defaults import default_specs, describe, feature_vocabulary
from earlysignal.features.specs import (
    DEFAULT_EVENT_KINDS,
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
    FeatureOutput,
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

__all__ = [
    "DEFAULT_EVENT_KINDS",
    "KEY_COLUMNS",
    "AgeAtFirstEntry",
    "AgeAtTime",
    "BoundaryPolicy",
    "BreakdownCount",
    "ChildAttribute",
    "CurrentSetting",
    "DaysInCurrentPlacement",
    "DaysSinceFirstEntry",
    "DaysSinceLastEvent",
    "DaysSinceLastMove",
    "DistinctProviders",
    "EventCount",
    "EventTrend",
    "FeatureOutput",
    "FeatureSpec",
    "MoveCount",
    "PersonaMembership",
    "PlacementCount",
    "ProviderEndingCount",
    "Reentries",
    "SettingsSeen",
    "StatusInForce",
    "UnplannedEndingShare",
    "build_features",
    "default_specs",
    "describe",
    "feature_names",
    "feature_vocabulary",
]
