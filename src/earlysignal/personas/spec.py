"""Frozen specifications of a persona analysis: the state alphabet, the window, the distance.

Kept apart from the compute code (``sequences``, ``distances``, ``cluster``) so that a study can
name its choices in one place and log them.

Examples
--------
>>> spec = PersonaSpec(window=24)
>>> spec.window, spec.distance, spec.alphabet[:3]
(24, 'om', ('at_home_measure', 'home_after_return', 'kinship_foster'))
>>> spec.state_of_setting("with_parents")
'at_home_measure'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

__all__ = [
    "DEFAULT_ALPHABET",
    "DEFAULT_SETTING_STATES",
    "Distance",
    "PersonaSpec",
    "PersonaSpecError",
]

Distance = Literal["om", "hamming", "dhd", "lcs"]

DEFAULT_ALPHABET: tuple[str, ...] = (
    "at_home_measure",
    "home_after_return",
    "kinship_foster",
    "foster",
    "family_home",
    "residential",
    "secure",
    "independent",
    "left_care",
    "moved",
)
"""Monthly states: where the child lives at the end of the month; ``moved`` marks a month in
which the child moved (a move as in ``docs/architecture.md``); ``home_after_return`` is out of
care after a ``return_home`` ending, ``left_care`` out of care after any other ending."""

DEFAULT_SETTING_STATES: Mapping[str, str] = MappingProxyType(
    {
        "with_parents": "at_home_measure",
        "kinship_foster": "kinship_foster",
        "foster": "foster",
        "family_home": "family_home",
        "residential": "residential",
        "other": "residential",
        "secure": "secure",
        "independent": "independent",
    }
)
"""Placement setting to monthly state (``other`` counts as residential by default)."""


class PersonaSpecError(ValueError):
    """A persona specification is not usable (rule PERSONA-SPEC)."""


@dataclass(frozen=True)
class PersonaSpec:
    """What a persona analysis does.

    Parameters
    ----------
    window
        Months from first entry that make a pathway (24 or 36 are usual).
    alphabet
        The monthly states, in display order. ``setting_states`` must map into it; the
        out-of-care states ``home_after_return`` and ``left_care`` and the ``moved`` mark are
        used when they are in it (leave ``moved`` out to keep the setting in move months).
    setting_states
        Placement setting to state; map two settings to one state to merge them.
    distance
        ``om`` (optimal matching), ``hamming``, ``dhd`` (dynamic Hamming) or ``lcs``.
    indel
        Insertion/deletion cost of optimal matching (``None``: half the largest substitution
        cost, at least 1, as TraMineR's ``indel="auto"``).
    substitution
        User substitution costs as ``{(state_a, state_b): cost}`` (symmetric); ``None`` derives
        them from transition rates (``2 - p(a->b) - p(b->a)``, TraMineR's ``TRATE``).
    k
        Number of personas, or ``None`` to choose by the average silhouette width in ``k_range``.
    k_range
        The numbers of personas tried when ``k`` is ``None``.
    sample_size
        CLARA: children per sample when more children than this have a complete window.
    samples
        CLARA: number of samples.
    seed
        Seed of the sampling.
    """

    window: int = 36
    alphabet: tuple[str, ...] = DEFAULT_ALPHABET
    setting_states: Mapping[str, str] = field(default_factory=lambda: DEFAULT_SETTING_STATES)
    distance: Distance = "om"
    indel: float | None = None
    substitution: Mapping[tuple[str, str], float] | None = None
    k: int | None = None
    k_range: tuple[int, ...] = (2, 3, 4, 5, 6, 7, 8)
    sample_size: int = 2_000
    samples: int = 5
    seed: int = 0

    def __post_init__(self) -> None:
        if not 2 <= self.window <= 240:
            raise PersonaSpecError(
                f"PERSONA-SPEC: window must be 2 to 240 months, got {self.window}; use 24 or 36"
            )
        missing = sorted(set(self.setting_states.values()) - set(self.alphabet))
        if missing:
            raise PersonaSpecError(
                f"PERSONA-SPEC: setting_states maps to {missing}, not in the alphabet "
                f"{list(self.alphabet)}; add them to the alphabet or change the mapping"
            )
        if len(set(self.alphabet)) != len(self.alphabet):
            raise PersonaSpecError("PERSONA-SPEC: the alphabet lists a state twice")
        if self.distance not in ("om", "hamming", "dhd", "lcs"):
            raise PersonaSpecError(
                f"PERSONA-SPEC: distance {self.distance!r} unknown; use om, hamming, dhd or lcs"
            )
        if self.k is not None and self.k < 1:
            raise PersonaSpecError(f"PERSONA-SPEC: k must be >= 1, got {self.k}")
        if any(k < 2 for k in self.k_range) or not self.k_range:
            raise PersonaSpecError("PERSONA-SPEC: k_range must hold numbers >= 2")
        if self.sample_size < 10 or self.samples < 1:
            raise PersonaSpecError("PERSONA-SPEC: sample_size must be >= 10 and samples >= 1")
        if self.substitution is not None:
            unknown = sorted({s for pair in self.substitution for s in pair} - set(self.alphabet))
            if unknown:
                raise PersonaSpecError(
                    f"PERSONA-SPEC: substitution names states {unknown} not in the alphabet"
                )

    def state_of_setting(self, setting: str) -> str:
        """The monthly state of a placement setting."""
        return self.setting_states.get(setting, self.setting_states.get("other", "residential"))
