"""The persona figures in Dutch: the words come translated from the report, and the numbers on
the axes and in the heat map are written in Dutch (``0,25``, ``25 %``)."""

from __future__ import annotations

import polars as pl
from i18n_checks import not_dutch_figure_texts  # type: ignore[import-not-found]

from earlysignal.i18n import gettext
from earlysignal.i18n.figures import figure_texts
from earlysignal.personas.plots import plot_state_distribution, plot_transitions
from earlysignal.personas.report import PLOT_WORDS, STATE_LABELS

ALPHABET = ("foster", "residential")


def _figures(lang: str) -> list:
    dist = pl.DataFrame({"persona": [1] * 4, "month": [1, 2, 1, 2],
                         "state": ["foster", "foster", "residential", "residential"],
                         "share": [0.7, 0.6, 0.3, 0.3]})  # fmt: skip
    trans = pl.DataFrame({"persona": [1] * 3, "from_state": ["foster", "foster", "residential"],
                          "to_state": ["foster", "residential", "residential"],
                          "rate": [0.875, 0.125, 1.0]})  # fmt: skip
    labels = {s: gettext(STATE_LABELS[s], lang) for s in ALPHABET}
    words = {k: gettext(v, lang) for k, v in PLOT_WORDS.items()}
    return [
        plot_state_distribution(dist, 1, ALPHABET, labels, words, lang=lang),
        plot_transitions(trans, 1, ALPHABET, labels, words, lang=lang),
    ]


def test_every_text_of_the_dutch_persona_figures_is_dutch() -> None:
    dist, trans = _figures("nl")
    for fig in (dist, trans):
        assert not_dutch_figure_texts(figure_texts(fig)) == [], figure_texts(fig)
    assert "0,88" in [t.get_text() for t in trans.axes[0].texts]
    assert not_dutch_figure_texts(figure_texts(_figures("en")[1]))  # the check can fail
