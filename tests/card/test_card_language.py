"""The card renders in Dutch or English from the same language-neutral card data."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from earlysignal.card import new_card, render_html, render_markdown, write_card
from earlysignal.i18n import UnsupportedLanguageError

_CODE = re.compile(r"`[^`]*`")
_EN_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.,])\d+(?:\.\d+)?")
_NL_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:\.\d{3})+(?:,\d+)?|(?<![\w.,])\d+(?:,\d+)?")


def _numbers(markdown: str, lang: str) -> Counter[float]:
    """The numbers a reader sees (code spans, ids and the provenance section left out)."""
    body = markdown.split('<a id="provenance"></a>', maxsplit=1)[0]
    body = _CODE.sub(" ", body)
    body = re.sub(r"\d{4}-\d{2}-\d{2}T[\d:.+]+", " ", body)  # generation timestamp
    body = re.sub(r"(?<![\w.,])\d+\.\d+\.\d+(?![\w,])", " ", body)  # versions (0.1.0)
    found: list[float] = []
    if lang == "en":
        found = [float(t.replace(",", "")) for t in _EN_NUMBER.findall(body)]
    else:
        found = [float(t.replace(".", "").replace(",", ".")) for t in _NL_NUMBER.findall(body)]
    return Counter(round(v, 6) for v in found)


def _card() -> dict[str, Any]:
    card = new_card(run_id="r1", experiment="e", run_name="n", outcome="breakdown",
                    horizon_days=180)  # fmt: skip
    card["data"]["simulated"] = True
    card["performance"]["metrics"] = [
        {"model": "lightgbm", "metric": "auroc", "value": 0.7123, "lower": 0.69, "upper": 0.7345}
    ]
    return card


def test_dutch_card_has_dutch_frame_and_english_default() -> None:
    card = _card()
    en, nl = render_markdown(card), render_markdown(card, lang="nl")
    assert en.splitlines()[2] == "# Model card: n"
    assert "# Modelkaart: n" in nl
    assert "## In het kort" in nl and "## In short" not in nl
    assert "GESIMULEERDE GEGEVENS" in nl and "SIMULATED DATA" in en
    assert "in te vullen door het onderzoeksteam" in nl
    html = render_html(card, lang="nl")
    assert '<html lang="nl">' in html and ">Woordenlijst</a>" in html
    assert '<html lang="en">' in render_html(card)


def test_unsupported_language_names_the_rule() -> None:
    with pytest.raises(UnsupportedLanguageError, match="I18N-LANG"):
        render_markdown(_card(), lang="fr")


def test_json_keeps_neutral_data_and_records_the_language(tmp_path: Path) -> None:
    nl = write_card(_card(), tmp_path / "nl", lang="nl")
    en = write_card(_card(), tmp_path / "en", lang="en")
    nl_data = json.loads((nl / "model_card.json").read_text())
    en_data = json.loads((en / "model_card.json").read_text())
    assert (nl_data["language"], en_data["language"]) == ("nl", "en")
    for d in (nl_data, en_data):
        d.pop("language"), d.pop("generated")
    assert nl_data == en_data
    # re-rendering the stored data keeps its language unless asked otherwise
    assert "# Modelkaart: n" in render_markdown(json.loads((nl / "model_card.json").read_text()))


def test_same_numbers_in_both_languages() -> None:
    card = _card()
    en, nl = render_markdown(card, lang="en"), render_markdown(card, lang="nl")
    assert "0,712" in nl or "0,71" in nl
    assert _numbers(en, "en") == _numbers(nl, "nl")


@pytest.mark.slow
def test_cli_rerenders_a_dutch_run_in_english_with_the_same_numbers(
    demo_like: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from earlysignal.cli import app

    card, folder = demo_like
    uri = f"sqlite:///{folder.parent.parent / 'mlruns.db'}"
    run_id = card["run"]["run_id"]
    runner = CliRunner()
    texts, images = {}, {}
    for lang in ("nl", "en"):
        out = tmp_path / lang
        done = runner.invoke(
            app, ["card", run_id, "--tracking-uri", uri, "--out", str(out), "--lang", lang]
        )
        assert done.exit_code == 0, done.output
        (md,) = out.glob("*/model_card.md")
        texts[lang] = md.read_text()
        images[lang] = {f["file"]: (md.parent / "figures" / f["file"]).read_bytes()
                        for f in card["figures"]}  # fmt: skip
    for file, png in images["nl"].items():  # the figures are drawn in each card's language
        assert png != images["en"][file], file
        assert json.loads(md.with_suffix(".json").read_text())["language"] == lang
    assert "## In het kort" in texts["nl"] and "## In short" in texts["en"]
    en_numbers, nl_numbers = _numbers(texts["en"], "en"), _numbers(texts["nl"], "nl")
    assert sum(en_numbers.values()) > 50
    assert en_numbers == nl_numbers, (en_numbers - nl_numbers, nl_numbers - en_numbers)


def test_dates_are_written_for_the_language() -> None:
    card = _card()
    card["data"]["period"] = {"first_prediction_time": "2018-01-01",
                              "last_prediction_time": "2024-12-01"}  # fmt: skip
    nl, en = render_markdown(card, lang="nl"), render_markdown(card, lang="en")
    assert "| eerste voorspelmoment | 1 januari 2018 |" in nl
    assert "| laatste voorspelmoment | 1 december 2024 |" in nl
    assert "| first prediction time | January 1, 2018 |" in en
    assert "De voorspelmomenten lopen van 1 januari 2018 tot 1 december 2024" in nl
