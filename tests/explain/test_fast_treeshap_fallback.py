"""Trees and models the fast TreeSHAP does not take go to LightGBM's pred_contrib: tree by tree
(long paths, the memory budget) or the whole model (multi-output); the values stay the same,
and ``method="fast"`` refuses with the reason. Linear trees: neither implementation has them."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest

from earlysignal.explain import contributions, treeshap
from earlysignal.explain.treeshap import UnsupportedModelError


def _data(n: int = 1500, p: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p))
    x[rng.random(x.shape) < 0.1] = np.nan
    z = np.nansum(x[:, :4], axis=1) + np.sin(3 * np.nan_to_num(x[:, 4]))
    return x, (z + rng.normal(size=n) > 0).astype(int)


def _booster(x: np.ndarray, y: np.ndarray, **params: object) -> lgb.Booster:
    base = {
        "objective": "binary",
        "num_leaves": 31,
        "min_data_in_leaf": 5,
        "verbose": -1,
        "num_threads": 1,
    }
    return lgb.train({**base, **params}, lgb.Dataset(x, y), num_boost_round=12)


def _unique_depth(node: dict, seen: frozenset = frozenset()) -> int:
    if "split_index" not in node:
        return len(seen)
    seen = seen | {node["split_feature"]}
    return max(_unique_depth(node["left_child"], seen), _unique_depth(node["right_child"], seen))


def test_trees_with_long_paths_are_left_to_lightgbm_with_the_same_values() -> None:
    x, y = _data()
    booster = _booster(x, y, feature_fraction=0.5, seed=3)
    depths = [_unique_depth(t["tree_structure"]) for t in booster.dump_model()["tree_info"]]
    limit = int(np.median(depths))
    assert min(depths) <= limit < max(depths)
    deep = treeshap.prepare(booster, max_unique_depth=limit)
    assert deep.implementation == "fast+native"
    assert sorted(deep.native_trees) == [t for t, d in enumerate(depths) if d > limit]
    assert all(f"more than {limit} unique features" in r for r in deep.native_trees.values())
    assert set(deep.fast_trees).isdisjoint(deep.native_trees)
    values = treeshap.shap_values(booster, x[:300], prepared=deep)
    np.testing.assert_allclose(
        values, booster.predict(x[:300], pred_contrib=True), rtol=0, atol=1e-9
    )
    with pytest.raises(UnsupportedModelError, match="need LightGBM's own pred_contrib"):
        treeshap.shap_values(booster, x[:5], prepared=deep, allow_native=False)


def _spy_native(monkeypatch: pytest.MonkeyPatch, booster: lgb.Booster) -> list[tuple[int, int]]:
    """Record the (start_iteration, num_iteration) of every pred_contrib call LightGBM gets."""
    calls: list[tuple[int, int]] = []
    real = booster.predict

    def predict(*args: object, **kwargs: object) -> object:
        if kwargs.get("pred_contrib"):
            calls.append((int(kwargs.get("start_iteration", 0)), int(kwargs["num_iteration"])))
        return real(*args, **kwargs)

    monkeypatch.setattr(booster, "predict", predict)
    return calls


@pytest.mark.parametrize("share", [0.0, 0.5])
def test_the_memory_budget_sends_trees_to_lightgbm(
    monkeypatch: pytest.MonkeyPatch, share: float
) -> None:
    x, y = _data()
    booster = _booster(x, y)
    # Reference from the other implementation: every tree explained by the fast kernel.
    full = treeshap.prepare(booster)
    assert full.native_trees == {}
    reference = treeshap.shap_values(booster, x[:200], prepared=full, allow_native=False)
    budget = int(share * full.table_bytes)
    limited = treeshap.prepare(booster, max_table_bytes=budget)
    assert limited.table_bytes <= budget
    assert len(limited.native_trees) > 0 and (share == 0) == (len(limited.native_trees) == 12)
    calls = _spy_native(monkeypatch, booster)
    values = treeshap.shap_values(booster, x[:200], prepared=limited)
    # The trees past the budget, and only they, went to LightGBM's pred_contrib, once each ...
    sent = sorted(t for start, count in calls for t in range(start, start + count))
    assert sent == sorted(limited.native_trees)
    # ... and the values are those of the fast kernel on every tree (not pred_contrib again).
    np.testing.assert_allclose(values, reference, rtol=0, atol=1e-9)


def test_contributions_fast_refuses_and_auto_falls_back_for_a_multiclass_model() -> None:
    x, y = _data()
    y3 = y + (np.nan_to_num(x[:, 5]) > 1)
    booster = _booster(x, y3, objective="multiclass", num_class=3)
    with pytest.raises(UnsupportedModelError, match="single-output"):
        treeshap.prepare(booster)
    with pytest.raises(UnsupportedModelError, match="single-output"):
        contributions(booster, x[:10], method="fast")
    # auto hands it to LightGBM, whose multi-output layout contributions() refuses as before
    with pytest.raises(ValueError, match="single-output"):
        contributions(booster, x[:10])


def test_linear_trees_are_refused_by_both_implementations() -> None:
    x, y = _data(p=5)
    x = np.nan_to_num(x)
    booster = _booster(x, y, linear_tree=True)
    with pytest.raises(UnsupportedModelError, match="linear trees"):
        treeshap.prepare(booster)
    with pytest.raises(UnsupportedModelError, match="linear trees"):
        contributions(booster, x[:50], method="fast")
    # auto hands the model to LightGBM, which has no TreeSHAP for linear trees either
    with pytest.raises(lgb.basic.LightGBMError, match="linear trees"):
        contributions(booster, x[:50])


def test_a_model_of_constant_trees_has_only_a_base_value() -> None:
    x = np.random.default_rng(0).normal(size=(100, 3))
    booster = lgb.train(
        {"objective": "regression", "min_data_in_leaf": 200, "verbose": -1, "num_threads": 1},
        lgb.Dataset(x, np.arange(100.0)),
        num_boost_round=3,
    )
    prepared = treeshap.prepare(booster)
    assert prepared.fast_trees == () and prepared.native_trees == {}
    values = treeshap.shap_values(booster, x)
    np.testing.assert_allclose(values, booster.predict(x, pred_contrib=True), atol=1e-12)
    assert not values[:, :-1].any()
