"""The IAMA export: all questions of IAMA 1.0, answered from the run where it can be."""

from __future__ import annotations

import json

from earlysignal.card import new_card
from earlysignal.i18n.glossary import english_terms_in
from earlysignal.publish.iama import QUESTIONS, iama_answers, render_iama, write_iama


def test_the_four_parts_and_their_questions():
    assert len(QUESTIONS) == 57
    assert [q.id for q in QUESTIONS][:2] == ["1.1.1", "1.2.1"]
    assert {q.part for q in QUESTIONS} == {"1", "2A", "2B", "3", "4"}
    assert len({q.id for q in QUESTIONS}) == len(QUESTIONS)


def test_run_answers_data_model_metrics_and_audit(card):
    rows = {r["id"]: r for r in iama_answers(card)}
    assert rows["2B.3.1"]["answered_by"] == "run" and "0,701" in rows["2B.3.1"]["answer"]
    assert rows["2B.3.6"]["answered_by"] == "run" and "12\u00a0%" in rows["2B.3.6"]["answer"]
    assert rows["2A.3.2"]["answer"].startswith("Nee.")  # simulated children
    assert rows["2B.1.4"]["answered_by"] == "run"  # the rule baseline
    assert rows["4.3.1"]["answered_by"] == "organisation"
    assert rows["4.3.1"]["answer"] == "in te vullen door de organisatie"


def test_an_empty_run_answers_nothing_it_does_not_know():
    card = new_card(run_id="r", experiment="e", run_name="n", outcome="breakdown",
                    horizon_days=180)  # fmt: skip
    by = {r["id"]: r["answered_by"] for r in iama_answers(card)}
    assert by["2B.3.1"] == by["2B.3.6"] == by["3.2.1"] == "organisation"


def test_the_organisations_card_text_is_used_in_its_own_language(card):
    rows = {r["id"]: r for r in iama_answers(card, "nl")}
    assert rows["3.2.1"]["answered_by"] == "organisation"
    assert rows["3.2.1"]["card_text"] == card["human_oversight"]
    english = {r["id"]: r for r in iama_answers(card, "en")}
    assert english["3.2.1"]["answered_by"] == "card"
    assert english["3.2.1"]["question"].startswith("What role do people play")


def test_lived_experience_review_answers_the_involvement_question(card):
    card["lived_experience"] = {"took_place": True, "reviewers": [{"name": "reviewer 1"}] * 3}
    rows = {r["id"]: r for r in iama_answers(card)}
    assert "3 meelezers" in rows["3.4.2"]["answer"]


def test_dutch_markdown_and_json(card, tmp_path):
    text = render_iama(card)
    assert text.startswith("# Impact Assessment Mensenrechten en Algoritmes (IAMA)")
    assert "## Deel 4: Grondrechten" in text
    assert not english_terms_in(text.replace(card["human_oversight"], ""))
    md, js = write_iama(card, tmp_path / "iama.md")
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["language"] == "nl" and len(data["questions"]) == 57
    assert md.read_text(encoding="utf-8") == text
