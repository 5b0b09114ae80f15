"""The experiment runner: one config in, one tracked MLflow run and one model card out.

:func:`run_experiment` runs every step of a study in order (load, validate, prediction times,
features and outcomes, split, fit, calibrate, evaluate, explain, audit, save the model, write
the card), with optional rich progress bars, inside an MLflow run. This module only
orchestrates; the work is done by modules with one job each:

- :mod:`~earlysignal.experiment.state`: the run's state, the steps' progress and helpers;
- :mod:`~earlysignal.experiment.steps_data`: load, validate, prediction times, features and
  outcomes, split;
- :mod:`~earlysignal.experiment.steps_model`: fit, calibrate, oracle, evaluate, board figures,
  save the model;
- :mod:`~earlysignal.experiment.steps_report`: explain, audit, the card's fields from the
  config and the environment;
- :mod:`~earlysignal.experiment.tracking_run`: everything logged to MLflow;
- :mod:`~earlysignal.experiment.staging`: the card folder staged and moved into place.

What is logged: the config (as given and resolved), flattened parameters, metrics with
95 % intervals (``auroc``, ``auroc_lower``, ``auroc_upper``, ...), dataset sizes and digests
(never the data), figures, the disclosure-controlled fairness table, the saved model (text and
JSON files, no pickle), the environment and the model card (its JSON data is the single source
the card is rendered from; :func:`render_card_from_run` re-renders it).

The steps store language-neutral card data (numbers, ids and keys of reader texts); the card
is worded at render time, in the card's language, by ``earlysignal.card``.

A run that fails or is interrupted is marked FAILED in MLflow and leaves no card behind: the
card is assembled in a temporary folder and moved into place as the very last step.

Examples
--------
>>> from earlysignal.experiment.config import load_config
>>> STEPS[:3]
('load data', 'validate', 'prediction times')
>>> card_folder_name(load_config("breakdown_180d"), "0123456789abcdef")
'breakdown_180d-01234567'
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from earlysignal.experiment.config import ExperimentConfig, load_config
from earlysignal.experiment.staging import move_into_place
from earlysignal.experiment.state import STEPS, ExperimentError, _State, _Steps
from earlysignal.experiment.steps_data import (
    _features,
    _load,
    _prediction_times,
    _split,
    _validate,
)
from earlysignal.experiment.steps_model import _calibrate, _evaluate, _fit, _save_model
from earlysignal.experiment.steps_report import (
    _audit,
    _environment_card,
    _explain,
    _fill_human_fields,
    _finish_limitations,
)
from earlysignal.experiment.tracking_run import (
    download_card,
    log_audit,
    log_card,
    log_datasets_of_run,
    log_evaluation,
    log_model,
    log_run_start,
    tracked,
)

if TYPE_CHECKING:
    from earlysignal.data.history import CareHistory

__all__ = [
    "STEPS",
    "ExperimentError",
    "RunResult",
    "card_folder_name",
    "render_card_from_run",
    "run_experiment",
]


@dataclass(frozen=True)
class RunResult:
    """What a finished run produced.

    Attributes
    ----------
    run_id, experiment, tracking_uri
        Where the run is in MLflow.
    card_dir
        Folder holding ``model_card.md``, ``model_card.html``, ``model_card.json`` and
        ``figures/``.
    card
        The card data (as in ``model_card.json``).
    metrics
        The tidy evaluation table (``earlysignal.evaluate.EVALUATION_SCHEMA``).
    durations
        Seconds per step.
    """

    run_id: str
    experiment: str
    tracking_uri: str
    card_dir: Path
    card: dict[str, Any]
    metrics: pl.DataFrame
    durations: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """Lines for the terminal: run id, card path and how to open the MLflow UI."""
        from earlysignal.tracking import ui_command

        return "\n".join(
            [
                f"MLflow run:    {self.run_id} (experiment {self.experiment!r})",
                f"model card:    {self.card_dir / 'model_card.html'}",
                f"               {self.card_dir / 'model_card.md'}",
                f"MLflow UI:     {ui_command(self.tracking_uri)}",
            ]
        )


def card_folder_name(config: ExperimentConfig, run_id: str) -> str:
    """Name of a run's card folder: the study name and the first 8 characters of the run id."""
    return f"{config.study.name}-{run_id[:8]}"


# ----------------------------------------------------------------------------- entry points


