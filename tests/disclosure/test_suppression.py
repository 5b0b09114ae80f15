"""Disclosure control: no small count is published and hidden cells cannot be recovered."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import linprog

from earlysignal.disclosure import (
    DisclosureError,
    DisclosurePolicy,
    assert_safe,
    check_table,
    protect,
)


def _two_way(counts: np.ndarray, *, margins: bool) -> pl.DataFrame:
    rows = []
    n_a, n_b = counts.shape
    for i, j in itertools.product(range(n_a), range(n_b)):
        rows.append({"a": f"a{i}", "b": f"b{j}", "n": int(counts[i, j])})
    if margins:
        for i in range(n_a):
            rows.append({"a": f"a{i}", "b": None, "n": int(counts[i].sum())})
        for j in range(n_b):
            rows.append({"a": None, "b": f"b{j}", "n": int(counts[:, j].sum())})
        rows.append({"a": None, "b": None, "n": int(counts.sum())})
    return pl.DataFrame(rows, schema={"a": pl.String, "b": pl.String, "n": pl.Int64})


def _attacker_bounds(counts: np.ndarray, hidden: np.ndarray) -> list[tuple[float, float]]:
    """Tightest bounds an attacker gets on each hidden interior cell from the exact (unrounded)
    published cells and all row, column and table totals, by linear programming."""
    n_a, n_b = counts.shape
    idx = [(i, j) for i in range(n_a) for j in range(n_b) if hidden[i, j]]
    if not idx:
        return []
    pos = {c: k for k, c in enumerate(idx)}
    a_eq, b_eq = [], []
    for i in range(n_a):
        row = np.zeros(len(idx))
        s = 0
        for j in range(n_b):
            if hidden[i, j]:
                row[pos[(i, j)]] = 1
                s += counts[i, j]
        if row.any():
            a_eq.append(row)
            b_eq.append(s)
    for j in range(n_b):
        row = np.zeros(len(idx))
        s = 0
        for i in range(n_a):
            if hidden[i, j]:
                row[pos[(i, j)]] = 1
                s += counts[i, j]
        if row.any():
            a_eq.append(row)
            b_eq.append(s)
    bounds = []
    for k in range(len(idx)):
        c = np.zeros(len(idx))
        c[k] = 1
        lo = linprog(c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None)).fun
        hi = -linprog(-c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None)).fun
        bounds.append((lo, hi))
    return bounds


counts_2d = st.integers(2, 4).flatmap(
    lambda a: st.integers(2, 4).flatmap(
        lambda b: st.lists(
            st.one_of(st.integers(0, 12), st.integers(10, 200)), min_size=a * b, max_size=a * b
        ).map(lambda v: np.array(v, dtype=np.int64).reshape(a, b))
    )
)


@given(counts_2d, st.booleans())
def test_two_way_tables_hide_small_cells_and_resist_recovery_from_totals(
    counts: np.ndarray, margins: bool
) -> None:
    table = _two_way(counts, margins=margins)
    out = protect(table, count_cols=["n"], by=["a", "b"])
    assert out.height == table.height  # nothing dropped
    published = out.get_column("n").drop_nulls()
    assert (published >= 10).all() and (published % 5 == 0).all()
    assert (out.filter(pl.col("n").is_null()).get_column("n_flag").is_not_null()).all()
    assert check_table(out, by=["a", "b"]) == []
    # Independent check by linear programming over the interior cells: when every total is
    # known, no hidden cell is pinned to one value and no line of hidden cells sums under 10.
    n_a, n_b = counts.shape
    hidden = np.zeros_like(counts, dtype=bool)
    interior = out.filter(pl.col("a").is_not_null() & pl.col("b").is_not_null())
    for a, b, n in interior.select("a", "b", "n").iter_rows():
        hidden[int(a[1:]), int(b[1:])] = n is None
    assert hidden[counts < 10].all()  # every small interior cell is hidden
    margin_rows = out.filter(pl.col("a").is_null() | pl.col("b").is_null())
    if margin_rows["n"].has_nulls():
        return  # a hidden margin is unknown to the attacker: the checks below would be too strict
    # The attacker knows every row and column total. That premise only holds when the totals
    # are themselves publishable (>= 10): a total under 10 is hidden wherever it is published.
    if counts.sum(axis=0).min() >= 10 and counts.sum(axis=1).min() >= 10:
        for lo, hi in _attacker_bounds(counts, hidden):
            assert hi - lo > 0.5
    for i in range(n_a):
        row_hidden = hidden[i]
        if row_hidden.any():
            assert row_hidden.sum() >= 2
            assert counts[i][row_hidden].sum() >= 10 or counts[i].sum() < 10
    for j in range(n_b):
        col_hidden = hidden[:, j]
        if col_hidden.any():
            assert col_hidden.sum() >= 2
            assert counts[:, j][col_hidden].sum() >= 10 or counts[:, j].sum() < 10


@given(st.lists(st.integers(0, 300), min_size=1, max_size=8))
def test_one_way_table_total_cannot_reveal_a_hidden_cell(values: list[int]) -> None:
    table = pl.DataFrame({"g": [f"g{i}" for i in range(len(values))], "n": values})
    out = protect(table, count_cols=["n"], by=["g"])
    hidden = out.get_column("n").is_null().to_list()
    assert all(h for v, h in zip(values, hidden, strict=True) if v < 10)
    if any(hidden):
        # the total is known: a single hidden cell would equal total minus the rest
        assert sum(hidden) >= 2 or len(values) == 1
        assert sum(v for v, h in zip(values, hidden, strict=True) if h) >= 10 or sum(values) < 10
    assert_safe(out, by=["g"])


@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 60)), min_size=2, max_size=6, unique_by=None
    )
)
def test_parts_of_a_published_total_are_not_recoverable(pairs: list[tuple[int, int]]) -> None:
    pos = [p for p, _ in pairs]
    neg = [q for _, q in pairs]
    table = pl.DataFrame(
        {
            "g": [f"g{i}" for i in range(len(pairs))],
            "n": [p + q for p, q in pairs],
            "n_pos": pos,
            "n_neg": neg,
        }
    )
    rows = {"n": ["n_pos", "n_neg"]}
    out = protect(table, count_cols=["n", "n_pos", "n_neg"], by=["g"], row_sums=rows)
    assert check_table(out, by=["g"], row_sums=rows) == []
    for n, p, q in out.select("n", "n_pos", "n_neg").iter_rows():
        hidden = [v is None for v in (n, p, q)]
        assert sum(hidden) != 1  # one hidden value in n = n_pos + n_neg would be recoverable


def test_rates_hidden_when_a_class_is_small_and_linked_columns_follow() -> None:
    table = pl.DataFrame(
        {
            "group": ["a", "b", "c"],
            "n": [200, 150, 400],
            "n_pos": [30, 8, 60],
            "n_neg": [170, 142, 340],
            "tpr": [0.5, 0.6, 0.7],
            "tpr_lo": [0.4, 0.5, 0.6],
            "label": ["x", "y", "z"],
        }
    )
    out = protect(
        table,
        count_cols=["n"],
        by=["group"],
        rate_cols=["tpr"],
        rate_support={"tpr": ["n_pos", "n_neg"]},
        linked={"tpr": ["tpr_lo"]},
        policy=DisclosurePolicy(detailed_reasons=True),
    )
    assert "n_pos" not in out.columns and "n_neg" not in out.columns  # raw support not published
    assert out["tpr"].to_list() == [0.5, None, 0.7]
    assert out["tpr_flag"].to_list() == [None, "support", None]
    assert out["tpr_lo"].to_list() == [0.4, None, 0.6]
    assert out["label"].to_list() == ["x", "y", "z"]
    assert out["suppressed"].to_list() == [False, True, False]
    assert out["n"].to_list() == [200, 150, 400]


def test_strata_are_independent_tables() -> None:
    table = pl.DataFrame(
        {"year": [2020, 2020, 2020, 2021, 2021], "g": ["a", "b", "c", "a", "b"]}
    ).with_columns(n=pl.Series([5, 50, 60, 100, 120]))
    out = protect(table, count_cols=["n"], by=["g"], strata=["year"])
    assert out["n_flag"].to_list() == ["suppressed", "suppressed", None, None, None]
    assert_safe(out, by=["g"], strata=["year"])


def test_check_table_finds_recoverable_and_unmarked_cells() -> None:
    leaky = pl.DataFrame(
        {"g": ["a", "b", "c"], "n": [None, 40, 55], "n_flag": ["small", None, None]}
    )
    problems = check_table(leaky, by=["g"], table="audit")
    assert any("can be recovered" in p for p in problems)
    unmarked = pl.DataFrame({"n": [None, 40], "n_flag": [None, None]})
    assert any("without a reason" in p for p in check_table(unmarked))
    with pytest.raises(DisclosureError, match="under 10"):
        assert_safe(pl.DataFrame({"n": [5], "n_flag": [None]}))


def test_errors_name_the_problem() -> None:
    with pytest.raises(DisclosureError, match="same key"):
        protect(pl.DataFrame({"g": ["a", "a"], "n": [20, 30]}), count_cols=["n"], by=["g"])
    with pytest.raises(DisclosureError, match="lacks columns"):
        protect(pl.DataFrame({"g": ["a"]}), count_cols=["n"], by=["g"])
    with pytest.raises(DisclosureError, match="not counts"):
        protect(pl.DataFrame({"g": ["a"], "n": [-1]}), count_cols=["n"], by=["g"])
    with pytest.raises(DisclosureError, match="multiple of rounding"):
        DisclosurePolicy(min_count=12, rounding=5)


def test_policy_overrides() -> None:
    table = pl.DataFrame({"g": ["a", "b", "c"], "n": [12, 33, 47]})
    out = protect(table, count_cols=["n"], by=["g"], min_count=0, rounding=1)
    assert out["n"].to_list() == [12, 33, 47]
