"""Complementary suppression keeps a protection interval of at least the threshold.

An independent attacker (linear programming over the interior cells, ``scipy.optimize.linprog``)
knows every published interior cell exactly, every margin (the premise of ``known_totals``:
margins are published elsewhere, so the random tables keep every margin at 10 or more, as a
compliant margin table would) and that counts are never negative. For every hidden cell, the largest
and the smallest value they can prove must be at least ``min_count`` (10) apart.
"""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from earlysignal.disclosure import check_table, protect

MIN = 10


def _table(counts: np.ndarray) -> pl.DataFrame:
    dims = [f"d{k}" for k in range(counts.ndim)]
    rows = [
        {**{d: f"v{i}" for d, i in zip(dims, idx, strict=True)}, "n": int(counts[idx])}
        for idx in itertools.product(*(range(s) for s in counts.shape))
    ]
    return pl.DataFrame(rows, schema={**dict.fromkeys(dims, pl.String), "n": pl.Int64})


def _bounds(counts: np.ndarray, hidden: np.ndarray) -> list[tuple[float, float, int]]:
    """(lower, upper, true value) the attacker proves for each hidden interior cell."""
    cells = list(itertools.product(*(range(s) for s in counts.shape)))
    unknown = [c for c in cells if hidden[c]]
    pos = {c: j for j, c in enumerate(unknown)}
    a_eq, b_eq = [], []
    # every margin: fix a subset of the dimensions, sum over the others
    for fixed in itertools.product(*([True, False] for _ in counts.shape)):
        if all(fixed):
            continue  # the interior cell itself
        keep = [k for k, f in enumerate(fixed) if f]
        for key in itertools.product(*(range(counts.shape[k]) for k in keep)):
            members = [c for c in cells if all(c[k] == v for k, v in zip(keep, key, strict=True))]
            total = int(sum(counts[c] for c in members))
            if total < MIN:
                continue  # never published
            row = np.zeros(len(unknown))
            rhs = float(total)
            for c in members:
                if c in pos:
                    row[pos[c]] = 1.0
                else:
                    rhs -= counts[c]
            if row.any():
                a_eq.append(row)
                b_eq.append(rhs)
    out = []
    for c in unknown:
        obj = np.zeros(len(unknown))
        obj[pos[c]] = 1.0
        kw = {"bounds": (0, None), "method": "highs"}
        if a_eq:
            kw.update(A_eq=np.array(a_eq), b_eq=np.array(b_eq))
        lo = linprog(obj, **kw)
        hi = linprog(-obj, **kw)
        upper = -hi.fun if hi.status == 0 else float("inf")  # unbounded: no upper bound
        out.append((lo.fun, upper, int(counts[c])))
    return out


def _shape(ndim: int) -> st.SearchStrategy[np.ndarray]:
    cell = st.one_of(st.integers(0, 12), st.integers(0, 30), st.integers(10, 200))
    return st.lists(st.integers(2, 4 if ndim == 2 else 3), min_size=ndim, max_size=ndim).flatmap(
        lambda shape: st.lists(
            cell, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))
        ).map(lambda v: np.array(v, dtype=np.int64).reshape(shape))
    )


def _margins_publishable(counts: np.ndarray) -> bool:
    axes = range(counts.ndim)
    for r in range(1, counts.ndim + 1):
        for summed in itertools.combinations(axes, r):
            if np.sum(counts, axis=summed).min() < MIN:
                return False
    return True


def _check(counts: np.ndarray) -> None:
    assume(_margins_publishable(counts))
    # Margins published elsewhere can by themselves pin a cell (then nothing hidden inside the
    # table helps: that is the margin table's disclosure, protected where it is published).
    everything = np.ones(counts.shape, dtype=bool)
    assume(all(hi - lo >= MIN for lo, hi, _ in _bounds(counts, everything)))
    table = _table(counts)
    dims = [f"d{k}" for k in range(counts.ndim)]
    out = protect(table, count_cols=["n"], by=dims)
    assert check_table(out, by=dims) == []
    hidden = np.zeros(counts.shape, dtype=bool)
    for row in out.iter_rows(named=True):
        hidden[tuple(int(row[d][1:]) for d in dims)] = row["n"] is None
    assert hidden[counts < MIN].all()
    for lo, hi, true in _bounds(counts, hidden):
        assert lo <= true + 1e-6 and hi >= true - 1e-6  # the attacker is sound
        assert hi - lo >= MIN - 1e-6, (counts.tolist(), hidden.tolist(), lo, hi, true)


@settings(max_examples=80, deadline=None)
@given(_shape(2))
def test_two_way_tables_keep_a_protection_interval_of_the_threshold(counts: np.ndarray) -> None:
    _check(counts)


@settings(max_examples=30, deadline=None)
@given(_shape(3))
def test_three_way_tables_keep_a_protection_interval_of_the_threshold(counts: np.ndarray) -> None:
    _check(counts)


def test_the_old_example_of_a_cell_bounded_to_0_5_is_now_protected() -> None:
    # Two hidden cells of 2 and 3 beside a published 50, total 55: the attacker used to bound
    # each hidden cell to [0, 5]. Now a third cell is hidden so each spans at least 10.
    counts = np.array([2, 3, 50, 60])
    out = protect(_table(counts), count_cols=["n"], by=["d0"])
    hidden = np.array([v is None for v in out["n"].to_list()])
    assert hidden.sum() >= 3
    for lo, hi, _ in _bounds(counts, hidden):
        assert hi - lo >= MIN
