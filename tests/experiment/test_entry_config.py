"""The entry study refuses to run without a named purpose and oversight, and off its design."""

from __future__ import annotations

from pathlib import Path

import pytest

from earlysignal.experiment.config import ConfigError, ExperimentConfig, load_config

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_entry_study_names_purpose_and_oversight() -> None:
    cfg = load_config(ROOT / "experiments" / "entry_180d.toml")
    assert cfg.outcome.name == "entry"
    assert cfg.study.purpose.strip() and cfg.study.oversight.strip()
    assert cfg.design.kind == "at_home"


@pytest.mark.parametrize("missing", [["purpose"], ["oversight"], ["purpose", "oversight"]])
def test_entry_without_purpose_or_oversight_is_refused(missing: list[str]) -> None:
    study = {"purpose": "offer support", "oversight": "the ethics board"}
    for k in missing:
        study[k] = "  "
    with pytest.raises(ConfigError) as err:
        ExperimentConfig.from_dict(
            {"study": study, "outcome": {"name": "entry"}, "design": {"kind": "at_home"}}
        )
    msg = str(err.value)
    for k in missing:
        assert f"study.{k}" in msg
    assert "never investigation or removal" in msg


def test_entry_needs_the_at_home_design() -> None:
    with pytest.raises(ConfigError, match=r"design.kind = 'at_home'"):
        ExperimentConfig.from_dict(
            {"study": {"purpose": "p", "oversight": "o"}, "outcome": {"name": "entry"}}
        )


def test_other_outcomes_need_neither() -> None:
    cfg = ExperimentConfig.from_dict({"outcome": {"name": "stable_return", "horizon_days": 365}})
    assert cfg.study.purpose == ""
