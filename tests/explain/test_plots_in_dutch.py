"""The contribution plots in Dutch: every title, axis label, legend entry and tick label is a
Dutch catalogue text, a number in Dutch format or data (a feature's name or label)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import polars as pl
from i18n_checks import not_dutch_figure_texts  # type: ignore[import-not-found]

from earlysignal.explain import Contributions, contribution_bins
from earlysignal.explain.plots import (
    beeswarm,
    contribution_summary_plot,
    dependence,
    importance_plot,
)
from earlysignal.i18n.figures import figure_texts

FEATURES = (r"n_moves", r"age", r"aantal verhuizingen")


def _contrib() -> Contributions:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 2))
    return Contributions(x * [1.0, 0.3], np.zeros(120), x, ("n_moves", "age"), "linear")


def _figures(lang: str) -> list:
    c = _contrib()
    importance = pl.DataFrame(
        {"feature": ["n_moves", "age"], "mean_abs": [0.3, 0.1], "lo": [0.2, 0.05],
         "hi": [0.4, 0.15]}
    )  # fmt: skip
    labels = {"n_moves": "aantal verhuizingen"} if lang == "nl" else None
    return [
        contribution_summary_plot(contribution_bins(c, np.arange(120)), lang=lang, labels=labels),
        importance_plot(importance, lang=lang, labels=labels),
        beeswarm(c, lang=lang),
        dependence(c, "n_moves", lang=lang),
    ]


def test_every_text_of_the_dutch_contribution_plots_is_dutch() -> None:
    figs = _figures("nl")
    try:
        for fig in figs:
            texts = figure_texts(fig)
            assert texts
            assert not_dutch_figure_texts(texts, FEATURES) == [], texts
        ticks = [t.get_text() for t in figs[1].axes[0].get_yticklabels()]
        assert "aantal verhuizingen" in ticks  # the label, not the column name
    finally:
        for fig in figs:
            plt.close(fig)


def test_the_english_contribution_plots_fail_the_dutch_check() -> None:
    figs = _figures("en")
    try:
        for fig in figs:
            assert not_dutch_figure_texts(figure_texts(fig), FEATURES)
    finally:
        for fig in figs:
            plt.close(fig)
