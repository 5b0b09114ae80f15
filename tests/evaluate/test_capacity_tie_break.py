"""With the raw score as tie-break, the capacity metrics flag the decision rule's rows."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.evaluate import evaluate
from earlysignal.evaluate import metrics as M
from earlysignal.models import capacity_rule


@settings(max_examples=30, deadline=None)
@given(
    risks=st.lists(st.integers(0, 4), min_size=5, max_size=120),
    capacity=st.sampled_from([0.05, 0.1, 0.2, 0.3]),
    seed=st.integers(0, 2**16),
)
def test_capacity_metrics_flag_the_rules_rows(risks, capacity, seed):
    rng = np.random.default_rng(seed)
    risk = np.asarray(risks, dtype=float) / 5.0 + 0.05
    score = rng.integers(0, 30, risk.size).astype(float)  # some ties in both too
    y = (rng.random(risk.size) < 0.5).astype(float)
    flag = capacity_rule(risk, score, capacity).flag(risk, score)
    if not flag.any():
        return
    share = float(flag.mean())
    out = M.capacity(y, risk, np.array([share]), tie_break=score)
    assert out["alerts_per_100"][0] == 100.0 * flag.sum() / risk.size
    assert out["precision"][0] == y[flag].mean()


def test_evaluate_workload_at_the_rules_share():
    risk = np.array([0.9, 0.5, 0.5, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1])
    score = np.array([3.0, 2.0, 1.5, 1.0, 0.5, 0.0, -1.0, -2.0, -3.0, -4.0])
    y = np.array([1, 1, 0, 1, 0, 0, 0, 1, 0, 0])
    flag = capacity_rule(risk, score, 0.3).flag(risk, score)
    assert flag.tolist() == [True, True, True] + [False] * 7
    table = evaluate(y, risk, np.arange(10), n_boot=0, thresholds=(), capacity=(0.3,),
                     tie_break=score)  # fmt: skip
    precision = table.filter(metric="precision_at_top", model="model")["estimate"][0]
    assert precision == y[flag].mean()  # 2 of 3
    plain = evaluate(y, risk, np.arange(10), n_boot=0, thresholds=(), capacity=(0.3,))
    # without the tie-break the 0.5 group does not fit: only the top row
    assert plain.filter(metric="precision_at_top", model="model")["estimate"][0] == 1.0
