"""A card whose counts are hidden (a study of fewer than 10 children: every count published as
null) still exports: the IAMA, the Algoritmeregister record and the card itself say "fewer than
10", never "None", and never fail; the review summary renders too (issue 12 follow-up)."""

from __future__ import annotations

from typing import Any

import pytest
from filled_cards import filled_card

from earlysignal.card import render_html, render_markdown, validate_card
from earlysignal.publish.algoritmeregister import algoritmeregister_record, check_record
from earlysignal.publish.iama import iama_answers, render_iama
from earlysignal.publish.review import render_summary

HIDDEN = {"en": "fewer than 10", "nl": "minder dan 10"}
HIDDEN_RATE = {"en": "hidden (fewer than 10 children)", "nl": "verborgen (minder dan 10 kinderen)"}


def _hidden_card() -> dict[str, Any]:
    """The export fixture card with every count the card may hide published as null."""
    card = filled_card()
    card["data"]["counts"] = {"placements": None, "events": None, "children": None}
    card["data"]["prediction_times"].update(
        {"rows": None, "children": None, "excluded": {"no placement": None}}
    )
    card["outcome"]["censoring"].update(
        {"rows": None, "censored": None, "labelled": None, "positives": None}
    )
    card["outcome"]["competing_by_age"] = [
        {"age band": "under 16", "n_children": None, "rows": None, "events": None,
         "event_rate": None, "mean_risk": None},
        {"age band": "16-17", "n_children": None, "rows": None, "events": None,
         "event_rate": None, "mean_risk": None},
    ]  # fmt: skip
    return card


def test_the_hidden_card_is_a_valid_card() -> None:
    validate_card(_hidden_card())


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_iama_says_fewer_than_10_for_a_hidden_count(lang: str) -> None:
    card = _hidden_card()
    rows = {r["id"]: r for r in iama_answers(card, lang)}
    text = render_iama(card, lang)
    assert "None" not in text
    assert HIDDEN[lang] in rows["2A.2.2"]["answer"]  # estimates left out: hidden count


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_iama_of_real_records_says_how_many_children_hidden(lang: str) -> None:
    card = _hidden_card()
    card["data"]["simulated"] = False
    card["data"]["source"] = "canonical folder (gemeente)"
    answer = {r["id"]: r for r in iama_answers(card, lang)}["2A.3.2"]["answer"]
    assert HIDDEN[lang] in answer and "None" not in answer


def test_the_algoritmeregister_record_says_fewer_than_10() -> None:
    record = algoritmeregister_record(_hidden_card())  # the register is Dutch
    for key, value in record.items():
        assert "None" not in str(value), key
    assert HIDDEN["nl"] in record["source_data"]
    assert check_record(record).ok


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_card_renders_hidden_counts_without_none(lang: str) -> None:
    card = _hidden_card()
    md = render_markdown(card, lang)
    html = render_html(card, lang=lang)
    assert "None" not in md and "None" not in html
    assert HIDDEN[lang] in md and HIDDEN[lang] in html
    assert HIDDEN_RATE[lang] in md  # a rate of the results by age, hidden
    assert "| - |" not in "\n".join(  # no hidden count shown as missing ("-")
        line for line in md.splitlines() if "prediction time" in line or "under 16" in line
    )


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_review_summary_renders_a_hidden_card_without_none(lang: str) -> None:
    assert "None" not in render_summary(_hidden_card(), lang)
