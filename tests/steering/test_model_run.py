"""``--model``: expected counts from a trained earlysignal model, with the report's caveat."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from earlysignal.cli import app
from earlysignal.synth import Simulation


def _save(sim: Simulation, folder: Path, *, outcome: str = "breakdown", horizon: int = 180) -> Path:
    """A small logistic model of ``outcome`` fitted on the history's first years, saved."""
    from earlysignal.cohort import AfterPlacementStart, prediction_times
    from earlysignal.features import build_features, default_specs
    from earlysignal.models import LogisticRiskModel, save_model
    from earlysignal.outcomes import label_name

    h = sim.history
    train_end = h.observed_until - timedelta(days=3 * 365)
    specs = default_specs(h, before=train_end)
    times = prediction_times(h, AfterPlacementStart(days=(1, 60, 180)))
    times = times.filter(pl.col("prediction_time") <= train_end - timedelta(days=horizon))
    name = label_name(outcome if outcome != "entry" else "breakdown", horizon)
    frame = build_features(h, times, specs, outcomes=[("breakdown", horizon)])
    frame = frame.filter(pl.col(name).is_not_null())
    from earlysignal.features import feature_names

    names = feature_names(specs)
    model = LogisticRiskModel().fit(frame.select(names), frame[name].to_numpy())
    return save_model(
        model,
        folder,
        feature_specs=specs,
        metadata={
            "outcome": outcome,
            "horizon_days": horizon,
            "label": name,
            "threshold": 0.3,
            "train_end": train_end.isoformat(),
            "data_source": h.meta.get("source"),
        },
    )


@pytest.fixture(scope="module")
def model_folder(small_sim: Simulation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _save(small_sim, tmp_path_factory.mktemp("m") / "model")


@pytest.fixture(scope="module")
def data_folder(small_sim: Simulation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(small_sim.history.write(tmp_path_factory.mktemp("d") / "data"))


def test_expected_counts_come_from_the_model_and_observed_from_its_own_label(
    small_sim: Simulation, model_folder: Path
) -> None:
    from earlysignal.scoring import load_scoring_model
    from earlysignal.steering.compare import compare_units
    from earlysignal.steering.spec import SteeringSpec

    h = small_sim.history
    loaded = load_scoring_model(model_folder)
    spec = SteeringSpec(by="region", years=3)
    res = compare_units(h, spec, model=loaded, draws=100)
    assert list(res.comparisons) == ["model"]
    assert res.case_mix["method"] == "trained_model"
    assert res.case_mix["label"] == "label_breakdown_180d"
    comp = res.comparisons["model"]
    assert comp.height == 4  # the simulator's four regions
    # observed: the model's own label on the day after each placement start: placements in
    # effect that day whose 180-day window is over by observed_until; a breakdown counts when
    # it ends the placement within the window (end - (start + 1) <= 180)
    p = res.placements
    known = p.filter(
        (pl.col("days") >= 2)
        & ((pl.col("start") + timedelta(days=181)) <= pl.lit(h.observed_until))
    )
    assert res.case_mix["placements_labelled"] == known.height
    assert int(comp["observed"].sum()) == int(
        ((known["breakdown"] == 1) & (known["days"] <= 181)).sum()
    )
    gone = res.excluded["model_placements_not_in_effect"]  # ended by the day after the start
    assert 0 < gone <= p.filter(pl.col("days") < 2).height
    assert res.excluded["model_placements_censored"] + gone + known.height == p.height
    # expected: the model's risks, summing to about what happened (the model is calibrated)
    o, e = float(comp["observed"].sum()), float(comp["expected"].sum())
    assert 0.7 < o / e < 1.4, (o, e)


def test_model_of_an_outcome_outside_placements_is_refused(
    small_sim: Simulation, tmp_path: Path, data_folder: Path
) -> None:
    folder = _save(small_sim, tmp_path / "entry", outcome="entry")
    r = CliRunner().invoke(
        app, ["steer", str(data_folder), "--by", "region", "--model", str(folder), "--out",
              str(tmp_path / "out")],
    )  # fmt: skip
    assert r.exit_code == 1, r.output
    assert "[steer.model_outcome]" in r.output and "'entry'" in r.output
    r = CliRunner().invoke(
        app, ["steer", str(data_folder), "--model", "no-such-model", "--out", str(tmp_path / "o")]
    )
    assert r.exit_code == 2
    assert "[steer.model]" in r.output and "S01" in r.output


def test_cli_report_carries_the_caveat_in_both_languages(
    data_folder: Path, model_folder: Path, tmp_path: Path
) -> None:
    for lang, caveat in (
        ("en", "not to compare units"),
        ("nl", "niet om eenheden te vergelijken"),
    ):
        out = tmp_path / lang
        r = CliRunner().invoke(
            app, ["steer", str(data_folder), "--by", "region", "--model", str(model_folder),
                  "--out", str(out), "--lang", lang],
        )  # fmt: skip
        assert r.exit_code == 0, r.output
        assert "model: 4 units compared" in r.output
        # the publication ledger beside the report folder (docs/disclosure.md), said where
        assert (tmp_path / "publication-ledger" / "ledger.key").is_file()
        assert str(tmp_path / "publication-ledger") in r.output
        for name in ("steering.html", "steering.md"):
            text = (out / name).read_text()
            assert caveat in text, (lang, name)
            assert str(model_folder) in text
        md = (out / "steering.md").read_text()
        if lang == "en":
            assert "Outcome of the trained model" in md
            assert "a breakdown (carer or child side) within 180 days" in md
            assert "which overlaps the placements compared" in md
            assert "trained on data up to April 1, 2017" in md  # train_end, as a date
            n = json.loads((out / "steering.json").read_text())["case_mix"]["placements_labelled"]
            assert n % 5 == 0 and f"{n:,} placements had their whole window observed" in md
            assert "cross-fitting by unit" not in md  # the case-mix method is not claimed
        else:
            assert "Uitkomst van het getrainde model" in md


def test_cli_resolves_a_run_id_at_the_tracking_uri(
    data_folder: Path, model_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow

    from earlysignal.tracking import tracked_run

    monkeypatch.chdir(tmp_path)  # the SQLite store's default artifact root is ./mlruns
    uri = f"sqlite:///{tmp_path / 'mlruns.db'}"
    with tracked_run(experiment="steer-tests", run_name="model", uri=uri) as run:
        mlflow.log_artifacts(str(model_folder), artifact_path="model")
    run_id = str(run.info.run_id)
    out = tmp_path / "out"
    r = CliRunner().invoke(
        app, ["steer", str(data_folder), "--by", "region", "--model", run_id,
              "--tracking-uri", uri, "--out", str(out)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert f"trained model of run {run_id}" in (out / "steering.md").read_text()
    r = CliRunner().invoke(
        app, ["steer", str(data_folder), "--model", "0" * 32, "--tracking-uri", uri,
              "--out", str(tmp_path / "o2")],
    )  # fmt: skip
    assert r.exit_code == 2 and "S01" in r.output
