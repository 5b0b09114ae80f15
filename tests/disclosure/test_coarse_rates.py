"""Rates are never finer than their rounded counts.

The attacker knows the publication rule (counts rounded to 5, rates from the rounded counts to 2
decimals) and every published figure of a row. They enumerate the exact tables that would give
the same published row: a published or hidden count is recovered when only one value remains.
"""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.disclosure import check_table, protect, round_count


def _publish(n: int, k: int, risk: float) -> dict[str, object]:
    table = pl.DataFrame(
        {"g": ["a"], "n": [n], "n_pos": [k], "base_rate": [k / n], "mean_risk": [risk]}
    )
    out = protect(
        table,
        count_cols=["n", "n_pos"],
        by=["g"],
        rate_cols=["base_rate", "mean_risk"],
        rate_of={"base_rate": ("n_pos", "n")},
        known_totals=False,
    )
    assert check_table(out) == []
    return out.drop("g").row(0, named=True)


@settings(max_examples=150, deadline=None)
@given(st.integers(20, 400).flatmap(lambda n: st.tuples(st.just(n), st.integers(10, n - 10))))
def test_rate_times_count_does_not_give_an_exact_count_back(nk: tuple[int, int]) -> None:
    n, k = nk
    published = _publish(n, k, 0.2)
    assert published["n"] is not None and published["n_pos"] is not None
    # every published figure is a multiple of 5 or has at most 2 decimals
    for name in ("base_rate", "mean_risk"):
        v = published[name]
        assert v is None or abs(v - round(v, 2)) < 1e-12
    # exact tables the attacker cannot tell apart from the true one
    candidates = {
        (n2, k2)
        for n2 in range(n - 6, n + 7)
        for k2 in range(max(0, k - 6), min(n2, k + 6) + 1)
        if n2 - k2 >= 10 and k2 >= 10
        and round_count(n2) == published["n"]
        and round_count(k2) == published["n_pos"]
        and _publish(n2, k2, 0.2) == published
    }  # fmt: skip
    assert (n, k) in candidates
    assert len({k2 for _, k2 in candidates}) >= 2, "the positives are recovered exactly"
    assert len({n2 for n2, _ in candidates}) >= 2, "the group size is recovered exactly"


def test_check_table_refuses_a_rate_finer_than_two_decimals() -> None:
    leaky = pl.DataFrame(
        {
            "g": ["a", "b"],
            "n": [40, 50],
            "n_flag": [None, None],
            "base_rate": [0.175, 0.2],
            "base_rate_flag": [None, None],
        },
        schema_overrides={"n_flag": pl.String, "base_rate_flag": pl.String},
    )
    problems = check_table(leaky)
    assert any("'base_rate' = 0.175 in row 0 is finer than 2 decimals" in p for p in problems)
    assert check_table(leaky.with_columns(pl.col("base_rate").round(2))) == []


def test_interval_bounds_linked_to_a_rate_are_rounded_too() -> None:
    table = pl.DataFrame(
        {"g": ["a", "b"], "n": [120, 80], "auroc": [0.71234, 0.6666], "auroc_lo": [0.6512, 0.5]}
    )
    out = protect(
        table, count_cols=["n"], by=["g"], rate_cols=["auroc"], linked={"auroc": ["auroc_lo"]}
    )
    assert out["auroc"].to_list() == [0.71, 0.67]
    assert out["auroc_lo"].to_list() == [0.65, 0.5]
