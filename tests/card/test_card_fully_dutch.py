"""A Dutch card has no English text of its own left: every sentence, label, caption and column
heading the card writes differs from the English rendering, or is a number, a name or data.

The check renders the same card data in both languages and splits each Markdown rendering into
units (sentences, list items, table cells, headings). A unit found in both renderings, with a
word in it, is untranslated unless it is data: a text stored in the card data (names, feature
descriptions, the organisation's own texts without a Dutch translation, sentences the runner
stores) or a message whose
Dutch translation is deliberately the same word ("model", "status"). Separately, no unit of the
Dutch card may be an English message of the catalogue that has a different Dutch translation
(this catches stored English defaults such as "not run" shown untranslated).
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from filled_cards import filled_card
from i18n_checks import english_words, untranslated_msgids  # type: ignore[import-not-found]

from earlysignal.card import render_markdown
from earlysignal.i18n import read_catalogue

_WORD = re.compile(r"[^\W\d_]{3,}")
_SENTENCE = re.compile(r"(?<=[.!?:;])\s+")
NAMES = frozenset(
    {"DEMO", "AUROC", "AUPRC", "FPR", "TreeSHAP", "Venn-ABERS", "Stigma", "intercept",
     "earlysignal", "uv.lock sha256", "config sha256", "Data",
     "DfE, Children looked after in England",
     "2025 (Children and Youth Services Review 171:108203)"}
)  # fmt: skip
"""Words that are the same in Dutch: names (a publication's title), abbreviations and loan
words."""


def _units(text: str) -> list[str]:
    """Sentences, list items, table cells and headings of a Markdown card (markup removed)."""
    out: list[str] = []
    for raw in text.splitlines():
        if raw.startswith("*Mitchell et al.:"):
            continue  # section names of the two English-language references, as they are named
        line = re.sub(r"<a id=[^>]*></a>|!?\[([^\]]*)\]\([^)]*\)", r"\1", raw)
        line = line.replace("\\|", "\x00")  # a pipe escaped inside a Markdown table cell
        cells = line.split("|") if line.lstrip().startswith("|") else [line]
        for cell in cells:
            text_ = re.sub(r"^[\s>#*-]+|[\s*]+$", "", cell.replace("\x00", "|"))
            for part in _SENTENCE.split(text_.replace("**", "").strip()):
                unit = part.strip(" *_`").rstrip(".:;,")
                if unit:
                    out.append(unit)
    return out


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (str(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _data_units(card: dict[str, Any]) -> set[str]:
    """Units made of what the card data hold (shown as written in any language)."""
    units: set[str] = set()
    from earlysignal.card.standards import STANDARDS

    # compliance topics, statuses and notes are the card's own words; item ids and field
    # names are names. The organisation's texts translated into Dutch ([card.translations.nl])
    # are not data: their original must not show in the Dutch card, and their Dutch is checked
    kept = {k: v for k, v in _untranslated_data(card).items() if k != "compliance"}
    names = [s for _, items in STANDARDS for m in items for s in (m.item, *m.fields)]
    for s in [*_strings(kept), *names]:
        units.update(_units(s))
        units.update(p.strip() for p in re.split(r"[,;]\s*|:\s+", s) if p.strip())
    return units


def _untranslated_data(card: dict[str, Any]) -> dict[str, Any]:
    """The card data without the organisation's texts that have a Dutch translation, and
    without the stored English the card words in its language (:func:`_without_worded`)."""
    from earlysignal.card.translations import localized_card

    nl = (card.get("translations") or {}).get("nl") or {}
    blanks = {p: [""] * len(t) if isinstance(t, list) else "" for p, t in nl.items()}
    stripped = localized_card({**card, "translations": {"nl": blanks}}, "nl")
    stripped.pop("translations", None)
    return _without_worded(stripped)


def _without_worded(card: dict[str, Any]) -> dict[str, Any]:
    """The card data without the fields the runner stores in English for code to read and the
    card words in its language (earlysignal.card.stored_words): the data source, the source's
    definitions and blind spots, the predictors' descriptions, the workload's measures, the
    reason an oracle is missing and the breakdown definition's source.
    Their English (and the column names of their tables) must not show in a Dutch card; the
    feature names stay (they are names)."""
    card = {**card, "data": dict(card["data"]), "decision": dict(card["decision"])}
    card["data"].pop("source", None)
    if isinstance(card["data"].get("source_definitions"), dict):
        card["data"]["source_definitions"] = {}
    card["predictors"] = {
        **card["predictors"],
        "features": [f["name"] for f in card["predictors"].get("features") or []],
    }
    top = card["explanations"].get("top_features")
    if isinstance(top, list):
        card["explanations"] = {**card["explanations"], "top_features": [f["feature"] for f in top]}
    card["decision"]["workload"] = []
    oracle = (card.get("performance") or {}).get("oracle")
    if isinstance(oracle, dict) and "reason" in oracle:  # why the oracle is missing
        card["performance"] = {**card["performance"], "oracle": {"status": oracle["status"]}}
    bd = (card.get("outcome") or {}).get("breakdown_definition")
    if isinstance(bd, dict):  # the definition's source (a citation, worded from the catalogue)
        card["outcome"] = {
            **card["outcome"],
            "breakdown_definition": {k: v for k, v in bd.items() if k != "source"},
        }
    return card


def _same_word_messages() -> set[str]:
    """Messages whose Dutch translation is the English word itself (names, "model", ...)."""
    return {m.id for m in read_catalogue("nl") if isinstance(m.id, str) and m.id == m.string}


def _is_data(unit: str, data: set[str]) -> bool:
    if unit in data:
        return True
    parts = [p.strip() for p in re.split(r"[,;]\s*|:\s+|\s+\(|\)", unit) if p.strip()]
    return all(p in data or not _WORD.search(p) for p in parts)


def untranslated(en: str, nl: str, card: dict[str, Any]) -> list[str]:
    """Units of the Dutch rendering left in English (see the module docs)."""
    data, same = _data_units(card), _same_word_messages()
    english = set(_units(en))
    found = []
    for unit in dict.fromkeys(_units(nl)):
        shared = unit in english and _WORD.search(unit) and unit not in same | NAMES
        if shared and not _is_data(unit, data):
            found.append(unit)
    return found


def english_messages_left(nl: str, card: dict[str, Any]) -> list[str]:
    """Units of the Dutch rendering that are an English message with another Dutch text."""
    data = _data_units(card)
    catalogue = {
        m.id: m.string
        for m in read_catalogue("nl")
        if isinstance(m.id, str) and m.string and m.string != m.id and _WORD.search(m.id)
    }
    # a one-word value of the data (a group "origin", a model "observed") is a name
    names = {u for u in data if " " not in u}
    return [u for u in dict.fromkeys(_units(nl)) if u in catalogue and u not in names]


def english_terms_left(nl: str, card: dict[str, Any]) -> list[str]:
    """The card's own Dutch units that use an English domain word the glossary translates."""
    from earlysignal.i18n.glossary import english_terms_in

    data = _data_units(card)
    return [
        f"{h.word} ({h.use_instead}): {u}"
        for u in dict.fromkeys(_units(nl))
        if not _is_data(u, data)
        for h in english_terms_in(u)
    ]


def _full_card() -> dict[str, Any]:
    """The filled card with the entry-risk ethics block and a lived-experience review."""
    from earlysignal.experiment.entry_risk import entry_risk_ethics
    from earlysignal.features.bounded import bounded_specs
    from earlysignal.publish.review import apply_reviews

    card = filled_card()
    frame = pl.DataFrame(
        {"child_id": [str(i) for i in range(300)], "origin": ["a", "b", "c"] * 100,
         "_flag": [i % 7 == 0 for i in range(300)]}
    )  # fmt: skip
    card["ethics"]["entry_risk"] = entry_risk_ethics(
        "offer support", "the ethics board", bounded_specs(), frame, ["origin"], flag="_flag"
    )
    reviewers = [
        {"name": "Sam", "agreed_to_be_named": False, "answers": {"fair": "Not sure."}},
        {"name": "Noor", "agreed_to_be_named": True, "answers": {"harm": "A label sticks."}},
    ]
    return apply_reviews(card, reviewers, date="2026-11-30")


WORDED_SECTIONS = ("data", "predictors", "decision", "explanations")
"""The sections that show the fields the card words from stored English (issue 17)."""


def _section(md: str, sid: str) -> str:
    """One section of a Markdown card (from its anchor to the next section's)."""
    parts = re.split(r'<a id="([\w-]+)"></a>', md)
    found = dict(zip(parts[1::2], parts[2::2], strict=True))
    return found[sid]


def _headings(md: str) -> list[str]:
    """The column headings of the Markdown tables of a text."""
    lines = md.splitlines()
    return [
        c.strip()
        for head, rule in itertools.pairwise(lines)
        if rule.startswith("|---") and head.strip("| ")
        for c in head.replace("\\|", "\x00").strip().strip("|").split("|")
        if c.strip()
    ]


def english_left_in_worded_sections(en: str, nl: str) -> list[str]:
    """English in the data, predictor, decision and explanation sections of a Dutch card: an
    English function word or catalogue message (tests/i18n_checks.py), or a column heading
    that is the same as in the English card (unless a name or a same-word message)."""
    same = _same_word_messages() | NAMES
    found: list[str] = []
    for sid in WORDED_SECTIONS:
        en_part, nl_part = _section(en, sid), _section(nl, sid)
        text = "\n".join(x for x in nl_part.splitlines() if not x.startswith("*Mitchell et al.:"))
        text = re.sub(r"[0-9a-f]{64}|\w*_\w*", " ", text)  # digests and column names: names
        found += [f"{sid}: word {w!r}" for w in english_words(text)]
        found += [f"{sid}: message {m!r}" for m in untranslated_msgids(text)]
        english_heads = set(_headings(en_part))
        found += [
            f"{sid}: heading {h!r}"
            for h in dict.fromkeys(_headings(nl_part))
            if h in english_heads and h not in same and _WORD.search(h)
        ]
    return found


def _worded_card(source: str) -> dict[str, Any]:
    """The filled card with every kind of default predictor (and statuses, a persona, the
    simulator's support events) described, top factors, and an imported source."""
    from earlysignal.features.defaults import default_specs, describe
    from earlysignal.features.specs import EventCount, PersonaMembership, StatusInForce
    from earlysignal.sources import cbs_codes, ijw

    specs = [
        *default_specs(),
        EventCount("support", 90),
        StatusInForce("measure", "ots"),
        StatusInForce("protection_measure", "guardianship_provisional"),
        StatusInForce("youth_probation", "probation"),
        PersonaMembership(fit_before=date(2020, 1, 1), k=2),
    ]
    card = _full_card()
    card["data"]["prediction_times"]["design"] = "Schedule(every_days=91, anchor=None)"
    features = [
        {"name": r["name"], "description": r["description"]}
        for r in describe(specs).iter_rows(named=True)
    ]
    card["predictors"] = {**card["predictors"], "features": features, "count": len(features)}
    card["explanations"]["top_features"] = [
        {"rank": i, "feature": f["name"], "description": f["description"],
         "mean |contribution|": 0.1, "lower": 0.05, "upper": 0.2, "share": 0.1}
        for i, f in enumerate(features[::9], start=1)
    ]  # fmt: skip
    if source == "cbs":
        card["data"]["source"] = "CBS youth-care files (cbs_2024) imported by earlysignal"
        card["data"]["source_definitions"] = cbs_codes.source_definitions()
    else:
        card["data"]["source"] = (
            "simulated by earlysignal.synth (500 children over 6 years, seed 3), written as "
            "1234 iJw 3.2 messages and imported"
        )
        card["data"]["source_definitions"] = ijw.source_definitions()
    return card


def _translated(card: dict[str, Any]) -> dict[str, Any]:
    """The card with the organisation's texts of the shipped demo config, and their Dutch."""
    from earlysignal.experiment.config import load_config
    from earlysignal.experiment.steps_report import _fill_human_fields

    card = {**card, "ethics": dict(card["ethics"]), "legal": dict(card["legal"])}
    _fill_human_fields(card, load_config("breakdown_180d"))
    return card


def test_the_check_finds_english_left_in_a_dutch_card() -> None:
    card = _full_card()
    en = render_markdown(card, lang="en")
    left = untranslated(en, en, card)
    assert "Glossary" in left and any(u.startswith("Who may see the scores") for u in left)
    # an organisation's text with a Dutch translation is no longer data: left in English, found
    card = _translated(card)
    en = render_markdown(card, lang="en")
    assert any(u.startswith("Research and service planning") for u in untranslated(en, en, card))
    assert "partly covered" in left  # a status of the standards' tables
    assert "to be completed by the study team" in english_messages_left(en, card)
    assert any(w.startswith("breakdown") for w in english_terms_left(en, card))
    # the stored English the card words in its language (descriptions, source, workload)
    card = _worded_card("cbs")
    en = render_markdown(card, lang="en")
    left = untranslated(en, en, card)
    assert "Placement moves in the 365 days before t" in left
    assert "CBS youth-care files (cbs_2024) imported by earlysignal" in left
    assert "precision (share of flagged rows with the event)" in left
    assert any(u.startswith("Breakdown cannot be observed directly") for u in left)
    worded = english_left_in_worded_sections(en, en)
    assert "predictors: heading 'description'" in worded
    assert "decision: heading 'measure'" in worded
    assert "predictors: word 'the'" in worded


def test_filled_card_in_dutch_has_no_english_of_its_own() -> None:
    card = _full_card()
    en, nl = render_markdown(card, lang="en"), render_markdown(card, lang="nl")
    assert untranslated(en, nl, card) == []
    assert english_messages_left(nl, card) == []
    assert english_terms_left(nl, card) == []


def test_card_with_translated_own_texts_in_dutch_has_no_english() -> None:
    """The organisation's texts of the demo config, translated in [card.translations.nl]."""
    card = _translated(_full_card())
    en, nl = render_markdown(card, lang="en"), render_markdown(card, lang="nl")
    assert "Research and service planning" in en and "Onderzoek en planning van hulp" in nl
    assert untranslated(en, nl, card) == []
    assert english_messages_left(nl, card) == []
    assert english_terms_left(nl, card) == []


def _stored_english_card() -> dict[str, Any]:
    """The translated card with the reason its oracle is missing and the breakdown
    definition's source, as a run on real data stores them (English, worded at render)."""
    from earlysignal.card import NOT_MEASURED, unknown
    from earlysignal.card.stored_words import oracle_reason
    from earlysignal.outcomes import BREAKDOWN_DEFINITION_SOURCE

    card = _translated(_full_card())
    card["performance"] = {
        **card["performance"],
        "oracle": unknown(NOT_MEASURED, oracle_reason("outcome", outcome="'entry'")),
    }
    card["outcome"] = {
        **card["outcome"],
        "breakdown_definition": {
            "name": "any_unplanned", "source": BREAKDOWN_DEFINITION_SOURCE["any_unplanned"],
            "end_reasons": ["breakdown", "provider_ended"],
            "counts": {"breakdown": 20, "provider_ended": None},
            "counts_rounding": 5, "counts_min_children": 10,
        },
    }  # fmt: skip
    return card


def test_description_oracle_reason_and_definition_source_in_dutch() -> None:
    """The study's one-line description ([card.translations.nl] description), the reason an
    oracle is missing and the breakdown definition's source are Dutch on a Dutch card."""
    card = _stored_english_card()
    en, nl = render_markdown(card, lang="en"), render_markdown(card, lang="nl")
    assert "Risk that the placement in effect breaks down (unplanned ending)" in en
    assert "Risk that the placement in effect breaks down" not in nl
    assert "Risico dat de huidige plaatsing binnen 180 dagen voortijdig stopt" in nl
    assert "does not cover the 'entry' outcome" in en and "'entry'" in nl
    assert "does not cover" not in nl
    assert "carer and child requests" in en and "carer and child requests" not in nl
    assert untranslated(en, nl, card) == []
    assert english_messages_left(nl, card) == []
    assert english_terms_left(nl, card) == []


@pytest.mark.parametrize("source", ["cbs", "ijw"])
def test_predictors_source_and_workload_in_dutch(source: str) -> None:
    """Every kind of predictor description, the data source, the source's definitions and
    blind spots, and the workload table, in Dutch (issue 17: the last English in the card)."""
    card = _worded_card(source)
    en, nl = render_markdown(card, lang="en"), render_markdown(card, lang="nl")
    assert "Overplaatsingen in de 365 dagen vóór het voorspelmoment" in nl
    assert "Geldt op het voorspelmoment: jeugdbeschermingsmaatregel, ondertoezichtstelling" in nl
    assert "voorlopige voogdij" in nl and "steuncontacten voor de opvoeder" in nl
    assert ("CBS-microdata over jeugdhulp" if source == "cbs" else "iJw 3.2-berichten") in nl
    assert "Placement moves in the 365 days before t" in en  # English keeps the spec's words
    assert untranslated(en, nl, card) == []
    assert english_messages_left(nl, card) == []
    assert english_terms_left(nl, card) == []
    assert english_left_in_worded_sections(en, nl) == []


@pytest.mark.slow
def test_demo_like_card_in_dutch_has_no_english_of_its_own(
    demo_like: tuple[dict[str, Any], Path],
) -> None:
    """The demo-like card (every section filled by a real run) rendered in both languages.

    Sentences the runner stores in the card data in English (decision rule, performance
    summary, limitations, ...) count as data here until the runner stores data instead of
    sentences (docs/i18n.md, "Not yet translated"); everything the card writes itself is
    checked.
    """
    card, _ = demo_like
    en, nl = render_markdown(card, lang="en"), render_markdown(card, lang="nl")
    assert untranslated(en, nl, card) == []
    assert english_messages_left(nl, card) == []
    assert english_terms_left(nl, card) == []
    assert english_left_in_worded_sections(en, nl) == []
