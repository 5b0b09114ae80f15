"""The entry study end to end on a small at-home population: bounded features, ethics data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from earlysignal.card import validate_card
from earlysignal.experiment.config import ExperimentConfig, load_config
from earlysignal.experiment.runner import run_experiment

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_entry_study_runs_with_its_ethics_section(tmp_path: Path) -> None:
    from earlysignal.synth.at_home import simulate_at_home

    data = load_config(ROOT / "experiments" / "entry_180d.toml").to_dict()
    data["data"].update(n_children=3000, years=7, sim_seed=3)
    data["model"].update(n_estimators=25, num_leaves=7, min_child_samples=20)
    data["evaluation"].update(bootstrap=20, oracle_rows=300)
    data["explain"]["sample"] = 200
    data["fairness"]["bootstrap"] = 10
    data["tracking"]["experiment"] = "tests"
    cfg = ExperimentConfig.from_dict(data)
    sim = simulate_at_home(3000, years=7, seed=3)
    result = run_experiment(
        cfg, tracking_uri=f"sqlite:///{tmp_path / 'mlruns.db'}", output_dir=tmp_path / "cards",
        simulation=sim,
    )  # fmt: skip
    cards = list((tmp_path / "cards").rglob("model_card.json"))
    assert cards, result
    card: dict[str, Any] = json.loads(cards[0].read_text())
    validate_card(card)
    er = card["ethics"]["entry_risk"]
    assert er["no_ever_features"] is True and er["unbounded_features"] == []
    assert er["lookback_days"] == 365
    assert er["purpose"] and er["oversight"]
    assert {r["attribute"] for r in er["audit"]["power"]} >= {"origin", "region"}
    names = [f["name"] for f in card["predictors"]["features"]]
    assert not any(n.endswith("_ever") or n.startswith("days_since") for n in names)
    md = cards[0].with_name("model_card.md").read_text()
    assert "Risk for families at home" in md
