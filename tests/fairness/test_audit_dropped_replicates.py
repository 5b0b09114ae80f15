"""The audit says how many bootstrap replicates each interval lost (non-finite: a group drawn
without a positive child has no AUROC or TPR), as ``evaluate`` does (issue 12)."""

from __future__ import annotations

import numpy as np
import polars as pl

from earlysignal.disclosure import DisclosurePolicy
from earlysignal.fairness import METRICS, audit

RAW = DisclosurePolicy(min_count=0, rounding=1, min_class=0, decimals=None)
N_BOOT = 40


def _frame() -> pl.DataFrame:
    """300 children at 2 times; 12 of them in a rare group where one child has the event."""
    rng = np.random.default_rng(3)
    n = 300
    child = np.repeat(np.arange(n), 2)
    rare = child < 12
    risk = rng.uniform(0.05, 0.5, child.size)
    y = (rng.random(child.size) < risk).astype(int)
    y[rare] = (child[rare] == 0).astype(int)  # in the rare group only child 0 has the event
    return pl.DataFrame(
        {
            "child_id": [f"c{c}" for c in child],
            "region": np.where(rare, "rare", "common"),
            "risk": risk,
            "y": y,
        }
    )


def test_each_interval_reports_its_dropped_replicates() -> None:
    res = audit(_frame(), attributes=["region"], label="y", risk="risk", n_boot=N_BOOT,
                policy=RAW)  # fmt: skip
    g = res.groups
    rare = g.filter(pl.col("group") == "rare").row(0, named=True)
    # child 0 is left out of about a third of the replicates: no AUROC, no TPR there
    assert 0 < rare["auroc_dropped"] < N_BOOT
    assert rare["tpr_dropped"] == rare["auroc_dropped"]
    assert rare["base_rate_dropped"] == 0  # a share of rows exists in every replicate
    everyone = g.filter(pl.col("group") == "all").row(0, named=True)
    assert all(everyone[f"{m}_dropped"] == 0 for m in METRICS)
    long = res.metrics.filter((pl.col("group") == "rare") & (pl.col("metric") == "auroc"))
    assert long["dropped"].item() == rare["auroc_dropped"]


def test_the_dropped_count_is_hidden_with_its_metric() -> None:
    res = audit(_frame(), attributes=["region"], label="y", risk="risk", n_boot=N_BOOT)
    rare = res.groups.filter(pl.col("group") == "rare").row(0, named=True)
    assert rare["auroc"] is None and rare["auroc_dropped"] is None  # 1 positive child: hidden
    long = res.metrics.filter((pl.col("group") == "rare") & (pl.col("metric") == "auroc"))
    assert long["dropped"].item() is None
