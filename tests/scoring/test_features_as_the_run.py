"""Scoring builds features with the run's own specs and recorded vocabulary."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from studies import REGISTERED, small_study  # type: ignore[import-not-found]

from earlysignal.features import build_features, default_specs, feature_vocabulary
from earlysignal.scoring import load_scoring_model
from earlysignal.scoring.score import score_frame
from earlysignal.scoring.vocabulary import model_vocabulary

pytestmark = pytest.mark.slow


def test_the_model_carries_the_runs_vocabulary(tmp_path: Path) -> None:
    import mlflow

    s = small_study()
    loaded = load_scoring_model(s.result.run_id, tracking_uri=s.uri, workdir=tmp_path / "m")
    run_vocabulary = s.result.card["predictors"]["vocabulary"]
    mine = model_vocabulary(loaded.specs, loaded.metadata)
    assert mine.source == "recorded"
    assert {k: v for k, v in mine.to_dict().items() if k != "source"} == run_vocabulary
    train_end = date.fromisoformat(loaded.metadata["train_end"])
    h = s.sim.history
    assert run_vocabulary == feature_vocabulary(h, before=train_end)
    mlflow.set_tracking_uri(s.uri)
    mlflow.set_registry_uri(s.uri)
    pyfunc = mlflow.pyfunc.load_model(f"models:/{REGISTERED}/1").unwrap_python_model()
    assert pyfunc.vocabulary == mine


def test_features_on_the_training_period_are_the_runs(tmp_path: Path) -> None:
    s = small_study()
    h = s.sim.history
    loaded = load_scoring_model(s.result.run_id, tracking_uri=s.uri, workdir=tmp_path / "m")
    train_end = date.fromisoformat(loaded.metadata["train_end"])
    # the run's specs: the default set with the vocabulary chosen before the training end
    run_specs = default_specs(h, before=train_end)
    assert loaded.specs == run_specs
    names = list(loaded.feature_names)
    for t in (train_end - timedelta(days=365), train_end - timedelta(days=30)):
        scored = score_frame(loaded, h, t)
        times = scored.select("child_id", "prediction_time")
        run = build_features(h, times, run_specs, outcomes=())
        assert scored.height > 20
        assert scored.select(names).equals(run.select(names))
        assert scored["child_id"].to_list() == run["child_id"].to_list()
