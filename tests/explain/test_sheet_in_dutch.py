"""The signal sheet in Dutch: every text through the catalogue, B1 plain language, Dutch formats;
the same sheet in English reads plainly too."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from i18n_checks import (  # type: ignore[import-not-found]
    english_words,
    untranslated_msgids,
    visible_text,
)

from earlysignal.explain import signal_sheet
from earlysignal.explain.phrases import (
    localized_descriptions,
    localized_missing,
    localized_phrase,
)
from earlysignal.explain.sheet import SignalSheet, render_sheet
from earlysignal.i18n.glossary import english_terms_in
from earlysignal.i18n.readability import readability


@pytest.fixture(scope="module")
def fitted() -> tuple[object, pl.DataFrame, tuple[object, ...], str]:
    from earlysignal.cohort import prediction_times
    from earlysignal.features import build_features, default_specs, describe
    from earlysignal.models import CalibratedRiskModel, LightGBMRiskModel
    from earlysignal.synth import simulate

    sim = simulate(400, years=4, seed=1)
    specs = default_specs(sim.history, before="all")  # descriptive: not a temporal evaluation
    frame = build_features(
        sim.history, prediction_times(sim.history), specs, outcomes=(("breakdown", 180),)
    )
    names = describe(specs)["name"].to_list()
    label = "label_breakdown_180d"
    train = frame.filter(pl.col(label).is_not_null())
    half = train.height // 2
    base = LightGBMRiskModel(n_estimators=30, num_leaves=7, min_child_samples=20).fit(
        train.head(half).select(names), train.head(half)[label].to_numpy()
    )
    model = CalibratedRiskModel(base, method="sigmoid").fit(
        train.tail(train.height - half).select(names), train.tail(train.height - half)[label]
    )
    counts = frame.group_by("child_id").len().filter(pl.col("len") >= 3)
    return model, frame, specs, counts.sort("child_id")["child_id"][0]


def _sheets(fitted: tuple, lang: str) -> list[SignalSheet]:
    model, frame, specs, child = fitted
    kids = frame["child_id"].unique(maintain_order=True).head(12).to_list()
    return [
        signal_sheet(model, frame, c, descriptions=specs, horizon_days=180,
                     outcome="breakdown", lang=lang)
        for c in [child, *kids]
    ]  # fmt: skip


def test_dutch_sheet_speaks_dutch_in_every_form(fitted: tuple) -> None:
    sheet = _sheets(fitted, "nl")[0]
    text, md, page = sheet.to_text(), sheet.to_markdown(), sheet.to_html()
    assert text.startswith(f"Signaalblad voor kind {sheet.child_id} op ")
    assert "Geschatte kans op voortijdige beëindiging van de plaatsing binnen 180 dagen" in text
    assert "Wat het getal betekent" in md and "Denk aan 100 kinderen" in md
    assert "Het is geen oordeel over het kind" in page and '<html lang="nl">' in page
    assert "Wat er veranderd is sinds het vorige voorspelmoment" in md
    assert sheet.to_dict()["lang"] == "nl"
    assert "\u00a0%" in sheet.headline()  # Dutch percentages: 27 %
    for form in (text, md, page):
        assert not untranslated_msgids(form), untranslated_msgids(form)
        assert not english_words(form), english_words(form)
        assert not english_terms_in(visible_text(form)), english_terms_in(visible_text(form))


def test_every_flagged_child_sheet_is_dutch_and_plain(fitted: tuple) -> None:
    for sheet in _sheets(fitted, "nl"):
        md = sheet.to_markdown()
        assert not english_words(md), (sheet.child_id, english_words(md))
        for factor in (*sheet.raising, *sheet.lowering):
            assert factor.feature not in factor.text  # a phrase, not a column name
        result = readability(md, "nl")
        assert result.ok, (result.to_dict(), result.longest_sentence)


def test_english_sheet_reads_plainly_and_keeps_its_words(fitted: tuple) -> None:
    sheet = _sheets(fitted, "en")[0]
    md = sheet.to_markdown()
    assert "What the number means" in md and "Think of 100 children" in md
    assert "signal for support" in md and "What this is not" in md
    result = readability(md, "en")
    assert result.ok, (result.to_dict(), result.longest_sentence)


def test_the_english_check_can_fail() -> None:
    assert english_words("Dit is het signaal for the team") == ["for", "the"]
    assert untranslated_msgids("- niets valt op") == []
    assert untranslated_msgids("- nothing stands out") == ["nothing stands out"]
    assert "What raises the estimate" in untranslated_msgids("<li>What raises the estimate</li>")


def test_every_default_feature_has_a_dutch_phrase(fitted: tuple) -> None:
    from earlysignal.features import describe

    _, _, specs, _ = fitted
    names = describe(specs)["name"].to_list()
    missing = [n for n in names if localized_phrase(n, "nl") is None]
    assert not missing, missing
    for name in names:
        phrase = localized_phrase(name, "nl")
        assert phrase is not None and "{value}" in phrase
        assert not english_words(phrase.replace("{value}", "3")), (name, phrase)


def test_unknown_columns_never_bring_english_sentences() -> None:
    d = {"my_feature": {"phrase": "{value} things that happened", "unit": ""}}
    assert localized_descriptions(d, "nl")["my_feature"]["phrase"] == "my_feature: {value}"
    assert localized_descriptions(d, "en") == d
    assert localized_missing("days_since_last_crisis", "nl") == "nog geen crisis"


def test_dutch_numbers_and_small_risks() -> None:
    sheet = SignalSheet(
        "c1", None, "carousel", None, 0.004, None, (), (), (), None, None, lang="nl"
    )
    text = render_sheet(sheet, "txt")
    assert "Geschatte kans op doorverhuizen: 0,4\u00a0%." in text
    assert "Bij minder dan 1 van hen" in text
    assert "Dit model geeft geen marge" in text
    assert not english_words(text)


@pytest.mark.parametrize("risk", [0.004, 0.27, 0.995])
def test_frequency_sentence_adds_up_to_100(risk: float) -> None:
    sheet = SignalSheet("c1", None, "breakdown", 90, risk, None, (), (), (), None, None)
    md = render_sheet(sheet, "md")
    n = round(100 * risk)
    if n >= 1:
        assert f"About {n} of them" in md and f"The other {100 - n} did not" in md
    assert math.isclose(sheet.risk, risk)
    assert np.isfinite(risk)
