"""The evaluation plots in Dutch: every title, axis label, legend entry and tick label is a
Dutch catalogue text, a number in Dutch format (``0,25``, ``25 %``) or data (a model name)."""

from __future__ import annotations

import numpy as np
import pytest
from i18n_checks import not_dutch_figure_texts  # type: ignore[import-not-found]

from earlysignal.evaluate import (
    plot_decision_curve,
    plot_reliability,
    plot_risk_distribution,
    plot_roc_pr,
)
from earlysignal.i18n.figures import figure_texts

MODELS = (r"lightgbm", r"(lightgbm|logistic) \(AU(ROC|PRC) \d,\d{3}\)", r"logistic", r"ROC")


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    rng = np.random.default_rng(1)
    truth = rng.uniform(0.01, 0.5, 600)
    y = (rng.random(600) < truth).astype(int)
    preds = {"lightgbm": truth, "logistic": np.clip(truth + rng.normal(0, 0.1, 600), 0, 1)}
    return y, preds, np.arange(600) // 2


def _figures(data: tuple[np.ndarray, dict[str, np.ndarray], np.ndarray], lang: str) -> list:
    y, preds, groups = data
    return [
        plot_reliability(y, preds, groups, n_bins=5, n_boot=10, lang=lang),
        plot_decision_curve(y, preds, lang=lang),
        plot_roc_pr(y, preds, lang=lang),
        plot_risk_distribution(y, preds["lightgbm"], lang=lang),
    ]


def test_every_text_of_the_dutch_evaluation_plots_is_dutch(data) -> None:
    for fig in _figures(data, "nl"):
        texts = figure_texts(fig)
        assert texts
        assert not_dutch_figure_texts(texts, MODELS) == [], fig.axes[0].get_xlabel()


def test_the_english_plots_fail_the_dutch_check(data) -> None:
    """The check can fail: the English figures (texts and number formats) do not pass it."""
    for fig in _figures(data, "en"):
        assert not_dutch_figure_texts(figure_texts(fig), MODELS)


def test_dutch_axes_write_decimal_commas_and_percentages(data) -> None:
    reliability, decision, roc_pr, _ = _figures(data, "nl")
    ticks = [t.get_text() for t in reliability.axes[0].get_xticklabels()]
    assert ticks and all(t.endswith("\xa0%") for t in ticks)
    roc_ticks = [t.get_text() for t in roc_pr.axes[0].get_yticklabels()]
    assert "0,4" in roc_ticks and "0.4" not in roc_ticks
    assert reliability.axes[0].get_xlabel() == "gemiddeld voorspeld risico (klasse)"
    labels = [t.get_text() for t in decision.axes[0].get_legend().get_texts()]
    assert labels[-2:] == ["iedereen een signaal geven", "niemand een signaal geven"]
