"""Everything a run logs to MLflow: config, parameters, environment, datasets, metrics, the
published audit, the saved and logged model, figures, the card and the run's description.

The steps compute and fill the card data; this layer only logs what they produced (sizes,
digests and aggregated tables, never rows) and reads a run's card data back
(:func:`download_card`). MLflow is imported inside the functions, so importing the runner
stays light.

Examples
--------
>>> import polars as pl
>>> table = pl.DataFrame({"model": ["lightgbm", "lightgbm - rule"], "metric": ["auroc"] * 2,
...                       "at": [None, None], "estimate": [0.7, 0.1], "lower": [0.6, 0.0],
...                       "upper": [0.8, 0.2]})
>>> [r["model"] for r in _mlflow_metric_rows(table, "lightgbm")]
['lightgbm', 'gap_rule']
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from earlysignal.experiment.config import ExperimentConfig
from earlysignal.experiment.state import ExperimentError, _State

SaveModel = Callable[[_State, Callable[[Path, str], None]], None]
"""A step that writes the model folder and hands it to a ``log(folder, name)`` callback."""

__all__ = [
    "download_card",
    "log_audit",
    "log_card",
    "log_datasets_of_run",
    "log_evaluation",
    "log_model",
    "log_run_start",
    "tracked",
]


@contextmanager
def tracked(config: ExperimentConfig, uri: str, config_sha: str) -> Iterator[Any]:
    """The study's MLflow run (FINISHED on success, FAILED on any exception)."""
    from earlysignal.tracking import tracked_run

    with tracked_run(
        experiment=config.tracking.experiment,
        run_name=config.study.name,
        uri=uri,
        tags={"earlysignal.study": config.study.name, "earlysignal.config_sha256": config_sha},
    ) as run:
        yield run


def log_run_start(config: ExperimentConfig, config_text: str, env: dict[str, Any]) -> None:
    """The config as given and resolved, flattened parameters and the environment."""
    import mlflow

    from earlysignal.tracking import flatten_params, log_environment, log_json, log_params

    mlflow.log_text(config_text, "config.toml")
    log_json(config.to_dict(), "config.json")
    log_params(flatten_params(config.to_dict()))
    log_environment(env)


def log_datasets_of_run(state: _State) -> dict[str, str]:
    """The feature vocabulary and the datasets (sizes, schema, digests; never rows).

    Returns the SHA-256 digest of each table, for the card.
    """
    from earlysignal.tracking import log_datasets, log_json

    log_json(state.card["predictors"]["vocabulary"], "feature_vocabulary.json")
    if "personas" in state.card["predictors"]:  # the persona fit: settings, quality, digest
        log_json(state.card["predictors"]["personas"], "persona_fit.json")
    for name in ("import_report.json", "validation_report.json"):  # exact: internal record
        if (state.work / name).is_file():
            import mlflow

            mlflow.log_artifact(str(state.work / name), "data")
    tables = dict(state.history.tables())
    tables["features"] = state.frame
    return {k: v["sha256"] for k, v in log_datasets(tables).items()}


def log_evaluation(state: _State) -> None:
    """Metrics with their intervals, and the tidy evaluation table as JSON."""
    from earlysignal.tracking import log_json, log_metrics_with_intervals

    kind = state.config.model.kind
    log_metrics_with_intervals(_mlflow_metric_rows(state.metrics, kind), primary=kind)
    log_json(state.metrics.to_dicts(), "evaluation/metrics.json")


def log_audit(state: _State) -> None:
    """The disclosure-controlled fairness table (as published)."""
    from earlysignal.tracking import log_json

    log_json(state.audit_published, "fairness/audit_published.json")


def log_artifacts(folder: Path, name: str) -> None:
    """A folder as the run's artefacts under ``name``."""
    import mlflow

    mlflow.log_artifacts(str(folder), name)


def log_model(state: _State, run_id: str, save_model: SaveModel) -> dict[str, Any]:
    """Save the model (``save_model``), log its folder and log it as an MLflow logged model.

    Returns what the card records of the logged model.
    """
    from earlysignal.scoring.mlflow_model import log_model_of_run

    save_model(state, log_artifacts)
    logged: dict[str, Any] = log_model_of_run(
        state.work / "model", run_id, state.config.tracking.register_as
    )
    return logged


def log_card(staged: Path, figures: Path, card: dict[str, Any]) -> None:
    """The figures, the card folder and the run's description (from the card, in its language)."""
    from earlysignal.card.texts import card_language, render_text
    from earlysignal.tracking import set_run_description

    log_artifacts(staged / "figures", "figures")  # drawn by write_card from the stored numbers
    log_artifacts(staged, "model_card")
    perf = card.get("performance", {})
    with card_language(card.get("language")):  # the summary's reader texts, worded
        summary = [render_text(x) for x in perf.get("summary", [])]
    set_run_description({**card, "performance": {**perf, "summary": summary}})


def download_card(run_id: str, uri: str, dst: Path) -> tuple[dict[str, Any], Path]:
    """A run's logged card data and the folder holding it and its figures.

    Raises
    ------
    ExperimentError
        When the run has no card data (for example a FAILED run).
    """
    import mlflow

    client = mlflow.MlflowClient(uri)
    run = client.get_run(run_id)
    try:
        local = mlflow.artifacts.download_artifacts(
            run_id=run_id, artifact_path="model_card", dst_path=str(dst), tracking_uri=uri
        )
    except Exception as exc:
        raise ExperimentError(
            f"run {run_id} (status {run.info.status}) has no model card data "
            "('model_card/model_card.json'): only finished runs have a card; re-run the "
            "experiment"
        ) from exc
    folder = Path(local)
    data_file = folder / "model_card.json"
    if not data_file.is_file():
        raise ExperimentError(
            f"run {run_id} (status {run.info.status}) has no 'model_card/model_card.json'"
        )
    return json.loads(data_file.read_text(encoding="utf-8")), folder


def _mlflow_metric_rows(table: pl.DataFrame, primary: str) -> list[dict[str, Any]]:
    """Evaluation rows renamed for MLflow: plain for the model, prefixed for the others."""
    rename = {
        f"{primary} - oracle": "gap_oracle",
        f"{primary} / oracle": "oracle_share",
    }
    rows = []
    for r in table.iter_rows(named=True):
        model = str(r["model"])
        if model.startswith(f"{primary} - ") and model not in rename:
            model = "gap_" + model.removeprefix(f"{primary} - ")
        model = rename.get(model, model)
        metric = str(r["metric"])
        if r["at"] is not None:
            metric = f"{metric}_at_{r['at']:g}"
        rows.append(
            {"model": model, "metric": metric, "value": r["estimate"], "lower": r["lower"],
             "upper": r["upper"]}
        )  # fmt: skip
    return rows
