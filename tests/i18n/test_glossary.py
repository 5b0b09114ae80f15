"""The glossary: in the package and in docs/glossary.md, and no Dutch text uses an English
domain term the glossary translates."""

from __future__ import annotations

from pathlib import Path

from earlysignal.i18n import read_catalogue
from earlysignal.i18n.glossary import english_terms_in, glossary, glossary_markdown, term

DOC = Path(__file__).resolve().parents[2] / "docs" / "glossary.md"

REQUIRED_NL = {
    "uithuisplaatsing", "plaatsing", "voortijdige beëindiging", "doorverhuizen / doorplaatsen",
    "pleegzorg", "netwerkpleegzorg", "gezinshuis", "residentiële jeugdhulp",
    "gesloten jeugdzorg (JeugdzorgPlus)", "terugplaatsing",
    "jeugdbeschermingsmaatregel (OTS, voogdij)", "gecertificeerde instelling",
    "jeugdhulpaanbieder", "ervaringsdeskundige", "kalibratie", "betrouwbaarheidsinterval",
    "AUROC", "beslisdrempel", "capaciteit",
}  # fmt: skip


def test_docs_glossary_is_generated_from_the_package():
    assert DOC.read_text(encoding="utf-8") == glossary_markdown(), (
        "docs/glossary.md is out of date: write earlysignal.i18n.glossary.glossary_markdown() to it"
    )


def test_glossary_holds_the_field_terms_once():
    terms = glossary()
    assert {t.nl for t in terms} >= REQUIRED_NL
    assert {"venn_abers", "treeshap", "ece", "observed_expected", "purged_split"} <= {
        t.id for t in terms
    }
    assert len({t.id for t in terms}) == len(terms)
    for t in terms:
        assert t.definition_en.strip() and t.definition_nl.strip(), t.id
        assert not english_terms_in(t.nl), t.id
        assert not english_terms_in(t.definition_nl), t.id


def test_the_check_finds_english_terms_in_dutch_text():
    hits = english_terms_in("De placement eindigt; de Threshold en de foster care.")
    assert [h.term_id for h in hits] == ["placement", "threshold", "foster_care"]
    assert hits[1].use_instead == term("threshold", "nl")
    assert english_terms_in("Het risico en de `breakdown` code.") == []


def test_no_dutch_catalogue_entry_uses_an_english_domain_term():
    bad = []
    for message in read_catalogue("nl"):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for s in strings:
            for hit in english_terms_in(s):
                bad.append((message.id, hit.word, hit.use_instead))
    assert not bad, bad
