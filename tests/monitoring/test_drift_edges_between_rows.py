"""The drift profile stored with a model has no row's value as an edge (not a count of 3, not
the smallest value), and its counts are those the decile edges gave (an empty bottom bin left
out)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.monitoring.drift import profile


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=300), st.booleans())
def test_no_edge_is_a_rows_value_and_the_counts_are_the_deciles(
    values: list[int], continuous: bool
) -> None:
    x = np.asarray(values, dtype=float) * (np.pi if continuous else 1.0)
    ref = profile(x)
    assert not set(ref["edges"]) & set(x.tolist())
    deciles = np.unique(np.quantile(x, np.linspace(0, 1, 11)[1:-1]))
    before = np.bincount(np.searchsorted(deciles, x, side="right"), minlength=deciles.size + 1)
    assert ref["counts"] == [int(c) for i, c in enumerate(before) if i > 0 or c > 0]
    assert sum(ref["counts"]) == x.size
