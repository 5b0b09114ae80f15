"""The funnel plot and the shrunken estimates in Dutch: every text is a Dutch catalogue text, a
Dutch number or data (the units' labels and the title the report passes)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import polars as pl
from i18n_checks import not_dutch_figure_texts  # type: ignore[import-not-found]

from earlysignal.i18n.figures import figure_texts
from earlysignal.steering.plots import plot_funnel, plot_shrunken

TABLE = pl.DataFrame(
    {"label": ["A-01", "A-02", "A-03"], "expected": [10.0, 40.0, 25.0],
     "ratio": [1.2, 1.9, 0.4], "flag": ["within", "above", "warning_below"],
     "shrunk": [1.1, 1.5, 0.7], "shrunk_lo": [0.8, 1.2, 0.4], "shrunk_hi": [1.4, 1.9, 1.0]}
)  # fmt: skip
DATA = (r"A-0\d", r"Onvoorziene beëindigingen")


def test_every_text_of_the_dutch_steering_figures_is_dutch() -> None:
    title = "Onvoorziene beëindigingen"
    for make in (
        lambda lang: plot_funnel(TABLE, phi=1.3, applied=True, title=title, lang=lang),
        lambda lang: plot_shrunken(TABLE, title=title, lang=lang),
    ):
        fig = make("nl")
        texts = figure_texts(fig)
        plt.close(fig)
        assert not_dutch_figure_texts(texts, DATA) == [], texts
        fig = make("en")
        assert not_dutch_figure_texts(figure_texts(fig), DATA)  # the check can fail
        plt.close(fig)
    fig = plot_funnel(TABLE, phi=1.3, applied=True, title=title, lang="nl")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)
    assert legend[:2] == ["95\xa0%-grenzen", "99,8\xa0%-grenzen"]
    assert "boven de grens" in legend
