"""The logistic baseline is tuned inside the training period, on LightGBM's hold-out children."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from earlysignal.explain import contributions
from earlysignal.models import (
    LightGBMRiskModel,
    LogisticRiskModel,
    load_model,
    save_model,
    tune_logistic,
)
from earlysignal.models._base import holdout_mask


def _heavy_tailed(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    moves = rng.geometric(0.05, n) - 1.0  # counts with a long tail
    flag = (rng.random(n) < 0.3).astype(float)  # a 0/1 indicator: never transformed
    z = -3.0 + 1.2 * np.log1p(moves) + 0.5 * flag
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    X = np.column_stack([moves, flag])
    X[rng.random(n) < 0.05, 0] = np.nan
    return X, y, np.arange(n) // 2


def test_candidates_are_scored_and_the_best_is_refitted_on_all_rows():
    X, y, groups = _heavy_tailed()
    search = tune_logistic(X, y, groups, C_grid=(0.01, 1.0), transforms=("none", "log1p"))
    assert len(search.candidates) == 4
    best = min(search.candidates, key=lambda c: c["validation_log_loss"])
    assert (search.C, search.transform) == (best["C"], best["transform"])
    refit = LogisticRiskModel(C=search.C, count_transform=search.transform).fit(X, y)
    np.testing.assert_allclose(search.model.coef_, refit.coef_)
    assert search.summary()["candidate_fits"] == 4


def test_log_transform_is_chosen_when_the_truth_is_logarithmic():
    X, y, groups = _heavy_tailed()
    search = tune_logistic(X, y, groups)
    assert search.transform == "log1p"
    assert search.model.log_columns_.tolist() == [True, False]  # the indicator is untouched


def test_holdout_is_lightgbms_early_stopping_holdout():
    X, y, groups = _heavy_tailed(1500)
    mask = holdout_mask(len(y), groups, 0.15, 7)
    gbm = LightGBMRiskModel(
        n_estimators=5, early_stopping_rounds=2, min_child_samples=20, n_jobs=1, random_state=7
    ).fit(X, y, groups=groups)
    # LightGBM's validation set is exactly the masked rows: its loss there is reproducible.
    p = gbm.risk(X[mask])
    loss = -np.mean(y[mask] * np.log(p) + (1 - y[mask]) * np.log1p(-p))
    assert loss == pytest.approx(gbm.validation_loss_, rel=1e-6)
    # whole children are held out
    assert np.all(mask[0::2] == mask[1::2])


def test_log_transform_round_trips_and_explains_exactly():
    X, y, _ = _heavy_tailed(1500)
    model = LogisticRiskModel(count_transform="log1p").fit(
        pl.DataFrame(X, schema=["moves", "flag"]), y
    )
    frame = pl.DataFrame(X[:50], schema=["moves", "flag"])
    with tempfile.TemporaryDirectory() as tmp:
        loaded = load_model(save_model(model, Path(tmp) / "m"))
        np.testing.assert_array_equal(loaded.raw_score(frame), model.raw_score(frame))
        assert loaded.log_columns_.tolist() == model.log_columns_.tolist()
    c = contributions(model, frame)
    np.testing.assert_allclose(c.raw_score, model.raw_score(frame), atol=1e-9)


def test_unknown_transform_names_the_rule():
    X, y, _ = _heavy_tailed(200)
    with pytest.raises(ValueError, match="known transform"):
        LogisticRiskModel(count_transform="spline").fit(X, y)
