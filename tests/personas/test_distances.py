"""Differential test: the numba distances against brute-force references on random sequences."""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from earlysignal.personas.distances import (
    constant_costs,
    cross,
    dhd_costs,
    pairwise,
    transition_costs,
)

K = 4


def brute_om(a: tuple[int, ...], b: tuple[int, ...], sub: np.ndarray, indel: float) -> float:
    """Cheapest alignment by enumerating every alignment (no dynamic programme)."""

    @cache
    def alignments(i: int, j: int) -> frozenset[float]:
        if i == len(a) and j == len(b):
            return frozenset({0.0})
        costs: set[float] = set()
        if i < len(a) and j < len(b):
            costs |= {sub[a[i], b[j]] + c for c in alignments(i + 1, j + 1)}
        if i < len(a):
            costs |= {indel + c for c in alignments(i + 1, j)}
        if j < len(b):
            costs |= {indel + c for c in alignments(i, j + 1)}
        return frozenset(costs)

    return min(alignments(0, 0))


def brute_lcs(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """|a| + |b| - 2 * the longest subsequence of a found in b (all subsequences tried)."""

    def is_sub(s: tuple[int, ...], t: tuple[int, ...]) -> bool:
        it = iter(t)
        return all(x in it for x in s)

    best = max(r for r in range(len(a) + 1) for s in itertools.combinations(a, r) if is_sub(s, b))
    return float(len(a) + len(b) - 2 * best)


seqs = st.lists(st.lists(st.integers(0, K - 1), min_size=5, max_size=5), min_size=2, max_size=6)


@given(seqs, st.floats(0.2, 3.0), st.integers(0, 2**31 - 1))
def test_om_matches_enumeration_of_alignments(
    rows: list[list[int]], indel: float, seed: int
) -> None:
    codes = np.array(rows, dtype=np.int8)
    rng = np.random.default_rng(seed)
    sub = rng.uniform(0.1, 2.0, (K, K))
    sub = (sub + sub.T) / 2
    np.fill_diagonal(sub, 0.0)
    got = cross(codes, codes, sub, method="om", indel=indel)
    for i, j in itertools.product(range(len(rows)), repeat=2):
        assert got[i, j] == pytest_approx(brute_om(tuple(rows[i]), tuple(rows[j]), sub, indel))


@given(seqs)
def test_lcs_matches_enumeration_of_subsequences(rows: list[list[int]]) -> None:
    codes = np.array(rows, dtype=np.int8)
    got = cross(codes, codes, constant_costs(K), method="lcs")
    for i, j in itertools.product(range(len(rows)), repeat=2):
        assert got[i, j] == brute_lcs(tuple(rows[i]), tuple(rows[j]))


@given(seqs)
def test_lcs_equals_om_with_indel_1_and_substitution_2(rows: list[list[int]]) -> None:
    codes = np.array(rows, dtype=np.int8)
    lcs = cross(codes, codes, constant_costs(K), method="lcs")
    om = cross(codes, codes, constant_costs(K, 2.0), method="om", indel=1.0)
    np.testing.assert_allclose(lcs, om)


@given(seqs)
def test_hamming_and_dhd_are_position_wise_sums(rows: list[list[int]]) -> None:
    codes = np.array(rows, dtype=np.int8)
    sub = transition_costs(codes, K)
    tsub = dhd_costs(codes, K)
    ham = cross(codes, codes, sub, method="hamming")
    dhd = cross(codes, codes, sub, method="dhd", tsub=tsub)
    for i, j in itertools.product(range(len(rows)), repeat=2):
        a, b = rows[i], rows[j]
        assert ham[i, j] == pytest_approx(sum(sub[x, y] for x, y in zip(a, b, strict=True)))
        assert dhd[i, j] == pytest_approx(
            sum(tsub[t, x, y] for t, (x, y) in enumerate(zip(a, b, strict=True)))
        )


def test_partial_sequences_are_compared_on_their_common_prefix() -> None:
    a = np.array([[0, 1, 2, -1, -1]], dtype=np.int8)
    b = np.array([[0, 1, 3, 3, 3]], dtype=np.int8)
    sub = constant_costs(K)
    d = cross(a, b, sub, method="hamming", len_a=np.array([3]), len_b=np.array([5]))
    assert d[0, 0] == 1.0
    d2 = cross(a, b, sub, method="om", indel=1.0, len_a=np.array([2]), len_b=np.array([5]))
    assert d2[0, 0] == 0.0


def test_pairwise_is_a_symmetric_matrix_with_zero_diagonal() -> None:
    rng = np.random.default_rng(0)
    codes = rng.integers(0, K, (30, 12)).astype(np.int8)
    d = pairwise(codes, transition_costs(codes, K), method="om", indel=1.0)
    np.testing.assert_allclose(d, d.T)
    assert np.all(np.diag(d) == 0)


def pytest_approx(x: float) -> object:
    import pytest

    return pytest.approx(x, abs=1e-7)
