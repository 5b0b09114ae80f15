"""The card's figures in children and by age use the decision rule's own flags when given."""

from __future__ import annotations

import numpy as np
import pytest

from earlysignal.card.board import competing_by_age, decision_in_people
from earlysignal.models import capacity_rule


def test_people_and_ages_count_the_rules_flags_not_the_whole_tie_group() -> None:
    n = 200
    rng = np.random.default_rng(0)
    score = rng.normal(size=n)
    p = np.where(score > 0.5, 0.4, 0.1)  # two risk steps: the upper one holds ~30 % of rows
    y = (rng.random(n) < p).astype(float)
    rule = capacity_rule(p, score, 0.1)
    flags = rule.flag(p, score)
    ids, times = np.array([f"c{i}" for i in range(n)]), np.zeros(n)
    plain = decision_in_people(ids, times, y, p, rule.risk_threshold)
    ruled = decision_in_people(ids, times, y, p, rule.risk_threshold, flagged=flags)
    assert plain["share_flagged"] > 0.2  # p >= threshold: the whole upper step
    assert ruled["share_flagged"] == pytest.approx(0.1)
    rows = competing_by_age(np.full(n, 10.0), np.where(y > 0, "event", "no_event"), y, p,
                            rule.risk_threshold, flagged=flags)  # fmt: skip
    assert rows[0]["share_flagged"] == pytest.approx(0.1)
    with pytest.raises(ValueError, match="flagged has shape"):
        decision_in_people(ids, times, y, p, rule.risk_threshold, flagged=flags[:10])
