"""The one-line description of a feature column in the reader's language.

A feature spec writes one English description (``FeatureOutput.description``), and the card
stores it beside the column name (``card["predictors"]["features"]``,
``card["explanations"]["top_features"]``). A card in another language words it again from a
few translatable templates, chosen from the column name that every spec builds
deterministically (``moves_365d``, ``events_police_contact_90d``, ``status_measure_ots``, ...),
with the event kind, placement setting and status in the language's words (the nouns of
:mod:`earlysignal.explain.phrases` and :data:`STATUS_KINDS` / :data:`STATUS_VALUES`, glossary
terms). So there is one message per *kind* of feature, not one per generated name, and cards
saved before this module are worded the same way. A kind, setting or status value the
catalogue does not know is shown as the data name (``police_contact`` as "police contact").

The English card keeps the spec's own description (the templates repeat its words). A column
that matches no template (a study's own feature) keeps its stored description in every
language: it is the study's text.

Examples
--------
>>> localized_description("moves_365d", "nl")
'Overplaatsingen in de 365 dagen vóór het voorspelmoment'
>>> localized_description("events_police_contact_90d", "nl")
'Aantal politiecontacten in de 90 dagen vóór het voorspelmoment'
>>> localized_description("status_measure_ots", "nl", "Status measure = ots in force at t")
'Geldt op het voorspelmoment: jeugdbeschermingsmaatregel, ondertoezichtstelling (OTS)'
>>> localized_description("my_own_feature", "nl", "My own words")
'My own words'
"""

from __future__ import annotations

import re

from earlysignal.explain.phrases import event_noun as _event
from earlysignal.explain.phrases import setting_name
from earlysignal.i18n import N_, check_language, gettext

__all__ = ["STATUS_KINDS", "STATUS_VALUES", "localized_description"]

STATUS_KINDS: dict[str, str] = {
    "measure": N_("child protection measure"),
    "protection_measure": N_("child protection measure"),
    "youth_care": N_("youth care"),
    "youth_probation": N_("youth probation"),
    "legal_status": N_("legal status"),
    "category_of_need": N_("category of need"),
}
"""Status kinds of the simulators and the imports (``statuses.kind``) as a reader says them."""

STATUS_VALUES: dict[str, str] = {
    "ots": N_("supervision order (OTS)"),
    "supervision_order": N_("supervision order (OTS)"),
    "supervision_order_provisional": N_("provisional supervision order"),
    "guardianship": N_("guardianship"),
    "guardianship_provisional": N_("provisional guardianship"),
    "guardianship_temporary": N_("temporary guardianship"),
    "child_protection": N_("child protection measure"),
    "probation": N_("youth probation"),
    "probation_intensive": N_("youth probation with intensive support"),
    "ambulant": N_("youth care without a placement"),
}
"""Status values (``statuses.value``) as a reader says them; codes such as the SSDA903 legal
statuses (``C2``, ``E1``) are names and stay as they are."""

_WINDOWED: dict[str, tuple[str, str]] = {
    "placements": (
        N_("Placements started before t (ever)"),
        N_("Placements started in the %(days)s days before t"),
    ),
    "moves": (
        N_("Placement moves before t (ever)"),
        N_("Placement moves in the %(days)s days before t"),
    ),
    "breakdowns": (
        N_("Placement breakdowns before t (ever)"),
        N_("Placement breakdowns in the %(days)s days before t"),
    ),
    "provider_endings": (
        N_("Placements ended on the provider's side before t (ever)"),
        N_("Placements ended on the provider's side in the %(days)s days before t"),
    ),
}
_FIXED: dict[str, str] = {
    "days_since_last_move": N_("Days since the last placement move before t"),
    "days_in_current_placement": N_("Days in the current placement at t"),
    "settings_seen": N_("Distinct placement settings before t"),
    "distinct_providers": N_("Distinct carers or providers before t"),
    "unplanned_ending_share": N_("Share of ended placements that broke down, before t"),
    "days_since_first_entry": N_("Days since first entry into care"),
    "reentries": N_("Re-entries into care after a return home, before t"),
    "age_years": N_("Age at t in years"),
    "age_at_first_entry_years": N_("Age at first entry into care in years"),
}
_COUNT_RE = re.compile(r"^(placements|moves|breakdowns|provider_endings)_(?:ever|(\d+)d)$")
_EVENTS_RE = re.compile(r"^events_(\w+?)_(?:ever|(\d+)d)$")
_SINCE_RE = re.compile(r"^days_since_last_(\w+)$")
_TREND_RE = re.compile(r"^trend_(\w+)_(\d+)v(\d+)d$")
_SETTING_RE = re.compile(r"^current_setting_(\w+)$")
_PERSONA_RE = re.compile(r"^persona_(\d+)m_(\d+)of(\d+)$")
_STATUS_TEXT = re.compile(r"^Status (.+) = (.+) in force at t$")
_ATTRIBUTE_TEXT = re.compile(r"^(Child attribute|Sensitive attribute \(opted in\)): (.+)$")


