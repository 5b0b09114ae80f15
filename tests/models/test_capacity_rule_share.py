"""The capacity rule flags at most floor(capacity x n) rows; exactly that many if scores differ."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.models import CapacityRule, capacity_rule
from earlysignal.models.decision import flagged_count

CAPACITIES = st.sampled_from([0.01, 0.05, 0.1, 0.15, 0.2, 0.29, 0.3, 0.5, 0.9, 1.0])


@settings(max_examples=50, deadline=None)
@given(
    risks=st.lists(st.integers(0, 4), min_size=1, max_size=200),
    scores=st.lists(st.integers(-3, 3), min_size=200, max_size=200),
    capacity=CAPACITIES,
)
def test_never_more_than_the_capacity(risks, scores, capacity):
    # few risk levels and few score levels: ties in risk and in both at once are common
    risk = np.asarray(risks, dtype=float) / 4.0
    score = np.asarray(scores[: risk.size], dtype=float)
    rule = capacity_rule(risk, score, capacity)
    flagged = rule.flag(risk, score)
    assert flagged.sum() <= math.floor(capacity * risk.size + 1e-9)
    assert flagged.sum() == rule.n_flagged_fitted
    # the flagged rows are the first of the order (risk, then score): nothing unflagged above
    key = list(zip(risk, score, strict=True))
    if flagged.any() and (~flagged).any():
        assert min(k for k, f in zip(key, flagged, strict=True) if f) > max(
            k for k, f in zip(key, flagged, strict=True) if not f
        )


@settings(max_examples=50, deadline=None)
@given(
    risks=st.lists(st.integers(0, 4), min_size=1, max_size=200),
    capacity=CAPACITIES,
    seed=st.integers(0, 2**16),
)
def test_exactly_round_down_when_scores_differ(risks, capacity, seed):
    # a step function of the score: many equal risks, but every raw score distinct
    risk = np.asarray(risks, dtype=float) / 4.0
    score = np.random.default_rng(seed).permutation(risk.size).astype(float)
    rule = capacity_rule(risk, score, capacity)
    assert int(rule.flag(risk, score).sum()) == flagged_count(capacity, risk.size)
    assert flagged_count(capacity, risk.size) == math.floor(round(capacity * risk.size, 9))


def test_without_scores_ties_in_risk_are_left_out_whole():
    risk = np.array([0.9, 0.5, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
    assert int(capacity_rule(risk, None, 0.2).flag(risk).sum()) == 1
    assert int(capacity_rule(risk, None, 0.4).flag(risk).sum()) == 4


def test_a_fixed_threshold_is_a_rule_without_score():
    rule = CapacityRule(risk_threshold=0.3)
    assert rule.flag(np.array([0.3, 0.29, 0.5])).tolist() == [True, False, True]
    assert rule.to_metadata() == {"threshold": 0.3, "score_threshold": None, "capacity": None}


def test_a_rule_with_score_threshold_needs_scores():
    rule = CapacityRule(risk_threshold=0.3, score_threshold=1.0, capacity=0.1)
    with pytest.raises(ValueError, match="pass score="):
        rule.flag(np.array([0.3]))
    assert CapacityRule.from_metadata(rule.to_metadata()) == rule


def test_bad_capacity_or_values_are_refused():
    with pytest.raises(ValueError, match="capacity must lie"):
        capacity_rule(np.array([0.1]), None, 0.0)
    with pytest.raises(ValueError, match="finite"):
        capacity_rule(np.array([np.nan, 0.2]), np.array([0.0, 1.0]), 0.5)
