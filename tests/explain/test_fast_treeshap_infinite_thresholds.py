"""A split sending NaN one way and every number the other has an infinite threshold, which
``dump_model()`` writes as 1e300; the fast TreeSHAP takes the exact thresholds from the model
string, so +-inf and values past 1e300 are routed as LightGBM routes them."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
from explain._lgb_cases import split_nodes

from earlysignal.explain import treeshap


def _dumped_thresholds(booster: lgb.Booster) -> list[float]:
    return [float(node["threshold"]) for node in split_nodes(booster)]


def test_rows_past_an_infinite_threshold_are_routed_as_lightgbm_does() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(800, 3))
    x[rng.random(800) < 0.4, 0] = np.nan
    y = (np.isnan(x[:, 0]) ^ (rng.random(800) < 0.1)).astype(int)
    params = {"objective": "binary", "num_leaves": 4, "verbose": -1, "num_threads": 1}
    trained = lgb.train(params, lgb.Dataset(x, y), num_boost_round=3)
    assert 1e300 in _dumped_thresholds(trained)
    assert "inf" in trained.model_to_string().split("threshold=")[1].split("\n")[0]
    rows = rng.normal(size=(40, 3))
    rows[::4, 0] = np.inf
    rows[1::4, 0] = -np.inf
    rows[2::4, 0] = 5e300
    rows[3::8, 0] = np.nan
    for booster in (trained, lgb.Booster(model_str=trained.model_to_string())):
        np.testing.assert_allclose(
            treeshap.shap_values(booster, rows, allow_native=False),
            booster.predict(rows, pred_contrib=True),
            rtol=0,
            atol=1e-12,
        )
