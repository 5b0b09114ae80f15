"""Fast TreeSHAP values plus the expected value add up to LightGBM's raw score, row by row."""

from __future__ import annotations

import numpy as np
from explain._lgb_cases import lightgbm_cases
from hypothesis import given, settings

from earlysignal.explain import treeshap


@settings(max_examples=30)
@given(lightgbm_cases())
def test_fast_values_add_up_to_the_raw_score(case: tuple) -> None:
    booster, rows, drawn = case
    phi = treeshap.shap_values(booster, rows)
    raw = booster.predict(rows, raw_score=True)
    np.testing.assert_allclose(phi.sum(axis=1), raw, rtol=0, atol=1e-9, err_msg=str(drawn))
    # the expected value is the same for every row, and features never used get nothing
    assert np.ptp(phi[:, -1]) == 0.0
    used = {f for f in range(rows.shape[1]) if booster.feature_importance()[f] > 0}
    for f in set(range(rows.shape[1])) - used:
        assert not phi[:, f].any()
