"""``[outcome] breakdown_definition``: default, choice and a clear error."""

from __future__ import annotations

import pytest

from earlysignal.experiment.config import ConfigError, ExperimentConfig, load_config


def test_default_is_child_side_and_any_unplanned_can_be_chosen() -> None:
    assert ExperimentConfig.from_dict({}).outcome.breakdown_definition == "child_side"
    assert load_config("breakdown_180d").outcome.breakdown_definition == "child_side"
    cfg = ExperimentConfig.from_toml('[outcome]\nbreakdown_definition = "any_unplanned"\n')
    assert cfg.outcome.breakdown_definition == "any_unplanned"


def test_unknown_definition_names_the_key_and_the_allowed_values() -> None:
    with pytest.raises(ConfigError) as info:
        ExperimentConfig.from_dict({"outcome": {"breakdown_definition": "provider"}})
    (problem,) = info.value.problems
    assert problem.startswith("outcome.breakdown_definition = 'provider' is not allowed")
    assert "child_side" in problem and "any_unplanned" in problem


def test_definition_applies_to_breakdown_only() -> None:
    with pytest.raises(ConfigError, match=r"applies only to name = 'breakdown'"):
        ExperimentConfig.from_dict(
            {"outcome": {"name": "carousel", "breakdown_definition": "any_unplanned"}}
        )
