"""The audit publishes through the publication ledger in use: a later run with a few more
children repeats the earlier counts, and its published table holds no list of children."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from earlysignal.fairness import COUNTS, ROW_COUNTS, audit
from earlysignal.ledger import PublicationLedger, use_ledger


def _frame(n_children: int, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rows = 2 * n_children
    p = rng.uniform(0.05, 0.6, rows)
    sex = np.array(["female", "male"])[np.arange(rows) // 2 % 2]
    return pl.DataFrame(
        {
            "child_id": [f"c{i // 2}" for i in range(rows)],
            "sex": sex,
            "risk": p,
            "y": (rng.random(rows) < p).astype(int),
        }
    )


def _counts(frame: pl.DataFrame) -> list[tuple[object, ...]]:
    return frame.select("group", *COUNTS, *ROW_COUNTS).rows()


def test_a_later_run_with_a_few_more_children_repeats_the_counts(tmp_path: Path) -> None:
    early = _frame(400)
    later = pl.concat([early, _frame(403, seed=1).slice(800, 6)])  # 3 new children, 6 rows
    assert later["child_id"].n_unique() == 403
    kw = {"attributes": ["sex"], "label": "y", "risk": "risk", "n_boot": 20}
    plain_early, plain_later = audit(early, **kw).groups, audit(later, **kw).groups
    assert _counts(plain_early) != _counts(plain_later)  # without a ledger they differ
    with use_ledger(PublicationLedger(tmp_path)) as led:
        first = audit(early, **kw).groups
        second = audit(later, **kw).groups
    assert _counts(first) == _counts(plain_early)  # the first run is published as before
    assert _counts(second) == _counts(first)
    assert led is not None and led.stats.repeated["fairness.audit"] > 0
    assert not [c for c in second.columns if c.startswith("_members")]
