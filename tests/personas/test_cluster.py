"""PAM finds the optimum on small problems; the silhouette width matches scikit-learn."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import silhouette_score

from earlysignal.personas.cluster import pam, silhouette_width


def _matrix(seed: int, n: int) -> np.ndarray:
    pts = np.random.default_rng(seed).normal(size=(n, 2))
    return np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1))


@given(st.integers(0, 10_000), st.integers(5, 9), st.integers(2, 3))
def test_pam_stops_where_no_single_swap_helps(seed: int, n: int, k: int) -> None:
    d = _matrix(seed, n)
    medoids, labels = pam(d, k)
    cost = d[medoids].min(axis=0).sum()
    # PAM's SWAP is a local search: the result must be a local optimum (checked by brute force)
    for i, x in itertools.product(range(k), range(n)):
        if x in medoids:
            continue
        other = medoids.copy()
        other[i] = x
        assert d[other].min(axis=0).sum() >= cost - 1e-9
    assert (labels == d[medoids].argmin(axis=0)).all()


@given(st.integers(0, 10_000), st.integers(4, 30), st.integers(2, 4))
def test_silhouette_width_matches_scikit_learn(seed: int, n: int, k: int) -> None:
    d = _matrix(seed, n)
    labels = np.random.default_rng(seed).integers(0, k, n)
    if not 1 < len(np.unique(labels)) < n:
        return
    assert (
        silhouette_width(d, labels) == np.float64(silhouette_score(d, labels, metric="precomputed"))
        or abs(silhouette_width(d, labels) - silhouette_score(d, labels, metric="precomputed"))
        < 1e-9
    )
