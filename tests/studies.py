"""One small study (simulated, logged to a SQLite MLflow store), run once per test process.

The scoring and monitoring tests share it: :func:`small_study` caches it in this module.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from earlysignal.experiment.config import ExperimentConfig, load_config

REGISTERED = "es_test_model"


@dataclass(frozen=True)
class Study:
    sim: Any
    result: Any
    uri: str
    root: Path
    data: Path


def small_config(register_as: str | None = REGISTERED) -> ExperimentConfig:
    data = load_config("breakdown_180d").to_dict()
    data["model"].update(n_estimators=25, num_leaves=7, min_child_samples=20)
    data["evaluation"]["bootstrap"] = 10
    data["evaluation"]["oracle_rows"] = 0
    data["explain"]["sample"] = 100
    data["fairness"]["bootstrap"] = 0
    data["tracking"]["experiment"] = "scoring-tests"
    data["tracking"]["register_as"] = register_as
    return ExperimentConfig.from_dict(data)


_CACHE: dict[str, Study] = {}


def small_study() -> Study:
    """600 simulated children over 7 years, the default breakdown study, a registered model."""
    if "study" in _CACHE:
        return _CACHE["study"]
    from earlysignal.experiment.runner import run_experiment
    from earlysignal.synth import simulate

    root = Path(tempfile.mkdtemp(prefix="earlysignal-study-"))
    uri = f"sqlite:///{root / 'mlruns.db'}"
    sim = simulate(600, years=7, seed=3)
    data = sim.history.write(root / "data")
    old = Path.cwd()
    os.chdir(root)  # the SQLite store's default artifact root is ./mlruns
    try:
        result = run_experiment(
            small_config(), tracking_uri=uri, output_dir=root / "cards", simulation=sim
        )
    finally:
        os.chdir(old)
    _CACHE["study"] = Study(sim=sim, result=result, uri=uri, root=root, data=Path(data))
    return _CACHE["study"]
