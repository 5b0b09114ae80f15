"""Property tests for the metrics scikit-learn lacks (ECE, slope, intercept, Brier terms)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from earlysignal.evaluate import metrics as M

probs = arrays(np.float64, st.integers(2, 80), elements=st.floats(0, 1))


@st.composite
def labelled(draw):
    p = draw(probs)
    y = draw(arrays(np.int64, p.size, elements=st.integers(0, 1)))
    w = draw(arrays(np.float64, p.size, elements=st.integers(0, 3).map(float)))
    return y, p, w


@given(labelled(), st.integers(1, 15))
def test_ece_lies_in_unit_interval(data, n_bins):
    y, p, w = data
    value = float(M.ece(y, p, n_bins=n_bins))
    assert 0.0 <= value <= 1.0
    if w.sum() > 0:
        assert 0.0 <= float(M.ece(y, p, w, n_bins=n_bins)) <= 1.0


@given(labelled(), st.integers(1, 15))
def test_brier_decomposition_adds_up(data, n_bins):
    y, p, w = data
    for weights in (None, w if w.sum() > 0 else None):
        d = M.brier_decomposition(y, p, weights, n_bins=n_bins)
        total = d["reliability"] - d["resolution"] + d["uncertainty"] + d["within_bin"]
        assert float(total) == pytest.approx(float(M.brier(y, p, weights)), abs=1e-12)
        assert d["reliability"] >= -1e-15
        assert d["resolution"] >= -1e-15


def test_decomposition_without_within_bin_term_for_binned_forecasts():
    rng = np.random.default_rng(0)
    p = rng.choice([0.1, 0.3, 0.6], size=3000)
    y = (rng.random(3000) < p).astype(int)
    d = M.brier_decomposition(y, p, n_bins=10)
    assert abs(float(d["within_bin"])) < 1e-12


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_perfectly_calibrated_predictor_has_slope_one_intercept_zero(seed):
    rng = np.random.default_rng(seed)
    p = 1 / (1 + np.exp(-rng.normal(-1.5, 1.2, 60000)))
    y = (rng.random(p.size) < p).astype(int)
    assert float(M.calibration_slope(y, p)) == pytest.approx(1.0, abs=0.05)
    assert float(M.calibration_intercept(y, p)) == pytest.approx(0.0, abs=0.04)
    assert float(M.ece(y, p)) < 0.01


def test_slope_and_intercept_detect_miscalibration():
    rng = np.random.default_rng(5)
    z = rng.normal(-1.5, 1.0, 60000)
    y = (rng.random(z.size) < 1 / (1 + np.exp(-z))).astype(int)
    too_extreme = 1 / (1 + np.exp(-2 * z))
    too_high = 1 / (1 + np.exp(-(z + 0.7)))
    assert float(M.calibration_slope(y, too_extreme)) == pytest.approx(0.5, abs=0.05)
    assert float(M.calibration_intercept(y, too_high)) == pytest.approx(-0.7, abs=0.05)


@given(labelled(), st.lists(st.floats(0.01, 0.99), min_size=1, max_size=5))
def test_net_benefit_of_treat_none_is_zero_and_treat_all_formula(data, thresholds):
    y, _, _ = data
    t = np.array(thresholds)
    assert np.all(M.net_benefit(y, np.zeros(y.size), t) == 0)
    prev = y.mean()
    expected = prev - (1 - prev) * t / (1 - t)
    assert np.allclose(M.treat_all_net_benefit(y, t), expected)


def test_net_benefit_of_a_perfect_model_is_prevalence():
    y = np.array([0, 0, 1, 1, 0])
    assert np.allclose(M.net_benefit(y, y.astype(float), np.array([0.2, 0.5])), 0.4)


def test_batched_weights_equal_repeated_rows():
    rng = np.random.default_rng(3)
    p = rng.random(50)
    y = (rng.random(50) < p).astype(int)
    w = rng.integers(0, 3, size=(4, 50)).astype(float)
    for b in range(4):
        rep = np.repeat(np.arange(50), w[b].astype(int))
        for fn in (M.auroc, M.average_precision, M.brier, M.log_loss, M.calibration_slope):
            assert float(fn(y, p, w)[b]) == pytest.approx(float(fn(y[rep], p[rep])), rel=1e-9)


def test_capacity_counts_alerts_per_child():
    y = np.array([1, 0, 1, 0, 0, 1, 0, 0, 0, 0])
    p = np.linspace(1, 0, 10)
    out = M.capacity(y, p, np.array([0.2, 0.5]), n_children=5)
    assert out["precision"].tolist() == [0.5, 0.4]
    assert out["recall"].tolist() == pytest.approx([1 / 3, 2 / 3])
    assert out["alerts_per_100"].tolist() == [40.0, 100.0]
