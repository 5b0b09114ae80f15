"""The capacity threshold flags at most the requested share, tied risks together (issue 12)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from earlysignal.evaluate.metrics import capacity, capacity_threshold

# risks on a coarse grid, so that ties are common (as after Venn-ABERS or isotonic calibration)
risks = st.lists(st.integers(0, 8).map(lambda k: k / 8), min_size=1, max_size=60)
shares = st.floats(0.01, 1.0)


@given(risks, shares)
def test_at_most_the_share_and_the_largest_that_fits(values: list[float], share: float) -> None:
    p = np.array(values)
    t = capacity_threshold(p, share)
    flagged = p >= t
    assert flagged.sum() <= share * p.size + 1e-9
    # maximal: the next lower distinct risk would flag more than the share
    lower = p[p < t]
    if lower.size:
        assert np.sum(p >= lower.max()) > share * p.size + 1e-9


@given(risks, shares)
def test_the_same_rows_as_the_capacity_metric(values: list[float], share: float) -> None:
    p = np.array(values)
    y = (np.arange(p.size) % 2).astype(float)
    flagged = p >= capacity_threshold(p, share)
    alerts = capacity(y, p, np.array([share]))["alerts_per_100"][0]
    assert np.isclose(alerts, 100 * flagged.sum() / p.size)


def test_a_tie_at_the_cut_is_not_split_and_quantile_would_overflag() -> None:
    p = np.array([0.9] + [0.5] * 3 + [0.1] * 6)
    assert np.mean(p >= np.quantile(p, 1 - 0.2)) == 0.4  # the old rule: twice the capacity
    assert np.mean(p >= capacity_threshold(p, 0.2)) == 0.1
