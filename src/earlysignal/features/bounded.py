"""Bounded-lookback features: no "ever" feature, for the entry study (issue 20).

Risk scores for families at home have been criticised for marking families for good: a
feature such as "ever reported" never decays, so an old record weighs as much as a new one for
the rest of a child's life. :func:`bounded_specs` keeps only features that look back a bounded
window (event counts in 90 and 365 days and their trend, statuses in force at ``t``, age at
``t``); :func:`unbounded_features` names any spec in a list that does not, so a study can
refuse them. Features are per child: no spec reads another child's (a household member's)
records, so nothing is pooled across a household.

Examples
--------
>>> from earlysignal.features.defaults import default_specs
>>> [s.name for s in bounded_specs()][:2]
['events_incident_90d', 'events_incident_365d']
>>> unbounded_features(bounded_specs())
[]
>>> "placements_ever" in unbounded_features(default_specs())
True
>>> max_lookback_days(bounded_specs())
365
"""

from __future__ import annotations

from collections.abc import Sequence

from earlysignal.data.history import CareHistory
from earlysignal.features.defaults import VocabularyCut, feature_vocabulary, vocabulary_cut
from earlysignal.features.specs import (
    DEFAULT_EVENT_KINDS,
    AgeAtTime,
    EventCount,
    EventTrend,
    FeatureSpec,
    StatusInForce,
)

__all__ = ["bounded_specs", "max_lookback_days", "unbounded_features"]


def bounded_specs(
    history: CareHistory | None = None, *, before: VocabularyCut | None = None
) -> tuple[FeatureSpec, ...]:
    """Features with a bounded lookback (vocabulary from facts before ``before``).

    As :func:`~earlysignal.features.default_specs`: with a history, ``before`` (the training
    period's end, or ``"all"``) is required.
    """
    if history is None:
        kinds: Sequence[str] = DEFAULT_EVENT_KINDS
        statuses: list[list[str]] = []
    else:
        cut = vocabulary_cut(before, where="bounded_specs")
        vocabulary = feature_vocabulary(history, before=cut)
        kinds, statuses = vocabulary["event_kinds"], vocabulary["statuses"]
    specs: list[FeatureSpec] = []
    for kind in kinds:
        specs += [EventCount(kind, 90), EventCount(kind, 365), EventTrend(kind, 90, 275)]
    specs += [StatusInForce(k, v) for k, v in statuses]
    specs.append(AgeAtTime())
    return tuple(specs)


def _lookback(spec: FeatureSpec) -> int | None:
    """Days a spec looks back (0: only what holds at t), or ``None`` when unbounded."""
    if isinstance(spec, EventTrend):
        return spec.recent_days + spec.earlier_days
    if isinstance(spec, StatusInForce | AgeAtTime):
        return 0
    window = getattr(spec, "window_days", None)
    return int(window) if isinstance(window, int) else None


def unbounded_features(specs: Sequence[FeatureSpec]) -> list[str]:
    """Names of the specs whose lookback is not bounded ("ever" or "since the last")."""
    return [s.name for s in specs if _lookback(s) is None]


def max_lookback_days(specs: Sequence[FeatureSpec]) -> int | None:
    """The longest lookback of the specs, or ``None`` when one is unbounded."""
    days = [_lookback(s) for s in specs]
    if any(d is None for d in days):
        return None
    return max((d for d in days if d is not None), default=0)
