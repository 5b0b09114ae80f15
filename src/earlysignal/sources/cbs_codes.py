"""Code lists and column names for CBS youth-care microdata, as a small frozen spec.

The defaults live in the package resource ``cbs_codes.toml`` (with their sources and what could
be verified); a user's TOML file replaces whole sections of it (see ``docs/cbs.md``). The texts
a card shows about CBS data (definitions and blind spots) live in ``cbs_definitions.toml`` and
are returned as data by :func:`source_definitions`.

Examples
--------
>>> codes = load_codes()
>>> codes.hulpvorm[11].setting, codes.hulpvorm[2].kind
('foster', 'event')
>>> codes.maatregel[21].value, codes.gap_days
('guardianship', 7)
>>> sorted(source_definitions())
['blind_spots', 'definitions', 'source', 'translations']
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from earlysignal.schema import EndReason, Setting

__all__ = [
    "COLUMN_ROLES",
    "CBSCodes",
    "CBSCodesError",
    "HulpvormCode",
    "MaatregelCode",
    "load_codes",
    "source_definitions",
]

COLUMN_ROLES: dict[str, tuple[str, ...]] = {
    "hulp": ("hulp_person_type", "hulp_person", "hulpvorm", "hulp_begin", "hulp_end"),
    "bescherm": (
        "bescherm_person_type",
        "bescherm_person",
        "maatregel",
        "bescherm_begin",
        "bescherm_end",
    ),
    "persons": ("persons_person_type", "persons_person", "sex", "birth_year", "birth_month"),
}
"""The column roles each kind of file must fill (names per role are in ``[columns]``)."""


class CBSCodesError(ValueError):
    """A code-list file that cannot be used (rule ``cbs.bad_codes_file``)."""


@dataclass(frozen=True, slots=True)
class HulpvormCode:
    """One JGDHHULPVORM code: a placement (with a setting) or an event (with an event kind)."""

    code: int
    label: str
    kind: Literal["placement", "event"]
    setting: str | None
    event: str | None


@dataclass(frozen=True, slots=True)
class MaatregelCode:
    """One JGDBMAATREGEL code, read as a status ``(kind, value)``."""

    code: int
    label: str
    kind: str
    value: str


@dataclass(frozen=True)
class CBSCodes:
    """Everything the CBS import reads by name or code (see ``cbs_codes.toml``).

    Attributes
    ----------
    hulpvorm, maatregel
        Code -> meaning, for JGDHHULPVORM and JGDBMAATREGEL.
    columns
        Role -> accepted column names (first present wins); ``known_extra`` columns are read
        without a warning; ``provider`` names a provider column or is empty.
    open_end
        End-date values meaning "still open".
    gap_days
        Largest gap (days) between two accommodation trajectories that still makes one move.
    end_reason_column, end_reasons
        An optional end-reason column and its code map (empty: none, end reason ``other``).
    sex
        GBAGESLACHT code -> canonical sex.
    source
        Where the lists come from (shown in the import report).
    origin
        The file the codes were read from (``"defaults"`` or a path).
    """

    hulpvorm: Mapping[int, HulpvormCode]
    maatregel: Mapping[int, MaatregelCode]
    columns: Mapping[str, tuple[str, ...]]
    known_extra: tuple[str, ...]
    provider: str
    open_end: tuple[str, ...]
    gap_days: int
    end_reason_column: str
    end_reasons: Mapping[str, str]
    sex: Mapping[str, str]
    source: str
    origin: str = "defaults"


def _defaults() -> dict[str, Any]:
    text = (resources.files("earlysignal.sources") / "cbs_codes.toml").read_text("utf-8")
    return tomllib.loads(text)


def _int_code(key: str, section: str, origin: str) -> int:
    try:
        return int(key)
    except ValueError:
        raise CBSCodesError(
            f"[cbs.bad_codes_file] {origin}: [{section}.{key}] is not a numeric code. "
            f"Fix: name each code by its number, e.g. [{section}.11]"
        ) from None


def _parse(raw: dict[str, Any], origin: str) -> CBSCodes:
    settings = {s.value for s in Setting}
    hulp: dict[int, HulpvormCode] = {}
    for key, v in raw.get("hulpvorm", {}).items():
        code = _int_code(key, "hulpvorm", origin)
        kind = v.get("kind")
        if kind == "placement" and v.get("setting") in settings:
            hulp[code] = HulpvormCode(
                code, str(v.get("label", "")), "placement", v["setting"], None
            )
        elif kind == "event" and isinstance(v.get("event"), str) and v["event"]:
            hulp[code] = HulpvormCode(code, str(v.get("label", "")), "event", None, v["event"])
        else:
            raise CBSCodesError(
                f"[cbs.bad_codes_file] {origin}: [hulpvorm.{key}] needs kind = 'placement' with a "
                f"setting in {sorted(settings)}, or kind = 'event' with an event name; got {v!r}. "
                "Fix: correct that section (see the defaults in docs/cbs.md)"
            )
    maat: dict[int, MaatregelCode] = {}
    for key, v in raw.get("maatregel", {}).items():
        code = _int_code(key, "maatregel", origin)
        if not (isinstance(v.get("kind"), str) and isinstance(v.get("value"), str)):
            raise CBSCodesError(
                f"[cbs.bad_codes_file] {origin}: [maatregel.{key}] needs kind and value "
                f"(e.g. kind = 'protection_measure', value = 'supervision_order'); got {v!r}"
            )
        maat[code] = MaatregelCode(code, str(v.get("label", "")), v["kind"], v["value"])
    cols = raw.get("columns", {})
    columns: dict[str, tuple[str, ...]] = {}
    for roles in COLUMN_ROLES.values():
        for role in roles:
            names = cols.get(role)
            if not names or not all(isinstance(n, str) for n in names):
                raise CBSCodesError(
                    f"[cbs.bad_codes_file] {origin}: [columns] {role} must list at least one "
                    f"column name; got {names!r}"
                )
            columns[role] = tuple(names)
    ends = raw.get("end_reasons", {})
    reasons = {str(k): str(v) for k, v in ends.get("codes", {}).items()}
    bad = {k: v for k, v in reasons.items() if v not in {r.value for r in EndReason}}
    if bad:
        raise CBSCodesError(
            f"[cbs.bad_codes_file] {origin}: [end_reasons.codes] maps to unknown end reasons "
            f"{bad}; use one of {[r.value for r in EndReason]}"
        )
    gap = raw.get("moves", {}).get("gap_days", 7)
    if not isinstance(gap, int) or gap < 0:
        raise CBSCodesError(
            f"[cbs.bad_codes_file] {origin}: [moves] gap_days must be a whole number >= 0, "
            f"got {gap!r}"
        )
    return CBSCodes(
        hulpvorm=hulp,
        maatregel=maat,
        columns=columns,
        known_extra=tuple(cols.get("known_extra", ())),
        provider=str(cols.get("provider", "")),
        open_end=tuple(str(x) for x in raw.get("dates", {}).get("open_end", ("",))),
        gap_days=gap,
        end_reason_column=str(ends.get("column", "")),
        end_reasons=reasons,
        sex={str(k): str(v) for k, v in raw.get("sex", {}).items()},
        source=str(raw.get("source", "")),
        origin=origin,
    )


def load_codes(path: str | Path | None = None, **overrides: Any) -> CBSCodes:
    """Load the default code lists, with the sections of a user's TOML file replacing them.

    Parameters
    ----------
    path
        A TOML file in the layout of ``cbs_codes.toml`` (docs/cbs.md); ``None``: defaults.
    **overrides
        Top-level sections to replace after the file, e.g. ``moves={"gap_days": 1}``.

    Raises
    ------
    CBSCodesError
        The file is missing, not TOML, or a section cannot be used (rule cbs.bad_codes_file).

    Examples
    --------
    >>> load_codes(moves={"gap_days": 1}).gap_days
    1
    """
    raw = _defaults()
    origin = "defaults"
    if path is not None:
        p = Path(path)
        try:
            user = tomllib.loads(p.read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CBSCodesError(
                f"[cbs.bad_codes_file] {p}: cannot be read as TOML ({exc}). Fix: give a TOML "
                "file in the layout of the shipped defaults (docs/cbs.md)"
            ) from None
        unknown = set(user) - set(raw)
        if unknown:
            raise CBSCodesError(
                f"[cbs.bad_codes_file] {p}: unknown section(s) {sorted(unknown)}; the sections "
                f"are {sorted(raw)}"
            )
        raw.update(user)
        origin = str(p)
    raw.update(overrides)
    return _parse(raw, origin)


def source_definitions() -> dict[str, Any]:
    """What placements, moves, breakdown and doorverhuizing are in CBS data, and its blind spots.

    Returns the card's ``data.source_definitions`` block: ``{"source": "cbs", "definitions":
    [{"term", "text"}...], "blind_spots": [str...], "translations": {"nl": {"title",
    "definitions", "blind_spots"}}}``, read from ``cbs_definitions.toml`` (the Dutch texts are
    its ``*_nl`` entries; a card rendered in Dutch shows them).

    Examples
    --------
    >>> d = source_definitions()
    >>> d["source"], [x["term"] for x in d["definitions"]][:2]
    ('cbs', ['placement', 'move'])
    """
    text = (resources.files("earlysignal.sources") / "cbs_definitions.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    nl = {
        "title": raw["title_nl"],
        "definitions": [{"term": d["term_nl"], "text": d["text_nl"]} for d in raw["definitions"]],
        "blind_spots": list(raw["blind_spots_nl"]),
    }
    return {
        "source": "cbs",
        "definitions": [{"term": d["term"], "text": d["text"]} for d in raw["definitions"]],
        "blind_spots": list(raw["blind_spots"]),
        "translations": {"nl": nl},
    }
