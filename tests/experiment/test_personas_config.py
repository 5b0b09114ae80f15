"""``[features] personas`` and its options: validated with errors that name the key and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from earlysignal.experiment.config import ConfigError, ExperimentConfig, load_config

ROOT = Path(__file__).resolve().parents[2]


def _problems(data: dict) -> list[str]:
    with pytest.raises(ConfigError) as err:
        ExperimentConfig.from_dict(data)
    return err.value.problems


def test_personas_off_by_default_and_options_read():
    assert ExperimentConfig().features.personas is False
    cfg = ExperimentConfig.from_dict(
        {"features": {"personas": True, "persona_window": 12, "persona_k": 4}}
    )
    f = cfg.features
    assert (f.personas, f.persona_window, f.persona_k, f.persona_min_months) == (True, 12, 4, 3)
    assert ExperimentConfig.from_toml(cfg.to_toml()) == cfg


def test_an_option_without_personas_is_an_error():
    (problem,) = _problems({"features": {"persona_k": 7}})
    assert "features.persona_k is set but features.personas = false" in problem


@pytest.mark.parametrize(
    ("features", "needle"),
    [
        ({"personas": True, "persona_k": 1}, "features.persona_k = 1"),
        ({"personas": True, "persona_window": 500}, "features.persona_window = 500"),
        ({"personas": "yes please"}, "features.personas = 'yes please'"),
        ({"personas": True, "persona_window": 6, "persona_min_months": 9}, "longer than"),
        ({"personas": True, "persona_kk": 3}, "unknown key 'features.persona_kk'"),
    ],
)
def test_bad_values_name_the_key(features, needle):
    problems = _problems({"features": features})
    assert any(needle in p for p in problems), problems


def test_personas_need_children_in_care_and_a_model_that_can_use_them():
    (problem,) = _problems({"features": {"personas": True}, "model": {"kind": "rule"}})
    assert "model.kind = 'rule'" in problem
    entry = {
        "features": {"personas": True},
        "outcome": {"name": "entry"},
        "design": {"kind": "at_home"},
        "study": {"purpose": "support", "oversight": "board"},
    }
    assert any("outcome.name = 'entry'" in p for p in _problems(entry))


def test_the_shipped_persona_study_switches_them_on():
    cfg = load_config(ROOT / "experiments" / "breakdown_personas.toml")
    assert cfg.features.personas and cfg.outcome.name == "breakdown"
