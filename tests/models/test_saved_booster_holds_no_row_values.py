"""A saved LightGBM model holds no training row's exact value: the booster text's
``feature_infos`` ranges (each feature's smallest and largest training value) are not written,
and the loaded model scores and explains bit for bit like the fitted one."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from earlysignal.models import CalibratedRiskModel, LightGBMRiskModel, load_model, save_model


def test_the_saved_booster_has_no_feature_ranges_and_scores_the_same(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n = 1200
    X = np.column_stack([rng.lognormal(size=n) * 365.25, rng.poisson(2.0, size=n)])
    X[rng.random(n) < 0.1, 0] = np.nan
    y = (rng.random(n) < 1 / (1 + np.exp(-(X[:, 1] - 2.0)))).astype(int)
    gbm = LightGBMRiskModel(n_jobs=1, n_estimators=15, min_child_samples=20).fit(X[:800], y[:800])
    model = CalibratedRiskModel(gbm, method="isotonic").fit(X[800:], y[800:])
    folder = save_model(model, tmp_path / "m")
    text = (folder / "booster.txt").read_text()
    infos = next(line for line in text.splitlines() if line.startswith("feature_infos="))
    assert "[" not in infos  # no [min:max] range
    extremes = [np.nanmin(X[:800, 0]), np.nanmax(X[:800, 0]), X[:800, 1].max()]
    assert not any(repr(float(v)) in text or f"{v:.17g}" in text for v in extremes[:2])
    loaded = load_model(folder)
    new = np.column_stack([rng.lognormal(size=300) * 800, rng.poisson(4.0, size=300)])
    assert np.array_equal(loaded.raw_score(new), model.raw_score(new))
    assert np.array_equal(loaded.risk(new), model.risk(new))
    booster = loaded.base_.booster_
    assert np.array_equal(
        booster.predict(new, pred_contrib=True), gbm.booster_.predict(new, pred_contrib=True)
    )
