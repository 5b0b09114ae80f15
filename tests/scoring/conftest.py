"""One small study, run once per test session, whose model the scoring tests use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from earlysignal.experiment.config import ExperimentConfig, load_config


@dataclass(frozen=True)
class Study:
    sim: Any
    result: Any
    uri: str
    root: Path


def small_config(register_as: str | None = "es_test_model") -> ExperimentConfig:
    data = load_config("breakdown_180d").to_dict()
    data["model"].update(n_estimators=25, num_leaves=7, min_child_samples=20)
    data["evaluation"]["bootstrap"] = 10
    data["evaluation"]["oracle_rows"] = 0
    data["explain"]["sample"] = 100
    data["fairness"]["bootstrap"] = 0
    data["tracking"]["experiment"] = "scoring-tests"
    data["tracking"]["register_as"] = register_as
    return ExperimentConfig.from_dict(data)


@pytest.fixture(scope="session")
def study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    import os

    from earlysignal.experiment.runner import run_experiment
    from earlysignal.synth import simulate

    root = tmp_path_factory.mktemp("study")
    uri = f"sqlite:///{root / 'mlruns.db'}"
    sim = simulate(600, years=7, seed=3)
    old = Path.cwd()
    os.chdir(root)  # the SQLite store's default artifact root is ./mlruns
    try:
        result = run_experiment(small_config(), tracking_uri=uri, output_dir=root / "cards",
                                simulation=sim)  # fmt: skip
    finally:
        os.chdir(old)
    return Study(sim=sim, result=result, uri=uri, root=root)
