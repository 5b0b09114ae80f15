"""The audit computes its metrics with earlysignal.evaluate's functions, through fairlearn."""

from __future__ import annotations

from typing import Any
from unittest import mock

import numpy as np
import polars as pl

from earlysignal.disclosure import DisclosurePolicy
from earlysignal.evaluate import evaluate
from earlysignal.fairness import METRICS, audit

RAW = DisclosurePolicy(min_count=0, rounding=1, min_class=0, decimals=None)


def _frame(n: int = 3000, seed: int = 4) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    child = rng.integers(0, n // 3, n)
    p = rng.beta(2, 8, n)
    # many tied risks, as an isotonic calibrator gives: the binning of ties must agree too
    p = np.round(p, 2)
    return pl.DataFrame(
        {
            "child_id": [f"c{c}" for c in child],
            "sex": np.array(["female", "male"])[child % 2],
            "risk": p,
            "y": (rng.random(n) < np.clip(p * 1.1, 0, 1)).astype(int),
        }
    )


def _evaluate(df: pl.DataFrame) -> dict[str, float]:
    t = evaluate(df["y"], df["risk"], df["child_id"], n_boot=0, capacity=(0.1,))
    rows = t.filter(pl.col("model") == "model")
    return {m: rows.filter(pl.col("metric") == m)["estimate"][0] for m in ("ece", "auroc")}


def test_overall_ece_and_auroc_equal_evaluate_exactly() -> None:
    df = _frame()
    expected = _evaluate(df)
    raw = audit(df, attributes=["sex"], label="y", risk="risk", n_boot=20, policy=RAW)
    row = raw.groups.filter(pl.col("group") == "all").row(0, named=True)
    assert row["ece"] == expected["ece"]
    assert row["auroc"] == expected["auroc"]
    published = audit(df, attributes=["sex"], label="y", risk="risk", n_boot=20)
    pub = published.groups.filter(pl.col("group") == "all").row(0, named=True)
    assert pub["ece"] == round(expected["ece"], 2)
    assert pub["auroc"] == round(expected["auroc"], 2)


def test_group_estimates_come_from_fairlearns_metric_frame() -> None:
    from fairlearn.metrics import MetricFrame

    frames: list[Any] = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        mf = MetricFrame(*args, **kwargs)
        frames.append(mf)
        return mf

    df = _frame()
    with mock.patch("fairlearn.metrics.MetricFrame", side_effect=spy):
        res = audit(df, attributes=["sex"], label="y", risk="risk", n_boot=20, policy=RAW)
    assert len(frames) == 2  # everyone, and the sex groups
    by_group = frames[1].by_group
    assert list(by_group.columns) == ["metrics"]  # one call per group gives every metric
    for group in ("female", "male"):
        row = res.groups.filter(pl.col("group") == group).row(0, named=True)
        assert set(by_group.loc[group, "metrics"]) == set(METRICS)
        for m in METRICS:
            assert row[m] == by_group.loc[group, "metrics"][m], (group, m)
