"""``[features] personas = true`` end to end: the feature, its fit record and the card's verdict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from earlysignal.card import validate_card
from earlysignal.experiment.config import ExperimentConfig, load_config
from earlysignal.experiment.runner import ExperimentError, run_experiment

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _config(**features: Any) -> ExperimentConfig:
    data = load_config(ROOT / "experiments" / "breakdown_personas.toml").to_dict()
    data["data"].update(n_children=800, years=7, sim_seed=3)
    data["model"].update(n_estimators=40, num_leaves=7, min_child_samples=20)
    data["evaluation"].update(bootstrap=30, oracle_rows=0)
    data["explain"]["sample"] = 200
    data["fairness"]["bootstrap"] = 10
    data["features"].update(features)
    data["tracking"]["experiment"] = "tests"
    return ExperimentConfig.from_dict(data)


@pytest.fixture(scope="module")
def sim() -> Any:
    from earlysignal.synth import simulate

    return simulate(800, years=7, seed=3)


@pytest.fixture(scope="module")
def finished(sim: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str, Path]:
    root = tmp_path_factory.mktemp("run")
    uri = f"sqlite:///{root / 'mlruns.db'}"
    cfg = _config(persona_window=12, persona_k=4)
    result = run_experiment(cfg, tracking_uri=uri, output_dir=root / "cards", simulation=sim)
    return result, uri, root


def test_card_reports_with_and_without_personas(finished: Any) -> None:
    result, _, _ = finished
    card = result.card
    validate_card(card)
    fit = card["predictors"]["personas"]
    assert fit["columns"] == [f"persona_12m_{j}of4" for j in range(1, 5)]
    names = [f["name"] for f in card["predictors"]["features"]]
    assert set(fit["columns"]) <= set(names)
    split = {p["period"]: p for p in card["validation_design"]["periods"]}
    assert fit["fit_before"] == split["calibrate"]["from"]  # fitted on the training period
    value = card["performance"]["personas"]
    assert {(r["model"], r["metric"]) for r in value["rows"]} == {
        (m, k) for m in ("with", "without", "difference") for k in ("auroc", "brier")
    }
    main = {m["metric"]: m["value"] for m in card["performance"]["metrics"]
            if m["model"] == card["performance"]["primary_model"]}  # fmt: skip
    with_row = {r["metric"]: r["value"] for r in value["rows"] if r["model"] == "with"}
    assert with_row["auroc"] == pytest.approx(main["auroc"])  # the study's own model
    diff = {r["metric"]: r for r in value["rows"] if r["model"] == "difference"}
    without = {r["metric"]: r["value"] for r in value["rows"] if r["model"] == "without"}
    assert diff["auroc"]["value"] == pytest.approx(with_row["auroc"] - without["auroc"])
    assert diff["auroc"]["lower"] <= diff["auroc"]["value"] <= diff["auroc"]["upper"]
    assert value["verdict"]["auroc"] in {"better", "worse", "same"}
    md = (result.card_dir / "model_card.md").read_text(encoding="utf-8")
    assert "Do the persona features help?" in md
    assert "AUROC (higher is better): with personas" in md


def test_the_saved_model_pins_the_personas_and_the_run_records_the_fit(finished: Any) -> None:
    import mlflow

    result, uri, root = finished
    dst = mlflow.artifacts.download_artifacts(
        run_id=result.run_id, dst_path=str(root / "artifacts"), tracking_uri=uri
    )
    specs = json.loads((Path(dst) / "model" / "features.json").read_text(encoding="utf-8"))
    (persona,) = [s for s in specs if s["__spec__"] == "PersonaMembership"]
    recorded = json.loads((Path(dst) / "persona_fit.json").read_text(encoding="utf-8"))
    digest = result.card["predictors"]["personas"]["digest"]
    assert persona["digest"] == recorded["digest"] == digest
    assert persona["fit_before"] == recorded["fit_before"]


def test_the_dutch_card_says_it_in_dutch(finished: Any, tmp_path: Path) -> None:
    from earlysignal.card import write_card

    result, _, _ = finished
    folder = write_card(result.card, tmp_path / "nl", lang="nl")
    md = (folder / "model_card.md").read_text(encoding="utf-8")
    assert "Helpen de persona's het model?" in md
    assert "Do the persona features help?" not in md


def test_too_long_a_window_stops_with_the_rule_and_the_fix(sim: Any, tmp_path: Path) -> None:
    cfg = _config(persona_window=240)  # 20 years: longer than any recorded pathway
    with pytest.raises(ExperimentError, match=r"PERSONA-DATA: .*persona_window"):
        run_experiment(cfg, tracking_uri=f"sqlite:///{tmp_path / 'm.db'}",
                       output_dir=tmp_path / "cards", simulation=sim)  # fmt: skip


def test_scoring_rebuilds_the_personas_or_refuses_other_data(finished: Any, sim: Any) -> None:
    from datetime import timedelta

    from earlysignal.scoring.model_ref import ScoringError, load_scoring_model
    from earlysignal.scoring.score import score_frame
    from earlysignal.synth import simulate

    result, uri, _ = finished
    loaded = load_scoring_model(result.run_id, tracking_uri=uri)
    as_of = sim.history.observed_until - timedelta(days=30)
    frame = score_frame(loaded, sim.history, as_of)
    columns = result.card["predictors"]["personas"]["columns"]
    assert frame.select(columns).sum_horizontal().max() == 1  # somebody has a persona
    other = simulate(800, years=7, seed=4).history
    with pytest.raises(ScoringError, match=r"S04.*PERSONA-FIT"):
        score_frame(loaded, other, as_of)


def test_monitoring_on_other_data_is_refused_by_rule(finished: Any) -> None:
    from datetime import timedelta

    from earlysignal.monitoring.monitor import monitor
    from earlysignal.scoring.model_ref import ScoringError, load_scoring_model
    from earlysignal.synth import simulate

    result, uri, _ = finished
    loaded = load_scoring_model(result.run_id, tracking_uri=uri)
    other = simulate(800, years=7, seed=4).history
    since = other.observed_until - timedelta(days=400)
    with pytest.raises(ScoringError, match=r"monitoring rule S04.*PERSONA-FIT"):
        monitor(loaded, other, since=since, log_run=False, n_boot=0)
