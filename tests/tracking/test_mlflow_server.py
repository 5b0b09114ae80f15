"""A real ``mlflow server`` (SQLite backend, local artifact store) tracks a small experiment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from local_server import free_port, stop, wait_healthy  # type: ignore[import-not-found]

from earlysignal.experiment.config import ExperimentConfig, load_config

pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.long]

HEALTH_TIMEOUT_S = 180  # the server needs 30-95 s to answer on a loaded 2-core machine


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    mlflow_exe = Path(sys.executable).with_name("mlflow")
    log = (tmp_path / "server.log").open("wb")
    cmd = [
        str(mlflow_exe), "server",
        "--backend-store-uri", f"sqlite:///{tmp_path / 'backend.db'}",
        "--artifacts-destination", str(tmp_path / "artifacts"),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
    ]  # fmt: skip
    env = {**os.environ, "MLFLOW_TRACKING_URI": ""}
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}", proc
    finally:
        stop(proc)
        log.close()


def test_small_experiment_against_a_real_server(
    server: tuple[str, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    import mlflow

    from earlysignal.experiment.runner import render_card_from_run, run_experiment
    from earlysignal.synth import simulate

    url, proc = server
    # simulate while the server starts
    sim = simulate(400, years=7, seed=5)
    data = load_config("breakdown_180d").to_dict()
    data["model"].update(n_estimators=15, num_leaves=7, min_child_samples=20)
    data["evaluation"]["bootstrap"] = 10
    data["explain"]["sample"] = 100
    data["fairness"]["bootstrap"] = 0
    data["tracking"]["experiment"] = "server-test"
    data["tracking"]["register_as"] = "server_test_model"
    config = ExperimentConfig.from_dict(data)
    wait_healthy(f"{url}/health", proc, tmp_path / "server.log", HEALTH_TIMEOUT_S)

    result = run_experiment(config, tracking_uri=url, output_dir=tmp_path / "cards",
                            simulation=sim)  # fmt: skip

    client = mlflow.MlflowClient(url)
    run = client.get_run(result.run_id)
    assert run.info.status == "FINISHED"
    assert run.info.run_name == "breakdown_180d"
    metrics = run.data.metrics
    for name in ("auroc", "auprc", "brier"):
        assert metrics[f"{name}_lower"] <= metrics[name] <= metrics[f"{name}_upper"], name
    # a percentile interval of the ECE (a biased, non-smooth statistic) need not hold its
    # own estimate: logged with its bounds is what this test is about
    assert metrics["ece_lower"] <= metrics["ece_upper"] and "ece" in metrics
    assert "logistic.auroc" in metrics and "rule.auroc" in metrics
    history = client.get_metric_history(result.run_id, "auroc")
    assert [h.value for h in history] == [metrics["auroc"]]
    card_files = {a.path for a in client.list_artifacts(result.run_id, "model_card")}
    assert {"model_card/model_card.json", "model_card/model_card.html",
            "model_card/model_card.md"} <= card_files  # fmt: skip
    local = client.download_artifacts(result.run_id, "model_card/model_card.json", str(tmp_path))
    card = json.loads(Path(local).read_text())
    assert card["run"]["run_id"] == result.run_id
    assert card == result.card
    # the artifacts went through the server into its artifact store
    assert any((tmp_path / "artifacts").rglob("model_card.json"))
    rerendered = render_card_from_run(result.run_id, tracking_uri=url,
                                      output_dir=tmp_path / "again")  # fmt: skip
    assert json.loads((rerendered / "model_card.json").read_text()) == card
    # the logged model is in the server's models list, registered, and loads through the server
    experiment = client.get_experiment_by_name("server-test")
    logged = client.search_logged_models(experiment_ids=[experiment.experiment_id])
    assert [m.model_id for m in logged] == [card["provenance"]["logged_model"]["model_id"]]
    assert logged[0].source_run_id == result.run_id
    assert client.get_model_version("server_test_model", "1").run_id == result.run_id
    assert "breakdown" in run.data.tags["mlflow.note.content"]
    mlflow.set_tracking_uri(url)
    mlflow.set_registry_uri(url)
    pyfunc = mlflow.pyfunc.load_model("models:/server_test_model/1")
    from earlysignal.scoring import load_scoring_model
    from earlysignal.scoring.score import score_frame

    loaded = load_scoring_model("models:/server_test_model/1", tracking_uri=url,
                                workdir=tmp_path / "m")  # fmt: skip
    x = score_frame(loaded, sim.history, sim.history.observed_until).select(loaded.feature_names)
    got = pyfunc.predict(x.to_pandas().astype("float64"))["risk"].to_numpy()
    assert (got == loaded.model.risk(x)).all()
