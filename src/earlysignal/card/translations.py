"""The organisation's own card texts in more than one language (``[card.translations.<lang>]``).

The human-written fields of the card (title, intended use, oversight, legal basis, rights, ...)
are written by the organisation in one language; the experiment config may give the same
fields in another language under ``[card.translations.nl]`` or ``[card.translations.en]``.
The run stores them in the card data as ``card["translations"][lang][path]`` (a card path
such as ``"intended_use.primary"``); the main value at that path stays the original text, so
the JSON always holds what the organisation wrote first. The renderers and the Dutch exports
show a card through :func:`localized_card`, which puts the text of the rendering language in
place where a translation exists and leaves every other value as it is.

This is a small mapping of our own rather than a gettext catalogue: the texts belong to the
organisation and its run, not to the library, so they travel with the card data.

Examples
--------
>>> from earlysignal.card import new_card
>>> card = new_card(run_id="r", experiment="e", run_name="n", outcome="breakdown",
...                 horizon_days=180)
>>> card["intended_use"]["primary"] = "Offer support early."
>>> card["translations"] = card_translations({"nl": {"intended_use": "Eerder hulp bieden."}})
>>> localized_card(card, "nl")["intended_use"]["primary"]
'Eerder hulp bieden.'
>>> localized_card(card, "en")["intended_use"]["primary"]
'Offer support early.'
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = [
    "FIELD_PATHS",
    "LIST_FIELDS",
    "card_translations",
    "has_translation",
    "localized_card",
]

FIELD_PATHS: dict[str, str] = {
    "description": "model_details.description",  # [study] description
    "title": "model_details.title",
    "intended_use": "intended_use.primary",
    "out_of_scope_use": "intended_use.out_of_scope",
    "human_oversight": "human_oversight",
    "legal_basis": "legal.basis",
    "objection_route": "legal.objection_route",
    "monitoring": "monitoring.plan",
    "known_limitations": "limitations",
    "ethical_considerations": "ethics.considerations",
    "funding": "ethics.funding",
    "lived_experience_involvement": "ethics.lived_experience_involvement",
    "rights_informed": "rights.informed",
    "rights_access": "rights.access",
    "rights_correction": "rights.correction",
    "rights_contact": "rights.contact",
}
"""The ``[card]`` fields that may be translated, and where the card data keep each one
(``description`` is ``[study] description``, translated in ``[card.translations.<lang>]`` too)."""

LIST_FIELDS: frozenset[str] = frozenset({"out_of_scope_use", "known_limitations"})
"""Fields that are lists: a translation has one text per item, in the same order."""


def card_translations(
    translations: Mapping[str, Mapping[str, Any]],
) -> dict[str, dict[str, Any]]:
    """The card data's ``translations``: per language, card path to translated text.

    ``translations`` maps a language to ``{config field: text or list of texts}`` (the
    ``[card.translations.<lang>]`` tables; ``None`` or empty values are left out).

    Examples
    --------
    >>> card_translations({"nl": {"title": "Signaal", "funding": None}})
    {'nl': {'model_details.title': 'Signaal'}}
    """
    out: dict[str, dict[str, Any]] = {}
    for lang, fields in translations.items():
        texts = {
            FIELD_PATHS[name]: list(value) if isinstance(value, list | tuple) else value
            for name, value in fields.items()
            if value not in (None, "", [], ())
        }
        if texts:
            out[lang] = texts
    return out


def has_translation(card: Mapping[str, Any], path: str, lang: str) -> bool:
    """Whether the card holds a text of the organisation at ``path`` in ``lang``.

    Examples
    --------
    >>> has_translation({"translations": {"nl": {"legal.basis": "Jeugdwet"}}}, "legal.basis", "nl")
    True
    """
    found = (card.get("translations") or {}).get(lang) or {}
    return path in found


def localized_card(card: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """A copy of the card with the organisation's texts in ``lang`` where they were translated.

    A text is replaced only where the card still holds a text of the organisation there (a
    string, or for a list the organisation's first items); a field the card marks "to be
    completed" stays marked. ``limitations`` holds the organisation's known limitations
    first and the run's own after them: only the first items are replaced.

    Examples
    --------
    >>> card = {"limitations": ["Old data.", {"text": "limitation_simulated", "args": {}}],
    ...         "translations": {"nl": {"limitations": ["Oude gegevens."]}}}
    >>> localized_card(card, "nl")["limitations"][0]
    'Oude gegevens.'
    """
    found = (card.get("translations") or {}).get(lang) or {}
    out = copy.deepcopy(dict(card))
    for path, text in found.items():
        *parents, leaf = path.split(".")
        node: Any = out
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            continue
        current = node.get(leaf)
        if isinstance(text, str) and isinstance(current, str):
            node[leaf] = text
        elif isinstance(text, list) and isinstance(current, list):
            n = len(text)
            if len(current) >= n and all(isinstance(v, str) for v in current[:n]):
                node[leaf] = [*text, *current[n:]]
    return out
