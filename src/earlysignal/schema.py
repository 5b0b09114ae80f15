"""The canonical care-history tables: vocabularies and column specifications.

This module is the bottom of the one-way data flow (see ``docs/architecture.md``): it imports
nothing from the rest of the package. Every other module that needs to know what a valid
``children``, ``placements``, ``events`` or ``statuses`` table looks like asks here.

Examples
--------
>>> Setting("kinship_foster").is_foster
True
>>> EndReason.BREAKDOWN.value, EndReason.PROVIDER_ENDED.value
('breakdown', 'provider_ended')
>>> [c.name for c in TABLES["events"] if c.required]
['child_id', 'date', 'kind']
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import polars as pl

__all__ = [
    "ATTRIBUTE_COLUMNS",
    "SENSITIVE_ATTRIBUTES",
    "SEX_CODES",
    "TABLES",
    "TABLE_NAMES",
    "Column",
    "EndReason",
    "Setting",
    "polars_schema",
]


class Setting(StrEnum):
    """Where a child lives during a placement (fixed vocabulary)."""

    KINSHIP_FOSTER = "kinship_foster"
    FOSTER = "foster"
    FAMILY_HOME = "family_home"
    RESIDENTIAL = "residential"
    SECURE = "secure"
    INDEPENDENT = "independent"
    WITH_PARENTS = "with_parents"
    OTHER = "other"

    @property
    def is_foster(self) -> bool:
        """Whether the setting is family-based foster care (kinship or not)."""
        return self in (Setting.KINSHIP_FOSTER, Setting.FOSTER)


class EndReason(StrEnum):
    """Why a placement ended (fixed vocabulary; null while the placement is ongoing).

    ``breakdown`` is an unplanned ending of the child's placement asked for by the carer or the
    child (SSDA903 CREQB, CREQO, CHILD; iJw JZ588 32, early by the client). ``provider_ended``
    is an unplanned ending for reasons on the provider's side: an allegation, standards of care,
    approval removed, the provision closing (SSDA903 ALLEG, STAND, APPRR, CLOSE; iJw JZ588 33,
    early by the provider). Which of the two a study counts as its outcome is the study's
    ``breakdown_definition`` (see ``earlysignal.outcomes``). A planned move is ``planned``; a
    change of legal or administrative status only is ``transfer``.
    """

    PLANNED = "planned"
    BREAKDOWN = "breakdown"
    PROVIDER_ENDED = "provider_ended"
    RETURN_HOME = "return_home"
    PERMANENCE = "permanence"
    AGED_OUT = "aged_out"
    TRANSFER = "transfer"
    OTHER = "other"


SEX_CODES: tuple[str, ...] = ("female", "male", "other", "unknown")
"""Allowed values of ``children.sex``."""

SENSITIVE_ATTRIBUTES: frozenset[str] = frozenset(
    {"sex", "origin", "disability", "unaccompanied", "nationality", "ethnicity", "religion"}
)
"""Child attributes kept for fairness audits and kept out of model inputs unless a study opts in
by name (see ``earlysignal.features``). Origin follows CBS's 2022 classification."""


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a canonical table.

    Parameters
    ----------
    name
        Column name.
    dtype
        The polars dtype the column has after loading.
    required
        Whether the table must have the column.
    nullable
        Whether nulls are allowed.
    description
        One line for humans (shown in docs and error messages).
    """

    name: str
    dtype: pl.DataType
    required: bool
    nullable: bool
    description: str


TABLES: dict[str, tuple[Column, ...]] = {
    "children": (
        Column("child_id", pl.String(), True, False, "Stable pseudonymous identifier of the child"),
        Column("birth_date", pl.Date(), True, False, "Date of birth (may be set to mid-month)"),
        Column("sex", pl.String(), True, False, "One of female, male, other, unknown"),
        Column(
            "origin", pl.String(), False, True, "CBS 2022 origin: dutch, migrant_child, migrant"
        ),
        Column("disability", pl.Boolean(), False, True, "Recorded disability"),
        Column("region", pl.String(), False, True, "Region or municipality responsible"),
        Column("unaccompanied", pl.Boolean(), False, True, "Unaccompanied asylum-seeking minor"),
        Column("sibling_group", pl.String(), False, True, "Identifier shared by siblings"),
        Column("maltreatment", pl.Boolean(), False, True, "Recorded earlier maltreatment"),
    ),
    "placements": (
        Column("child_id", pl.String(), True, False, "The child placed"),
        Column("placement_id", pl.String(), True, False, "Unique identifier of the placement"),
        Column("start", pl.Date(), True, False, "First day of the placement"),
        Column("end", pl.Date(), True, True, "Last day (the move day); null while ongoing"),
        Column("setting", pl.String(), True, False, "One of the Setting vocabulary"),
        Column("provider_id", pl.String(), False, True, "Carer or provider identifier"),
        Column("end_reason", pl.String(), True, True, "One of EndReason; null while ongoing"),
        Column("end_reason_detail", pl.String(), False, True, "The source's own end code"),
        Column("temporary", pl.Boolean(), False, False, "Respite or short move (not counted)"),
        Column("siblings_together", pl.Boolean(), False, True, "Placed with siblings"),
    ),
    "events": (
        Column("child_id", pl.String(), True, False, "The child concerned"),
        Column("date", pl.Date(), True, False, "Day the event happened"),
        Column("kind", pl.String(), True, False, "Open vocabulary: incident, missing, review, ..."),
        Column("value", pl.Float64(), False, True, "Optional magnitude (duration, severity)"),
    ),
    "statuses": (
        Column("child_id", pl.String(), True, False, "The child concerned"),
        Column("kind", pl.String(), True, False, "What the status is about: legal_status, ..."),
        Column("value", pl.String(), True, False, "The status value, e.g. a legal-status code"),
        Column("start", pl.Date(), True, False, "First day the status holds"),
        Column("end", pl.Date(), True, True, "Last day it holds; null while in force"),
    ),
}
"""Column specifications of every canonical table, in canonical column order."""

TABLE_NAMES: tuple[str, ...] = ("children", "placements", "events", "statuses")

ATTRIBUTE_COLUMNS: tuple[str, ...] = tuple(c.name for c in TABLES["children"][3:])
"""Optional child attributes (beyond id, birth date and sex)."""


def polars_schema(table: str, *, required_only: bool = False) -> dict[str, pl.DataType]:
    """Return the polars schema of a canonical table.

    Examples
    --------
    >>> polars_schema("events", required_only=True)
    {'child_id': String, 'date': Date, 'kind': String}
    """
    return {c.name: c.dtype for c in TABLES[table] if c.required or not required_only}
