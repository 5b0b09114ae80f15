"""The fast TreeSHAP equals LightGBM's own pred_contrib on random models and edge-case rows."""

from __future__ import annotations

import numpy as np
from explain._lgb_cases import lightgbm_cases
from hypothesis import given, settings

from earlysignal.explain import treeshap


@settings(max_examples=80)
@given(lightgbm_cases())
def test_fast_values_equal_lightgbm_pred_contrib(case: tuple) -> None:
    booster, rows, drawn = case
    prepared = treeshap.prepare(booster)
    assert prepared.implementation == "fast", (prepared.native_trees, drawn)
    fast = treeshap.shap_values(booster, rows, allow_native=False, n_jobs=1)
    native = booster.predict(rows, pred_contrib=True)
    assert fast.shape == native.shape
    np.testing.assert_allclose(fast, native, rtol=0, atol=1e-9, err_msg=str(drawn))


@settings(max_examples=30)
@given(lightgbm_cases(max_features=14, min_features=7, min_leaves=15))
def test_wider_models_with_long_paths_agree_too(case: tuple) -> None:
    booster, rows, drawn = case
    fast = treeshap.shap_values(booster, rows, n_jobs=2)
    np.testing.assert_allclose(
        fast, booster.predict(rows, pred_contrib=True), rtol=0, atol=1e-9, err_msg=str(drawn)
    )


def _max_unique_depth(node: dict, seen: frozenset = frozenset()) -> int:
    if "split_index" not in node:
        return len(seen)
    seen = seen | {node["split_feature"]}
    return max(_max_unique_depth(node[c], seen) for c in ("left_child", "right_child"))


def test_deep_trees_with_large_tables_agree() -> None:
    import lightgbm as lgb

    rng = np.random.default_rng(11)
    x = rng.normal(size=(6000, 20))
    x[rng.random(x.shape) < 0.05] = np.nan
    y = (np.sin(2 * np.nan_to_num(x)).sum(axis=1) + rng.normal(size=6000) > 0).astype(int)
    params = {"objective": "binary", "num_leaves": 255, "min_data_in_leaf": 2, "verbose": -1}
    booster = lgb.train({**params, "num_threads": 1}, lgb.Dataset(x, y), num_boost_round=4)
    depths = [_max_unique_depth(t["tree_structure"]) for t in booster.dump_model()["tree_info"]]
    assert min(depths) <= 12 < max(depths)  # some trees past the default limit
    rows = x[:300]
    native = booster.predict(rows, pred_contrib=True)
    prepared = treeshap.prepare(booster, max_unique_depth=16)
    assert prepared.implementation == "fast"
    fast = treeshap.shap_values(booster, rows, prepared=prepared)
    np.testing.assert_allclose(fast, native, rtol=0, atol=1e-9)
    # with the default limit the deepest trees go to LightGBM: the same values
    assert treeshap.prepare(booster).implementation == "fast+native"
    np.testing.assert_allclose(treeshap.shap_values(booster, rows), native, rtol=0, atol=1e-9)
