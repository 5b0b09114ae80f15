"""The organisation's own card texts are shown in the card's language when translated.

The card data keep the original as the main value and the translations beside it
(``card["translations"]``); Markdown, HTML and the Dutch exports show the text of their
language where one is given, else the original.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from earlysignal.card import new_card, render_html, render_markdown, validate_card, write_card
from earlysignal.experiment.config import load_config
from earlysignal.experiment.steps_report import _fill_human_fields

EN_USE = "Research and service planning: estimate, for children in out-of-home care"
NL_USE = "Onderzoek en planning van hulp. Het model schat voor kinderen met een uithuisplaatsing"
EN_OVERSIGHT = "The score is shown to the caseworker and team leader"
NL_OVERSIGHT = "De jeugdprofessional en de teamleider zien de score"


def _card(config: str = "breakdown_180d") -> dict[str, Any]:
    """A card with the human-written fields of a shipped config, as a run fills them."""
    card = new_card(run_id="r1", experiment="e", run_name="n", outcome="breakdown",
                    horizon_days=180)  # fmt: skip
    _fill_human_fields(card, load_config(config))
    return card


def test_the_run_stores_the_translations_beside_the_originals() -> None:
    card = _card()
    assert card["intended_use"]["primary"].startswith(EN_USE)  # the original stays main
    nl = card["translations"]["nl"]
    assert nl["intended_use.primary"].startswith(NL_USE)
    assert nl["model_details.title"].startswith("Vroeg signaal van voortijdige beëindiging")
    assert len(nl["limitations"]) == 2 and len(card["limitations"]) == 3
    validate_card(card)


def test_a_dutch_card_shows_the_dutch_texts_and_not_the_english() -> None:
    card = _card()
    md, html = render_markdown(card, lang="nl"), render_html(card, lang="nl")
    for text in (md, html):
        assert NL_USE in text and NL_OVERSIGHT in text
        assert EN_USE not in text and EN_OVERSIGHT not in text
        assert "Niet elke organisatie legt die reden op dezelfde manier vast" in text
        assert "Gebruik zonder het menselijk toezicht dat op deze kaart staat" in text
    assert md.splitlines()[0] == (
        "# Vroeg signaal van voortijdige beëindiging van een plaatsing binnen 180 dagen"
    )


def test_an_english_card_shows_the_english_texts() -> None:
    card = _card()
    md, html = render_markdown(card, lang="en"), render_html(card, lang="en")
    for text in (md, html):
        assert EN_USE in text and EN_OVERSIGHT in text
        assert NL_USE not in text and NL_OVERSIGHT not in text
    assert md.splitlines()[0] == "# Early signal of placement breakdown within 180 days"


def test_a_text_without_translation_is_shown_as_written() -> None:
    card = _card()
    card["translations"]["nl"].pop("human_oversight")
    md = render_markdown(card, lang="nl")
    assert EN_OVERSIGHT in md and NL_USE in md


def test_the_written_json_validates_and_keeps_the_original(tmp_path: Path) -> None:
    out = write_card(_card(), tmp_path / "card", lang="nl")
    data = json.loads((out / "model_card.json").read_text(encoding="utf-8"))
    validate_card(data)
    assert data["intended_use"]["primary"].startswith(EN_USE)
    assert data["translations"]["nl"]["intended_use.primary"].startswith(NL_USE)
    assert NL_USE in (out / "model_card.md").read_text(encoding="utf-8")


def test_a_bad_translation_in_the_card_data_fails_validation() -> None:
    import pytest

    from earlysignal.card import CardValidationError

    card = _card()
    card["translations"]["de"] = {"intended_use.primary": "Hilfe."}
    with pytest.raises(CardValidationError):
        validate_card(card)
    card = _card()
    card["translations"]["nl"]["intended_use.main"] = "Hulp."
    with pytest.raises(CardValidationError):
        validate_card(card)


def test_a_card_without_translations_renders_as_before() -> None:
    card = _card()
    plain = {k: v for k, v in card.items() if k != "translations"}
    assert EN_USE in render_markdown(plain, lang="nl")
