"""The card's "do the persona features help?" text: numbers, verdicts, Dutch from the catalogue."""

from __future__ import annotations

import pytest

from earlysignal.card.texts import card_language, say

FIT = {"fit_before": "2019-09-07", "window_months": 24, "k": 5, "min_months": 3,
       "children_clustered": 2723}  # fmt: skip


def _value(verdict: str, lower: float, upper: float) -> dict:
    def row(model: str, metric: str, value: float, lo: float, hi: float) -> dict:
        return {"model": model, "metric": metric, "value": value, "lower": lo, "upper": hi}

    return {
        "rows": [
            row("with", "auroc", 0.71, 0.69, 0.73),
            row("without", "auroc", 0.70, 0.68, 0.72),
            row("difference", "auroc", 0.01, lower, upper),
            row("with", "brier", 0.03261, 0.0286, 0.0362),
            row("without", "brier", 0.03254, 0.0285, 0.0362),
            row("difference", "brier", 0.00008, -0.00006, 0.00022),
        ],
        "verdict": {"auroc": verdict, "brier": "same"},
        "n_rows": 16712,
        "n_children": 2192,
        "n_events": 578,
        "n_boot": 200,
        "level": 0.95,
    }


def _text(value: dict, lang: str = "en") -> str:
    with card_language(lang):
        blocks = say("persona_value", value, FIT)
    return " ".join(c.text for b in blocks for c in b.cells)


@pytest.mark.parametrize(
    ("verdict", "lower", "upper", "phrase"),
    [
        ("better", 0.004, 0.016, "The persona features help"),
        ("worse", -0.02, -0.001, "make the model worse"),
        ("same", -0.003, 0.02, "No clear gain"),
    ],
)
def test_verdict_follows_the_interval(verdict, lower, upper, phrase):
    text = _text(_value(verdict, lower, upper))
    assert phrase in text
    assert "2,723 pathways that were complete before 2019-09-07" in text
    assert "about 16,710 rows of 2,190 children" in text  # counts rounded to 5
    assert "difference +0.010 (" in text
    assert "Brier score (lower is better): with personas 0.0326 (0.0286 to 0.0362)" in text


def test_dutch_text_comes_from_the_catalogue():
    text = _text(_value("same", -0.003, 0.02), "nl")
    assert text.startswith("Helpen de persona's het model?")
    assert "verschil +0,010 (-0,003 tot +0,020)" in text
    assert "Geen duidelijke winst" in text and "No clear gain" not in text
