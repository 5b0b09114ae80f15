"""Feature specifications: small frozen dataclasses saying *what* to compute.

Each spec has a deterministic ``name`` (readable in SHAP plots and model cards), a one-line
``description``, and one or more outputs (:class:`FeatureOutput`: column name, description,
unit, a phrase template for explanations, and a precise definition). The code that computes
them lives in :mod:`earlysignal.features.build`.

Every definition is point-in-time: with the default :class:`BoundaryPolicy.STRICT` a feature at
prediction time ``t`` uses only facts dated strictly before ``t`` ("the cutoff"); with
``INCLUSIVE`` facts dated on ``t`` count too. "Placements" are non-temporary placements.

Examples
--------
>>> MoveCount(window_days=365).name
'moves_365d'
>>> EventCount("incident", 90).description
'Events of kind incident in the 90 days before t'
>>> ChildAttribute("origin", value="migrant")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: ChildAttribute('origin') is a sensitive attribute ...
>>> ChildAttribute("origin", value="migrant", opt_in_sensitive=True).name
'sensitive_origin_migrant'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from earlysignal.schema import SENSITIVE_ATTRIBUTES, Setting

__all__ = [
    "DEFAULT_EVENT_KINDS",
    "DEFAULT_WINDOWS",
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
    "PersonaFeatureError",
    "PersonaMembership",
    "PlacementCount",
    "ProviderEndingCount",
    "Reentries",
    "SettingsSeen",
    "StatusInForce",
    "UnplannedEndingShare",
    "slug",
]

DEFAULT_EVENT_KINDS: tuple[str, ...] = (
    "incident",
    "missing",
    "police_contact",
    "school_change",
    "crisis",
    "caseworker_change",
    "review",
)
"""Event kinds used by :func:`default_specs` when no history is given."""

DEFAULT_WINDOWS: tuple[int, ...] = (90, 365, 730)
"""Look-back windows (days) of the default placement-history counts."""


class BoundaryPolicy(StrEnum):
    """Which facts a feature at ``t`` may use.

    ``STRICT`` (default): facts dated strictly before ``t`` (``date < t``; a placement or
    status end is known when ``end < t``). ``INCLUSIVE``: facts dated on or before ``t``
    (``date <= t``), for designs where ``t`` is the end of a day whose records are complete.
    """

    STRICT = "strict"
    INCLUSIVE = "inclusive"


def slug(text: str) -> str:
    """A lowercase identifier fragment for feature names.

    Examples
    --------
    >>> slug("Police contact / 2")
    'police_contact_2'
    """
    s = re.sub(r"[^0-9a-zA-Z]+", "_", text.strip().lower()).strip("_")
    return s or "blank"


def _window(window_days: int | None) -> str:
    return "ever" if window_days is None else f"{window_days}d"


def _window_text(window_days: int | None) -> str:
    return "before t (ever)" if window_days is None else f"in the {window_days} days before t"


def _check_window(spec: str, window_days: int | None) -> None:
    if window_days is not None and window_days < 1:
        raise ValueError(
            f"{spec}(window_days={window_days}): a window must be a positive number of days, "
            "or None for the whole history before t"
        )


@dataclass(frozen=True, slots=True)
class FeatureOutput:
    """One feature column.

    Attributes
    ----------
    name
        Column name.
    description
        One line for humans.
    unit
        What a value counts or measures (``moves``, ``days``, ``years``, ``share``, ``flag``).
    phrase
        Template for explanations, with ``{value}`` (e.g. ``"{value} moves in the last 365
        days"``).
    definition
        The precise rule, including the time boundary and what null means.
    """

    name: str
    description: str
    unit: str
    phrase: str
    definition: str


class FeatureSpec:
    """Base of every feature spec (frozen dataclasses)."""

    __slots__ = ()

    @property
    def name(self) -> str:
        """Deterministic name (the column name for single-column specs)."""
        return self.outputs()[0].name

    @property
    def description(self) -> str:
        """One line for humans."""
        return self.outputs()[0].description

    @property
    def unit(self) -> str:
        """Unit of the (first) output."""
        return self.outputs()[0].unit

    def outputs(self) -> tuple[FeatureOutput, ...]:
        """The columns this spec produces."""
        raise NotImplementedError


# ---------------------------------------------------------------------------- placements
@dataclass(frozen=True, slots=True)
class PlacementCount(FeatureSpec):
    """Non-temporary placements started before t (in a window, or ever)."""

    window_days: int | None = None

    def __post_init__(self) -> None:
        _check_window("PlacementCount", self.window_days)

    def outputs(self) -> tuple[FeatureOutput, ...]:
        w = self.window_days
        return (
            FeatureOutput(
                f"placements_{_window(w)}",
                f"Placements started {_window_text(w)}",
                "placements",
                "{value} placements started " + _window_text(w).replace("before t", "before now"),
                "Number of non-temporary placements with start < cutoff"
                + ("" if w is None else f" and start >= cutoff - {w} days")
                + "; 0 if none.",
            ),
        )


@dataclass(frozen=True, slots=True)
class MoveCount(FeatureSpec):
    """Placement moves (starts that are not the first of a care episode) before t."""

    window_days: int | None = None

    def __post_init__(self) -> None:
        _check_window("MoveCount", self.window_days)

    def outputs(self) -> tuple[FeatureOutput, ...]:
        w = self.window_days
        return (
            FeatureOutput(
                f"moves_{_window(w)}",
                f"Placement moves {_window_text(w)}",
                "moves",
                "{value} moves " + ("so far" if w is None else f"in the last {w} days"),
                "Number of moves (starts of non-temporary placements that are not the first of "
                "their care episode) with start < cutoff"
                + ("" if w is None else f" and start >= cutoff - {w} days")
                + "; temporary placements are never moves; 0 if none.",
            ),
        )


@dataclass(frozen=True, slots=True)
class BreakdownCount(FeatureSpec):
    """Placements that ended with a breakdown before t."""

    window_days: int | None = None

    def __post_init__(self) -> None:
        _check_window("BreakdownCount", self.window_days)

    def outputs(self) -> tuple[FeatureOutput, ...]:
        w = self.window_days
        return (
            FeatureOutput(
                f"breakdowns_{_window(w)}",
                f"Placement breakdowns {_window_text(w)}",
                "breakdowns",
                "{value} placement breakdowns "
                + ("so far" if w is None else f"in the last {w} days"),
                "Number of non-temporary placements with end_reason 'breakdown' and end < "
                "cutoff" + ("" if w is None else f" and end >= cutoff - {w} days") + "; 0 if none.",
            ),
        )


@dataclass(frozen=True, slots=True)
class ProviderEndingCount(FeatureSpec):
    """Placements that ended for reasons on the provider's side before t.

    Kept apart from :class:`BreakdownCount`: an allegation, a failed standard of care, a
    withdrawn approval or a closing provision (``end_reason == "provider_ended"``) is not the
    child's breakdown, and counting it as one would mark the child for the provider's failure.
    """

    window_days: int | None = None

    def __post_init__(self) -> None:
        _check_window("ProviderEndingCount", self.window_days)

    def outputs(self) -> tuple[FeatureOutput, ...]:
        w = self.window_days
        return (
            FeatureOutput(
                f"provider_endings_{_window(w)}",
                f"Placements ended on the provider's side {_window_text(w)}",
                "placements",
                "{value} placements ended by the provider "
                + ("so far" if w is None else f"in the last {w} days"),
                "Number of non-temporary placements with end_reason 'provider_ended' (allegation, "
                "standards of care, approval removed, closure) and end < cutoff"
                + ("" if w is None else f" and end >= cutoff - {w} days")
                + "; not counted as breakdowns; 0 if none.",
            ),
        )


@dataclass(frozen=True, slots=True)
class DaysSinceLastMove(FeatureSpec):
    """Days since the most recent move before t."""

    def outputs(self) -> tuple[FeatureOutput, ...]:
        return (
            FeatureOutput(
                "days_since_last_move",
                "Days since the last placement move before t",
                "days",
                "{value} days since the last move",
                "t minus the start of the latest move with start < cutoff; null (NaN) if the "
                "child has never moved.",
            ),
        )


@dataclass(frozen=True, slots=True)
class DaysInCurrentPlacement(FeatureSpec):
    """Days in the placement current as known at t."""

    def outputs(self) -> tuple[FeatureOutput, ...]:
        return (
            FeatureOutput(
                "days_in_current_placement",
                "Days in the current placement at t",
                "days",
                "{value} days in the current placement",
                "t minus the start of the current placement (the latest non-temporary placement "
                "with start < cutoff whose end is not known, i.e. end null or end >= cutoff); "
                "null (NaN) when out of care.",
            ),
        )


@dataclass(frozen=True, slots=True)
class CurrentSetting(FeatureSpec):
    """One-hot setting of the current placement (one 0/1 column per setting)."""

    settings: tuple[str, ...] = tuple(s.value for s in Setting)

    def outputs(self) -> tuple[FeatureOutput, ...]:
        return tuple(
            FeatureOutput(
                f"current_setting_{slug(s)}",
                f"Current placement is {s.replace('_', ' ')}",
                "flag",
                f"currently placed in {s.replace('_', ' ')}" + " ({value})",
                f"1 if the current placement (see days_in_current_placement) has setting '{s}', "
                "else 0 (all 0 when out of care).",
            )
            for s in self.settings
        )


@dataclass(frozen=True, slots=True)
class SettingsSeen(FeatureSpec):
    """Distinct settings among placements started before t."""

    def outputs(self) -> tuple[FeatureOutput, ...]:
        return (
            FeatureOutput(
                "settings_seen",
                "Distinct placement settings before t",
                "settings",
                "{value} different kinds of placement so far",
                "Number of distinct settings of non-temporary placements with start < cutoff; "
                "0 if none.",
            ),
        )


@dataclass(frozen=True, slots=True)
class DistinctProviders(FeatureSpec):
    """Distinct carers or providers among placements started before t."""

    def outputs(self) -> tuple[FeatureOutput, ...]:
        return (
            FeatureOutput(
                "distinct_providers",
                "Distinct carers or providers before t",
                "providers",
                "{value} different carers or providers so far",
                "Number of distinct non-null provider_id of non-temporary placements with "
                "start < cutoff; 0 if none.",
            ),
        )


@dataclass(frozen=True, slots=True)
class UnplannedEndingShare(FeatureSpec):
    """Share of ended placements that ended with a breakdown."""

    def outputs(self) -> tuple[FeatureOutput, ...]:
        return (
            FeatureOutput(
                "unplanned_ending_share",
                "Share of ended placements that broke down, before t",
                "share",
                "{value} of earlier placements ended unplanned",
                "Breakdowns / non-temporary placements with end < cutoff; null (NaN) if no "
                "placement has ended before the cutoff.",
            ),
        )


@dataclass(frozen=True, slots=True)
class DaysSinceFirstEntry(FeatureSpec):
    """Days since the child's first placement start."""

    def outputs(self) -> tuple[FeatureOutput, ...]:
        return (
            FeatureOutput(
                "days_since_first_entry",
                "Days since first entry into care",
                "days",
                "{value} days since first coming into care",
                "t minus the earliest non-temporary placement start, if it is < cutoff; null "
                "(NaN) if the child has not been in care before the cutoff.",
            ),
        )


@dataclass(frozen=True, slots=True)
class Reentries(FeatureSpec):
    """Care episodes started after a return home, before t."""

    def outputs(self) -> tuple[FeatureOutput, ...]:
        return (
            FeatureOutput(
                "reentries",
                "Re-entries into care after a return home, before t",
                "re-entries",
                "{value} returns into care after going home",
                "Number of care episodes with start < cutoff whose previous placement ended "
                "with 'return_home'; 0 if none.",
            ),
        )


# ---------------------------------------------------------------------------- events
@dataclass(frozen=True, slots=True)
class EventCount(FeatureSpec):
    """Events of one kind in a window before t."""

    kind: str
    window_days: int | None = None

    def __post_init__(self) -> None:
        _check_window("EventCount", self.window_days)

    def outputs(self) -> tuple[FeatureOutput, ...]:
        w = self.window_days
        return (
            FeatureOutput(
                f"events_{slug(self.kind)}_{_window(w)}",
                f"Events of kind {self.kind} {_window_text(w)}",
                "events",
                "{value} "
                + self.kind.replace("_", " ")
                + " events "
                + ("so far" if w is None else f"in the last {w} days"),
                f"Number of events with kind '{self.kind}' and date < cutoff"
                + ("" if w is None else f" and date >= cutoff - {w} days")
                + "; 0 if none.",
            ),
        )


@dataclass(frozen=True, slots=True)
class DaysSinceLastEvent(FeatureSpec):
    """Days since the most recent event of one kind."""

    kind: str

    def outputs(self) -> tuple[FeatureOutput, ...]:
        return (
            FeatureOutput(
                f"days_since_last_{slug(self.kind)}",
                f"Days since the last event of kind {self.kind} before t",
                "days",
                "{value} days since the last " + self.kind.replace("_", " "),
                f"t minus the latest date of an event with kind '{self.kind}' and date < "
                "cutoff; null (NaN) if there was none.",
            ),
        )


@dataclass(frozen=True, slots=True)
class EventTrend(FeatureSpec):
    """Recent versus earlier rate of one event kind (events per year)."""

    kind: str
    recent_days: int = 90
    earlier_days: int = 275

    def __post_init__(self) -> None:
        if self.recent_days < 1 or self.earlier_days < 1:
            raise ValueError(
                f"EventTrend({self.kind!r}, recent_days={self.recent_days}, earlier_days="
                f"{self.earlier_days}): both windows must be positive numbers of days"
            )

    def outputs(self) -> tuple[FeatureOutput, ...]:
        r, e = self.recent_days, self.earlier_days
        return (
            FeatureOutput(
                f"trend_{slug(self.kind)}_{r}v{e}d",
                f"Change in the yearly rate of {self.kind} events: last {r} days vs the "
                f"{e} days before",
                "events per year",
                "{value} more " + self.kind.replace("_", " ") + " events per year recently",
                f"365 x (count in [cutoff - {r}, cutoff) / {r} - count in [cutoff - {r + e}, "
                f"cutoff - {r}) / {e}) for events of kind '{self.kind}'; 0 when none.",
            ),
        )


# ---------------------------------------------------------------------------- statuses
@dataclass(frozen=True, slots=True)
class StatusInForce(FeatureSpec):
    """Whether a status (kind, value) is in force at t."""

    kind: str
    value: str

    def outputs(self) -> tuple[FeatureOutput, ...]:
        return (
            FeatureOutput(
                f"status_{slug(self.kind)}_{slug(self.value)}",
                f"Status {self.kind} = {self.value} in force at t",
                "flag",
                f"{self.kind.replace('_', ' ')} {self.value}" + " ({value})",
                f"1 if a status row with kind '{self.kind}' and value '{self.value}' has start "
                "< cutoff and (end null or end >= t), else 0.",
            ),
        )


# ---------------------------------------------------------------------------- child facts
@dataclass(frozen=True, slots=True)
class AgeAtTime(FeatureSpec):
    """Age at t in years."""

    def outputs(self) -> tuple[FeatureOutput, ...]:
        return (
            FeatureOutput(
                "age_years",
                "Age at t in years",
                "years",
                "aged {value}",
                "(t - birth_date) in days / 365.25.",
            ),
        )


@dataclass(frozen=True, slots=True)
class AgeAtFirstEntry(FeatureSpec):
    """Age at the first placement start, in years."""

    def outputs(self) -> tuple[FeatureOutput, ...]:
        return (
            FeatureOutput(
                "age_at_first_entry_years",
                "Age at first entry into care in years",
                "years",
                "first came into care aged {value}",
                "(earliest non-temporary placement start - birth_date) / 365.25 if that start "
                "is < cutoff; null (NaN) otherwise.",
            ),
        )


@dataclass(frozen=True, slots=True)
class ChildAttribute(FeatureSpec):
    """A fixed child attribute as a numeric column.

    Boolean attributes become 0/1; string attributes need ``value`` (the column is 1 where the
    attribute equals it); numeric attributes are used as they are. Sensitive attributes
    (``SENSITIVE_ATTRIBUTES``) are refused unless ``opt_in_sensitive=True``, and then the column
    name starts with ``sensitive_`` so every table, plot and card shows the choice.
    """

    attribute: str
    value: str | None = None
    opt_in_sensitive: bool = False

    def __post_init__(self) -> None:
        if self.attribute in SENSITIVE_ATTRIBUTES and not self.opt_in_sensitive:
            raise ValueError(
                f"ChildAttribute({self.attribute!r}) is a sensitive attribute "
                "(earlysignal.schema.SENSITIVE_ATTRIBUTES): it is kept out of model inputs "
                "unless a study opts in by name: ChildAttribute("
                f"{self.attribute!r}, ..., opt_in_sensitive=True), which names the column "
                f"'sensitive_{slug(self.attribute)}_...'"
            )

    def outputs(self) -> tuple[FeatureOutput, ...]:
        sensitive = self.attribute in SENSITIVE_ATTRIBUTES
        prefix = "sensitive" if sensitive else "child"
        name = f"{prefix}_{slug(self.attribute)}"
        what = self.attribute.replace("_", " ")
        if self.value is not None:
            name += f"_{slug(self.value)}"
            what += f" is {self.value}"
        return (
            FeatureOutput(
                name,
                ("Sensitive attribute (opted in): " if sensitive else "Child attribute: ") + what,
                "flag" if self.value is not None else "value",
                what + " ({value})",
                f"children.{self.attribute}"
                + (f" == '{self.value}' as 0/1" if self.value is not None else " as a number")
                + "; null (NaN) when not recorded. Fixed over time.",
            ),
        )


# ---------------------------------------------------------------------------- personas
PERSONA_DISTANCES: tuple[str, ...] = ("om", "hamming", "dhd", "lcs")
"""Sequence distances a :class:`PersonaMembership` may use (``earlysignal.personas``)."""


class PersonaFeatureError(ValueError):
    """Personas cannot be fitted or reproduced (rules ``PERSONA-DATA``, ``PERSONA-FIT``).

    Raised by ``earlysignal.features.personas``; defined here, with the spec, so that callers
    can catch it without importing the sequence code.
    """


@dataclass(frozen=True, slots=True)
class PersonaMembership(FeatureSpec):
    """Persona (typical care pathway) of the child as of t: one 0/1 column per persona.

    The child's monthly pathway from first entry, built from the months that end before the
    cutoff (``earlysignal.personas.sequences.monthly_states`` with ``as_of``), is assigned to
    the nearest of ``k`` medoids on the months it has; all columns are 0 when fewer than
    ``min_months`` months are known. The medoids are fitted on the complete ``window``-month
    pathways known before ``fit_before`` (the training period's end) only, so children and
    facts of later periods never shape them (``earlysignal.features.personas``). ``digest``
    (SHA-256 of the fitted medoids and costs) is recorded with a run; when set, a refit that
    gives other medoids (other data) is an error, rule ``PERSONA-FIT``.

    Examples
    --------
    >>> spec = PersonaMembership(fit_before=date(2020, 1, 1), window=24, k=3)
    >>> [o.name for o in spec.outputs()]
    ['persona_24m_1of3', 'persona_24m_2of3', 'persona_24m_3of3']
    >>> PersonaMembership(fit_before="2020-01-01").fit_before
    datetime.date(2020, 1, 1)
    """

    fit_before: date
    window: int = 24
    k: int = 5
    min_months: int = 3
    distance: str = "om"
    sample_size: int = 1_000
    samples: int = 2
    seed: int = 0
    digest: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.fit_before, str):  # from a saved model's features.json
            object.__setattr__(self, "fit_before", date.fromisoformat(self.fit_before))
        problems = []
        if not 2 <= self.window <= 240:
            problems.append(f"window={self.window} (2 to 240 months; 24 or 36 are usual)")
        if not 2 <= self.k <= 20:
            problems.append(f"k={self.k} (2 to 20 personas)")
        if not 1 <= self.min_months <= self.window:
            problems.append(f"min_months={self.min_months} (1 to window)")
        if self.distance not in PERSONA_DISTANCES:
            problems.append(f"distance={self.distance!r} (one of {', '.join(PERSONA_DISTANCES)})")
        if self.sample_size < 10 or self.samples < 1:
            problems.append("sample_size >= 10 and samples >= 1")
        if problems:
            raise ValueError(f"PersonaMembership: rule PERSONA-SPEC: {'; '.join(problems)}")

    def outputs(self) -> tuple[FeatureOutput, ...]:
        w, k = self.window, self.k
        return tuple(
            FeatureOutput(
                f"persona_{w}m_{j}of{k}",
                f"Care pathway so far nearest to persona {j} of {k} ({w}-month pathways)",
                "flag",
                f"care pathway so far like persona {j} of {k}" + " ({value})",
                f"1 if the child's monthly pathway from first entry, from the months ending "
                f"before the cutoff (at least {self.min_months}), is nearest ({self.distance} "
                f"distance, on the months known) to medoid {j} of the {k} personas fitted on "
                f"complete {w}-month pathways known before {self.fit_before.isoformat()}; "
                "personas numbered by size; all 0 with fewer months.",
            )
            for j in range(1, k + 1)
        )
