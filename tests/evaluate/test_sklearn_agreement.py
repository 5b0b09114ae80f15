"""Where scikit-learn computes the same metric, we agree with it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn import metrics as skm

from earlysignal.evaluate import metrics as M


@given(
    arrays(
        np.float64, st.integers(2, 60), elements=st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.9, 1.0])
    )
    | arrays(np.float64, st.integers(2, 60), elements=st.floats(0, 1)),
    st.data(),
)
def test_matches_scikit_learn(p, data):
    y = data.draw(arrays(np.int64, p.size, elements=st.integers(0, 1)))
    assume(0 < y.sum() < y.size)
    assert float(M.auroc(y, p)) == pytest.approx(skm.roc_auc_score(y, p), abs=1e-12)
    assert float(M.average_precision(y, p)) == pytest.approx(
        skm.average_precision_score(y, p), abs=1e-12
    )
    assert float(M.brier(y, p)) == pytest.approx(skm.brier_score_loss(y, p), abs=1e-12)
    assert float(M.log_loss(y, p)) == pytest.approx(skm.log_loss(y, p), rel=1e-9)


def test_weighted_auroc_matches_scikit_learn_sample_weight():
    rng = np.random.default_rng(0)
    p = rng.random(300).round(2)
    y = (rng.random(300) < p).astype(int)
    w = rng.integers(1, 4, 300).astype(float)
    assert float(M.auroc(y, p, w)) == pytest.approx(skm.roc_auc_score(y, p, sample_weight=w))
    assert float(M.brier(y, p, w)) == pytest.approx(skm.brier_score_loss(y, p, sample_weight=w))
