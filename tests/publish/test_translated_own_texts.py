"""The Dutch exports take the organisation's Dutch translation of its card texts
(``[card.translations.nl]``) even when the card itself is written in English."""

from __future__ import annotations

from typing import Any

from earlysignal.card import new_card, validate_card
from earlysignal.experiment.config import load_config
from earlysignal.experiment.steps_report import _fill_human_fields
from earlysignal.publish.algoritmeregister import algoritmeregister_record, open_marker
from earlysignal.publish.iama import iama_answers
from earlysignal.publish.review import apply_reviews


def _card(translated: bool = True) -> dict[str, Any]:
    card = new_card(run_id="r1", experiment="e", run_name="n", outcome="breakdown",
                    horizon_days=180)  # fmt: skip
    _fill_human_fields(card, load_config("breakdown_180d"))
    if not translated:
        card.pop("translations")
    return card


def test_algoritmeregister_takes_the_dutch_title_and_oversight() -> None:
    record = algoritmeregister_record(_card())
    assert record["name"].startswith("Vroeg signaal van voortijdige beëindiging")
    assert record["human_intervention"].startswith("De jeugdprofessional en de teamleider")
    untranslated = algoritmeregister_record(_card(translated=False))
    assert untranslated["human_intervention"] == open_marker("nl")
    assert untranslated["name"] != record["name"]  # the run's own name, not the card title


def test_iama_answers_oversight_from_the_dutch_translation() -> None:
    by_id = {r["card_text"]: r for r in iama_answers(_card(), "nl") if r["card_text"]}
    oversight = next(r for t, r in by_id.items() if t.startswith("De jeugdprofessional"))
    assert oversight["answered_by"] == "card"
    rows = iama_answers(_card(translated=False), "nl")
    english = next(r for r in rows if (r["card_text"] or "").startswith("The score is shown"))
    assert english["answered_by"] == "organisation"


def test_a_review_replaces_the_translated_involvement_text() -> None:
    card = _card()
    card["ethics"]["lived_experience_involvement"] = "Not yet."
    card["translations"]["nl"]["ethics.lived_experience_involvement"] = "Nog niet."
    reviewed = apply_reviews(card, [{"name": "Noor", "agreed_to_be_named": True,
                                     "answers": {"fair": "Ja"}}])  # fmt: skip
    validate_card(reviewed)
    assert "ethics.lived_experience_involvement" not in reviewed["translations"]["nl"]
    assert "intended_use.primary" in reviewed["translations"]["nl"]
