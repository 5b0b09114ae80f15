"""``mlflow models serve`` serves the logged model over REST with the run's risks."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from studies import REGISTERED, small_study  # type: ignore[import-not-found]

pytestmark = [pytest.mark.server, pytest.mark.slow]

HEALTH_TIMEOUT_S = 240  # the scoring server needs a minute or more on a loaded 2-core machine


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/ping", timeout=5) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


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
    port = _free_port()
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
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"scoring server not up:\n{(tmp_path / 'serve.log').read_text()[-3000:]}"
                )
            time.sleep(1)
        rows = [[None if v is None else float(v) for v in row] for row in x.rows()]
        body = json.dumps({"dataframe_split": {"columns": list(x.columns), "data": rows}})
        request = urllib.request.Request(
            f"{url}/invocations", data=body.encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as resp:
            answer = json.loads(resp.read())
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        log.close()
    risks = np.array([r["risk"] for r in answer["predictions"]])
    np.testing.assert_allclose(risks, loaded.model.risk(x), rtol=0, atol=1e-12)
