"""The audit's plots in Dutch: every text is a Dutch catalogue text, a Dutch number or data
(the attribute and group of a row)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import polars as pl
import pytest
from i18n_checks import not_dutch_figure_texts  # type: ignore[import-not-found]

from earlysignal.fairness import audit
from earlysignal.fairness.plots import plot_gaps, plot_metric
from earlysignal.i18n.figures import figure_texts

GROUPS = (r"(sex|age|sex & age): [\w &]+",)  # attribute: group (data)


@pytest.fixture(scope="module")
def result():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.1, 0.5, 400)
    df = pl.DataFrame({"child_id": [str(i) for i in range(400)],
                       "sex": rng.choice(["female", "male"], 400),
                       "age": rng.choice(["young", "old", "tiny"], 400, p=[0.49, 0.49, 0.02]),
                       "risk": p, "y": (rng.random(400) < p).astype(int)})  # fmt: skip
    return audit(df, attributes=["sex", "age"], label="y", risk="risk", n_boot=10)


@pytest.mark.parametrize("metric", ["oe_ratio", "selection_rate"])
def test_every_text_of_the_dutch_audit_plots_is_dutch(result, metric: str) -> None:
    for fig in (plot_metric(result, metric, lang="nl"), plot_gaps(result, lang="nl")):
        texts = figure_texts(fig)
        plt.close(fig)
        assert texts
        assert not_dutch_figure_texts(texts, GROUPS) == [], texts
    fig = plot_metric(result, metric, lang="en")
    assert not_dutch_figure_texts(figure_texts(fig), GROUPS)  # the check can fail
    plt.close(fig)


def test_a_hidden_group_is_named_hidden_in_dutch(result) -> None:
    fig = plot_metric(result, "oe_ratio", lang="nl")
    texts = figure_texts(fig)
    plt.close(fig)
    if result.metrics.filter(pl.col("metric") == "oe_ratio")["value"].null_count():
        assert "verborgen (te weinig kinderen om te tonen)" in texts
    assert "hidden (disclosure control)" not in texts
