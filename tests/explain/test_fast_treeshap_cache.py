"""Preparing a model is cached on the model string's hash: repeated calls reuse the tables, a
changed model is prepared anew, and the cache stays bounded."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np

from earlysignal.explain import treeshap


def _booster(seed: int, rounds: int = 5) -> lgb.Booster:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] * x[:, 1] + rng.normal(size=400) > 0).astype(int)
    params = {"objective": "binary", "num_leaves": 7, "verbose": -1, "seed": seed, "num_threads": 1}
    return lgb.train(params, lgb.Dataset(x, y), num_boost_round=rounds, keep_training_booster=True)


def test_preparation_is_cached_per_model_string() -> None:
    treeshap.clear_cache()
    booster = _booster(0)
    first = treeshap.prepare(booster)
    assert treeshap.prepare(booster) is first
    # the same model loaded again is the same model string: a hit
    assert treeshap.prepare(lgb.Booster(model_str=booster.model_to_string())) is first
    # other limits are another preparation
    assert treeshap.prepare(booster, max_unique_depth=2) is not first
    treeshap.clear_cache()
    assert treeshap.cache_size() == 0
    assert treeshap.prepare(booster) is not first


def test_a_changed_model_is_prepared_anew() -> None:
    treeshap.clear_cache()
    booster = _booster(1)
    before = treeshap.prepare(booster)
    x = np.random.default_rng(2).normal(size=(50, 3))
    old = treeshap.shap_values(booster, x)
    booster.update()  # one more tree, in place
    after = treeshap.prepare(booster)
    assert after is not before and after.n_trees == before.n_trees + 1
    new = treeshap.shap_values(booster, x)
    np.testing.assert_allclose(new, booster.predict(x, pred_contrib=True), atol=1e-9)
    assert not np.allclose(new, old)


def test_the_cache_is_bounded() -> None:
    treeshap.clear_cache()
    for seed in range(20):
        treeshap.prepare(_booster(seed, rounds=2))
    assert treeshap.cache_size() <= 8
