"""``contributions(max_unique_depth=...)`` keeps deeper trees in the fast kernel, same values."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np

from earlysignal.explain import contributions


def _unique_depth(node: dict, seen: frozenset = frozenset()) -> int:
    if "split_index" not in node:
        return len(seen)
    seen = seen | {node["split_feature"]}
    return max(_unique_depth(node["left_child"], seen), _unique_depth(node["right_child"], seen))


def test_a_higher_limit_keeps_the_long_paths_in_the_fast_kernel() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(1500, 10))
    y = (np.sum(x[:, :5], axis=1) + rng.normal(size=1500) > 0).astype(int)
    params = {"objective": "binary", "num_leaves": 31, "min_data_in_leaf": 5, "verbose": -1}
    booster = lgb.train({**params, "num_threads": 1}, lgb.Dataset(x, y), num_boost_round=10)
    depths = [_unique_depth(t["tree_structure"]) for t in booster.dump_model()["tree_info"]]
    low = min(depths)
    assert low < max(depths)
    narrow = contributions(booster, x[:200], max_unique_depth=low)
    wide = contributions(booster, x[:200], max_unique_depth=max(depths))
    assert narrow.implementation == "fast+native" and wide.implementation == "fast"
    native = booster.predict(x[:200], pred_contrib=True)
    for c in (narrow, wide):
        np.testing.assert_allclose(c.values, native[:, :-1], rtol=0, atol=1e-12)
