"""A signal sheet for one simulated child renders as text and HTML, in plain language."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from earlysignal.explain import NOT_STATEMENTS, signal_sheet


@pytest.fixture(scope="module")
def fitted() -> tuple[object, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    from earlysignal.cohort import prediction_times
    from earlysignal.features import build_features, default_specs, describe
    from earlysignal.models import CalibratedRiskModel, LightGBMRiskModel
    from earlysignal.synth import simulate

    sim = simulate(400, years=4, seed=1)
    times = prediction_times(sim.history)
    specs = default_specs(sim.history, before="all")  # descriptive: not a temporal evaluation
    frame = build_features(sim.history, times, specs, outcomes=(("breakdown", 180),))
    names = describe(specs)["name"].to_list()
    label = "label_breakdown_180d"
    train = frame.filter(pl.col(label).is_not_null())
    half = train.height // 2
    base = LightGBMRiskModel(n_estimators=30, num_leaves=7, min_child_samples=20).fit(
        train.head(half).select(names), train.head(half)[label].to_numpy()
    )
    model = CalibratedRiskModel(base, method="sigmoid").fit(
        train.tail(train.height - half).select(names), train.tail(train.height - half)[label]
    )
    return model, frame, describe(specs), sim.history.children


def test_sheet_renders_in_plain_language(fitted: tuple) -> None:
    model, frame, desc, children = fitted
    counts = frame.group_by("child_id").len().filter(pl.col("len") >= 3)
    child = counts.sort("child_id")["child_id"][0]
    sheet = signal_sheet(
        model, frame, child, descriptions=desc, horizon_days=180, outcome="placement breakdown"
    )
    text = sheet.to_text()
    assert text.startswith(f"Signal sheet for child {child}")
    assert "Estimated chance of placement breakdown within 180 days:" in text
    assert "probability interval" in text  # Venn-ABERS interval of the calibrated model
    lo, hi = sheet.interval
    assert 0 <= lo <= hi <= 1
    assert "What changed since the previous prediction time" in text
    for statement in NOT_STATEMENTS:
        assert statement in text
    assert "not causes" in text and "not a judgement about the child, the family" in text
    # factors are phrases, not column names
    for factor in (*sheet.raising, *sheet.lowering):
        assert factor.feature not in factor.text
    assert all(f.contribution > 0 for f in sheet.raising)
    assert all(f.contribution < 0 for f in sheet.lowering)
    html = sheet.to_html()
    assert html.startswith("<!DOCTYPE html>") and "</html>" in html
    assert "<script" not in html and "http" not in html and "src=" not in html
    for factor in sheet.raising:
        assert factor.text.replace("'", "&#39;") in html
    # nothing identifying beyond the pseudonymous id
    birth = children.filter(pl.col("child_id") == child)["birth_date"][0]
    assert str(birth) not in text and str(birth) not in html


def test_sheet_factors_reproduce_the_contributions(fitted: tuple) -> None:
    from earlysignal.explain import contributions

    model, frame, _desc, _ = fitted
    child = frame["child_id"][0]
    rows = frame.filter(pl.col("child_id") == child).sort("prediction_time")
    sheet = signal_sheet(model, frame, child, prediction_time=rows["prediction_time"][0])
    assert sheet.previous_time is None and sheet.changes == ()
    c = contributions(model, rows.head(1))
    top = int(np.argmax(c.values[0]))
    if c.values[0, top] > 0:
        assert sheet.raising[0].feature == c.feature_names[top]
    assert sheet.risk == pytest.approx(float(model.risk(rows.head(1).select(c.feature_names))[0]))
    with pytest.raises(KeyError, match="has no rows"):
        signal_sheet(model, frame, "nobody")


@pytest.mark.parametrize(
    ("method", "shape"),
    [("sigmoid", "strictly_increasing"), ("isotonic", "steps"), ("venn_abers", "steps")],
)
def test_sheet_words_follow_how_the_calibrated_risk_follows_the_score(method, shape) -> None:
    from earlysignal.models import CalibratedRiskModel, LogisticRiskModel

    rng = np.random.default_rng(3)
    x = rng.normal(size=(3000, 2))
    y = (rng.random(3000) < 1 / (1 + np.exp(-(x[:, 0] - 1)))).astype(int)
    frame = pl.DataFrame(x, schema=["moves_365d", "reviews"])
    base = LogisticRiskModel().fit(frame.head(1500), y[:1500])
    model = CalibratedRiskModel(base, method=method).fit(frame.tail(1500), y[1500:])
    assert model.score_to_risk == shape
    # the fitted map itself: steps have two scores with the same risk, strict has none
    grid = np.linspace(-6, 6, 2001)
    risk = model.calibrate_scores(grid)
    step = np.diff(risk)
    assert np.all(step >= -1e-12)  # never lower (up to rounding)
    assert bool(np.any(np.abs(step) <= 1e-12)) == (shape == "steps")
    rows = frame.head(2).with_columns(
        pl.Series("child_id", ["c1", "c1"]),
        pl.Series("prediction_time", [date(2024, 1, 1), date(2024, 4, 1)]),
    )
    sheet = signal_sheet(model, rows, "c1")
    text, html = sheet.to_text(), sheet.to_html()
    if shape == "steps":
        assert "increasing function" not in text and "raises the risk" not in text
        assert "without changing the risk" in text and "without changing the risk" in html
        assert "What raises the model's score:" in text
    else:
        assert "strictly increasing function" in text
        assert "What raises the estimate:" in text
    assert sheet.to_dict()["score_to_risk"] == shape


def test_a_decreasing_calibration_and_an_unknown_model_get_the_cautious_words() -> None:
    from sklearn.linear_model import LogisticRegression

    from earlysignal.models import CalibratedRiskModel, LogisticRiskModel

    rng = np.random.default_rng(4)
    x = rng.normal(size=(3000, 2))
    y = (rng.random(3000) < 1 / (1 + np.exp(-(2 * x[:, 0] - 1)))).astype(int)
    frame = pl.DataFrame(x, schema=["moves_365d", "reviews"])
    base = LogisticRiskModel().fit(frame.head(1500), y[:1500])
    # calibrated on labels that run the other way: a higher score, a lower risk
    flipped = CalibratedRiskModel(base, method="sigmoid").fit(frame.tail(1500), 1 - y[1500:])
    assert flipped.score_to_risk == "not_increasing"
    rows = frame.head(1).with_columns(
        pl.Series("child_id", ["c1"]), pl.Series("prediction_time", [date(2024, 1, 1)])
    )
    text = signal_sheet(flipped, rows, "c1").to_text()
    assert "does not increase with that score" in text and "raises the risk" not in text
    bare = LogisticRegression().fit(frame.to_pandas(), y)
    sheet = signal_sheet(bare, rows, "c1")
    assert sheet.score_to_risk == "unknown"
    assert "need not raise the risk" in sheet.to_text()
