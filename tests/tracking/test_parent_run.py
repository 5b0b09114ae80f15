"""Runs started under ``under_parent_run`` are nested under that run; others are not."""

from __future__ import annotations

from pathlib import Path

from earlysignal.tracking import tracked_run, under_parent_run


def test_runs_in_the_block_carry_the_parent_id(tmp_path: Path) -> None:
    import mlflow

    uri = f"sqlite:///{tmp_path / 'mlruns.db'}"
    client = mlflow.MlflowClient(uri)
    mlflow.set_tracking_uri(uri)
    parent = client.create_run(mlflow.set_experiment("nesting").experiment_id, run_name="p")
    with (
        under_parent_run(parent.info.run_id),
        tracked_run(experiment="nesting", run_name="child", uri=uri) as run,
    ):
        child_id = run.info.run_id
    with tracked_run(experiment="nesting", run_name="alone", uri=uri) as run:
        alone_id = run.info.run_id
    assert client.get_run(child_id).data.tags["mlflow.parentRunId"] == parent.info.run_id
    assert "mlflow.parentRunId" not in client.get_run(alone_id).data.tags
    # the parent was never the active run of this process
    assert client.get_run(parent.info.run_id).info.status == "RUNNING"
