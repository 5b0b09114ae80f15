"""The card's plain-language parts read at B1 in Dutch and plainly in English.

The readability check (earlysignal.i18n.readability: Flesch-Douma for Dutch, Flesch reading
ease for English, sentence length and long words; docs/i18n.md) runs on the card's summary
("In het kort" / "In short") and on the parts written for every reader: what the card rules
out, the harms the board must weigh, the child's and family's rights, the options for the
board and the lived-experience section.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from filled_cards import filled_card

from earlysignal.card.blocks import card_blocks
from earlysignal.card.texts import card_language, say
from earlysignal.i18n.readability import readability

PLAIN_MACROS = ("misuse", "harms", "rights", "options")
"""Macros of templates/texts.j2 written for every reader, not only for the board's experts."""


def _section_text(card: dict[str, Any], section_id: str, lang: str) -> str:
    with card_language(lang):
        blocks = dict((s.id, b) for s, b in card_blocks(card))[section_id]
    return "\n".join(c.text for b in blocks if b.kind in ("text", "list") for c in b.cells)


def _plain_text(lang: str) -> str:
    with card_language(lang):
        return "\n".join(c.text for m in PLAIN_MACROS for b in say(m) for c in b.cells)


START = {"nl": "Wat het schat: ", "en": "What it estimates: "}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_summary_of_a_filled_card_is_plain(lang: str) -> None:
    text = _section_text(filled_card(), "summary", lang)
    assert text.startswith(START[lang])  # the summary is in the language measured
    result = readability(text, lang)
    assert result.sentences >= 5
    assert result.ok, (lang, result.to_dict(), result.longest_sentence)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_plain_language_parts_are_plain(lang: str) -> None:
    result = readability(_plain_text(lang), lang)
    assert result.ok, (lang, result.to_dict(), result.longest_sentence)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_lived_experience_section_is_plain(lang: str) -> None:
    from earlysignal.publish.review import apply_reviews

    card = apply_reviews(
        filled_card(), [{"name": "Noor", "agreed_to_be_named": True, "answers": {"fair": "Ja."}}]
    )
    for data in (card, filled_card()):  # a review, and none
        result = readability(_section_text(data, "ethics", lang), lang)
        assert result.ok, (lang, result.to_dict(), result.longest_sentence)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_summary_of_the_demo_like_card_is_plain(
    lang: str, demo_like: tuple[dict[str, Any], Path]
) -> None:
    """The summary with every part filled by a real run (AUROC, oracle, decision rule in
    children, groups, effect sizes)."""
    card, _ = demo_like
    text = _section_text(card, "summary", lang)
    assert text.startswith(START[lang])
    result = readability(text, lang)
    assert result.sentences >= 15
    assert result.ok, (lang, result.to_dict(), result.longest_sentence)
