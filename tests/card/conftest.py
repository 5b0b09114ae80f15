"""A demo-like card: the shipped breakdown study run end to end on a smaller simulated cohort."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def demo_like(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """The card data and folder of the default study on 1,500 simulated children over 8 years.

    Everything but the size is the demo's (design, split, decision rule, audit, card), so the
    card has every section the demo card has; the real demo card is checked by
    tests/test_readme.py.
    """
    from earlysignal.experiment.config import ExperimentConfig, load_config
    from earlysignal.experiment.runner import run_experiment

    data = load_config("breakdown_180d").to_dict()
    data["data"].update(n_children=1500, years=8, sim_seed=5)
    data["model"].update(n_estimators=60, min_child_samples=40)
    data["evaluation"].update(bootstrap=30, oracle_rows=600)
    data["explain"]["sample"] = 200
    data["fairness"]["bootstrap"] = 30
    data["decision"]["caseload"] = 15
    data["card"]["rights_informed"] = "A letter and a talk with the caseworker (test text)."
    data["tracking"]["experiment"] = "card-tests"
    root = tmp_path_factory.mktemp("demo_like")
    result = run_experiment(
        ExperimentConfig.from_dict(data),
        tracking_uri=f"sqlite:///{root / 'mlruns.db'}",
        output_dir=root / "cards",
    )
    card = json.loads((result.card_dir / "model_card.json").read_text())
    return card, result.card_dir
