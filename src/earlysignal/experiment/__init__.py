"""Experiments: a TOML config (pydantic) and the runner that turns it into a tracked run.

``load_config`` validates a config (unknown keys and bad values are errors naming the key and
the allowed values); ``run_experiment`` runs the study end to end, logs it to MLflow and
writes the model card; ``render_card_from_run`` re-renders a card from a run. The command
line is ``earlysignal run CONFIG``, ``earlysignal demo`` and ``earlysignal card RUN_ID``.

Examples
--------
>>> from earlysignal.experiment import load_config
>>> load_config("breakdown_180d").decision.capacity
0.1
"""

from __future__ import annotations

from earlysignal.experiment.config import (
    DEFAULT_CONFIGS,
    ConfigError,
    ExperimentConfig,
    default_config_path,
    load_config,
)
from earlysignal.experiment.runner import (
    STEPS,
    ExperimentError,
    RunResult,
    render_card_from_run,
    run_experiment,
)

__all__ = [
    "DEFAULT_CONFIGS",
    "STEPS",
    "ConfigError",
    "ExperimentConfig",
    "ExperimentError",
    "RunResult",
    "default_config_path",
    "load_config",
    "render_card_from_run",
    "run_experiment",
]
