"""Bias scenarios: named, documented distortions of what is *recorded* (none by default).

The dynamics (and so the oracle) never change: a scenario only changes the records, which is
what fairness checks must detect.

* ``recording_bias``: the group's incidents, missing episodes, police contacts and crises are
  recorded ``event_multiplier`` times as often as they happen (extra, false records).
* ``label_bias``: a share ``label_flip`` of the group's planned and other moves are recorded as
  breakdowns (detail ``CREQB``), inflating the group's recorded breakdown label.

Examples
--------
>>> get_scenario("recording_bias").event_multiplier
1.5
>>> get_scenario(None) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SCENARIOS", "BiasScenario", "get_scenario"]


@dataclass(frozen=True)
class BiasScenario:
    """A recording distortion for one group of children.

    Parameters
    ----------
    name
        Scenario name (``recording_bias`` or ``label_bias`` for the built-ins).
    column, value
        The group: children whose ``children[column] == value`` (``origin == "migrant"``).
    event_multiplier
        Recorded / true rate of incidents, missing, police contacts and crises in the group.
    label_flip
        Probability that a planned or other move of the group is recorded as a breakdown.
    """

    name: str
    column: str = "origin"
    value: str = "migrant"
    event_multiplier: float = 1.0
    label_flip: float = 0.0

    def __post_init__(self) -> None:
        if self.column != "origin":
            raise ValueError(
                f"bias scenario {self.name!r}: group column {self.column!r} is not supported; "
                "use column='origin'"
            )
        if self.event_multiplier < 1.0 or not 0.0 <= self.label_flip <= 1.0:
            raise ValueError(
                f"bias scenario {self.name!r}: event_multiplier {self.event_multiplier} must be "
                f">= 1 and label_flip {self.label_flip} in [0, 1]"
            )


SCENARIOS: dict[str, BiasScenario] = {
    "recording_bias": BiasScenario("recording_bias", event_multiplier=1.5),
    "label_bias": BiasScenario("label_bias", label_flip=0.3),
}
"""The named built-in scenarios."""


def get_scenario(scenario: BiasScenario | str | None) -> BiasScenario | None:
    """Resolve a scenario given by name, object or ``None``."""
    if scenario is None or isinstance(scenario, BiasScenario):
        return scenario
    if scenario in ("", "none"):
        return None
    if scenario not in SCENARIOS:
        raise ValueError(
            f"unknown bias scenario {scenario!r}; choose one of {sorted(SCENARIOS)} or none"
        )
    return SCENARIOS[scenario]
