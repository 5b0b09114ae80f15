"""The shipped iJw experiment runs end to end on a simulated archive; its card names the
source, its definitions and its blind spots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from earlysignal.card import validate_card
from earlysignal.disclosure import published_counts
from earlysignal.experiment.config import ExperimentConfig, load_config
from earlysignal.experiment.runner import run_experiment
from earlysignal.sources.ijw import source_definitions

pytestmark = pytest.mark.slow

CONFIG = Path(__file__).resolve().parents[2] / "experiments" / "breakdown_180d_ijw.toml"


def test_ijw_experiment_end_to_end(tmp_path: Path) -> None:
    data = load_config(CONFIG).to_dict()
    assert data["data"]["source"] == "ijw" and data["data"].get("path") is None
    data["data"]["n_children"] = 1000
    data["evaluation"]["bootstrap"] = 20
    data["fairness"]["bootstrap"] = 5
    data["explain"]["sample"] = 300
    data["model"]["n_estimators"] = 200
    data["tracking"]["experiment"] = "tests"
    cfg = ExperimentConfig.from_dict(data)
    result = run_experiment(
        cfg, tracking_uri=f"sqlite:///{tmp_path / 'mlruns.db'}", output_dir=tmp_path / "cards"
    )
    card = result.card
    validate_card(card)
    d = card["data"]
    assert "iJw 3.2 messages" in d["source"]
    assert d["simulated"] is True  # a simulated archive: the card says so
    assert d["source_definitions"] == source_definitions()
    import mlflow

    # the exact import report is the data team's (the run's artefact data/import_report.json)
    report = mlflow.artifacts.download_artifacts(
        run_id=result.run_id, artifact_path="data/import_report.json",
        tracking_uri=f"sqlite:///{tmp_path / 'mlruns.db'}", dst_path=str(tmp_path / "artifacts"),
    )  # fmt: skip
    imp = json.loads(Path(report).read_text())
    assert imp["rows_read"]["messages"] == (
        imp["kept"]["messages"] + imp["excluded"]["messages"] + imp["duplicates_merged"]["messages"]
    )
    assert imp["kept"]["messages"] > 10_000 and imp["files"] == imp["rows_read"]["messages"]
    assert d["import"] == published_counts(imp)  # on the card: rounded to 5, under 10 hidden
    text = (result.card_dir / "model_card.md").read_text()
    for blind in source_definitions()["blind_spots"]:
        assert blind.split(":")[0] in text
    assert "doorverhuizing" in text
    assert "Trained and tested on simulated data" in text
    html = (result.card_dir / "model_card.html").read_text()
    assert "five working days" in html
