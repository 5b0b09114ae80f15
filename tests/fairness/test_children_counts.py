"""Every published audit cell counts distinct children, not prediction rows."""

from __future__ import annotations

import numpy as np
import polars as pl

from earlysignal.disclosure import assert_safe
from earlysignal.fairness import COUNTS, METRICS, ROW_COUNTS, audit


def _frame() -> pl.DataFrame:
    """300 children seen twice in one region; 3 children seen at 8 prediction times each in
    another (24 rows, 12 with the outcome): the small region has 3 children, not 24."""
    rng = np.random.default_rng(0)
    big = 300
    child = [f"b{i}" for i in range(big) for _ in range(2)]
    risk = rng.uniform(0.05, 0.6, 2 * big)
    y = (rng.random(2 * big) < risk).astype(int)
    small_child = [f"s{i}" for i in range(3) for _ in range(8)]
    return pl.DataFrame(
        {
            "child_id": child + small_child,
            "region": ["north"] * (2 * big) + ["islands"] * 24,
            "sex": [("female", "male")[i % 2] for i in range(big) for _ in range(2)]
            + ["female"] * 24,
            "risk": np.r_[risk, np.full(24, 0.4)],
            "y": np.r_[y, np.tile([0, 1], 12)],
        }
    )


def test_three_children_at_eight_times_are_a_hidden_cell_of_three_children() -> None:
    res = audit(_frame(), attributes=["region"], label="y", risk="risk", n_boot=20)
    g = res.groups
    small = g.filter(pl.col("group") == "islands").row(0, named=True)
    counts = [c for c, t in g.schema.items() if t.is_integer()]
    assert counts, "the table publishes counts"
    for c in counts:  # neither the 24 rows nor the 12 positive rows are published
        assert small[c] is None, (c, small[c])
    for m in METRICS:
        assert small[m] is None, m
    big = g.filter(pl.col("group") == "north").row(0, named=True)
    # the complement is hidden too, or the total would give the 3 children back
    assert big["n_children"] is None
    assert_safe(
        g,
        count_cols=[*COUNTS, *ROW_COUNTS],
        by=["region"],
        row_sums={
            "n_children": ["n_children_pos", "n_children_neg"],
            "n_rows": ["n_rows_pos", "n_rows_neg"],
        },
    )


def test_row_counts_are_named_as_rows_and_carry_the_children_count() -> None:
    res = audit(_frame(), attributes=["sex"], label="y", risk="risk", n_boot=20)
    everyone = res.groups.filter(pl.col("group") == "all").row(0, named=True)
    assert everyone["n_children"] == 305  # 303 children, rounded to 5
    assert everyone["n_rows"] == 625  # 624 rows, rounded to 5
    female = res.groups.filter(pl.col("group") == "female").row(0, named=True)
    assert female["n_children"] == 155 and female["n_rows"] == 325  # 153 children, 324 rows
    assert {"n", "n_pos", "n_neg", "n_flagged"}.isdisjoint(res.groups.columns)
