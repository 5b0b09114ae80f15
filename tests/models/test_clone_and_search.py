"""``clone``, ``cross_val_score`` and ``GridSearchCV`` work on every estimator (FrozenEstimator)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV, cross_val_score

from earlysignal.models import (
    CalibratedRiskModel,
    LightGBMRiskModel,
    LogisticRiskModel,
    RuleBaseline,
)


def _data(n=1200, seed=0):
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(size=n), rng.poisson(1.0, size=n), rng.normal(size=n)])
    y = (rng.random(n) < 1 / (1 + np.exp(-(-1.0 + 1.2 * X[:, 0] + 0.5 * X[:, 1])))).astype(int)
    return X, y


def test_clone_of_a_frozen_base_calibrates_without_refitting():
    X, y = _data()
    base = LogisticRiskModel().fit(X[:600], y[:600])
    direct = CalibratedRiskModel(base, method="sigmoid").fit(X[600:], y[600:])
    cloned = clone(CalibratedRiskModel(FrozenEstimator(base), method="sigmoid"))
    cloned.fit(X[600:], y[600:])
    assert cloned.base_ is base  # the very same fitted base: not refitted
    np.testing.assert_array_equal(cloned.risk(X), direct.risk(X))


def test_clone_of_a_fitted_base_cross_fits_instead_of_failing():
    # Before the FrozenEstimator pattern this raised NotFittedError.
    X, y = _data()
    base = LogisticRiskModel().fit(X[:600], y[:600])
    model = clone(CalibratedRiskModel(base, method="isotonic")).fit(X, y)
    assert model.base_ is not base
    assert model.n_calibration_rows_ == len(y)
    assert 0.6 < float(np.mean((model.risk(X) > 0.5) == y)) <= 1


def test_base_parameter_is_never_changed_by_fit():
    X, y = _data()
    unfitted = LogisticRiskModel(C=0.3)
    CalibratedRiskModel(unfitted).fit(X, y)
    assert not hasattr(unfitted, "coef_")


@pytest.mark.parametrize(
    "make",
    [
        lambda: LightGBMRiskModel(n_jobs=1, n_estimators=20, min_child_samples=20),
        LogisticRiskModel,
        lambda: RuleBaseline(feature=0, cutpoints=(0.0,)),
        lambda: CalibratedRiskModel(LogisticRiskModel(), method="sigmoid", cv=3),
    ],
)
def test_cross_val_score_runs_on_every_estimator(make):
    X, y = _data()
    scores = cross_val_score(make(), X, y, cv=3, scoring="roc_auc")
    assert scores.shape == (3,)
    assert np.all(scores > 0.55)


def test_grid_search_over_a_calibrated_model():
    X, y = _data()
    search = GridSearchCV(
        CalibratedRiskModel(LogisticRiskModel(), cv=3),
        {"base__C": [0.01, 1.0], "method": ["sigmoid", "isotonic"]},
        cv=3,
        scoring="neg_log_loss",
    ).fit(X, y)
    assert set(search.best_params_) == {"base__C", "method"}
    assert search.best_estimator_.risk(X).shape == (len(y),)


def test_string_labels_keep_their_classes():
    X, y = _data()
    labels = np.where(y == 1, "breakdown", "stable")
    model = LogisticRiskModel().fit(X, labels)
    assert model.classes_.tolist() == ["breakdown", "stable"]
    # risk is the probability of classes_[1], as predict_proba's second column
    np.testing.assert_allclose(model.predict_proba(X)[:, 1], model.risk(X))
    assert set(model.predict(X)) <= {"breakdown", "stable"}
