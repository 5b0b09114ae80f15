"""A sweep on a local Dask cluster (127.0.0.1) gives the runs of the same sweep run locally."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from earlysignal.cli import app
from earlysignal.compute import ComputeSpec
from earlysignal.experiment.config import ExperimentConfig, load_config
from earlysignal.experiment.sweep import SUMMARY_METRICS, run_sweep

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow


def tiny_config() -> ExperimentConfig:
    data = load_config("breakdown_180d").to_dict()
    data["study"]["name"] = "tiny"
    data["data"].update(n_children=300, years=5)
    data["model"].update(n_estimators=20, num_leaves=7, min_child_samples=20, baselines=[])
    data["model"]["n_jobs"] = 1
    data["evaluation"].update(bootstrap=10, oracle_rows=200)
    data["explain"]["sample"] = 50
    data["fairness"]["bootstrap"] = 0
    data["tracking"]["experiment"] = "sweep-tests"
    return ExperimentConfig.from_dict(data)


@pytest.mark.long
def test_a_sweep_on_dask_equals_the_local_sweep(tmp_path: Path) -> None:
    import mlflow

    cfg_file = tmp_path / "tiny.toml"
    cfg_file.write_text(tiny_config().to_toml(), encoding="utf-8")
    uri = f"sqlite:///{tmp_path / 'mlruns.db'}"
    # locally, through the command: one study after the other in this process
    local = CliRunner().invoke(
        app,
        ["sweep", str(cfg_file), "--seeds", "1,2", "--tracking-uri", uri,
         "--out", str(tmp_path / "local")],
    )  # fmt: skip
    assert local.exit_code == 0, local.output
    assert "tiny-seed1" in local.output and "tiny-seed2" in local.output
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, silence_logs=logging.ERROR,
    ) as cluster:  # fmt: skip
        spec = ComputeSpec(backend="dask", address=cluster.scheduler_address)
        on_dask = run_sweep(
            tiny_config(), seeds=[1, 2], compute=spec, tracking_uri=uri,
            output_dir=tmp_path / "dask",
        )  # fmt: skip
    assert on_dask.ok
    client = mlflow.MlflowClient(uri)
    parents = client.search_runs(
        [client.get_experiment_by_name("sweep-tests").experiment_id],
        filter_string="tags.`earlysignal.sweep` = 'true'",
        order_by=["attributes.start_time ASC"],
    )
    assert len(parents) == 2 and all(p.info.status == "FINISHED" for p in parents)
    local_parent, dask_parent = parents
    assert dask_parent.info.run_id == on_dask.parent_run_id
    for parent in parents:
        rows = json.loads(
            Path(
                mlflow.artifacts.download_artifacts(
                    run_id=parent.info.run_id, artifact_path="sweep/results.json",
                    tracking_uri=uri,
                )
            ).read_text()
        )  # fmt: skip
        children = {r["run_id"] for r in rows}
        assert len(children) == 2
        for run_id in children:  # every study is a run nested under its sweep's parent
            child = client.get_run(run_id)
            assert child.data.tags["mlflow.parentRunId"] == parent.info.run_id
            assert child.info.status == "FINISHED"
        if parent is local_parent:
            local_rows = rows
    # the same studies, the same figures, whatever ran them
    cols = [c for c in on_dask.table.columns if c.split("_")[0] in SUMMARY_METRICS or
            c in {"name", "seed", "settings", "status"}]  # fmt: skip
    assert [{c: r[c] for c in cols} for r in local_rows] == on_dask.table.select(cols).to_dicts()
    assert on_dask.table["auroc"].n_unique() == 2  # the seeds differ
