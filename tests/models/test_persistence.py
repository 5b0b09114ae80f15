"""Save/load without pickle: identical scores, tampered or missing files refused."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pytest

from earlysignal.models import (
    CalibratedRiskModel,
    LightGBMRiskModel,
    LogisticRiskModel,
    ModelIntegrityError,
    RuleBaseline,
    load_feature_specs,
    load_model,
    read_manifest,
    save_model,
)


@dataclass(frozen=True)
class _Spec:
    name: str
    window: int


def _data(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(size=n), rng.poisson(1.2, size=n), rng.normal(size=n)])
    X[rng.random(n) < 0.1, 0] = np.nan
    z = -1.2 + 0.8 * np.nan_to_num(X[:, 0]) + 0.4 * X[:, 1]
    return X, (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)


def _models():
    X, y = _data()
    gbm = LightGBMRiskModel(n_jobs=1, n_estimators=25, min_child_samples=20).fit(X[:2000], y[:2000])
    lr = LogisticRiskModel().fit(X[:2000], y[:2000])
    rule = RuleBaseline(feature=1, cutpoints=(1.0, 3.0)).fit(X[:2000], y[:2000])
    return (
        X,
        y,
        {
            "gbm": gbm,
            "logistic": lr,
            "rule": rule,
            "gbm_isotonic": CalibratedRiskModel(gbm).fit(X[2000:], y[2000:]),
            "logistic_sigmoid": CalibratedRiskModel(lr, method="sigmoid").fit(X[2000:], y[2000:]),
            "rule_isotonic": CalibratedRiskModel(rule, intervals=False).fit(X[2000:], y[2000:]),
            "gbm_venn_abers": CalibratedRiskModel(gbm, method="venn_abers", intervals=False).fit(
                X[2000:], y[2000:]
            ),
        },
    )


def test_round_trip_scores_bit_for_bit(tmp_path):
    X, _, models = _models()
    for name, model in models.items():
        folder = save_model(
            model, tmp_path / name, feature_specs=[_Spec("x", 90)], metadata={"h": 180}
        )
        loaded = load_model(folder)
        assert type(loaded) is type(model)
        assert np.array_equal(loaded.raw_score(X), model.raw_score(X)), name
        assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X)), name
        if isinstance(model, CalibratedRiskModel) and model.intervals:
            for a, b in zip(loaded.predict_interval(X), model.predict_interval(X), strict=True):
                assert np.array_equal(a, b)
        assert load_feature_specs(folder) == [{"__spec__": "_Spec", "name": "x", "window": 90}]
        assert read_manifest(folder)["metadata"] == {"h": 180}
    files = {p.name for p in (tmp_path / "gbm_isotonic").iterdir()}
    assert files == {"manifest.json", "model.json", "booster.txt", "features.json"}
    assert not any(p.suffix in {".pkl", ".pickle", ".joblib"} for p in tmp_path.rglob("*"))


def test_tampered_missing_or_extra_file_is_refused(tmp_path):
    _, _, models = _models()
    folder = save_model(models["gbm_isotonic"], tmp_path / "m")
    booster = folder / "booster.txt"
    original = booster.read_text()
    booster.write_text(original.replace("leaf_value=", "leaf_value=1", 1))
    with pytest.raises(ModelIntegrityError, match=r"booster\.txt.*changed after saving"):
        load_model(folder)
    booster.write_text(original)
    load_model(folder)

    model_json = folder / "model.json"
    data = json.loads(model_json.read_text())
    data["calibrator"]["thresholds_y"][0] = 0.5
    model_json.write_text(json.dumps(data))
    with pytest.raises(ModelIntegrityError, match=r"model\.json"):
        load_model(folder)

    other = save_model(models["logistic"], tmp_path / "other")
    (other / "model.json").unlink()
    with pytest.raises(ModelIntegrityError, match="missing"):
        load_model(other)

    third = save_model(models["rule"], tmp_path / "third")
    (third / "notes.txt").write_text("hello")
    with pytest.raises(ModelIntegrityError, match=r"notes\.txt"):
        load_model(third)
    with pytest.raises(FileExistsError, match="not empty"):
        save_model(models["rule"], third)
