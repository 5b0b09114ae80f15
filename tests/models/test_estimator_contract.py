"""The models follow scikit-learn's estimator contract and accept frames or arrays."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.base import clone, is_classifier

from earlysignal.models import (
    CalibratedRiskModel,
    LightGBMRiskModel,
    LogisticRiskModel,
    RuleBaseline,
)


def _data(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(size=n), rng.poisson(1.0, size=n), rng.normal(size=n)])
    z = -1.5 + 0.9 * X[:, 0] + 0.5 * X[:, 1]
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    X[rng.random(n) < 0.05, 2] = np.nan
    return X, y


MODELS = [
    lambda: LightGBMRiskModel(n_jobs=1, n_estimators=30, min_child_samples=20),
    lambda: LogisticRiskModel(C=0.5),
    lambda: RuleBaseline(feature=1, cutpoints=(1.0, 2.0)),
]


@pytest.mark.parametrize("make", MODELS)
def test_fit_returns_self_clone_and_probabilities(make):
    X, y = _data()
    model = make()
    params = model.get_params()
    assert model.fit(X, y) is model
    assert is_classifier(model)
    assert model.get_params() == params  # fit does not touch parameters
    fresh = clone(model)
    assert not hasattr(fresh, "n_features_in_")
    proba = model.predict_proba(X)
    assert proba.shape == (len(y), 2)
    assert np.allclose(proba.sum(axis=1), 1)
    assert np.all((proba >= 0) & (proba <= 1))
    assert np.allclose(model.risk(X), 1 / (1 + np.exp(-model.raw_score(X))))
    assert np.array_equal(model.decision_function(X), model.raw_score(X))
    assert set(np.unique(model.predict(X))) <= {0, 1}


@pytest.mark.parametrize("make", MODELS)
def test_frames_select_features_by_name(make):
    X, y = _data()
    frame = pl.DataFrame(X, schema=["a", "moves", "c"])
    model = make()
    if isinstance(model, RuleBaseline):
        model.set_params(feature="moves")
    model.fit(frame, y)
    assert list(model.feature_names_in_) == ["a", "moves", "c"]
    shuffled = frame.select("c", "a", "moves").with_columns(pl.lit("x").alias("child_id"))
    assert np.array_equal(model.raw_score(shuffled), model.raw_score(frame))


def test_errors_name_the_rule():
    X, y = _data(200)
    with pytest.raises(ValueError, match="binary labels"):
        LogisticRiskModel().fit(X, y + (X[:, 0] > 1))
    with pytest.raises(ValueError, match=r"finite|infinity"):
        LogisticRiskModel().fit(np.where(X[0, 0] == X, np.inf, X), y)
    with pytest.raises(ValueError, match="both classes"):
        LightGBMRiskModel(n_jobs=1, n_estimators=2).fit(X, np.zeros(len(y), dtype=int))
    with pytest.raises(TypeError, match="numeric features"):
        LogisticRiskModel().fit(pl.DataFrame({"s": ["a", "b"]}), [0, 1])
    with pytest.raises(ValueError, match="feature present"):
        RuleBaseline(feature="moves").fit(X, y)
    with pytest.raises(ValueError, match="increasing cut points"):
        RuleBaseline(cutpoints=(2.0, 1.0)).fit(X, y)
    model = LogisticRiskModel().fit(X, y)
    with pytest.raises(ValueError, match="same features"):
        model.raw_score(X[:, :2])
    with pytest.raises(ValueError, match="known method"):
        CalibratedRiskModel(model, method="beta").fit(X, y)


def test_rule_baseline_is_calibrated_on_training_data():
    X, y = _data(5000)
    rule = RuleBaseline(feature=1, cutpoints=(1.0, 2.0), prior_weight=0.0).fit(X, y)
    cells = np.searchsorted([1.0, 2.0], X[:, 1], side="right")
    for cell in range(3):
        assert rule.cell_probability_[cell] == pytest.approx(y[cells == cell].mean())
    # calibration in the large on the training data holds exactly
    assert rule.risk(X).mean() == pytest.approx(y.mean())


def test_logistic_recovers_the_true_direction_and_lightgbm_early_stopping():
    X, y = _data(6000)
    lr = LogisticRiskModel(C=10).fit(X, y)
    raw_coef = lr.coef_ / lr.scale_
    assert raw_coef[0] == pytest.approx(0.9, abs=0.15)
    assert raw_coef[1] == pytest.approx(0.5, abs=0.15)
    groups = np.arange(len(y)) // 3
    gbm = LightGBMRiskModel(
        n_jobs=1,
        n_estimators=500,
        learning_rate=0.2,
        early_stopping_rounds=10,
        min_child_samples=20,
    ).fit(X, y, groups=groups)
    assert 1 <= gbm.n_trees_ < 500
    assert 0 < gbm.validation_loss_ < 1
    assert gbm.booster_.current_iteration() == gbm.n_trees_


def test_grouped_cross_validation_with_scikit_learn():
    from sklearn.model_selection import cross_val_score

    from earlysignal.split import grouped_cv

    X, y = _data(1500)
    frame = pl.DataFrame({"child_id": [str(i // 3) for i in range(len(y))]})
    scores = cross_val_score(LogisticRiskModel(), X, y, cv=grouped_cv(frame, 3), scoring="roc_auc")
    assert scores.shape == (3,)
    assert np.all(scores > 0.6)
