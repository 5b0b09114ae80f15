"""The words of a signal sheet in the reader's language: outcomes, settings, event kinds and the
plain-language phrase of every default feature.

A feature spec carries one English phrase template (``FeatureOutput.phrase``). A sheet in
another language needs the same phrase from the gettext catalogue, so the phrases of the
default features are written here as messages with named placeholders and chosen from the
feature's column name, which every spec builds deterministically (``moves_365d``,
``events_police_contact_90d``, ``current_setting_foster``, ...). Matching on the name works for
every form the descriptions come in (specs, ``features.describe`` frames, saved models). A
column this module does not know keeps its English phrase in English and is shown as
``column name: value`` in any other language, so no English sentence lands on a Dutch sheet.

Examples
--------
>>> localized_phrase("moves_365d", "nl")
'{value} keer verhuisd in de laatste 365 dagen'
>>> localized_phrase("events_police_contact_90d", "en")
'{value} police contacts in the last 90 days'
>>> outcome_name("breakdown", "nl")
'voortijdige beëindiging van de plaatsing'
>>> format_feature_value(1.0, "flag", "nl"), format_feature_value(0.25, "share", "nl")
('ja', '25\\xa0%')
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from earlysignal.i18n import N_, check_language, format_decimal, format_percent, gettext

__all__ = [
    "CARE_EVENTS",
    "EVENT_NOUNS",
    "OUTCOME_NAMES",
    "SETTING_NAMES",
    "event_noun",
    "format_feature_value",
    "localized_descriptions",
    "localized_missing",
    "localized_phrase",
    "outcome_name",
    "setting_name",
]

OUTCOME_NAMES: dict[str, str] = {
    "breakdown": N_("placement breakdown"),
    "placement breakdown": N_("placement breakdown"),
    "carousel": N_("repeated moves (the carousel)"),
    "return_home": N_("return home"),
    "reentry": N_("re-entry into care"),
    "entry": N_("entry into care"),
    "stable_return": N_("a stable return home"),
}
"""The outcome a sheet or page speaks of (the experiment's ``[outcome] name``)."""

SETTING_NAMES: dict[str, str] = {
    "kinship_foster": N_("kinship foster care"),
    "foster": N_("foster care"),
    "family_home": N_("a family-style group home"),
    "residential": N_("residential care"),
    "secure": N_("secure care"),
    "independent": N_("independent living"),
    "with_parents": N_("a placement with parents"),
    "other": N_("another kind of placement"),
}
"""Placement settings (``schema.Setting``) as a reader says them."""

EVENT_NOUNS: dict[str, tuple[str, str]] = {
    "incident": (N_("incident"), N_("incidents")),
    "missing": (N_("missing episode"), N_("missing episodes")),
    "police_contact": (N_("police contact"), N_("police contacts")),
    "school_change": (N_("change of school"), N_("changes of school")),
    "crisis": (N_("crisis"), N_("crises")),
    "caseworker_change": (N_("change of caseworker"), N_("changes of caseworker")),
    "review": (N_("care plan review"), N_("care plan reviews")),
    "support": (N_("support contact for the carer"), N_("support contacts for the carer")),
}
"""Event kinds (``DEFAULT_EVENT_KINDS`` and the simulator's ``support``): singular and plural
noun."""

_COUNTS: dict[str, tuple[str, str]] = {
    "placements": (
        N_("%(value)s placements started so far"),
        N_("%(value)s placements started in the last %(days)s days"),
    ),
    "moves": (N_("%(value)s moves so far"), N_("%(value)s moves in the last %(days)s days")),
    "breakdowns": (
        N_("%(value)s placement breakdowns so far"),
        N_("%(value)s placement breakdowns in the last %(days)s days"),
    ),
    "provider_endings": (
        N_("%(value)s placements ended by the provider so far"),
        N_("%(value)s placements ended by the provider in the last %(days)s days"),
    ),
}
_FIXED: dict[str, str] = {
    "days_since_last_move": N_("%(value)s days since the last move"),
    "days_in_current_placement": N_("%(value)s days in the current placement"),
    "settings_seen": N_("%(value)s different kinds of placement so far"),
    "distinct_providers": N_("%(value)s different carers or providers so far"),
    "unplanned_ending_share": N_("%(value)s of earlier placements ended unplanned"),
    "days_since_first_entry": N_("%(value)s days since first coming into care"),
    "reentries": N_("%(value)s returns into care after going home"),
    "age_years": N_("aged %(value)s"),
    "age_at_first_entry_years": N_("first came into care aged %(value)s"),
}
_COUNT_RE = re.compile(r"^(placements|moves|breakdowns|provider_endings)_(?:ever|(\d+)d)$")
_EVENTS_RE = re.compile(r"^events_(\w+?)_(?:ever|(\d+)d)$")
_SINCE_RE = re.compile(r"^days_since_last_(\w+)$")
_TREND_RE = re.compile(r"^trend_(\w+)_(\d+)v(\d+)d$")
_SETTING_RE = re.compile(r"^current_setting_(\w+)$")


def _tr(message: str, lang: str, **values: object) -> str:
    text = gettext(message, lang)
    return text % values if values else text


def outcome_name(outcome: str, lang: str | None = None) -> str:
    """The outcome in the reader's language (unknown names are shown with spaces).

    Examples
    --------
    >>> outcome_name("carousel", "en"), outcome_name("reentry", "nl")
    ('repeated moves (the carousel)', 'een nieuwe plaatsing na thuis wonen')
    """
    message = OUTCOME_NAMES.get(outcome) or OUTCOME_NAMES.get(outcome.replace(" ", "_"))
    return gettext(message, lang) if message else outcome.replace("_", " ")


def setting_name(setting: str, lang: str | None = None) -> str:
    """A placement setting in the reader's language.

    Examples
    --------
    >>> setting_name("family_home", "nl")
    'een gezinshuis'
    """
    message = SETTING_NAMES.get(setting)
    return gettext(message, lang) if message else setting.replace("_", " ")


CARE_EVENTS: dict[str, str] = {
    "youth_care_neighbourhood_team": N_("youth care by the neighbourhood team"),
    "youth_care_local_team": N_("youth care by the local team"),
    "youth_care_ambulant": N_("ambulant youth care at the provider"),
    "youth_care_network": N_("youth care in the young person's network"),
    "youth_care_day": N_("day care at the provider"),
    "ambulant_care": N_("ambulant youth care"),
    "day_care": N_("day care"),
    "personal_care": N_("personal care"),
    "transport": N_("transport to care"),
    "prevention_justice": N_("prevention (justice)"),
    "custom_care": N_("tailored care"),
    "mental_health_care": N_("youth mental health care"),
    "paediatric_care": N_("paediatric care"),
    "national_care": N_("nationally contracted care"),
}
"""Care without accommodation that the CBS and iJw imports record as events
(``sources/cbs_codes.toml``, ``sources/resources/ijw_mapping.toml``): an event is a record of
that care (its start, or for iJw its start or its end)."""


def event_noun(kind: str, lang: str, plural: bool) -> str:
    """An event kind as a noun in ``lang`` (unknown kinds: the kind with spaces).

    Examples
    --------
    >>> event_noun("police_contact", "nl", True), event_noun("day_care", "en", False)
    ('politiecontacten', 'record of day care')
    """
    nouns = EVENT_NOUNS.get(kind)
    if nouns is not None:
        return gettext(nouns[1] if plural else nouns[0], lang)
    care = CARE_EVENTS.get(kind)
    if care is not None:
        noun = N_("records of %(care)s") if plural else N_("record of %(care)s")
        return _tr(noun, lang, care=gettext(care, lang))
    return kind.replace("_", " ")


_event = event_noun


def localized_phrase(name: str, lang: str | None = None) -> str | None:
    """The phrase template (with ``{value}``) of a default feature column, or ``None``.

    Examples
    --------
    >>> localized_phrase("current_setting_foster", "nl")
    'nu geplaatst in pleegzorg: {value}'
    >>> localized_phrase("my_own_feature", "nl") is None
    True
    """
    code = check_language(lang)
    value = {"value": "{value}"}
    if name in _FIXED:
        return _tr(_FIXED[name], code, **value)
    if m := _COUNT_RE.match(name):
        ever, window = _COUNTS[m.group(1)]
        if m.group(2) is None:
            return _tr(ever, code, **value)
        return _tr(window, code, days=m.group(2), **value)
    if m := _TREND_RE.match(name):
        return _tr(
            N_("%(value)s more %(events)s per year recently"),
            code,
            events=_event(m.group(1), code, True),
            **value,
        )
    if m := _EVENTS_RE.match(name):
        events = _event(m.group(1), code, True)
        if m.group(2) is None:
            return _tr(N_("%(value)s %(events)s so far"), code, events=events, **value)
        return _tr(
            N_("%(value)s %(events)s in the last %(days)s days"),
            code,
            events=events,
            days=m.group(2),
            **value,
        )
    if m := _SINCE_RE.match(name):
        return _tr(
            N_("%(value)s days since the last %(event)s"),
            code,
            event=_event(m.group(1), code, False),
            **value,
        )
    if m := _SETTING_RE.match(name):
        return _tr(
            N_("currently placed in %(setting)s: %(value)s"),
            code,
            setting=setting_name(m.group(1), code),
            **value,
        )
    return None


_MISSING: dict[str, str] = {
    "days_since_last_move": N_("has not moved before"),
    "unplanned_ending_share": N_("no earlier placement has ended"),
    "days_since_first_entry": N_("was not in care before"),
    "days_in_current_placement": N_("not in a placement now"),
    "age_at_first_entry_years": N_("was not in care before"),
}


def localized_missing(name: str, lang: str | None = None) -> str:
    """What a sheet says when a feature was not recorded (NaN), in ``lang``.

    Examples
    --------
    >>> localized_missing("days_since_last_police_contact", "nl")
    'nog geen politiecontact'
    >>> localized_missing("my_own_feature", "en")
    'my_own_feature: not recorded'
    """
    code = check_language(lang)
    if name in _MISSING:
        return gettext(_MISSING[name], code)
    if m := _SINCE_RE.match(name):
        return _tr(N_("no %(event)s so far"), code, event=_event(m.group(1), code, False))
    return _tr(N_("%(name)s: not recorded"), code, name=name)


def format_feature_value(value: float, unit: str, lang: str | None = None) -> str:
    """A feature value for a reader: yes/no for flags, a percentage for shares, numbers in the
    language's format.

    Examples
    --------
    >>> format_feature_value(2.0, "moves", "en"), format_feature_value(1.25, "years", "nl")
    ('2', '1,2')
    >>> format_feature_value(-0.5, "events per year", "nl")
    '-0,5'
    """
    code = check_language(lang)
    if math.isnan(value):
        return gettext("not recorded", code)
    if unit == "flag":
        return gettext("yes", code) if value >= 0.5 else gettext("no", code)
    if unit == "share":
        return format_percent(value, code)
    if unit == "years":
        return format_decimal(round(value, 1), 1, code)
    if unit == "events per year":
        text = format_decimal(round(value, 1), 1, code)
        return text if value < 0 else "+" + text
    if float(value).is_integer():
        return str(int(value))
    return format_decimal(round(value, 1), 1, code)


def localized_descriptions(
    descriptions: Mapping[str, Mapping[str, str]], lang: str | None = None
) -> dict[str, dict[str, str]]:
    """The descriptions with each known column's phrase in ``lang``.

    In English the descriptions' own phrases are kept (the spec's words). In another language
    a column without a known phrase gets ``"name: {value}"``: its column name, never an
    English sentence.

    Examples
    --------
    >>> d = {"moves_90d": {"phrase": "{value} moves in the last 90 days", "unit": "moves"},
    ...      "x_custom": {"phrase": "{value} custom things", "unit": ""}}
    >>> localized_descriptions(d, "nl")["x_custom"]["phrase"]
    'x_custom: {value}'
    """
    code = check_language(lang)
    if code == "en":
        return {k: dict(v) for k, v in descriptions.items()}
    out: dict[str, dict[str, str]] = {}
    for name, info in descriptions.items():
        phrase = localized_phrase(name, code) or f"{name}: {{value}}"
        out[name] = {**info, "phrase": phrase, "description": name}
    return out
