"""The audit's bootstrap in blocks: the same audit in one process and in two workers, on the
same draws as evaluate's bootstrap."""

from __future__ import annotations

import numpy as np
import polars as pl

from earlysignal.compute import ComputeSpec
from earlysignal.disclosure import DisclosurePolicy
from earlysignal.evaluate import BOOTSTRAP_BLOCK, evaluate
from earlysignal.fairness import audit

RAW = DisclosurePolicy(min_count=0, rounding=1, min_class=0, decimals=None)


def _frame(n: int = 900, seed: int = 8) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    child = rng.integers(0, n // 3, n)
    p = rng.beta(2, 6, n)
    return pl.DataFrame(
        {
            "child_id": [f"c{c}" for c in child],
            "sex": np.array(["female", "male"])[child % 2],
            "region": rng.choice(["north", "south", "west"], n),
            "risk": p,
            "y": (rng.random(n) < p).astype(int),
        }
    )


def test_audit_intervals_are_the_same_with_one_or_two_workers() -> None:
    df = _frame()
    kw = {"attributes": ["sex", "region"], "label": "y", "risk": "risk", "policy": RAW}
    n_boot = BOOTSTRAP_BLOCK + 15
    local = audit(df, n_boot=n_boot, seed=3, **kw)
    spread = audit(df, n_boot=n_boot, seed=3, compute=ComputeSpec(n_jobs=2), **kw)
    assert local.groups.equals(spread.groups)
    assert local.metrics.equals(spread.metrics)
    assert local.groups["oe_ratio_lo"].null_count() == 0
    assert local.groups["gap_se"].drop_nulls().len() >= 5  # the gap test used the replicates


def test_audit_and_evaluate_draw_the_same_replicates() -> None:
    df = _frame()
    n_boot = 2 * BOOTSTRAP_BLOCK + 5
    res = audit(df, attributes=["sex"], label="y", risk="risk", n_boot=n_boot, seed=6, policy=RAW)
    row = res.groups.filter(pl.col("group") == "all").row(0, named=True)
    table = evaluate(df["y"], df["risk"], df["child_id"], n_boot=n_boot, seed=6, capacity=())
    auroc = table.filter(model="model", metric="auroc").row(0, named=True)
    # same draws, same AUROC function: the overall row's interval is evaluate's
    assert np.isclose(row["auroc_lo"], auroc["lower"], rtol=0, atol=1e-12)
    assert np.isclose(row["auroc_hi"], auroc["upper"], rtol=0, atol=1e-12)
