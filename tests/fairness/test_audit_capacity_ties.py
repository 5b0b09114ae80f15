"""The audit flags with the decision rule: at most the capacity, ties in risk broken by score."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from earlysignal.disclosure import DisclosurePolicy
from earlysignal.fairness import AuditSpec, audit
from earlysignal.models import capacity_rule

RAW = DisclosurePolicy(min_count=0, rounding=1, min_class=0, decimals=None)
"""No disclosure control: exact values, to compare with the rule."""


def _steps(n: int = 600, seed: int = 0) -> pl.DataFrame:
    """Risks in steps of 0.1 (many ties, as a calibrator makes them), distinct raw scores."""
    rng = np.random.default_rng(seed)
    score = rng.normal(-1.5, 1.0, n)
    risk = np.round(1 / (1 + np.exp(-score)), 1)
    return pl.DataFrame({
        "child_id": [f"c{i // 2}" for i in range(n)],
        "sex": rng.choice(["female", "male"], n),
        "y": (rng.random(n) < risk).astype(int),
        "risk": risk,
        "score": score,
    })  # fmt: skip


def _selection(res) -> float:  # type: ignore[no-untyped-def]
    return float(res.groups.filter(pl.col("group") == "all")["selection_rate"][0])


def test_capacity_flags_at_most_the_share_with_ties_broken_by_score() -> None:
    df = _steps()
    risk = df["risk"].to_numpy()
    assert np.mean(risk >= np.quantile(risk, 0.9, method="higher")) > 0.1  # the former cut
    kw = {"attributes": ["sex"], "label": "y", "risk": "risk", "n_boot": 0, "policy": RAW}
    with_score = audit(df, capacity=0.1, score="score", **kw)  # type: ignore[arg-type]
    assert _selection(with_score) == pytest.approx(0.1)  # exactly 60 of 600 rows
    without = audit(df, capacity=0.1, **kw)  # type: ignore[arg-type]
    assert _selection(without) <= 0.1  # whole tie groups only: at most, never more


def test_the_runs_rule_gives_the_same_flags_in_the_audit() -> None:
    df = _steps(seed=1)
    risk, score = df["risk"].to_numpy(), df["score"].to_numpy()
    rule = capacity_rule(risk, score, 0.15)
    spec = AuditSpec(attributes=("sex",), threshold=rule.risk_threshold, n_boot=0,
                     score_threshold=rule.score_threshold)  # fmt: skip
    res = audit(df, spec, label="y", risk="risk", score="score", policy=RAW)
    assert _selection(res) == pytest.approx(rule.flag(risk, score).mean())
    with pytest.raises(ValueError, match="score="):
        audit(df, spec, label="y", risk="risk", policy=RAW)
