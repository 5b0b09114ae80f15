"""The shipped SSDA903-sample experiment runs end to end and its card is honest about the data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from earlysignal.card import validate_card
from earlysignal.disclosure import published_counts
from earlysignal.experiment.config import ExperimentConfig, load_config
from earlysignal.experiment.runner import run_experiment

pytestmark = pytest.mark.slow

CONFIG = Path(__file__).resolve().parents[2] / "experiments" / "breakdown_180d_ssda903_sample.toml"


def test_config_path_is_relative_to_the_config_file(shared_data: Path) -> None:
    cfg = load_config(CONFIG)
    assert cfg.data.source == "ssda903"
    expected = (shared_data / "ssda903" / "cs-demand-model-sample").resolve()
    assert Path(cfg.data.path or "").resolve() == expected


def test_breakdown_experiment_on_the_imported_sample(shared_data: Path, tmp_path: Path) -> None:
    import mlflow

    data = load_config(CONFIG).to_dict()
    data["evaluation"]["bootstrap"] = 30
    data["fairness"]["bootstrap"] = 10
    data["tracking"]["experiment"] = "tests"
    cfg = ExperimentConfig.from_dict(data)
    uri = f"sqlite:///{tmp_path / 'mlruns.db'}"
    result = run_experiment(cfg, tracking_uri=uri, output_dir=tmp_path / "cards")

    run = mlflow.MlflowClient(uri).get_run(result.run_id)
    assert run.info.status == "FINISHED"
    card = result.card
    validate_card(card)
    assert card["data"]["simulated"] is False
    assert card["data"]["source"].startswith("SSDA903 returns")
    # the exact import report is the data team's (the run's artefact data/import_report.json)
    report = mlflow.artifacts.download_artifacts(
        run_id=result.run_id, artifact_path="data/import_report.json", tracking_uri=uri,
        dst_path=str(tmp_path / "artifacts"),
    )  # fmt: skip
    imp = json.loads(Path(report).read_text())
    assert imp["errors"] == "repair" and imp["files"] >= 5
    # every source row is accounted for: read = merged + excluded + kept
    for table, n in imp["rows_read"].items():
        assert n == imp["duplicates_merged"].get(table, 0) + imp["excluded"].get(table, 0) + (
            imp["kept"].get(table, 0)
        )
    assert imp["rows_read"]["episodes"] == 3737
    assert imp["duplicates_merged"]["episodes"] == 910
    # the card publishes it rounded to 5, under 10 hidden (issue 12)
    assert card["data"]["import"] == {**published_counts(imp), "files": imp["files"]}
    assert card["data"]["import"]["rows_read"]["episodes"] == 3735
    # no oracle on real data, and the card says what the data are
    assert "oracle" not in run.data.metrics
    text = (result.card_dir / "model_card.md").read_text()
    assert "synthetic" in text and "small" in text
    assert "simulated data where the true risk is known" not in text
    auroc = run.data.metrics
    if auroc["auroc_lower"] <= 0.5:
        assert "not shown to rank children better than chance" in text
    # the card's counts are sizes of tables, and the import report holds no child identifiers
    assert str(card["data"]["counts"]["children"]) in text
