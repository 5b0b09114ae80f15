"""``earlysignal monitor --lang nl``: the monitoring report in Dutch, with no English left."""

from __future__ import annotations

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
from earlysignal.monitoring import monitor
from earlysignal.monitoring.monitor import render_report
from earlysignal.scoring import load_scoring_model
from earlysignal.synth import simulate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    s = small_study()
    model = load_scoring_model(
        s.result.run_id, tracking_uri=s.uri, workdir=tmp_path_factory.mktemp("m")
    )
    later = simulate(800, years=8, seed=4)
    return model, later, monitor(model, later.history, log_run=False, n_boot=30)


def test_dutch_report_has_no_english_left(result) -> None:  # type: ignore[no-untyped-def]
    _, _, res = result
    page = render_report(res, "nl")
    assert '<html lang="nl">' in page and "<h2>Stopregels</h2>" in page
    assert not untranslated_msgids(page), untranslated_msgids(page)
    assert not english_words(page), english_words(page)
    assert not english_terms_in(visible_text(page)), english_terms_in(visible_text(page))
    english = render_report(res, "en")
    assert "<h2>Stop rules</h2>" in english


def test_report_notes_read_plainly_in_both_languages(result) -> None:  # type: ignore[no-untyped-def]
    _, _, res = result
    for lang in ("nl", "en"):
        page = render_report(res, lang)
        note = page.split('<p class="note">')[1].split("</p>")[0]
        check = readability(visible_text(note), lang)
        assert check.ok, (lang, check.to_dict(), check.longest_sentence)


def test_cli_writes_the_dutch_report(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model, later, _ = result
    s = small_study()
    folder = later.history.write(tmp_path / "later")
    res = CliRunner().invoke(
        app, ["monitor", str(model.folder), str(folder), "--out", str(tmp_path / "rep"),
              "--tracking-uri", s.uri, "--lang", "nl"],
    )  # fmt: skip
    assert res.exit_code in (0, 1), res.output
    page = (tmp_path / "rep" / "monitoring.html").read_text(encoding="utf-8")
    assert "Bewaking: klopt het model nog?" in page
