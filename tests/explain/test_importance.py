"""Global importance with bootstrap intervals and the stability of the top factors."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from earlysignal.explain import (
    beeswarm,
    contributions,
    dependence,
    global_importance,
    importance_plot,
    top_factor_stability,
)
from earlysignal.models import LightGBMRiskModel

matplotlib.use("Agg")


def _data(n: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 5))
    z = 1.5 * x[:, 0] - 0.8 * x[:, 1] + 0.3 * x[:, 2] - 1
    return x, (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)


def test_importance_ranks_strong_features_first_with_intervals() -> None:
    x, y = _data()
    model = LightGBMRiskModel(n_estimators=50, num_leaves=7, min_child_samples=30).fit(x, y)
    c = contributions(model, x[:1000])
    groups = np.repeat(np.arange(500), 2)
    table = global_importance(c, n_boot=100, groups=groups)
    assert table["feature"].to_list()[:2] == ["x0", "x1"]
    assert (table["lo"] <= table["mean_abs"]).all() and (table["mean_abs"] <= table["hi"]).all()
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["rank"].to_list() == list(range(1, 6))
    for fig in (beeswarm(c), dependence(c, "x0", color="x1"), importance_plot(table)):
        assert fig.axes
        matplotlib.pyplot.close(fig)


def test_top_factors_are_stable_for_a_clear_signal_and_unstable_for_noise() -> None:
    x, y = _data(2000)
    model = LightGBMRiskModel(n_estimators=30, num_leaves=7, min_child_samples=30).fit(x, y)
    s = top_factor_stability(model, x, y, n_refits=5, top_k=2, eval_rows=500)
    assert s.mean_jaccard == 1.0
    assert s.table.filter(s.table["feature"] == "x0")["top_k_share"][0] == 1.0
    noise_y = np.random.default_rng(1).integers(0, 2, x.shape[0])
    noisy = LightGBMRiskModel(n_estimators=30, num_leaves=7, min_child_samples=30).fit(x, noise_y)
    s2 = top_factor_stability(noisy, x, noise_y, n_refits=5, top_k=2, eval_rows=500)
    assert s2.mean_jaccard < 1.0
