"""Stop-rule verdicts: interval or estimate decides, minimum events, defaults from the config."""

from __future__ import annotations

import pytest

from earlysignal.experiment.config import load_config
from earlysignal.monitoring.rules import (
    BREACHED,
    DEFAULT_STOP_RULES,
    HOLDS,
    NOT_MEASURABLE,
    StopRule,
    judge,
    rules_from,
)


def test_interval_breaches_only_when_wholly_outside() -> None:
    rule = StopRule("subgroup_oe", lower=0.8, upper=1.25, min_events=20)
    assert judge(rule, estimate=1.5, lower=1.3, upper=1.8, events=40) == BREACHED
    assert judge(rule, estimate=0.6, lower=0.5, upper=0.7, events=40) == BREACHED
    assert judge(rule, estimate=1.5, lower=1.1, upper=1.8, events=40) == HOLDS
    assert judge(rule, estimate=1.0, lower=0.9, upper=1.1, events=40) == HOLDS


def test_estimate_rule_breaches_when_the_estimate_leaves() -> None:
    rule = StopRule("calibration_slope", lower=0.8, upper=1.2, decide_by="estimate")
    assert judge(rule, estimate=1.3, lower=0.9, upper=1.7, events=100) == BREACHED
    assert judge(rule, estimate=1.1, lower=0.4, upper=1.7, events=100) == HOLDS


def test_too_few_events_is_not_yet_measurable() -> None:
    rule = StopRule("calibration_slope", lower=0.8, upper=1.2, min_events=50)
    assert judge(rule, estimate=0.1, lower=0.0, upper=0.2, events=49) == NOT_MEASURABLE
    assert judge(rule, estimate=float("nan"), lower=None, upper=None, events=500) == NOT_MEASURABLE


def test_config_defaults_match_the_card_promise_and_round_trip() -> None:
    cfg = load_config("breakdown_180d")
    rules = rules_from([r.model_dump() for r in cfg.monitoring.stop_rules])
    assert rules == DEFAULT_STOP_RULES
    assert [(r.metric, r.lower, r.upper) for r in rules] == [
        ("calibration_slope", 0.8, 1.2),
        ("subgroup_oe", 0.8, 1.25),
    ]
    assert all(r.judge_on == "unflagged" for r in rules)
    assert rules_from(None) == DEFAULT_STOP_RULES


def test_unknown_metric_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown"):
        StopRule("accuracy")
