"""``mlflow models serve`` serves the logged model over REST with the run's risks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from local_server import free_port, stop, wait_healthy  # type: ignore[import-not-found]
from studies import REGISTERED, small_study  # type: ignore[import-not-found]

pytestmark = [pytest.mark.server, pytest.mark.slow]

HEALTH_TIMEOUT_S = 240  # the scoring server needs a minute or more on a loaded 2-core machine


def test_mlflow_models_serve_scores_over_rest(tmp_path: Path) -> None:
    from earlysignal.scoring import load_scoring_model
    from earlysignal.scoring.score import score_frame

    s = small_study()
    loaded = load_scoring_model(
        f"models:/{REGISTERED}/1", tracking_uri=s.uri, workdir=tmp_path / "m"
    )
    x = (
        score_frame(loaded, s.sim.history, s.sim.history.observed_until)
        .select(loaded.feature_names)
        .head(20)
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "MLFLOW_TRACKING_URI": s.uri, "MLFLOW_REGISTRY_URI": s.uri}
    log = (tmp_path / "serve.log").open("wb")
    cmd = [
        str(Path(sys.executable).with_name("mlflow")),
        "models",
        "serve",
        "-m",
        f"models:/{REGISTERED}/1",
        "--env-manager",
        "local",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
        "-w",
        "1",
    ]
    proc = subprocess.Popen(
        cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=s.root, start_new_session=True
    )
    try:
        wait_healthy(f"{url}/ping", proc, tmp_path / "serve.log", HEALTH_TIMEOUT_S)
        rows = [[None if v is None else float(v) for v in row] for row in x.rows()]
        body = json.dumps({"dataframe_split": {"columns": list(x.columns), "data": rows}})
        request = urllib.request.Request(
            f"{url}/invocations", data=body.encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as resp:
            answer = json.loads(resp.read())
    finally:
        stop(proc)
        log.close()
    risks = np.array([r["risk"] for r in answer["predictions"]])
    np.testing.assert_allclose(risks, loaded.model.risk(x), rtol=0, atol=1e-12)
