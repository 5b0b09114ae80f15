"""The iJw mapping: product categories, product codes and JZ588 end reasons to canonical values.

The mapping is data, kept in a TOML file the user can give (``--mapping``); the defaults are
in ``earlysignal/sources/resources/ijw_mapping.toml`` and explained in ``docs/ijw.md``. A
delivery's target is looked up by product code first (``[products."<category>"]``), then by
category (``[categories]``); a pair found in neither is *unmapped*, and the import lists every
unmapped pair with its count (rule ``ijw.unmapped_product``).

Examples
--------
>>> m = load_mapping()
>>> m.target("35", "PZ001").setting, m.end_reasons["32"], m.end_reasons["33"]
('foster', 'breakdown', 'provider_ended')
>>> m.target("48", None).as_, m.target("46", None).temporary
('status', True)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from earlysignal.schema import EndReason, Setting

__all__ = [
    "JZ020_CATEGORIES",
    "JZ588_REASONS",
    "PAUSE",
    "IjwMapping",
    "MappingError",
    "Target",
    "default_mapping_text",
    "load_mapping",
]

JZ020_CATEGORIES: frozenset[str] = frozenset(
    [str(c) for c in range(31, 39)] + [str(c) for c in range(40, 56)]
)
"""Product categories of code list JZ020 (iJw 3.2)."""

JZ588_REASONS: frozenset[str] = frozenset(
    {"02", "20", "31", "32", "33", "34", "35", "36", "37", "38", "39"}
)
"""Reasons for ending of code list JZ588 (iJw 3.2)."""

PAUSE = "pause"
"""The end-reason value that marks a temporary interruption rather than an end (JZ588 20)."""

_AS = ("placement", "event", "status")


class MappingError(ValueError):
    """A mapping file that cannot be used: names the file, the key, the value and the fix."""


@dataclass(frozen=True, slots=True)
class Target:
    """What one kind of delivery becomes in the canonical tables.

    Parameters
    ----------
    as_
        ``placement``, ``event`` or ``status`` (``as`` in the TOML file).
    setting, temporary
        For placements: the canonical setting and whether the placement is temporary.
    kind, value
        For events the event kind (``<kind>_start`` / ``<kind>_end``; placements with a kind
        add a ``<kind>`` event at their start); for statuses the status kind and value.
    """

    as_: Literal["placement", "event", "status"]
    setting: str | None = None
    temporary: bool = False
    kind: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class IjwMapping:
    """A complete mapping (see the module docstring and ``docs/ijw.md``)."""

    categories: dict[str, Target]
    products: dict[str, dict[str, Target]]
    end_reasons: dict[str, str]
    move_gap_days: int = 7
    stop_lag_working_days: int = 5
    origin: str = "default"
    extra: dict[str, Any] = field(default_factory=dict)

    def target(self, category: str, code: str | None) -> Target | None:
        """The target of a delivery of ``category`` and product ``code`` (None if unmapped)."""
        if code is not None:
            t = self.products.get(category, {}).get(code)
            if t is not None:
                return t
        return self.categories.get(category)


def default_mapping_text() -> str:
    """The text of the default mapping file (a starting point for your own)."""
    ref = resources.files("earlysignal.sources.resources") / "ijw_mapping.toml"
    return ref.read_text(encoding="utf-8")


def _target(raw: Any, where: str, origin: str) -> Target:
    if not isinstance(raw, dict):
        raise MappingError(
            f'{origin}: {where} must be a table like {{ as = "placement", setting = "foster" }}'
            f", got {raw!r}"
        )
    unknown = set(raw) - {"as", "setting", "temporary", "kind", "value"}
    if unknown:
        raise MappingError(
            f"{origin}: {where} has unknown key(s) {sorted(unknown)}; allowed: as, setting, "
            "temporary, kind, value"
        )
    as_ = raw.get("as")
    if as_ not in _AS:
        raise MappingError(f"{origin}: {where}.as must be one of {_AS}, got {as_!r}")
    setting = raw.get("setting")
    if as_ == "placement":
        valid = [s.value for s in Setting]
        if setting not in valid:
            raise MappingError(f"{origin}: {where}.setting must be one of {valid}, got {setting!r}")
    elif as_ == "event" and not raw.get("kind"):
        raise MappingError(f'{origin}: {where} (an event) needs kind = "..."')
    elif as_ == "status" and not (raw.get("kind") and raw.get("value")):
        raise MappingError(f"{origin}: {where} (a status) needs kind and value")
    temporary = raw.get("temporary", False)
    if not isinstance(temporary, bool):
        raise MappingError(f"{origin}: {where}.temporary must be true or false")
    return Target(as_, setting, temporary, raw.get("kind"), raw.get("value"))


def _parse(data: dict[str, Any], origin: str) -> IjwMapping:
    known = {
        "extends",
        "move_gap_days",
        "stop_lag_working_days",
        "end_reasons",
        "categories",
        "products",
    }
    unknown = set(data) - known
    if unknown:
        raise MappingError(f"{origin}: unknown key(s) {sorted(unknown)}; allowed: {sorted(known)}")
    reasons = {str(k): str(v) for k, v in data.get("end_reasons", {}).items()}
    allowed = {e.value for e in EndReason} | {PAUSE}
    for code, value in reasons.items():
        if code not in JZ588_REASONS:
            raise MappingError(
                f"{origin}: end_reasons has {code!r}, not a JZ588 code {sorted(JZ588_REASONS)}"
            )
        if value not in allowed:
            raise MappingError(
                f"{origin}: end_reasons.{code} = {value!r}; use one of {sorted(allowed)}"
            )
    categories = {}
    for cat, raw in data.get("categories", {}).items():
        if str(cat) not in JZ020_CATEGORIES:
            raise MappingError(f"{origin}: categories has {cat!r}, not a JZ020 product category")
        categories[str(cat)] = _target(raw, f"categories.{cat}", origin)
    products: dict[str, dict[str, Target]] = {}
    for cat, table in data.get("products", {}).items():
        if str(cat) not in JZ020_CATEGORIES:
            raise MappingError(f"{origin}: products has {cat!r}, not a JZ020 product category")
        if not isinstance(table, dict):
            raise MappingError(f"{origin}: products.{cat} must be a table of product codes")
        products[str(cat)] = {
            str(code): _target(raw, f"products.{cat}.{code}", origin) for code, raw in table.items()
        }
    gap = data.get("move_gap_days", 7)
    lag = data.get("stop_lag_working_days", 5)
    for name, v in (("move_gap_days", gap), ("stop_lag_working_days", lag)):
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 365:
            raise MappingError(f"{origin}: {name} must be a whole number of days 0-365, got {v!r}")
    return IjwMapping(categories, products, reasons, gap, lag, origin)


def load_mapping(path: str | Path | None = None) -> IjwMapping:
    """Load a mapping file, or the defaults when ``path`` is None.

    A file with ``extends = "default"`` is laid over the defaults (its ``end_reasons``,
    ``categories`` and ``products`` entries replace the default entries of the same key);
    without it, the file is the whole mapping, and what it does not map is unmapped.

    Raises
    ------
    MappingError
        When the file is missing, not TOML, or holds an unknown key or value.

    Examples
    --------
    >>> load_mapping().move_gap_days
    7
    """
    default = tomllib.loads(default_mapping_text())
    if path is None:
        return _parse(default, "default mapping")
    p = Path(path)
    if not p.is_file():
        raise MappingError(
            f"mapping file {str(p)!r} does not exist; give a TOML file (start from the "
            "defaults in docs/ijw.md)"
        )
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"mapping file {p.name}: not valid TOML: {exc}") from None
    extends = data.get("extends")
    if extends not in (None, "default"):
        raise MappingError(f'{p.name}: extends must be "default" or absent, got {extends!r}')
    if extends == "default":
        merged: dict[str, Any] = {**default, **{k: v for k, v in data.items() if k != "extends"}}
        for key in ("end_reasons", "categories"):
            merged[key] = {**default.get(key, {}), **data.get(key, {})}
        products: dict[str, Any] = {k: dict(v) for k, v in default.get("products", {}).items()}
        for cat, table in data.get("products", {}).items():
            products.setdefault(cat, {}).update(table)
        merged["products"] = products
        data = merged
    return _parse(data, p.name)
