"""The stored ROC and precision-recall points are an aggregate: every step holds at least
``MIN_ROWS_PER_POINT`` rows, no cut splits tied risks, and the curves are those of the rows
(their rates computed from counts rounded to 5: tests/evaluate/test_figure_data_rounded.py)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.evaluate.plots import MIN_ROWS_PER_POINT, _curve_cuts, _curve_points, roc_pr_data


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(5, 600),
    levels=st.integers(2, 50),
    seed=st.integers(0, 10_000),
    max_points=st.integers(1, 100),
)
def test_each_step_holds_enough_rows_and_the_curve_is_the_rows(
    n: int, levels: int, seed: int, max_points: int
) -> None:
    rng = np.random.default_rng(seed)
    p = rng.integers(0, levels, n) / levels  # ties on purpose
    y = (rng.random(n) < p).astype(int)
    if y.min() == y.max():
        y[0] = 1 - y[0]
    counts, tp = _curve_cuts(y, p, max_points)
    assert counts[-1] == n and tp[-1] == y.sum()
    assert len(counts) <= max(max_points, 1)
    if n >= MIN_ROWS_PER_POINT:
        assert counts[0] >= MIN_ROWS_PER_POINT
        assert np.all(np.diff(counts) >= MIN_ROWS_PER_POINT)
    srt = np.sort(p)[::-1]
    order = np.argsort(-p, kind="stable")
    assert np.array_equal(tp, np.cumsum(y[order])[counts - 1])
    for c in counts[:-1]:  # a cut never splits tied risks
        assert srt[c - 1] != srt[c]
    pts = _curve_points(y, p, max_points)
    fpr, tpr = np.array(pts["fpr"], dtype=float), np.array(pts["tpr"], dtype=float)
    assert len(fpr) == len(counts) + 1 and fpr[0] == tpr[0] == 0.0
    finite = np.isfinite(fpr) & np.isfinite(tpr)
    assert np.all(np.diff(fpr[finite]) >= 0) and np.all(np.diff(tpr[finite]) >= 0)


def test_auroc_in_the_stored_curve_is_that_of_all_rows() -> None:
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    p = rng.uniform(size=300)
    y = (rng.random(300) < p).astype(int)
    s = roc_pr_data(y, {"m": p})["series"][0]
    assert abs(s["auroc"] - roc_auc_score(y, p)) < 1e-6
    assert s["fpr"][-1] == s["tpr"][-1] == 1.0
