"""The stored ROC and precision-recall points are an aggregate: at most ``max_points`` points at
safe cuts of the ranking (every step at least 10 children of each outcome:
tests/evaluate/test_figure_slices_hold_children.py), no cut splits tied risks, and the curves
are those of the rows (their rates computed from counts rounded to 5:
tests/evaluate/test_figure_data_rounded.py)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.evaluate.plots import _curve_points, roc_pr_data
from earlysignal.evaluate.rounded import rounded_rate
from earlysignal.evaluate.slices import safe_cuts, thin_cuts


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(5, 600),
    levels=st.integers(2, 50),
    seed=st.integers(0, 10_000),
    max_points=st.integers(1, 100),
)
def test_the_points_are_the_rows_curve_at_safe_cuts(
    n: int, levels: int, seed: int, max_points: int
) -> None:
    rng = np.random.default_rng(seed)
    p = rng.integers(0, levels, n) / levels  # ties on purpose
    y = (rng.random(n) < p).astype(int)
    if y.min() == y.max():
        y[0] = 1 - y[0]
    groups = rng.integers(0, max(1, n // 2), n)  # about two rows per child
    counts = thin_cuts(safe_cuts(y, p, groups), n, max_points)
    pts = _curve_points(y, p, groups, max_points, 10)
    if counts.size == 0:
        assert pts == {"fpr": [], "tpr": [], "recall": [], "precision": []}
        return
    assert counts[-1] == n and counts.size <= max(max_points, 1)
    srt = np.sort(p)[::-1]
    for c in counts[:-1]:  # a cut never splits tied risks
        assert srt[c - 1] != srt[c]
    tp = np.cumsum(y[np.argsort(-p, kind="stable")])[counts - 1]
    fpr, tpr = np.array(pts["fpr"], dtype=float), np.array(pts["tpr"], dtype=float)
    assert len(fpr) == counts.size + 1 and fpr[0] == tpr[0] == 0.0
    assert np.allclose(tpr[1:], rounded_rate(tp, y.sum()), atol=1e-6)
    assert np.allclose(fpr[1:], rounded_rate(counts - tp, n - y.sum()), atol=1e-6)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)


def test_auroc_in_the_stored_curve_is_that_of_all_rows() -> None:
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    p = rng.uniform(size=300)
    y = (rng.random(300) < p).astype(int)
    s = roc_pr_data(y, {"m": p}, np.arange(300) // 2)["series"][0]
    assert abs(s["auroc"] - roc_auc_score(y, p)) < 1e-6
    assert s["fpr"][-1] == s["tpr"][-1] == 1.0
