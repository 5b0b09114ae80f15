"""Every mark of the card's stored figures holds at least 10 distinct children of each outcome:
a reliability bin, a step between two ROC / precision-recall points, the rows a decision-curve
threshold flags and those between two thresholds (docs/disclosure.md). Rows are prediction
times and one child has several: a slice of 20 rows can be 1 child."""

from __future__ import annotations

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st

from earlysignal.disclosure import round_count
from earlysignal.evaluate.plots import decision_curve_data, reliability_data, roc_pr_data
from earlysignal.evaluate.rounded import rounded_rate
from earlysignal.evaluate.slices import (
    decision_cuts,
    reliability_bins,
    safe_cuts,
    thin_cuts,
)


def _few_children_at_the_top(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """300 children with one row each (risk at most 0.3), and 3 children with 30 prediction
    times each at the top scores (0.97-0.99), all with the event."""
    rng = np.random.default_rng(seed)
    p_rest = rng.uniform(0.0, 0.3, 300)
    y_rest = (rng.random(300) < p_rest).astype(int)
    p_top = np.linspace(0.97, 0.99, 90)
    p = np.r_[p_rest, p_top]
    y = np.r_[y_rest, np.ones(90, dtype=int)]
    groups = np.r_[[f"c{i}" for i in range(300)], [f"top{i % 3}" for i in range(90)]]
    return y, p, groups


def test_three_children_at_the_top_get_no_reliability_bin_of_their_own() -> None:
    y, p, groups = _few_children_at_the_top()
    s = reliability_data(y, {"m": p}, groups, n_bins=10, n_boot=10)["series"][0]
    assert s["observed"], "the diagram is thinned, not blanked"
    # a bin with a mean risk of 0.97 or more would hold only the 3 children's rows
    assert max(v for v in s["mean_predicted"] if v is not None) < 0.97


def test_three_children_at_the_top_get_no_roc_step_of_their_own() -> None:
    y, p, groups = _few_children_at_the_top()
    s = roc_pr_data(y, {"m": p}, groups)["series"][0]
    assert len(s["fpr"]) >= 3, "the curve is thinned, not blanked"
    # a point flagging only the 3 children's rows has no false positive (and precision 1):
    # every step holds 10 children without the event, so every point has some
    assert all(v > 0 for v in s["fpr"][1:])
    assert all(v < 1 for v in s["precision"])


def test_three_children_at_the_top_set_no_net_benefit_alone() -> None:
    y, p, groups = _few_children_at_the_top()
    t = np.linspace(0.35, 0.95, 13)  # above every other child's risk: only the 3 are flagged
    s = decision_curve_data(y, {"m": p}, t, groups=groups)["series"][0]
    alone = round_count(90) / round_count(y.size)  # their 90 true positives, no false one
    assert not np.any(np.isclose(np.array(s["net_benefit"], dtype=float), alone))


def _children_per_outcome(y: np.ndarray, g: np.ndarray) -> tuple[int, int]:
    return int(np.unique(g[y == 1]).size), int(np.unique(g[y == 0]).size)


@st.composite
def _clustered(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Children with 1-30 prediction times each; a child's risks and outcomes are alike (a
    child's rows cluster in the ranking), with tied risks."""
    seed = draw(st.integers(0, 10_000))
    n_children = draw(st.integers(40, 300))
    rng = np.random.default_rng(seed)
    times = rng.integers(1, draw(st.integers(2, 31)), n_children)
    base = rng.beta(1, draw(st.sampled_from([1, 2, 4])), n_children)
    g = np.repeat(np.arange(n_children), times)
    p = np.clip(base[g] + rng.normal(0, 0.02, g.size), 0, 1).round(draw(st.integers(1, 3)))
    child_event = rng.random(n_children) < base
    y = (child_event[g] & (rng.random(g.size) < 0.8)).astype(int)
    return y, p, g.astype(str)


@settings(max_examples=40, deadline=None)
@given(data=_clustered(), max_points=st.integers(2, 100), n_bins=st.integers(2, 12))
def test_every_stored_bin_and_step_holds_ten_children_of_each_outcome(
    data: tuple[np.ndarray, np.ndarray, np.ndarray], max_points: int, n_bins: int
) -> None:
    y, p, g = data
    order = np.argsort(-p, kind="stable")
    ys, gs = y[order], g[order]
    cuts = safe_cuts(y, p, g)
    event(f"safe cuts: {min(cuts.size, 3)}{'+' if cuts.size >= 3 else ''}")
    # every slice between two safe cuts (and from the top) holds 10 children of each outcome
    for a, b in zip(np.r_[0, cuts][:-1], cuts, strict=True):
        assert min(_children_per_outcome(ys[a:b], gs[a:b])) >= 10
    if cuts.size == 0:  # all rows together fall short: nothing is published
        assert min(_children_per_outcome(y, g)) < 10
        assert roc_pr_data(y, p, g)["series"][0]["fpr"] == []
        assert reliability_data(y, p, g, n_boot=0)["series"][0]["observed"] == []
        return
    assert cuts[-1] == y.size
    # ROC / PR: the stored points are at safe cuts
    roc = roc_pr_data(y, p, g, max_points=max_points)["series"][0]
    points = thin_cuts(cuts, y.size, max_points)
    assert set(points.tolist()) <= set(cuts.tolist())
    tp = np.cumsum(ys)[points - 1]
    assert np.allclose(roc["tpr"][1:], rounded_rate(tp, y.sum()), atol=1e-6)
    # reliability: every bin holds 10 children of each outcome, and the stored rates are its
    bins = reliability_bins(y, p, g, n_bins=n_bins)
    rel = reliability_data(y, p, g, n_bins=n_bins, n_boot=0)["series"][0]
    assert len(rel["observed"]) == int(bins.max()) + 1
    for k in range(int(bins.max()) + 1):
        inside = bins == k
        assert min(_children_per_outcome(y[inside], g[inside])) >= 10
        assert np.isclose(rel["observed"][k], rounded_rate(y[inside].sum(), inside.sum())[0])
    # decision curve: every threshold flags the rows down to a safe cut (or none)
    t = np.linspace(0.01, 0.6, 40)
    flagged = decision_cuts(p, t, cuts)
    assert set(flagged.tolist()) <= {0, *cuts.tolist()}
    nb = decision_curve_data(y, p, t, groups=g)["series"][0]["net_benefit"]
    assert all(v is not None for v in nb)
