"""Contributions add up to the model's raw log-odds, for every row and every supported model."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from earlysignal.explain import contributions
from earlysignal.models import CalibratedRiskModel, LightGBMRiskModel, LogisticRiskModel

NAMES = ["moves_365d", "incidents_90d", "age_years", "days_in_current_placement"]


def _data(n: int = 1500, seed: int = 0) -> tuple[pl.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.column_stack(
        [
            rng.poisson(1.0, n),
            rng.poisson(0.5, n),
            rng.uniform(0, 18, n),
            rng.exponential(300, n),
        ]
    ).astype(float)
    x[rng.random(n) < 0.1, 1] = np.nan
    z = 0.8 * x[:, 0] + 0.1 * x[:, 2] - 0.002 * x[:, 3] - 2
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    return pl.DataFrame(x, schema=NAMES), y


FRAME, LABELS = _data()
GBM = LightGBMRiskModel(n_estimators=40, num_leaves=15, min_child_samples=20).fit(FRAME, LABELS)
LOGIT = LogisticRiskModel().fit(FRAME, LABELS)

rows = arrays(
    np.float64,
    st.tuples(st.integers(1, 30), st.just(len(NAMES))),
    elements=st.one_of(st.floats(-5, 2000, allow_nan=False), st.just(np.nan)),
)


@given(rows)
def test_lightgbm_contributions_add_up_to_raw_score(x: np.ndarray) -> None:
    c = contributions(GBM, x, feature_names=NAMES)
    assert c.method == "treeshap" and c.implementation == "fast"
    np.testing.assert_allclose(c.raw_score, GBM.raw_score(x), rtol=0, atol=1e-9)


@given(rows)
def test_logistic_contributions_add_up_to_raw_score(x: np.ndarray) -> None:
    c = contributions(LOGIT, x, feature_names=NAMES)
    assert c.method == "linear"
    np.testing.assert_allclose(c.raw_score, LOGIT.raw_score(x), rtol=0, atol=1e-9)


def test_calibrated_model_is_explained_through_its_base() -> None:
    cal = CalibratedRiskModel(GBM, method="isotonic").fit(FRAME, LABELS)
    c = contributions(cal, FRAME.head(50))
    assert c.calibrated
    np.testing.assert_allclose(c.raw_score, cal.raw_score(FRAME.head(50)), atol=1e-9)
    # the frame's columns are picked by name: extra key columns and column order do not matter
    shuffled = FRAME.head(50).select(NAMES[::-1]).with_columns(child_id=pl.lit("c"))
    np.testing.assert_allclose(contributions(cal, shuffled).values, c.values)


def test_sklearn_pipeline_and_lightgbm_classes_are_accepted() -> None:
    import lightgbm as lgb
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x = FRAME.to_numpy()
    pipe = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression()).fit(x, LABELS)
    c = contributions(pipe, x[:100], background=x)
    np.testing.assert_allclose(c.raw_score, pipe.decision_function(x[:100]), atol=1e-9)
    # with the background mean as baseline, contributions average to zero on the background
    np.testing.assert_allclose(contributions(pipe, x, background=x).values.mean(0), 0, atol=1e-9)
    clf = lgb.LGBMClassifier(n_estimators=20, verbose=-1).fit(x, LABELS)
    c = contributions(clf, x[:100])
    np.testing.assert_allclose(c.raw_score, clf.predict(x[:100], raw_score=True), atol=1e-9)
    c = contributions(clf.booster_, x[:100])
    np.testing.assert_allclose(c.raw_score, clf.predict(x[:100], raw_score=True), atol=1e-9)


def test_unsupported_model_and_missing_columns_are_named() -> None:
    with pytest.raises(TypeError, match="cannot explain a object"):
        contributions(object(), np.zeros((1, 2)))
    with pytest.raises(KeyError, match="lacks the model's feature columns"):
        contributions(GBM, FRAME.drop("age_years"))


def test_tidy_frame_and_shap_explanation() -> None:
    c = contributions(GBM, FRAME.head(3))
    ids = pl.DataFrame({"child_id": ["a", "b", "c"]})
    long = c.to_frame(ids)
    assert long.columns == ["row", "child_id", "feature", "value", "contribution"]
    assert long.height == 3 * len(NAMES)
    sums = long.group_by("row").agg(pl.col("contribution").sum()).sort("row")
    np.testing.assert_allclose(sums["contribution"].to_numpy() + c.base_values, c.raw_score)
    expl = c.to_shap()
    assert expl.values.shape == (3, len(NAMES)) and list(expl.feature_names) == NAMES