def run_experiment(
    config: ExperimentConfig | str | Path,
    *,
    tracking_uri: str | None = None,
    output_dir: str | Path | None = None,
    history: CareHistory | None = None,
    simulation: Any = None,
    progress: bool = False,
    config_text: str | None = None,
) -> RunResult:
    """Run a whole study and return where its run and card are.

    Parameters
    ----------
    config
        An :class:`~earlysignal.experiment.config.ExperimentConfig`, a TOML path, or the name
        of a shipped config (``"breakdown_180d"``).
    tracking_uri
        MLflow tracking URI; default ``MLFLOW_TRACKING_URI`` or ``sqlite:///mlruns.db``.
    output_dir
        Where the card folder goes; default the config's ``tracking.output_dir``.
    history, simulation
        Use this care history (or simulation, which also gives the oracle) instead of the
        config's ``[data]`` source.
    progress
        Show rich progress bars.
    config_text
        The config's original text, logged as ``config.toml`` (read from the file when
        ``config`` is a path).

    Returns
    -------
    RunResult
        The run id, the card folder, the card data and the metrics.

    Raises
    ------
    ConfigError, DataValidationError, ExperimentError
        Before or during the run; a started run is then marked FAILED in MLflow and no card
        is left behind.
    """
    from earlysignal.card import new_card, write_card
    from earlysignal.ledger import ledger_for
    from earlysignal.tracking import environment_info, resolve_tracking_uri

    if not isinstance(config, ExperimentConfig):
        path = config
        config = load_config(path)
        if config_text is None and Path(path).is_file():
            config_text = Path(path).read_text(encoding="utf-8")
    config_text = config_text or config.to_toml()
    uri = resolve_tracking_uri(tracking_uri)
    out_root = Path(output_dir or config.tracking.output_dir)
    config_sha = hashlib.sha256(config_text.encode("utf-8")).hexdigest()
    env = environment_info()
    steps = _Steps(progress)
    with (
        tempfile.TemporaryDirectory(prefix="earlysignal-run-") as tmp,
        tracked(config, uri, config_sha) as run,
        steps,
    ):
        run_id = run.info.run_id
        work = Path(tmp)
        figures = work / "figures"
        figures.mkdir()
        o = config.outcome
        card = new_card(
            run_id=run_id,
            experiment=config.tracking.experiment,
            run_name=config.study.name,
            outcome=o.name,
            horizon_days=o.horizon_days,
            min_moves=o.min_moves,
        )
        card["run"]["started"] = datetime.now(UTC).isoformat(timespec="seconds")
        card["model_details"]["version"] = env["packages"].get("earlysignal", "")
        card["model_details"]["date"] = date.today().isoformat()
        state = _State(config, config.study.seed, work, figures, card)
        state.ledger = ledger_for(config.disclosure.ledger, out_root)
        _fill_human_fields(card, config)
        _environment_card(state, env, config_sha)
        log_run_start(config, config_text, env)

        with steps.step("load data"):
            _load(state, history, simulation)
        with steps.step("validate"):
            _validate(state)
        with steps.step("prediction times"):
            _prediction_times(state)
        with steps.step("features and outcomes"):
            _features(state)
        card["data"]["digests"] = log_datasets_of_run(state)
        with steps.step("split"):
            _split(state)
        with steps.step("fit"):
            _fit(state)
        with steps.step("calibrate"):
            _calibrate(state)
        with steps.step("evaluate"):
            _evaluate(state)
            log_evaluation(state)
        with steps.step("explain"):
            _explain(state)
        with steps.step("audit"):
            _audit(state)
            log_audit(state)
        with steps.step("save model"):
            card["provenance"]["logged_model"] = log_model(state, run_id, _save_model)
        with steps.step("model card"):
            _finish_limitations(state)
            card["provenance"]["durations_s"] = dict(steps.durations)
            staged = write_card(card, work / "card", figures_dir=figures, lang=config.card.language)
            card = json.loads((staged / "model_card.json").read_text(encoding="utf-8"))
            log_card(staged, figures, card)
            target = out_root / card_folder_name(config, run_id)
            out_root.mkdir(parents=True, exist_ok=True)
            move_into_place(staged, target)
    return RunResult(
        run_id=run_id,
        experiment=config.tracking.experiment,
        tracking_uri=uri,
        card_dir=target,
        card=card,
        metrics=state.metrics,
        durations=dict(steps.durations),
    )


def render_card_from_run(
    run_id: str,
    *,
    tracking_uri: str | None = None,
    output_dir: str | Path = "earlysignal-output",
    lang: str | None = None,
) -> Path:
    """Re-render a run's model card from its logged card data (the single source).

    ``lang`` ("en", "nl") renders it in that language; by default in the language the run
    logged (``card["language"]``).

    Downloads ``model_card/model_card.json`` and the figures of the run, validates the data
    against the schema and writes Markdown, HTML and JSON to
    ``output_dir/<run name>-<run id[:8]>``. Nothing is recomputed, so the card says exactly
    what the run measured.

    Raises
    ------
    ExperimentError
        When the run has no card data (for example a FAILED run).
    """
    from earlysignal.card import validate_card, write_card
    from earlysignal.tracking import resolve_tracking_uri

    uri = resolve_tracking_uri(tracking_uri)
    with tempfile.TemporaryDirectory(prefix="earlysignal-card-") as tmp:
        card, folder = download_card(run_id, uri, Path(tmp))
        validate_card(card)
        name = f"{card['run']['run_name']}-{run_id[:8]}"
        return write_card(card, Path(output_dir) / name, figures_dir=folder / "figures", lang=lang)
