"""contributions(method=...) chooses the TreeSHAP implementation; all give the same values and
``Contributions.implementation`` says which ran."""

from __future__ import annotations

import numpy as np
import pytest

from earlysignal.explain import contributions
from earlysignal.models import CalibratedRiskModel, LightGBMRiskModel, LogisticRiskModel


def _data(n: int = 1200) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    x = rng.poisson(1.0, size=(n, 5)).astype(float)
    x[rng.random(x.shape) < 0.15] = np.nan
    z = np.nan_to_num(x[:, 0]) - 0.5 * np.nan_to_num(x[:, 1]) * np.isnan(x[:, 2]) - 0.5
    return x, (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)


def test_auto_fast_and_native_agree_and_say_which_ran() -> None:
    x, y = _data()
    model = LightGBMRiskModel(n_estimators=40, num_leaves=15, min_child_samples=10, n_jobs=1).fit(
        x, y
    )
    auto = contributions(model, x[:400])
    fast = contributions(model, x[:400], method="fast")
    native = contributions(model, x[:400], method="native")
    assert (auto.method, fast.method, native.method) == ("treeshap",) * 3
    assert (auto.implementation, fast.implementation) == ("fast", "fast")
    assert native.implementation == "native"
    np.testing.assert_allclose(auto.values, native.values, rtol=0, atol=1e-9)
    np.testing.assert_allclose(fast.values, native.values, rtol=0, atol=1e-9)
    np.testing.assert_allclose(auto.base_values, native.base_values, rtol=0, atol=1e-12)
    np.testing.assert_allclose(auto.raw_score, model.raw_score(x[:400]), rtol=0, atol=1e-9)


def test_calibrated_models_are_explained_fast_through_their_base() -> None:
    x, y = _data()
    base = LightGBMRiskModel(n_estimators=20, num_leaves=7, n_jobs=1).fit(x[:800], y[:800])
    model = CalibratedRiskModel(base, method="sigmoid").fit(x[800:], y[800:])
    c = contributions(model, x[:100])
    assert c.calibrated and c.implementation == "fast"
    np.testing.assert_allclose(c.raw_score, base.raw_score(x[:100]), rtol=0, atol=1e-9)


def test_method_is_for_lightgbm_models_only_and_checked() -> None:
    x, y = _data()
    logit = LogisticRiskModel().fit(x, y)
    assert contributions(logit, x[:5]).implementation == "exact"
    with pytest.raises(ValueError, match="LightGBM models only"):
        contributions(logit, x[:5], method="fast")
    gbm = LightGBMRiskModel(n_estimators=5, num_leaves=4, n_jobs=1).fit(x, y)
    with pytest.raises(ValueError, match="'auto', 'fast' or 'native'"):
        contributions(gbm, x[:5], method="quick")  # type: ignore[arg-type]
