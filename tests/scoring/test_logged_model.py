"""The study's model is an MLflow logged model (pyfunc, no pickle) that loads in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from studies import REGISTERED, small_study  # type: ignore[import-not-found]

pytestmark = pytest.mark.slow


def test_run_has_a_logged_registered_model_with_card_link_datasets_and_description() -> None:
    import mlflow

    s = small_study()
    logged = s.result.card["provenance"]["logged_model"]
    client = mlflow.MlflowClient(s.uri, registry_uri=s.uri)
    model = client.get_logged_model(logged["model_id"])
    assert model.source_run_id == s.result.run_id
    assert model.tags["earlysignal.card"].endswith("model_card/model_card.json")
    assert logged["registered_name"] == REGISTERED and logged["registered_version"] == 1
    version = client.get_model_version(REGISTERED, "1")
    assert version.run_id == s.result.run_id
    run = client.get_run(s.result.run_id)
    assert "breakdown" in run.data.tags["mlflow.note.content"]
    inputs = {d.dataset.name: d for d in run.inputs.dataset_inputs}
    assert {"children", "placements", "events", "features"} <= set(inputs)
    features = inputs["features"]
    assert features.dataset.digest == run.data.tags["digest.features"][:36]
    # the source names the table and holds no rows
    assert json.loads(features.dataset.source) == {"tags": {"earlysignal.table": "features"}}
    assert json.loads(features.dataset.schema)["mlflow_colspec"]  # the schema, not the rows
    assert {t.key: t.value for t in features.tags}["rows"] == str(
        int(run.data.metrics["rows.features"])
    )


def test_no_pickle_in_the_logged_model() -> None:
    import mlflow

    s = small_study()
    local = Path(
        mlflow.artifacts.download_artifacts(
            artifact_uri=f"models:/{REGISTERED}/1",
            tracking_uri=s.uri,
            dst_path=str(s.root / "dl-nopickle"),
        )
    )
    names = [p.name for p in local.rglob("*") if p.is_file()]
    assert "MLmodel" in names and "booster.txt" in names and "manifest.json" in names
    assert not [n for n in names if n.endswith((".pkl", ".pickle", ".cloudpickle"))]
    mlmodel = (local / "MLmodel").read_text()
    assert "python_model.pkl" not in mlmodel and "pyfunc_model.py" in mlmodel


def test_pyfunc_in_a_fresh_process_gives_the_run_risks(tmp_path: Path) -> None:
    from earlysignal.scoring import load_scoring_model
    from earlysignal.scoring.score import score_frame

    s = small_study()
    loaded = load_scoring_model(s.result.run_id, tracking_uri=s.uri, workdir=tmp_path / "m")
    frame = score_frame(loaded, s.sim.history, s.sim.history.observed_until)
    x = frame.select(loaded.feature_names)
    x.write_parquet(tmp_path / "x.parquet")
    code = (
        "import sys, mlflow, pandas as pd\n"
        f"mlflow.set_registry_uri({s.uri!r}); mlflow.set_tracking_uri({s.uri!r})\n"
        f"m = mlflow.pyfunc.load_model('models:/{REGISTERED}/1')\n"
        f"x = pd.read_parquet({str(tmp_path / 'x.parquet')!r}).astype('float64')\n"
        f"m.predict(x).to_parquet({str(tmp_path / 'y.parquet')!r})\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=s.root, timeout=600)
    got = pl.read_parquet(tmp_path / "y.parquet")
    np.testing.assert_array_equal(got["risk"].to_numpy(), loaded.model.risk(x))
    lo, hi = loaded.model.predict_interval(x)
    np.testing.assert_array_equal(got["risk_lower"].to_numpy(), lo)
    np.testing.assert_array_equal(got["risk_upper"].to_numpy(), hi)
