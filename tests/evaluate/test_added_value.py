"""With and without a feature group: paired child-clustered intervals and an honest verdict."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from earlysignal.evaluate import evaluate
from earlysignal.evaluate.added_value import compare_predictions, refit_without
from earlysignal.models import LightGBMRiskModel, LogisticRiskModel


def _data(n: int = 3000, seed: int = 0):
    rng = np.random.default_rng(seed)
    groups = np.arange(n) // 3
    signal = rng.normal(size=n)
    noise = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(1.5 * signal - 1)))).astype(int)
    X = pl.DataFrame({"noise": noise, "signal": signal, "persona_1": (signal > 0.5).astype(float)})
    return X, y, groups


def test_the_difference_is_the_paired_bootstrap_of_evaluate():
    rng = np.random.default_rng(1)
    risk = rng.uniform(0.05, 0.6, 1500)
    y = (rng.random(1500) < risk).astype(int)
    groups = np.arange(1500) // 3
    other = np.clip(risk + rng.normal(0, 0.1, 1500), 0.01, 0.99)
    v = compare_predictions(y, risk, other, groups, n_boot=80, seed=3)
    ref = evaluate(y, risk, groups, model="a", baselines={"b": other}, n_boot=80, seed=3)
    for metric in ("auroc", "brier"):
        (row,) = [r for r in v["rows"] if r["model"] == "difference" and r["metric"] == metric]
        exp = ref.filter(model="a - b", metric=metric).row(0, named=True)
        assert (row["value"], row["lower"], row["upper"]) == (
            exp["estimate"], exp["lower"], exp["upper"],
        )  # fmt: skip
    assert (v["n_rows"], v["n_children"]) == (1500, 500)


def test_identical_predictions_are_the_same_not_better():
    rng = np.random.default_rng(2)
    risk = rng.uniform(0.05, 0.6, 900)
    y = (rng.random(900) < risk).astype(int)
    v = compare_predictions(y, risk, risk.copy(), np.arange(900) // 3, n_boot=50)
    assert v["verdict"] == {"auroc": "same", "brier": "same"}


def test_useless_features_do_not_help_and_useful_ones_do():
    X, y, groups = _data()
    tr, ca, te = slice(0, 1500), slice(1500, 2100), slice(2100, 3000)
    base = LightGBMRiskModel(n_estimators=60, num_leaves=7, random_state=0).fit(
        X[tr], y[tr], groups=groups[tr]
    )
    from earlysignal.models import CalibratedRiskModel

    with_all = CalibratedRiskModel(base, method="isotonic").fit(X[ca], y[ca])
    p_with = with_all.risk(X[te])
    # dropping pure noise: no clear difference
    without_noise = refit_without(
        base, ["noise"], train=(X[tr], y[tr], groups[tr]), calibrate=(X[ca], y[ca]),
        calibration="isotonic",
    )  # fmt: skip
    v = compare_predictions(
        y[te], p_with, without_noise.risk(X[te].drop("noise")), groups[te], n_boot=200
    )
    assert v["verdict"]["auroc"] == "same"
    # dropping the signal: the model with it is clearly better
    without_signal = refit_without(
        base, ["signal", "persona_1"], train=(X[tr], y[tr], groups[tr]),
        calibrate=(X[ca], y[ca]), calibration="isotonic",
    )  # fmt: skip
    p0 = without_signal.risk(X[te].select("noise"))
    v = compare_predictions(y[te], p_with, p0, groups[te], n_boot=200)
    assert v["verdict"] == {"auroc": "better", "brier": "better"}


def test_refit_without_keeps_hyperparameters_and_needs_a_known_column():
    X, y, groups = _data(600)
    base = LogisticRiskModel(C=0.3).fit(X, y)
    again = refit_without(base, ["noise"], train=(X, y, groups), calibrate=(X, y),
                          calibration="none")  # fmt: skip
    assert again.get_params()["C"] == 0.3 and again.n_features_in_ == 2
    with pytest.raises(ValueError, match="none of \\['nope'\\]"):
        refit_without(base, ["nope"], train=(X, y, groups), calibrate=(X, y), calibration="none")
