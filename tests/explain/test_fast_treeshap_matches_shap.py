"""The fast TreeSHAP equals shap's TreeExplainer: both what shap returns for a LightGBM model
(it calls LightGBM's pred_contrib) and shap's own C++ TreeSHAP on its own parse of the trees.

shap's own parse does not model LightGBM's zero-as-missing routing or its conversion of NaN to
0 at splits without a NaN missing type, holds thresholds in float32 and reads infinite ones as
1e300, so that comparison uses models with the default missing handling, finite values off the
thresholds, and NaN only in features every split of which routes NaN itself.
"""

from __future__ import annotations

import numpy as np
import pytest
from explain._lgb_cases import lightgbm_cases, thresholds
from hypothesis import given, settings

from earlysignal.explain import treeshap

shap = pytest.importorskip("shap")


def _shap(explainer: object, rows: np.ndarray) -> np.ndarray:
    values = np.asarray(explainer.shap_values(rows, check_additivity=False))  # type: ignore[attr-defined]
    return values[..., -1] if values.ndim == 3 else values


def _nan_safe_features(booster: object, n: int) -> list[int]:
    bad = set()
    stack = [t["tree_structure"] for t in booster.dump_model()["tree_info"]]  # type: ignore[attr-defined]
    while stack:
        node = stack.pop()
        if "split_index" in node:
            if node["missing_type"] != "NaN":
                bad.add(int(node["split_feature"]))
            stack += [node["left_child"], node["right_child"]]
    return [j for j in range(n) if j not in bad]


@settings(max_examples=15)
@given(lightgbm_cases())
def test_fast_values_equal_shap_tree_explainer(case: tuple) -> None:
    booster, rows, _ = case
    fast = treeshap.shap_values(booster, rows)
    explainer = shap.TreeExplainer(booster)
    np.testing.assert_allclose(fast[:, :-1], _shap(explainer, rows), rtol=0, atol=1e-6)
    np.testing.assert_allclose(fast[:, -1], np.ravel(explainer.expected_value)[-1], atol=1e-6)


@settings(max_examples=15)
@given(lightgbm_cases(missing="default"))
def test_fast_values_equal_shaps_own_tree_shap(case: tuple) -> None:
    booster, rows, drawn = case
    rows = rows.copy()
    safe = _nan_safe_features(booster, rows.shape[1])
    for j in range(rows.shape[1]):
        if j not in safe:
            rows[np.isnan(rows[:, j]), j] = 1.0
    # shap's parse compares in float32 at split values; keep clear of the thresholds there
    # shap's parse holds thresholds in float32 and reads an infinite one as 1e300 (from
    # dump_model): keep to finite values off the thresholds (the routing there is checked
    # against LightGBM in test_fast_treeshap_matches_lightgbm.py)
    rows[np.isinf(rows)] = np.sign(rows[np.isinf(rows)]) * 1e6
    for j, cuts in thresholds(booster).items():
        for t in cuts:
            near = np.abs(rows[:, j] - t) <= 1e-5 * max(1.0, abs(t))
            rows[near, j] = t + 1e-3 * max(1.0, abs(t))
    fast = treeshap.shap_values(booster, rows)
    explainer = shap.TreeExplainer(booster)
    explainer.model.model_type = "internal"  # shap's own TreeSHAP, not LightGBM's
    np.testing.assert_allclose(
        fast[:, :-1], _shap(explainer, rows), rtol=0, atol=1e-6, err_msg=str(drawn)
    )
