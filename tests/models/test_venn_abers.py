"""Venn-ABERS intervals equal the definition (isotonic fits with the test point added)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.isotonic import IsotonicRegression

from earlysignal.models import VennAbers


def _by_definition(scores, y, s):
    out = []
    for label in (0, 1):
        iso = IsotonicRegression().fit(np.r_[scores, s], np.r_[y, label])
        out.append(float(iso.predict([s])[0]))
    return out


@settings(max_examples=25)
@given(
    st.lists(st.tuples(st.integers(-6, 6), st.integers(0, 1)), min_size=2, max_size=40),
    st.lists(st.integers(-8, 8), min_size=1, max_size=6),
)
def test_intervals_match_the_definition(cal, tests):
    scores = np.array([s for s, _ in cal], dtype=float)
    y = np.array([lab for _, lab in cal])
    va = VennAbers(resolution=1.0).fit(scores, y)
    p0, p1 = va.predict_interval(np.array(tests, dtype=float))
    for j, s in enumerate(tests):
        e0, e1 = _by_definition(scores, y, float(s))
        assert abs(p0[j] - e0) < 1e-12
        assert abs(p1[j] - e1) < 1e-12
    assert np.all(p0 <= p1 + 1e-12)


def test_merged_probability_and_round_trip():
    rng = np.random.default_rng(0)
    s = rng.normal(size=3000)
    y = (rng.random(3000) < 1 / (1 + np.exp(-s))).astype(int)
    va = VennAbers().fit(s, y)
    t = rng.normal(size=500)
    p0, p1 = va.predict_interval(t)
    p = va.predict_proba(t)
    assert np.all((p0 <= p + 1e-12) & (p <= p1 + 1e-12))
    again = VennAbers.from_dict(va.to_dict())
    assert all(
        np.array_equal(a, b) for a, b in zip(again.predict_interval(t), (p0, p1), strict=True)
    )
