"""The capacity rule flags at most the requested share and never splits a tie group."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.evaluate import metrics as M


@settings(max_examples=80, deadline=None)
@given(
    risks=st.lists(st.integers(0, 5), min_size=1, max_size=40),
    weights=st.lists(st.integers(0, 3), min_size=40, max_size=40),
    k=st.sampled_from([0.05, 0.1, 0.2, 0.25, 0.5, 1.0]),
)
def test_at_most_the_share_and_whole_tie_groups(risks, weights, k):
    p = np.asarray(risks, dtype=float) / 5.0
    n = p.size
    w = np.asarray(weights[:n], dtype=float)
    if w.sum() == 0:
        w[0] = 1.0
    y = np.ones(n)  # every row an event: recall = flagged weight / total weight
    recall = float(M.capacity(y, p, np.array([k]), w)["recall"][0])
    flagged_share = recall
    assert flagged_share <= k + 1e-12
    # flagged set = every row with risk above some cut, whole tie groups
    levels = np.unique(p)[::-1]
    shares = np.cumsum([w[p == v].sum() for v in levels]) / w.sum()
    fitting = shares[shares <= k + 1e-12]
    expected = float(fitting[-1]) if fitting.size else 0.0
    assert flagged_share == np.float64(expected) or abs(flagged_share - expected) < 1e-12


def test_ties_at_the_cut_flag_fewer_rather_than_more():
    y = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 0])
    p = np.array([0.9, 0.5, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
    out = M.capacity(y, p, np.array([0.2, 0.4]), n_children=10)
    # 20 %: the 0.5 tie group would bring the flagged share to 40 %, so only the top row
    # 40 %: the top row and the whole 0.5 group, exactly 40 %
    assert out["alerts_per_100"].tolist() == [10.0, 40.0]
    assert out["precision"].tolist() == [1.0, 0.5]
