"""Grouped CV: a child's rows never sit on both sides of a fold."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from earlysignal.split import grouped_cv


@given(st.lists(st.integers(0, 30), min_size=6, max_size=80), st.integers(2, 5))
def test_children_never_cross_folds_and_every_row_is_validated_once(children, n_splits):
    frame = pl.DataFrame({"child_id": [f"c{c}" for c in children]})
    if frame["child_id"].n_unique() < n_splits:
        with pytest.raises(ValueError, match="n_splits"):
            grouped_cv(frame, n_splits)
        return
    folds = grouped_cv(frame, n_splits)
    ids = frame["child_id"].to_numpy()
    seen = np.concatenate([val for _, val in folds])
    assert sorted(seen.tolist()) == list(range(frame.height))
    for train, val in folds:
        assert not set(ids[train]) & set(ids[val])
        assert len(train) + len(val) == frame.height


def test_folds_are_deterministic_for_a_seed():
    frame = pl.DataFrame({"child_id": [str(i // 2) for i in range(40)]})
    a = grouped_cv(frame, 4, seed=3)
    b = grouped_cv(frame, 4, seed=3)
    assert all(np.array_equal(x[1], y[1]) for x, y in zip(a, b, strict=True))
