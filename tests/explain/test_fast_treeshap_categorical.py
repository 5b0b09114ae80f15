"""Categorical splits: the fast TreeSHAP routes categories as LightGBM does, including NaN,
negative, fractional, unseen and out-of-int-range values."""

from __future__ import annotations

import platform

import lightgbm as lgb
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from earlysignal.explain import treeshap

pytestmark = pytest.mark.skipif(
    platform.machine().lower() not in {"x86_64", "amd64"},
    reason="categorical splits are explained by the fast path on x86-64 only",
)

ODD_VALUES = [np.nan, -1.0, -0.5, -0.0, 0.0, 0.7, 2.5, 3.0, 40.0, 1e10, -1e10, np.inf, -np.inf]


def _categorical_splits(booster: lgb.Booster) -> int:
    stack = [t["tree_structure"] for t in booster.dump_model()["tree_info"]]
    count = 0
    while stack:
        node = stack.pop()
        if "split_index" in node:
            count += node["decision_type"] == "=="
            stack += [node["left_child"], node["right_child"]]
    return count


@settings(max_examples=15)
@given(
    seed=st.integers(0, 2**16),
    n_categories=st.integers(3, 30),
    num_leaves=st.sampled_from([4, 7, 15, 31]),
    nan_rate=st.sampled_from([0.0, 0.2]),
    missing=st.sampled_from([{}, {"use_missing": False}, {"zero_as_missing": True}]),
)
def test_categorical_models_match_lightgbm(
    seed: int, n_categories: int, num_leaves: int, nan_rate: float, missing: dict
) -> None:
    rng = np.random.default_rng(seed)
    n = 600
    cat = rng.integers(0, n_categories, n).astype(float)
    cat[rng.random(n) < nan_rate] = np.nan
    num = rng.normal(size=n)
    effect = 2.0 * rng.normal(size=n_categories)
    z = np.where(np.isnan(cat), 1.0, effect[np.nan_to_num(cat).astype(int)]) + num
    y = (z + rng.normal(size=n) > 0).astype(int)
    x = np.column_stack([cat, num, rng.integers(0, 4, n).astype(float)])
    params = {
        "objective": "binary",
        "num_leaves": num_leaves,
        "min_data_in_leaf": 5,
        "min_data_per_group": 5,
        "cat_smooth": 1.0,
        "max_cat_to_onehot": 4,
        "verbose": -1,
        "num_threads": 1,
        "seed": seed,
        **missing,
    }
    data = lgb.Dataset(x, y, categorical_feature=[0, 2])
    booster = lgb.train(params, data, num_boost_round=8)
    rows = x[:150].copy()
    odd = rng.random(rows.shape) < 0.4
    rows[odd] = rng.choice(np.asarray(ODD_VALUES), size=int(odd.sum()))
    assume(_categorical_splits(booster) > 0)
    prepared = treeshap.prepare(booster)
    assert prepared.implementation == "fast"
    fast = treeshap.shap_values(booster, rows, allow_native=False)
    np.testing.assert_allclose(fast, booster.predict(rows, pred_contrib=True), rtol=0, atol=1e-9)
