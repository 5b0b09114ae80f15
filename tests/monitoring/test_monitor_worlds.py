"""``earlysignal monitor`` on simulated worlds: quiet when nothing changed, the right alarm when
recording practice or placement practice changed after the model was trained."""

from __future__ import annotations

from pathlib import Path

import pytest
from studies import small_study  # type: ignore[import-not-found]
from typer.testing import CliRunner

from earlysignal.cli import app
from earlysignal.monitoring import monitor
from earlysignal.scoring import load_scoring_model
from earlysignal.synth import simulate
from earlysignal.synth.params import SimParams
from earlysignal.synth.scenarios import BiasScenario

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    s = small_study()
    return load_scoring_model(
        s.result.run_id, tracking_uri=s.uri, workdir=tmp_path_factory.mktemp("m")
    )


def _verdict(result, metric: str) -> str:  # type: ignore[no-untyped-def]
    return next(r["verdict"] for r in result.summary["rules"] if r["metric"] == metric)


def test_unchanged_world_stays_quiet(model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s = small_study()
    later = simulate(1500, years=10, seed=4)  # a later extraction of the same world
    folder = later.history.write(tmp_path / "later")
    res = CliRunner().invoke(
        app,
        [
            "monitor",
            str(model.folder),
            str(folder),
            "--out",
            str(tmp_path / "report"),
            "--tracking-uri",
            s.uri,
        ],
    )
    assert res.exit_code == 0, res.output
    assert "major drift" not in res.output
    html = (tmp_path / "report" / "monitoring.html").read_text()
    rules = html.split("<h2>Stop rules</h2>")[1].split("<h2>Drift")[0]
    assert ">breached<" not in rules and ">holds<" in rules


def test_new_recording_practice_raises_a_drift_alarm_on_event_features(model) -> None:  # type: ignore[no-untyped-def]
    practice = BiasScenario("new_recording", value="dutch", event_multiplier=4.0)
    later = simulate(1500, years=10, seed=4, scenario=practice)
    result = monitor(model, later.history, log_run=False, n_boot=100)
    major = result.summary["major_drift"]
    assert major and all(c.startswith("events_") for c in major), major
    assert result.exit_code == 0  # recording changed, breakdowns did not: no stop rule breached


def test_changed_placement_practice_breaches_the_subgroup_oe_rule(model) -> None:  # type: ignore[no-untyped-def]
    s = small_study()
    worse = SimParams(breakdown_rate_year=SimParams().breakdown_rate_year * 2.5)
    later = simulate(1500, years=10, seed=4, params=worse)
    result = monitor(model, later.history, tracking_uri=s.uri, n_boot=100)
    assert _verdict(result, "subgroup_oe") == "breached"
    assert result.exit_code == 1
    assert "breakdowns_ever" in result.summary["major_drift"]
    import mlflow

    run = mlflow.MlflowClient(s.uri).get_run(result.run_id)
    assert run.data.tags["earlysignal.verdict"] == "breached"
    assert run.data.tags["earlysignal.model_run_id"] == s.result.run_id
