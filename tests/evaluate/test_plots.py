"""Each plot returns a matplotlib Figure with the expected content."""

from __future__ import annotations

import numpy as np

from earlysignal.evaluate import (
    plot_decision_curve,
    plot_reliability,
    plot_risk_distribution,
    plot_roc_pr,
)


def test_plots_return_figures(tmp_path):
    rng = np.random.default_rng(0)
    truth = rng.uniform(0.01, 0.6, 1500)
    y = (rng.random(1500) < truth).astype(int)
    groups = np.arange(1500) // 3
    preds = {"oracle": truth, "flat": np.full(1500, y.mean())}
    figs = [
        plot_reliability(y, preds, groups, n_boot=30),
        plot_decision_curve(y, preds),
        plot_roc_pr(y, preds),
        plot_risk_distribution(y, truth),
    ]
    for i, fig in enumerate(figs):
        assert type(fig).__name__ == "Figure"
        assert fig.axes
        fig.savefig(tmp_path / f"{i}.png")
        assert (tmp_path / f"{i}.png").stat().st_size > 1000
    labels = [t.get_text() for t in figs[1].axes[0].get_legend().get_texts()]
    assert labels == ["oracle", "flat", "treat all", "treat none"]
    assert len(figs[2].axes) == 2
