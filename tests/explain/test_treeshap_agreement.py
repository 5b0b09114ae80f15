"""LightGBM's native pred_contrib agrees with shap's own TreeSHAP implementation."""

from __future__ import annotations

import numpy as np

from earlysignal.explain import contributions
from earlysignal.models import LightGBMRiskModel


def test_native_contributions_match_shap_tree_explainer_to_1e_6() -> None:
    import shap

    rng = np.random.default_rng(3)
    x = rng.normal(size=(2000, 6))
    z = x[:, 0] + np.where(x[:, 1] > 0, x[:, 2], -x[:, 3]) - 1
    y = (rng.random(2000) < 1 / (1 + np.exp(-z))).astype(int)
    model = LightGBMRiskModel(n_estimators=60, num_leaves=15, min_child_samples=20).fit(x, y)
    sample = x[:300]
    native = contributions(model, sample)
    explainer = shap.TreeExplainer(model.booster_)
    # shap hands LightGBM models back to LightGBM's pred_contrib; marking the parsed ensemble
    # as "internal" makes it run shap's own C++ TreeSHAP on its own parse of the trees.
    explainer.model.model_type = "internal"
    theirs = explainer.shap_values(sample, check_additivity=False)
    theirs = np.asarray(theirs)
    if theirs.ndim == 3:
        theirs = theirs[..., -1]
    np.testing.assert_allclose(native.values, theirs, rtol=0, atol=1e-6)
    np.testing.assert_allclose(
        native.base_values, np.ravel(explainer.expected_value)[-1], rtol=0, atol=1e-6
    )
