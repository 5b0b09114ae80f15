"""SSDA903 code sets and their mapping to earlysignal's canonical vocabularies.

The code sets follow the DfE guide as summarised in ``../shared/data/ssda903/CODES.md``; every
mapping decision is written here once, with the reason, and documented in ``docs/ssda903.md``.
The valid sets change by collection year: the union over recent years is accepted.

Examples
--------
>>> PLACE_SETTING["U1"], PLACE_SETTING["K1"]
('kinship_foster', 'secure')
>>> REASON_PLACE_CHANGE_END["CREQB"], REC_END["E4A"]
('breakdown', 'return_home')
>>> sorted(BREAKDOWN_REASONS), sorted(PROVIDER_ENDED_REASONS)
(['CHILD', 'CREQB', 'CREQO'], ['ALLEG', 'APPRR', 'CLOSE', 'STAND'])
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = [
    "BREAKDOWN_REASONS",
    "CIN_CODES",
    "ETHNIC_CODES",
    "LEGAL_STATUS_CODES",
    "MISSING_KIND",
    "PLACEMENT_CHANGE_RNE",
    "PLACE_PROVIDER_CODES",
    "PLACE_SETTING",
    "PROVIDER_ENDED_REASONS",
    "REASON_PLACE_CHANGE_END",
    "REC_END",
    "REVIEW_CODES",
    "RNE_CODES",
    "SEX_MAP",
    "SHORT_BREAK_LEGAL_STATUSES",
    "TEMPORARY_PLACES",
]

RNE_CODES: Final = frozenset({"S", "L", "P", "T", "B", "U"})
"""Reason for new episode: S started, L legal status only, P/T/B/U placement changes."""

PLACEMENT_CHANGE_RNE: Final = frozenset({"S", "P", "B", "T", "U"})
"""RNE codes that start a new placement (L is a change of legal status only)."""

LEGAL_STATUS_CODES: Final = frozenset(
    {"C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3"}
)
SHORT_BREAK_LEGAL_STATUSES: Final = frozenset({"V3", "V4"})
"""Short breaks, left out of most published statistics (kept, counted, see ``docs``)."""

CIN_CODES: Final = frozenset({f"N{i}" for i in range(1, 9)})

TEMPORARY_PLACES: Final = frozenset({"T0", "T1", "T2", "T3", "T4"})
"""Temporary moves (hospital, holiday, carer on holiday, 7 days or less): not placements."""

PLACE_SETTING: Final = MappingProxyType(
    {
        # foster care with relatives or friends
        "U1": "kinship_foster",
        "U2": "kinship_foster",
        "U3": "kinship_foster",
        # other foster care
        "U4": "foster",
        "U5": "foster",
        "U6": "foster",
        # placed for adoption: family-based but not foster care; no canonical equivalent
        "A3": "other",
        "A4": "other",
        "A5": "other",
        "A6": "other",
        "K1": "secure",  # secure children's home
        "K2": "residential",  # children's home
        "K3": "independent",  # registered supported accommodation (from 2025)
        "H5": "independent",  # semi-independent living (until 2024)
        "P1": "with_parents",
        "P2": "independent",  # independent living (until 2024)
        "P3": "other",  # residential employment
        "R1": "residential",  # residential care home
        "R2": "other",  # NHS / health establishment
        "R3": "other",  # family centre or mother-and-baby unit
        "R5": "secure",  # young offender institution (custody)
        "S1": "residential",  # residential school
        "T0": "other",
        "T1": "other",
        "T2": "other",
        "T3": "other",
        "T4": "other",
        "Z1": "other",
        "Z11": "other",
        "Z12": "other",
        "Z13": "other",
        "Z14": "other",
    }
)
"""PLACE code -> canonical ``Setting`` value."""

PLACE_PROVIDER_CODES: Final = frozenset({"PR0", "PR1", "PR2", "PR3", "PR4", "PR5"})

BREAKDOWN_REASONS: Final = frozenset({"CREQB", "CREQO", "CHILD"})
"""REASON_PLACE_CHANGE codes of a breakdown of the child's placement: the carer asks to end it
(for the child's behaviour, CREQB, or other reasons, CREQO) or the child does (CHILD). DfE's
reasons-for-change statistics group these as carer- or child-initiated endings."""

PROVIDER_ENDED_REASONS: Final = frozenset({"ALLEG", "STAND", "APPRR", "CLOSE"})
"""REASON_PLACE_CHANGE codes of unplanned endings for reasons on the provider's side (an
allegation, standards of care, the carer's approval removed, the provision closing)."""

REASON_PLACE_CHANGE_END: Final = MappingProxyType(
    {
        **dict.fromkeys(sorted(BREAKDOWN_REASONS), "breakdown"),
        **dict.fromkeys(sorted(PROVIDER_ENDED_REASONS), "provider_ended"),
        "CARPL": "planned",  # change to / implementation of the care plan
        "LAREQ": "planned",  # responsible authority requests the end: an agency decision
        "PLACE": "transfer",  # change in the status of the placement only
        "CUSTOD": "other",  # custody arrangement
        "OTHER": "other",
    }
)
"""REASON_PLACE_CHANGE code -> canonical ``EndReason`` value (placement ends, care goes on)."""

REC_END: Final = MappingProxyType(
    {
        "E11": "permanence",  # adopted (application unopposed)
        "E12": "permanence",  # adopted (consent dispensed with)
        "E13": "return_home",  # to live with parent, relative or other without PR
        "E14": "other",  # remand ended
        "E15": "other",  # age assessment found the young person to be 18+
        "E16": "other",  # moved abroad
        "E17": "aged_out",  # aged 18+ and stayed with current carers (staying put)
        "E2": "other",  # died
        "E3": "transfer",  # care taken over by another local authority
        "E4A": "return_home",  # returned home as part of care planning
        "E4B": "return_home",  # returned home not as part of care planning
        "E41": "permanence",  # residence / child arrangements order
        "E45": "permanence",  # special guardianship orders
        "E46": "permanence",
        "E47": "permanence",
        "E48": "permanence",
        "E5": "aged_out",  # independent living with formal support
        "E6": "aged_out",  # independent living without formal support
        "E7": "aged_out",  # transferred to adult social care
        "E8": "other",  # ceased for any other reason
        "E9": "other",  # sentenced to custody
    }
)
"""REC code (care ends) -> canonical ``EndReason`` value. ``X1`` is not here: it means the
episode ceased and a new one started the same day, so the child is still looked after."""

SEX_MAP: Final = MappingProxyType(
    {"1": "male", "2": "female", "M": "male", "F": "female", "U": "unknown"}
)

ETHNIC_CODES: Final = frozenset(
    {
        "WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND",
        "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
    }
)  # fmt: skip
"""Ethnicity codes (kept as the sensitive extra column ``ethnicity``; never mapped to origin)."""

MISSING_KIND: Final = MappingProxyType({"M": "missing", "A": "away"})
"""MISSING code -> event kind (missing, or away from placement without authorisation)."""

REVIEW_CODES: Final = frozenset({f"PN{i}" for i in range(8)})
"""Participation in reviews (PN0-PN7); kept in the import, not as an event value."""
