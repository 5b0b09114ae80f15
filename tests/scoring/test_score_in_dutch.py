"""``earlysignal score --lang nl``: sheets and overview page in Dutch, no English left; the card's
language (saved with the model) is the default."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from i18n_checks import (  # type: ignore[import-not-found]
    english_words,
    untranslated_msgids,
    visible_text,
)
from studies import small_study  # type: ignore[import-not-found]
from typer.testing import CliRunner

from earlysignal.cli import app
from earlysignal.i18n.glossary import english_terms_in
from earlysignal.i18n.readability import readability
from earlysignal.scoring import score

pytestmark = pytest.mark.slow


def _no_english(text: str) -> None:
    assert not untranslated_msgids(text), untranslated_msgids(text)
    assert not english_words(text), english_words(text)
    assert not english_terms_in(visible_text(text)), english_terms_in(visible_text(text))


def test_dutch_scoring_writes_dutch_sheets_and_overview(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h = small_study().sim.history
    out = tmp_path / "nl"
    result = score(loaded, h, as_of=h.observed_until, out=out, log_run=False, lang="nl")
    assert result.summary["language"] == "nl"
    assert json.loads((out / "scoring.json").read_text())["language"] == "nl"
    overview = (out / "overview.html").read_text(encoding="utf-8")
    assert '<html lang="nl">' in overview and "Gesignaleerd door de beslisregel" in overview
    _no_english(overview)
    sheets = sorted((out / "sheets").glob("*.md"))
    assert sheets
    for md in sheets:
        text = md.read_text(encoding="utf-8")
        assert text.startswith("# Signaalblad voor kind ")
        _no_english(text)
        _no_english(md.with_suffix(".html").read_text(encoding="utf-8"))
        result_nl = readability(text, "nl")
        assert result_nl.ok, (md.name, result_nl.to_dict(), result_nl.longest_sentence)


def test_overview_summary_reads_plainly_in_both_languages(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h = small_study().sim.history
    for lang in ("nl", "en"):
        out = tmp_path / lang
        score(loaded, h, as_of=h.observed_until, out=out, log_run=False, lang=lang)
        page = (out / "overview.html").read_text(encoding="utf-8")
        box = page.split('<div class="not">')[1].split("</div>")[0]
        result = readability(visible_text(box), lang)
        assert result.ok, (lang, result.to_dict(), result.longest_sentence)


def test_the_cards_language_is_the_default(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h = small_study().sim.history
    dutch = replace(loaded, metadata={**loaded.metadata, "language": "nl"})
    result = score(dutch, h, as_of=h.observed_until, out=tmp_path / "a", log_run=False)
    assert result.summary["language"] == "nl"
    english = score(dutch, h, as_of=h.observed_until, out=tmp_path / "b", log_run=False, lang="en")
    assert english.summary["language"] == "en"
    assert "Flagged by the card" in (tmp_path / "b" / "overview.html").read_text()
    assert loaded.metadata.get("language") == "en"  # the runner saves [card] language


def test_cli_lang_option(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s = small_study()
    end = s.sim.history.observed_until.isoformat()
    base = ["score", str(loaded.folder), str(s.data), "--as-of", end, "--tracking-uri", s.uri]
    res = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "nl"), "--lang", "nl"])
    assert res.exit_code == 0, res.output
    assert "Signalen van" in (tmp_path / "nl" / "overview.html").read_text(encoding="utf-8")
    res = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "fr"), "--lang", "fr"])
    assert res.exit_code == 2 and "I18N-LANG" in res.output
    assert not (tmp_path / "fr").exists()
