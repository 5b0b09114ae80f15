"""What a steering comparison computes: small frozen specs, apart from the code that computes.

Examples
--------
>>> SteeringSpec(by="provider").outcomes
('unplanned', 'moves')
>>> SteeringSpec(by="ward")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
earlysignal.steering.spec.SteeringError: [steer.by] ...
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BANDS", "OUTCOMES", "UNIT_KINDS", "SteeringError", "SteeringSpec"]

UNIT_KINDS: dict[str, tuple[str, str]] = {
    "provider": ("placements", "provider_id"),
    "region": ("children", "region"),
    "municipality": ("children", "municipality"),
}
"""Unit kind -> (table, column) that names a placement's unit."""

OUTCOMES: dict[str, str] = {
    "unplanned": "placement ended unplanned (breakdown or provider_ended)",
    "breakdown": "placement ended in a breakdown (carer or child side)",
    "provider_ended": "placement ended unplanned on the provider's side",
    "moves": "the child moved on from the placement to another one in the same care episode",
}
"""Outcomes that can be compared observed against expected (events per placement day)."""

BANDS: tuple[int, ...] = (0, 30, 91, 365, 730)
"""Lower edges (days since the placement start) of the duration bands of the case-mix model:
the breakdown hazard is front-loaded, so expected counts use a piecewise-constant rate."""


class SteeringError(ValueError):
    """Bad input to a steering comparison; the message names the rule id, the value and the fix."""


@dataclass(frozen=True, slots=True)
class SteeringSpec:
    """A comparison of units: which unit, which period, which outcomes, how the fit is split.

    Parameters
    ----------
    by
        ``provider`` (``placements.provider_id``), ``region`` or ``municipality`` (columns of
        ``children``).
    years
        Length of the period, ending at ``observed_until``: placements starting in it are
        compared.
    outcomes
        Outcomes compared observed against expected (keys of :data:`OUTCOMES`).
    folds
        Cross-fitting folds by unit: the expected counts of a unit come from a case-mix model
        fitted on the other folds only (leave-one-unit-out when there are fewer units).
    min_children
        Units with fewer distinct children are suppressed in published output.
    seed
        Seed of the posterior draws (rank intervals, cost intervals).
    within
        ``(column, value)`` of ``children``, e.g. ``("region", "north")``: a report for one
        region or municipality, comparing units on that region's children only. The case-mix
        model is still fitted on every child (more data, the same cross-fitting by unit).
    """

    by: str = "provider"
    years: int = 3
    outcomes: tuple[str, ...] = ("unplanned", "moves")
    folds: int = 5
    min_children: int = 10
    seed: int = 0
    within: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        if self.by not in UNIT_KINDS:
            raise SteeringError(
                f"[steer.by] unknown unit kind {self.by!r}; choose one of {sorted(UNIT_KINDS)}"
            )
        bad = [o for o in self.outcomes if o not in OUTCOMES]
        if bad or not self.outcomes:
            raise SteeringError(
                f"[steer.outcomes] unknown or no outcomes {bad}; choose from {sorted(OUTCOMES)}"
            )
        if self.years < 1 or self.folds < 2 or self.min_children < 0:
            raise SteeringError(
                f"[steer.spec] years ({self.years}) must be >= 1, folds ({self.folds}) >= 2, "
                f"min_children ({self.min_children}) >= 0"
            )
