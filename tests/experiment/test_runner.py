"""The runner end to end on a small simulated cohort: run, card, re-render, failure, CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from earlysignal.card import SECTIONS, validate_card
from earlysignal.cli import app
from earlysignal.experiment import runner as runner_module
from earlysignal.experiment.config import ExperimentConfig, load_config
from earlysignal.experiment.runner import render_card_from_run, run_experiment

pytestmark = pytest.mark.slow


def small_config(name: str = "breakdown_180d") -> ExperimentConfig:
    data = load_config(name).to_dict()
    data["data"].update(n_children=500, years=7, sim_seed=3)
    data["model"].update(n_estimators=25, num_leaves=7, min_child_samples=20)
    data["evaluation"]["bootstrap"] = 20
    data["explain"]["sample"] = 200
    data["fairness"]["bootstrap"] = 10
    data["tracking"]["experiment"] = "tests"
    return ExperimentConfig.from_dict(data)


@pytest.fixture(scope="module")
def sim() -> Any:
    from earlysignal.synth import simulate

    return simulate(500, years=7, seed=3)


@pytest.fixture(scope="module")
def finished(sim: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str, Path]:
    root = tmp_path_factory.mktemp("run")
    uri = f"sqlite:///{root / 'mlruns.db'}"
    result = run_experiment(
        small_config(), tracking_uri=uri, output_dir=root / "cards", simulation=sim
    )
    return result, uri, root


def test_run_logs_metrics_with_intervals_and_a_valid_card(finished: Any) -> None:
    import mlflow

    result, uri, _ = finished
    run = mlflow.MlflowClient(uri).get_run(result.run_id)
    assert run.info.status == "FINISHED"
    m = run.data.metrics
    assert m["auroc_lower"] <= m["auroc"] <= m["auroc_upper"]
    assert "logistic.auroc" in m and "rule.auroc" in m and "oracle.auroc" in m
    assert m["rows.children"] == 500
    assert len(run.data.tags["digest.placements"]) == 64
    assert run.data.params["model.kind"] == "lightgbm"
    assert run.data.tags["env.polars"]
    card = json.loads((result.card_dir / "model_card.json").read_text())
    validate_card(card)
    assert card["run"]["run_id"] == result.run_id
    assert card["data"]["simulated"] is True
    # the logistic baseline was tuned inside the training period, and the card says how
    tuning = card["model_details"]["hyperparameters"]["logistic_tuning"]
    assert tuning["candidate_fits"] == 6
    assert tuning["transform"] in {"none", "log1p"} and tuning["C"] in {0.01, 0.1, 1.0}
    assert isinstance(card["performance"]["oracle"], list)
    # the breakdown definition and the training-period vocabulary are stated
    bd = card["outcome"]["breakdown_definition"]
    assert (bd["name"], bd["end_reasons"]) == ("child_side", ["breakdown"])
    assert set(bd["counts"]) == {"breakdown", "provider_ended"}
    assert all(v is None or v % 5 == 0 for v in bd["counts"].values())
    vocab = card["predictors"]["vocabulary"]
    assert vocab["before"] == card["validation_design"]["periods"][1]["from"]
    # the recorded lift shares across simulator worlds are quoted as data, with their source
    worlds = card["performance"]["oracle_worlds"]
    assert worlds["source"] == "benchmarks/models.py" and len(worlds["lift_share_range"]) == 2
    # every number on the card traces back to the run
    auroc = next(
        r for r in card["performance"]["metrics"] if r["model"] == "lightgbm" and
        r["metric"] == "auroc"
    )  # fmt: skip
    assert auroc["value"] == round(m["auroc"], 3)  # published to 3 decimals (issue 12)
    assert auroc["upper"] == round(m["auroc_upper"], 3)
    # human fields the config leaves empty are marked, not invented
    assert card["legal"]["basis"] == {"status": "to be completed by the study team"}
    assert card["ethics"]["approval"] == {"status": "to be completed by the study team"}
    # no row-level figure by default: the aggregated contributions instead of the beeswarm
    assert card["data_protection"] == {"row_level_figures": False}
    figure_ids = {f["id"] for f in card["figures"]}
    assert "contribution_summary" in figure_ids and "beeswarm" not in figure_ids
    for row in card["subgroups"]["table"]:
        assert "n" not in row and "n_children" in row
    html = (result.card_dir / "model_card.html").read_text()
    for s in SECTIONS:
        assert f'<h2 id="{s.id}">' in html
    assert html.count("data:image/png;base64,") >= 2


def test_artifacts_hold_the_model_and_card_but_no_row_data(finished: Any, sim: Any) -> None:
    import mlflow

    result, uri, root = finished
    local = Path(
        mlflow.artifacts.download_artifacts(
            run_id=result.run_id, dst_path=str(root / "artifacts"), tracking_uri=uri
        )
    )
    names = {p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file()}
    assert {"config.toml", "config.json", "environment.json", "datasets.json"} <= names
    assert "feature_vocabulary.json" in names
    assert "model_card/model_card.json" in names and "model_card/model_card.html" in names
    assert "model/manifest.json" in names or any(n.startswith("model/") for n in names)
    assert not any(n.endswith((".pkl", ".pickle", ".parquet", ".csv")) for n in names)
    ids = sim.history.children["child_id"].to_list()
    for path in local.rglob("*"):
        if path.is_file() and path.suffix in {".json", ".md", ".html", ".txt", ".toml"}:
            text = path.read_text(errors="ignore")
            leaked = [i for i in ids[:200] if f'"{i}"' in text or f">{i}<" in text]
            assert not leaked, f"{path.name} holds child ids {leaked[:3]}"


def test_card_command_rerenders_the_same_card(finished: Any, tmp_path: Path) -> None:
    result, uri, _ = finished
    folder = render_card_from_run(result.run_id, tracking_uri=uri, output_dir=tmp_path)
    assert json.loads((folder / "model_card.json").read_text()) == result.card
    cli = CliRunner().invoke(
        app, ["card", result.run_id, "--tracking-uri", uri, "--out", str(tmp_path / "cli")]
    )
    assert cli.exit_code == 0, cli.output
    assert "model_card.html" in cli.output


def test_card_command_writes_the_dutch_exports_and_takes_reviews_back(
    finished: Any, tmp_path: Path
) -> None:
    from earlysignal.publish.algoritmeregister import check_record

    result, uri, _ = finished
    assert result.card["lived_experience"]["took_place"] is False  # no review yet, and says so
    reviews = tmp_path / "reviews.md"
    reviews.write_text("## Reviewer: Noor\nnaam noemen: ja\n### fair\nJa.\n", encoding="utf-8")
    cli = CliRunner().invoke(
        app,
        ["card", result.run_id, "--tracking-uri", uri, "--out", str(tmp_path / "cli"),
         "--algoritmeregister", str(tmp_path / "ar.json"), "--iama", str(tmp_path / "iama.md"),
         "--review-pack", str(tmp_path / "pack"), "--reviews", str(reviews)],
    )  # fmt: skip
    assert cli.exit_code == 0, cli.output
    record = json.loads((tmp_path / "ar.json").read_text(encoding="utf-8"))
    assert check_record(record).ok and record["lang"] == "nld"
    assert (tmp_path / "ar.csv").is_file() and (tmp_path / "iama.json").is_file()
    assert len(list((tmp_path / "pack").glob("2_simulated_sheet_*.md"))) == 3
    (card_json,) = (tmp_path / "cli").glob("*/model_card.json")
    card = json.loads(card_json.read_text(encoding="utf-8"))
    validate_card(card)
    assert card["lived_experience"]["reviewers"][0]["name"] == "Noor"


def test_interrupted_run_is_failed_and_leaves_no_card(
    sim: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow

    def interrupt(state: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(runner_module, "_audit", interrupt)
    uri = f"sqlite:///{tmp_path / 'mlruns.db'}"
    out = tmp_path / "cards"
    data = small_config().to_dict()
    data["evaluation"]["oracle_rows"] = 0  # the oracle's Monte Carlo is not what is checked here
    with pytest.raises(KeyboardInterrupt):
        run_experiment(
            ExperimentConfig.from_dict(data), tracking_uri=uri, output_dir=out, simulation=sim
        )
    client = mlflow.MlflowClient(uri)
    (exp,) = [e for e in client.search_experiments() if e.name == "tests"]
    (run,) = client.search_runs([exp.experiment_id])
    assert run.info.status == "FAILED"
    assert not out.exists() or list(out.iterdir()) == []
    paths = [a.path for a in client.list_artifacts(run.info.run_id)]
    assert "model_card" not in paths
    with pytest.raises(runner_module.ExperimentError, match="no model card"):
        render_card_from_run(run.info.run_id, tracking_uri=uri, output_dir=tmp_path / "re")


def test_cli_refuses_a_bad_config_naming_key_and_values(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[outcome]\nname = "brakdown"\n[model]\ntrees = 3\n')
    result = CliRunner().invoke(
        app, ["run", str(bad), "--tracking-uri", f"sqlite:///{tmp_path / 'x.db'}"]
    )
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "outcome.name = 'brakdown'" in text
    assert "'breakdown', 'carousel', 'return_home', 'reentry', 'entry' or 'stable_return'" in text
    assert "model.trees" in text and "n_estimators" in text
    assert not (tmp_path / "x.db").exists()
