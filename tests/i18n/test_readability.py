"""The readability check (Flesch-Douma for Dutch, Flesch reading ease for English) on the texts
this layer writes for readers, in both languages."""

from __future__ import annotations

from filled_cards import filled_card
from hypothesis import given
from hypothesis import strategies as st

from earlysignal.i18n.readability import THRESHOLDS, readability, syllables
from earlysignal.publish.algoritmeregister import algoritmeregister_record
from earlysignal.publish.review import render_questions, render_summary


def test_thresholds_are_the_documented_ones():
    assert THRESHOLDS["nl"].min_flesch == 60 and THRESHOLDS["en"].min_flesch == 60
    assert THRESHOLDS["nl"].max_mean_sentence_words == 15
    assert THRESHOLDS["en"].max_mean_sentence_words == 20


def test_the_measure_tells_hard_from_plain():
    hard = (
        "De implementatie van het risicotaxatie-instrument vereist een zorgvuldige "
        "belangenafweging tussen effectiviteitsoverwegingen en proportionaliteitsvereisten "
        "binnen het jeugdbeschermingsdomein, waarbij professionele autonomie gewaarborgd blijft."
    )
    assert not readability(hard, "nl").ok
    assert readability("Het kind woont bij een pleeggezin. Het gaat goed met hem.", "nl").ok
    assert syllables("pleegzorg", "nl") == 2


def test_review_texts_are_plain_in_both_languages():
    card = filled_card()
    for lang in ("nl", "en"):
        for text in (render_questions(lang), render_summary(card, lang)):
            result = readability(text, lang)
            assert result.ok, (lang, result.to_dict(), result.longest_sentence)


def test_algoritmeregister_b1_fields_are_plain_dutch():
    record = algoritmeregister_record(filled_card())
    for key in ("description_short", "goal"):  # the standard asks B1 for these
        result = readability(record[key], "nl")
        assert result.ok, (key, result.to_dict())


@given(st.integers(min_value=1, max_value=30))
def test_longer_sentences_never_read_easier(n):
    short = readability("Het kind woont thuis. " * 3, "nl")
    longer = readability("Het kind woont thuis " + "en het kind speelt " * n + ".", "nl")
    assert longer.mean_sentence_words > short.mean_sentence_words
    assert longer.flesch <= short.flesch


def test_iama_answers_from_the_run_are_plain_in_both_languages():
    from earlysignal.publish.iama import iama_answers

    card = filled_card()
    for lang in ("nl", "en"):
        text = " ".join(r["answer"] for r in iama_answers(card, lang) if r["answered_by"] == "run")
        result = readability(text, lang)
        assert result.ok, (lang, result.to_dict())
