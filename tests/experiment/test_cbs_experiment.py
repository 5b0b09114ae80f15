"""The shipped CBS experiment runs end to end on a simulated CBS archive, honest about it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from earlysignal.card import validate_card
from earlysignal.disclosure import published_counts
from earlysignal.experiment.config import ExperimentConfig, load_config
from earlysignal.experiment.runner import run_experiment

pytestmark = pytest.mark.slow

CONFIG = Path(__file__).resolve().parents[2] / "experiments" / "breakdown_180d_cbs.toml"


def test_config_uses_the_move_based_proxy() -> None:
    cfg = load_config(CONFIG)
    assert cfg.data.source == "cbs" and cfg.data.path is None
    # breakdown is not observable in CBS files: the outcome is at least one move
    assert (cfg.outcome.name, cfg.outcome.min_moves, cfg.outcome.horizon_days) == (
        "carousel",
        1,
        180,
    )


def test_cbs_experiment_end_to_end(tmp_path: Path) -> None:
    import mlflow

    data = load_config(CONFIG).to_dict()
    data["data"]["n_children"] = 1500
    data["data"]["years"] = 6
    # the checks are on the import, the definitions and the card's texts, not on the model's
    # quality: a small forest and a small oracle sample, as in the iJw and SSDA903 tests
    data["model"]["n_estimators"] = 200
    data["evaluation"]["bootstrap"] = 20
    data["evaluation"]["oracle_rows"] = 300
    data["fairness"]["bootstrap"] = 10
    data["explain"]["sample"] = 300
    data["tracking"]["experiment"] = "tests"
    cfg = ExperimentConfig.from_dict(data)
    uri = f"sqlite:///{tmp_path / 'mlruns.db'}"
    result = run_experiment(cfg, tracking_uri=uri, output_dir=tmp_path / "cards")

    run = mlflow.MlflowClient(uri).get_run(result.run_id)
    assert run.info.status == "FINISHED"
    card = result.card
    validate_card(card)
    d = card["data"]
    assert d["source"].startswith("simulated CBS youth-care files")
    defs = d["source_definitions"]
    assert defs["source"] == "cbs"
    terms = [x["term"] for x in defs["definitions"]]
    assert {"placement", "move", "breakdown"} <= set(terms)
    assert any("Breakdown cannot be observed" in s for s in defs["blind_spots"])
    # the exact import report is the data team's (the run's artefact data/import_report.json)
    report = mlflow.artifacts.download_artifacts(
        run_id=result.run_id, artifact_path="data/import_report.json", tracking_uri=uri,
        dst_path=str(tmp_path / "artifacts"),
    )  # fmt: skip
    imp = json.loads(Path(report).read_text())
    assert d["import"] == {**published_counts(imp), "files": imp["files"]}  # rounded on the card
    for kind, n in imp["rows_read"].items():
        assert n == (
            imp["duplicates_merged"][kind]
            + imp["overlaps_merged"][kind]
            + imp["excluded"][kind]
            + imp["kept"][kind]
            + imp["not_in_care"].get(kind, 0)
        )
    text = (result.card_dir / "model_card.md").read_text()
    assert "Breakdown is not observable in CBS youth-care files" in text
    assert "R000000001" not in text
