"""The lived-experience review on the card, in both languages; and that no review took place."""

from __future__ import annotations

from typing import Any

import pytest
from filled_cards import filled_card

from earlysignal.card import render_html, render_markdown, write_card
from earlysignal.publish.review import apply_reviews, no_review

REVIEWERS = [
    {"name": "Sam", "agreed_to_be_named": False, "answers": {"fair": "Niet altijd."}},
    {"name": "Noor", "agreed_to_be_named": True,
     "answers": {"harm": "Een etiket blijft plakken.", "other": "Vraag het kind zelf."}},
]  # fmt: skip


def _ethics(markdown: str, lang: str) -> str:
    start = '<a id="ethics"></a>'
    return markdown.split(start, 1)[1].split("<a id=", 1)[0]


def _reviewed() -> dict[str, Any]:
    return apply_reviews(filled_card(), REVIEWERS, date="2026-11-30")


@pytest.mark.parametrize(
    ("lang", "none_took_place"),
    [
        ("en", "No one with lived experience of care has read along for this run."),
        ("nl", "Voor deze run heeft nog niemand met eigen ervaring in de jeugdhulp meegelezen."),
    ],
)
def test_card_says_when_no_review_took_place(lang: str, none_took_place: str) -> None:
    card = filled_card()
    card["lived_experience"] = no_review()
    for c in (card, filled_card()):  # the runner's "no review", and a card without the section
        ethics = _ethics(render_markdown(c, lang=lang), lang)
        assert f"*{none_took_place}*" in ethics
        assert none_took_place in render_html(c, lang=lang)


def test_review_is_shown_in_english_with_names_only_with_consent() -> None:
    ethics = _ethics(render_markdown(_reviewed(), lang="en"), "en")
    assert "People with lived experience of care read along. 2 of them" in ethics
    assert "Date of the review: November 30, 2026." in ethics
    assert "| reviewer | question | answer |" in ethics
    assert "| reviewer 1 | Is it fair? | Niet altijd. |" in ethics
    assert "| Noor | What could go wrong? | Een etiket blijft plakken. |" in ethics
    assert "| Noor | Anything else? | Vraag het kind zelf. |" in ethics
    assert "Sam" not in ethics
    assert "No one with lived experience" not in ethics
    assert "People with lived experience reviewed this run: 2 reviewers" in ethics  # item 19


def test_review_is_shown_in_dutch() -> None:
    ethics = _ethics(render_markdown(_reviewed(), lang="nl"), "nl")
    assert "Ervaringsdeskundigen uit de jeugdhulp lazen mee. 2 van hen gaven antwoord" in ethics
    assert "Datum van het meelezen: 30 november 2026." in ethics
    assert "| meelezer | vraag | antwoord |" in ethics
    assert "| meelezer 1 | Is het eerlijk? | Niet altijd. |" in ethics
    assert "| Noor | Wat kan er misgaan? | Een etiket blijft plakken. |" in ethics
    assert "Sam" not in ethics and "reviewer" not in ethics
    # TRIPOD+AI item 19 is shown in the card's language, not as the stored English text
    assert "People with lived experience reviewed" not in ethics


def test_written_card_keeps_the_review_data_language_neutral(tmp_path: Any) -> None:
    import json

    out = write_card(_reviewed(), tmp_path / "card", lang="nl")
    data = json.loads((out / "model_card.json").read_text())
    assert data["lived_experience"]["reviewers"][0]["name"] == "reviewer 1"
    assert "Noor" in (out / "model_card.html").read_text()
