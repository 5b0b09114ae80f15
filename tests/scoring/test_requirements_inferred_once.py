"""MLflow infers a model structure's pip requirements once per process; later models reuse them."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest
from studies import REGISTERED, small_study  # type: ignore[import-not-found]

pytestmark = pytest.mark.slow

ENV_FILES = ("requirements.txt", "conda.yaml", "python_env.yaml")


def test_a_second_model_of_the_same_structure_is_logged_without_inferring_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow

    from earlysignal.scoring.mlflow_model import log_risk_model

    s = small_study()
    first = Path(
        mlflow.artifacts.download_artifacts(
            artifact_uri=f"models:/{REGISTERED}/1", tracking_uri=s.uri, dst_path=str(tmp_path)
        )
    )
    monkeypatch.chdir(s.root)
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(s.uri)
    experiment_id = mlflow.get_run(s.result.run_id).info.experiment_id
    try:
        # the first model of this structure in this process, from here: MLflow infers (the
        # study's own run may have been logged under other settings, or by another process)
        with mlflow.start_run(experiment_id=experiment_id):
            log_risk_model(first / "artifacts" / "model")
        with (
            mock.patch(
                "mlflow.models.infer_pip_requirements",
                side_effect=AssertionError("MLflow inferred the requirements again"),
            ),
            mlflow.start_run(experiment_id=experiment_id),
        ):
            info = log_risk_model(first / "artifacts" / "model")
        again = Path(
            mlflow.artifacts.download_artifacts(
                artifact_uri=info.model_uri, dst_path=str(tmp_path / "again")
            )
        )
    finally:
        mlflow.set_tracking_uri(previous)
    for name in ENV_FILES:  # the same environment files as the inferred ones
        assert (again / name).read_text() == (first / name).read_text(), name
    assert "lightgbm" in (again / "requirements.txt").read_text()


def test_the_structure_key_ignores_numbers_and_sees_classes_and_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from earlysignal.scoring.mlflow_model import _structure_key

    def folder(name: str, spec: dict[str, object]) -> Path:
        out = tmp_path / name
        out.mkdir()
        (out / "model.json").write_text(json.dumps(spec))
        (out / "manifest.json").write_text("{}")
        return out

    monkeypatch.chdir(tmp_path)

    def spec(base: str, trees: int, x: list[float]) -> dict[str, object]:
        return {"class": "CalibratedRiskModel", "params": {"method": "isotonic"},
                "base": {"class": base, "n_trees": trees}, "x": x}  # fmt: skip

    a = folder("a", spec("LightGBMRiskModel", 10, [1.0, 2.0]))
    b = folder("b", spec("LightGBMRiskModel", 99, [3.0]))
    c = folder("c", spec("LogisticRiskModel", 10, [1.0, 2.0]))
    assert _structure_key(a) == _structure_key(b)
    assert _structure_key(a) != _structure_key(c)
    key = _structure_key(a)
    monkeypatch.chdir(a)  # MLflow exports a uv project's lock when the working folder is one
    assert _structure_key(a) != key
