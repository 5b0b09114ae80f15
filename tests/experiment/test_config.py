"""Experiment configs: shipped files load, copies agree, bad configs give clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from earlysignal.experiment.config import (
    DEFAULT_CONFIGS,
    ConfigError,
    ExperimentConfig,
    default_config_path,
    load_config,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", DEFAULT_CONFIGS)
def test_shipped_configs_load_and_package_copies_are_identical(name: str) -> None:
    repo_copy = ROOT / "experiments" / f"{name}.toml"
    package_copy = default_config_path(name)
    assert repo_copy.read_bytes() == package_copy.read_bytes(), (
        f"experiments/{name}.toml and src/earlysignal/experiment/defaults/{name}.toml differ: "
        "copy the edited one over the other"
    )
    by_path = load_config(repo_copy)
    assert by_path == load_config(name)
    assert by_path.study.name == name


def test_shipped_configs_differ_in_outcome() -> None:
    b, c = (load_config(n) for n in DEFAULT_CONFIGS)
    assert (b.outcome.name, b.outcome.horizon_days) == ("breakdown", 180)
    assert (c.outcome.name, c.outcome.horizon_days, c.design.kind) == ("carousel", 365, "year_end")


def test_unknown_key_names_the_key_and_the_allowed_keys() -> None:
    with pytest.raises(ConfigError) as info:
        ExperimentConfig.from_toml("[model]\ntrees = 300\n")
    message = str(info.value)
    assert "model.trees" in message
    assert "n_estimators" in message and "calibration" in message
    assert len(info.value.problems) == 1


def test_unknown_table_names_the_allowed_tables() -> None:
    with pytest.raises(ConfigError) as info:
        ExperimentConfig.from_toml("[modle]\nkind = 'rule'\n")
    assert "'modle'" in str(info.value)
    assert "outcome" in str(info.value) and "fairness" in str(info.value)


def test_bad_value_names_the_key_and_the_allowed_values() -> None:
    with pytest.raises(ConfigError) as info:
        ExperimentConfig.from_dict({"outcome": {"name": "brakdown"}})
    (problem,) = info.value.problems
    assert problem.startswith("outcome.name = 'brakdown' is not allowed")
    for allowed in ("breakdown", "carousel", "return_home", "reentry"):
        assert allowed in problem


def test_every_problem_is_reported_at_once() -> None:
    text = "[model]\nkind = 'xgboost'\n[decision]\nthreshold = 0.2\ncapacity = 0.1\n"
    with pytest.raises(ConfigError) as info:
        ExperimentConfig.from_toml(text, source="study.toml")
    assert len(info.value.problems) == 2
    assert "study.toml" in str(info.value)
    assert "decision.threshold" in str(info.value)


def test_out_of_range_number_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r"outcome\.horizon_days = 0"):
        ExperimentConfig.from_dict({"outcome": {"horizon_days": 0}})


def test_canonical_source_needs_a_path() -> None:
    with pytest.raises(ConfigError, match=r"data\.path is required"):
        ExperimentConfig.from_dict({"data": {"source": "canonical"}})


def test_split_fractions_must_sum_to_one() -> None:
    with pytest.raises(ConfigError, match=r"split\.fractions"):
        ExperimentConfig.from_dict({"split": {"fractions": [0.5, 0.2, 0.2]}})


def test_unknown_fairness_attribute_lists_the_allowed_ones() -> None:
    with pytest.raises(ConfigError) as info:
        ExperimentConfig.from_dict({"fairness": {"attributes": ["nationality_guess"]}})
    assert "'nationality_guess'" in str(info.value) and "'age_group'" in str(info.value)


def test_not_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        ExperimentConfig.from_toml("[model\n")
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml")


def test_round_trip_through_toml() -> None:
    cfg = load_config("breakdown_180d")
    assert ExperimentConfig.from_toml(cfg.to_toml()) == cfg
