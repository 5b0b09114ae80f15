"""``[card.translations.<lang>]``: the organisation's card texts in another language, validated."""

from __future__ import annotations

from pathlib import Path

import pytest

from earlysignal.card.translations import FIELD_PATHS
from earlysignal.experiment.config import CardConfig, CardTranslation, ConfigError, ExperimentConfig
from earlysignal.i18n.glossary import english_terms_in

ROOT = Path(__file__).resolve().parents[2]

BASE = """
[card]
intended_use = "Offer support early."
known_limitations = ["Old data.", "Associations, not causes."]
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        ExperimentConfig.from_toml(text)
    return info.value.problems


def test_translations_are_read_per_language() -> None:
    cfg = ExperimentConfig.from_toml(
        BASE + '[card.translations.nl]\nintended_use = "Eerder hulp bieden."\n'
        'known_limitations = ["Oude gegevens.", "Verbanden, geen oorzaken."]\n'
    )
    nl = cfg.card.translations["nl"]
    assert nl.intended_use == "Eerder hulp bieden."
    assert nl.known_limitations == ["Oude gegevens.", "Verbanden, geen oorzaken."]
    assert nl.title is None
    assert ExperimentConfig.from_toml(cfg.to_toml()) == cfg  # the full config round-trips


def test_an_unknown_field_names_the_field_and_the_allowed_ones() -> None:
    (problem,) = _problems(BASE + '[card.translations.nl]\nintended_us = "Hulp."\n')
    assert "card.translations.nl.intended_us" in problem
    assert "allowed keys: title, intended_use, out_of_scope_use" in problem
    assert "rights_contact" in problem and "language" not in problem


def test_an_unknown_language_gives_the_i18n_lang_rule() -> None:
    (problem,) = _problems(BASE + '[card.translations.de]\nintended_use = "Hilfe."\n')
    assert "I18N-LANG" in problem and "'de'" in problem and "en, nl" in problem


def test_a_list_must_translate_every_item() -> None:
    (problem,) = _problems(BASE + '[card.translations.nl]\nknown_limitations = ["Oud."]\n')
    assert "card.translations.nl.known_limitations has 1 item(s)" in problem
    assert "card.known_limitations has 2" in problem


def test_a_translation_needs_its_original() -> None:
    (problem,) = _problems(BASE + '[card.translations.nl]\nfunding = "Gemeente."\n')
    assert "card.translations.nl.funding is given but card.funding is empty" in problem


def test_every_text_field_of_the_card_can_be_translated() -> None:
    texts = set(CardConfig.model_fields) - {"language", "owners", "contact", "review_date"}
    texts = texts - {"translations"} | {"description"}  # [study] description
    assert set(CardTranslation.model_fields) == texts == set(FIELD_PATHS)


def test_the_study_description_is_translated_with_the_card_texts() -> None:
    cfg = ExperimentConfig.from_toml(
        '[study]\ndescription = "Risk of a breakdown."\n'
        '[card.translations.nl]\ndescription = "Risico op voortijdige beëindiging."\n'
    )
    assert cfg.card.translations["nl"].description == "Risico op voortijdige beëindiging."
    (problem,) = _problems('[card.translations.nl]\ndescription = "Risico."\n')
    assert "card.translations.nl.description is given but study.description is empty" in problem


SHIPPED = [
    *sorted((ROOT / "experiments").glob("*.toml")),
    *sorted((ROOT / "src/earlysignal/experiment/defaults").glob("*.toml")),
]


@pytest.mark.parametrize("path", SHIPPED, ids=str)
def test_shipped_configs_have_their_card_texts_in_dutch(path: Path) -> None:
    """Every shipped study's written card texts have a Dutch translation without English
    domain words (the glossary's terms are used)."""
    cfg = ExperimentConfig.from_toml(path.read_text(encoding="utf-8"))
    card = cfg.card
    nl = card.translations["nl"]
    for name in CardTranslation.model_fields:
        original = cfg.study.description if name == "description" else getattr(card, name)
        text = getattr(nl, name)
        assert (text is not None) == bool(original), name
        for item in (text if isinstance(text, list) else [text]) if text else []:
            assert english_terms_in(item) == [], (name, item)
    # the Dutch exports copy the Dutch title into the register's `name` field
    from earlysignal.publish.algoritmeregister import standard_fields

    limit = next(f["max_length"] for f in standard_fields()["fields"] if f["key"] == "name")
    assert nl.title is not None and len(nl.title) <= limit


@pytest.mark.parametrize("path", SHIPPED, ids=str)
def test_shipped_dutch_card_texts_are_plain_dutch(path: Path) -> None:
    """B1: every translated text field (the title aside) passes the Dutch readability check
    of ``earlysignal.i18n.readability`` (Flesch-Douma, sentence length, long words)."""
    from earlysignal.i18n.readability import readability

    nl = ExperimentConfig.from_toml(path.read_text(encoding="utf-8")).card.translations["nl"]
    for name, text in nl.model_dump().items():
        if text and name != "title":
            joined = " ".join(text) if isinstance(text, list) else text
            assert readability(joined, "nl").problems == (), (name, joined)
