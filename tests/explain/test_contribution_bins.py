"""The aggregated contribution view: every bin holds at least 10 distinct children, its quartiles
(2 significant digits) are those of its rows."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.explain import Contributions, contribution_bins


@settings(max_examples=60, deadline=None)
@given(
    st.integers(5, 120),
    st.integers(1, 6),
    st.integers(1, 8),
    st.integers(0, 10_000),
    st.floats(0.0, 0.5),
)
def test_every_bin_holds_enough_children_and_quartiles_come_from_its_rows(
    n_children: int, rows_per_child: int, n_bins: int, seed: int, missing_share: float
) -> None:
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(n_children), rows_per_child)
    n = ids.size
    x = np.round(rng.normal(size=(n, 2)), 1)  # ties
    x[rng.random(n) < missing_share, 0] = np.nan
    values = np.nan_to_num(x) * [1.0, 0.5] + rng.normal(0, 0.1, (n, 2))
    c = Contributions(values, np.zeros(n), x, ("a", "b"), "linear")
    t = contribution_bins(c, ids, n_bins=n_bins, min_children=10)
    assert (t["n_children"] >= 10).all()
    for feature, j in (("a", 0), ("b", 1)):
        sub = t.filter((pl.col("feature") == feature) & ~pl.col("missing")).sort("bin")
        for r in sub.iter_rows(named=True):
            lo_ = -np.inf if r["value_lo"] is None else r["value_lo"]
            hi_ = np.inf if r["value_hi"] is None else r["value_hi"]
            rows = (x[:, j] >= lo_) & (x[:, j] < hi_)  # value_lo <= x < value_hi
            assert np.unique(ids[rows]).size >= 10
            q = np.quantile(values[rows, j], [0.25, 0.5, 0.75])
            assert [r["q25"], r["median"], r["q75"]] == [float(f"{v:.2g}") for v in q]
        # bins meet at their cut points and run from low to high values
        lo, hi = sub["value_lo"].to_list(), sub["value_hi"].to_list()
        assert hi[:-1] == lo[1:]
        inner = [v for v in lo if v is not None]
        assert inner == sorted(set(inner))
    if n_children < 10:
        assert t.height == 0


def test_groups_must_match_the_rows() -> None:
    c = Contributions(np.zeros((4, 1)), np.zeros(4), np.zeros((4, 1)), ("a",), "linear")
    try:
        contribution_bins(c, np.arange(3))
    except ValueError as exc:
        assert "groups has shape" in str(exc)
    else:
        raise AssertionError("a wrong number of child ids was accepted")
