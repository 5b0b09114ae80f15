"""Tracking helpers: FAILED on interrupt, metric names with intervals, digests, environment."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from earlysignal.tracking import (
    DEFAULT_TRACKING_URI,
    dataset_digest,
    environment_info,
    flatten_params,
    log_datasets,
    log_metrics_with_intervals,
    metric_records,
    resolve_tracking_uri,
    tracked_run,
)


def test_uri_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert resolve_tracking_uri() == DEFAULT_TRACKING_URI == "sqlite:///mlruns.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///other.db")
    assert resolve_tracking_uri() == "sqlite:///other.db"
    assert resolve_tracking_uri("http://x") == "http://x"


def test_metric_names_carry_intervals() -> None:
    rows = [
        {"model": "lightgbm", "metric": "auroc", "value": 0.8, "lower": 0.7, "upper": 0.9},
        {"model": "rule", "metric": "auroc", "value": 0.6, "lower": float("nan"), "upper": None},
    ]
    assert metric_records(rows, primary="lightgbm") == {
        "auroc": 0.8, "auroc_lower": 0.7, "auroc_upper": 0.9, "rule.auroc": 0.6,
    }  # fmt: skip


def test_params_are_flat_and_short() -> None:
    params = flatten_params({"card": {"intended_use": "x" * 1000, "owners": []}, "a": {"b": 1}})
    assert params == {"card.owners": "[]", "a.b": "1"}


def test_digest_ignores_row_order_and_sees_values() -> None:
    a = pl.DataFrame({"child_id": ["a", "b", "c"], "n": [1, 2, 3]})
    assert dataset_digest(a) == dataset_digest(a.sample(fraction=1.0, shuffle=True, seed=3))
    assert dataset_digest(a) != dataset_digest(a.with_columns(n=pl.col("n") + 1))
    assert dataset_digest(a) != dataset_digest(a.head(2))
    assert len(dataset_digest(a.clear())) == 64


def test_environment_records_versions_lock_and_commit() -> None:
    info = environment_info(Path(__file__).parent)
    assert info["packages"]["polars"] == pl.__version__
    assert info["uv_lock_sha256"] is not None and len(info["uv_lock_sha256"]) == 64


def test_interrupted_run_is_marked_failed(tmp_path: Path) -> None:
    import mlflow

    uri = f"sqlite:///{tmp_path / 'mlruns.db'}"
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment("t")  # artifact root is set at creation
    with (
        pytest.raises(KeyboardInterrupt),
        tracked_run(experiment="t", run_name="interrupted", uri=uri) as run,
    ):
        log_metrics_with_intervals(
            [{"model": "m", "metric": "auroc", "value": 0.5, "lower": 0.4, "upper": 0.6}],
            primary="m",
        )
        log_datasets({"children": pl.DataFrame({"child_id": ["a"]})})
        raise KeyboardInterrupt
    client = mlflow.MlflowClient(uri)
    got = client.get_run(run.info.run_id)
    assert got.info.status == "FAILED"
    assert got.data.metrics["auroc_upper"] == 0.6
    assert got.data.metrics["rows.children"] == 1.0
    assert len(got.data.tags["digest.children"]) == 64
    with tracked_run(experiment="t", run_name="ok", uri=uri) as ok:
        pass
    assert client.get_run(ok.info.run_id).info.status == "FINISHED"
