"""The capacity rule's thresholds lie between two rows (the last flagged and the first
unflagged), never on one row's risk or raw score, and flag exactly the rows the former rule
(thresholds at the last flagged row) flagged; a model saved with the former thresholds flags as
it did."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.models import CapacityRule, capacity_rule
from earlysignal.models.decision import flagged_count

CAPACITIES = st.sampled_from([0.01, 0.05, 0.1, 0.2, 0.29, 0.5, 0.9, 1.0])


def _former_rule(risk: np.ndarray, score: np.ndarray | None, capacity: float) -> CapacityRule:
    """The rule as fixed before thresholds were moved between rows: the last flagged row's
    exact risk and raw score."""
    s = np.zeros_like(risk) if score is None else score
    n, k = risk.size, flagged_count(capacity, risk.size)
    order = np.lexsort((-s, -risk))
    rs, ss = risk[order], s[order]
    cut = k
    if 0 < k < n and rs[k - 1] == rs[k] and ss[k - 1] == ss[k]:
        same = (rs[:k] == rs[k - 1]) & (ss[:k] == ss[k - 1])
        cut = int(np.flatnonzero(~same)[-1]) + 1 if not same.all() else 0
    if cut == 0:
        return CapacityRule(math.inf)
    return CapacityRule(float(rs[cut - 1]), None if score is None else float(ss[cut - 1]))


@settings(max_examples=50, deadline=None)
@given(
    risks=st.lists(st.integers(0, 6), min_size=1, max_size=150),
    scores=st.lists(st.integers(-4, 4), min_size=150, max_size=150),
    capacity=CAPACITIES,
    with_score=st.booleans(),
)
def test_thresholds_are_no_rows_value_and_flag_the_same_rows(
    risks: list[int], scores: list[int], capacity: float, with_score: bool
) -> None:
    risk = np.asarray(risks, dtype=float) / 7.0  # few risk levels: ties in risk and in both
    score = np.asarray(scores[: risk.size], dtype=float) / 3.0 if with_score else None
    rule = capacity_rule(risk, score, capacity)
    former = _former_rule(risk, score, capacity)
    assert rule.flag(risk, score).tolist() == former.flag(risk, score).tolist()
    if rule.n_flagged_fitted == risk.size:  # every row: risk >= 0, the bottom of the scale
        assert rule.risk_threshold == 0.0 and rule.score_threshold is None
    elif rule.score_threshold is None:
        assert rule.risk_threshold not in risk  # the midpoint of two risks, or inf
    else:  # a tie of risk at the cut: its shared risk (>= 2 rows), the score between two rows
        assert int((risk == rule.risk_threshold).sum()) >= 2
        assert score is not None and rule.score_threshold not in score
        assert score.min() < rule.score_threshold < score.max()


def test_a_model_saved_with_the_former_thresholds_flags_as_it_did() -> None:
    rng = np.random.default_rng(5)
    score = rng.normal(size=300)
    risk = np.round(1 / (1 + np.exp(-score)), 1)
    former = _former_rule(risk, score, 0.1)
    meta = {"threshold": former.risk_threshold, "score_threshold": former.score_threshold,
            "capacity": 0.1}  # fmt: skip
    loaded = CapacityRule.from_metadata(meta)
    new_risk, new_score = np.round(rng.uniform(0, 1, 500), 1), rng.normal(size=500)
    assert loaded.flag(new_risk, new_score).tolist() == former.flag(new_risk, new_score).tolist()
    assert loaded.score_threshold in score  # it was one row's score; it still loads as saved
