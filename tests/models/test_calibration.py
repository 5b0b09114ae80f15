"""Calibration on a held-out period: agreement with scikit-learn and calibrated output."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator

from earlysignal.evaluate import metrics
from earlysignal.models import CalibratedRiskModel, LightGBMRiskModel, LogisticRiskModel


def _data(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    z = -2.0 + 1.2 * X[:, 0] + 0.8 * X[:, 1] ** 2 - 0.5 * X[:, 2]
    p = 1 / (1 + np.exp(-z))
    return X, (rng.random(n) < p).astype(int), p


@pytest.mark.parametrize("method", ["isotonic", "sigmoid"])
def test_extracted_map_matches_scikit_learn(method):
    X, y, _ = _data(6000, 1)
    base = LightGBMRiskModel(n_jobs=1, n_estimators=40, min_child_samples=30).fit(
        X[:3000], y[:3000]
    )
    ours = CalibratedRiskModel(base, method=method, intervals=False).fit(X[3000:], y[3000:])
    ref = CalibratedClassifierCV(FrozenEstimator(base), method=method).fit(X[3000:], y[3000:])
    Xt, _, _ = _data(2000, 2)
    assert np.max(np.abs(ours.risk(Xt) - ref.predict_proba(Xt)[:, 1])) < 1e-12
    assert np.array_equal(ours.raw_score(Xt), base.raw_score(Xt))
    with pytest.raises(ValueError, match="intervals=False"):
        ours.predict_interval(Xt)


def test_calibration_repairs_a_miscalibrated_base_model():
    X, y, _ = _data(30000, 3)
    # A deliberately over-confident base model: a logistic model fitted with its scores doubled.
    base = LogisticRiskModel().fit(X[:10000], y[:10000])
    base.coef_ = base.coef_ * 2.0
    raw_slope = metrics.calibration_slope(y[20000:], base.risk(X[20000:]))
    assert raw_slope < 0.7
    model = CalibratedRiskModel(base, method="sigmoid").fit(X[10000:20000], y[10000:20000])
    p = model.risk(X[20000:])
    assert float(metrics.calibration_slope(y[20000:], p)) == pytest.approx(1.0, abs=0.1)
    assert abs(float(metrics.calibration_intercept(y[20000:], p))) < 0.1
    lo, hi = model.predict_interval(X[20000:])
    assert np.all(lo <= hi)
    assert np.mean(hi - lo) < 0.02


def test_base_model_is_not_refitted():
    X, y, _ = _data(4000, 4)
    base = LogisticRiskModel().fit(X[:2000], y[:2000])
    coef = base.coef_.copy()
    CalibratedRiskModel(base).fit(X[2000:], y[2000:])
    assert np.array_equal(base.coef_, coef)


def test_venn_abers_method_is_never_exactly_zero_and_is_calibrated():
    X, y, _ = _data(30000, 6)
    base = LightGBMRiskModel(n_jobs=1, n_estimators=60, min_child_samples=50).fit(
        X[:10000], y[:10000]
    )
    iso = CalibratedRiskModel(base, method="isotonic").fit(X[10000:20000], y[10000:20000])
    va = CalibratedRiskModel(base, method="venn_abers").fit(X[10000:20000], y[10000:20000])
    p = va.risk(X[20000:])
    assert np.all((p > 0) & (p < 1))
    lo, hi = va.predict_interval(X[20000:])
    assert np.all((lo <= p + 1e-12) & (p <= hi + 1e-12))
    assert float(metrics.calibration_slope(y[20000:], p)) == pytest.approx(1.0, abs=0.1)
    # Same ranking information as isotonic (both are monotone maps of the same scores).
    assert float(metrics.auroc(y[20000:], p)) == pytest.approx(
        float(metrics.auroc(y[20000:], iso.risk(X[20000:]))), abs=0.01
    )