def _status_word(table: dict[str, str], word: str, lang: str) -> str:
    message = table.get(word)
    return gettext(message, lang) if message else word.replace("_", " ")


def _tr(message: str, lang: str, **values: object) -> str:
    text = gettext(message, lang)
    return text % values if values else text


def localized_description(name: str, lang: str | None = None, stored: str | None = None) -> str:
    """The description of feature column ``name`` in ``lang``.

    Parameters
    ----------
    name
        The column name (the spec builds it, e.g. ``moves_365d``).
    lang
        ``"en"`` or ``"nl"`` (default English).
    stored
        The description stored with the column (the spec's English words). English returns
        it unchanged; it is also returned in any language for a column that matches no
        template, and it gives the raw kind and value of a status or child attribute.

    Returns
    -------
    str
        The description in ``lang``; ``stored`` (or ``name`` without it) when no template fits.

    Examples
    --------
    >>> localized_description("current_setting_family_home", "nl")
    'Huidige plaatsing is een gezinshuis'
    >>> localized_description("moves_365d", "en", "Placement moves in the 365 days before t")
    'Placement moves in the 365 days before t'
    """
    code = check_language(lang)
    if code == "en" and stored:
        return stored
    return _from_template(name, code, stored) or stored or name


def _from_template(name: str, code: str, stored: str | None) -> str | None:
    if name in _FIXED:
        return _tr(_FIXED[name], code)
    if m := _COUNT_RE.match(name):
        ever, window = _WINDOWED[m.group(1)]
        return _tr(ever, code) if m.group(2) is None else _tr(window, code, days=m.group(2))
    if m := _TREND_RE.match(name):
        return _tr(
            N_(
                "Change in the yearly rate of %(events)s: last %(recent)s days vs the "
                "%(earlier)s days before"
            ),
            code,
            events=_event(m.group(1), code, True),
            recent=m.group(2),
            earlier=m.group(3),
        )
    if m := _EVENTS_RE.match(name):
        events = _event(m.group(1), code, True)
        if m.group(2) is None:
            return _tr(N_("Number of %(events)s before t (ever)"), code, events=events)
        return _tr(
            N_("Number of %(events)s in the %(days)s days before t"),
            code,
            events=events,
            days=m.group(2),
        )
    if m := _SINCE_RE.match(name):
        return _tr(
            N_("Days since the last %(event)s before t"),
            code,
            event=_event(m.group(1), code, False),
        )
    if m := _SETTING_RE.match(name):
        return _tr(
            N_("Current placement is %(setting)s"), code, setting=setting_name(m.group(1), code)
        )
    if m := _PERSONA_RE.match(name):
        return _tr(
            N_("Care pathway so far nearest to persona %(j)s of %(k)s (%(months)s-month pathways)"),
            code,
            j=m.group(2),
            k=m.group(3),
            months=m.group(1),
        )
    if name.startswith("status_") and stored and (m := _STATUS_TEXT.match(stored)):
        return _tr(
            N_("In force at t: %(kind)s, %(value)s"),
            code,
            kind=_status_word(STATUS_KINDS, m.group(1), code),
            value=_status_word(STATUS_VALUES, m.group(2), code),
        )
    if stored and (m := _ATTRIBUTE_TEXT.match(stored)):
        sensitive = m.group(1).startswith("Sensitive")
        return _tr(
            N_("Sensitive attribute (opted in): %(what)s")
            if sensitive
            else N_("Child attribute: %(what)s"),
            code,
            what=m.group(2),
        )
    return None
