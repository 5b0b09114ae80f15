"""The figures the card stores as numbers give back no exact count: every rate in them (ROC and
precision-recall points, reliability bins and bands, net benefit, prevalence) is computed from
counts rounded to 5, as the card publishes counts (docs/disclosure.md)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.disclosure import round_count
from earlysignal.evaluate import reliability_table
from earlysignal.evaluate.plots import decision_curve_data, reliability_data, roc_pr_data
from earlysignal.evaluate.slices import decision_cuts, reliability_bins, safe_cuts


def _multiples_of_5(values: np.ndarray) -> bool:
    v = values[np.isfinite(values)]
    return bool(np.allclose(v / 5, np.round(v / 5), atol=1e-3))


def _data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = np.round(rng.beta(1, 6, n), 3)
    y = (rng.random(n) < p).astype(int)
    y[:2] = [0, 1]
    return y, p


@settings(max_examples=25, deadline=None)
@given(n=st.integers(40, 500), seed=st.integers(0, 10_000))
def test_roc_pr_points_hold_only_rounded_counts(n: int, seed: int) -> None:
    y, p = _data(n, seed)
    data = roc_pr_data(y, p)
    s = data["series"][0]
    tpr = np.array(s["recall"], dtype=float)
    fpr = np.array(s["fpr"][1:], dtype=float)
    # the attacker multiplies each rate by its (rounded, published) denominator
    assert _multiples_of_5(tpr * round_count(int(y.sum())))
    assert _multiples_of_5(fpr * round_count(int(n - y.sum())))
    assert _multiples_of_5(np.array([data["prevalence"]]) * round_count(n))


@settings(max_examples=20, deadline=None)
@given(n=st.integers(40, 500), seed=st.integers(0, 10_000))
def test_reliability_bins_hold_only_rounded_counts(n: int, seed: int) -> None:
    y, p = _data(n, seed)
    s = reliability_data(y, p, n_bins=5, n_boot=10)["series"][0]
    bins = reliability_bins(y, p, n_bins=5)  # the bins the figure uses (>= 10 per outcome)
    rows = np.bincount(bins[bins >= 0], minlength=len(s["observed"]))
    assert rows.size == len(s["observed"])
    denominators = np.array([round_count(int(r)) for r in rows], dtype=float)
    for column in ("observed", "lower", "upper"):
        assert _multiples_of_5(np.array(s[column], dtype=float) * denominators), column


@settings(max_examples=20, deadline=None)
@given(n=st.integers(40, 500), seed=st.integers(0, 10_000))
def test_net_benefit_holds_only_rounded_counts(n: int, seed: int) -> None:
    y, p = _data(n, seed)
    data = decision_curve_data(y, p)
    s = next(x for x in data["series"] if x["model"] == "model")
    t = np.linspace(0.01, 0.6, 60)  # the default thresholds (stored rounded to 6 digits)
    assert np.allclose(np.array(s["threshold"], dtype=float), t)
    # the rows flagged at each threshold, snapped to a safe cut of the ranking
    flagged = decision_cuts(p, t, safe_cuts(y, p))
    ranked = y[np.argsort(-p, kind="stable")]
    fp = np.array([round_count(int(c - ranked[:c].sum())) for c in flagged], dtype=float)
    # net benefit x N + FP x t/(1-t) is the true positives: a rounded count
    tp = np.array(s["net_benefit"], dtype=float) * round_count(n) + fp * t / (1 - t)
    assert _multiples_of_5(tp)


def test_the_exact_counts_do_not_come_back() -> None:
    """The attack that worked on the six-digit rates: a bin's events are its rate x rows."""
    y, p = _data(600, 1)
    rows = reliability_table(y, p, n_boot=0, bins=reliability_bins(y, p, n_bins=10))
    exact = (rows["observed"] * rows["rows"]).round().to_numpy()
    stored = np.array(reliability_data(y, p, n_bins=10, n_boot=10)["series"][0]["observed"])
    assert not np.allclose(stored * rows["rows"].to_numpy(), exact, atol=1e-3)
