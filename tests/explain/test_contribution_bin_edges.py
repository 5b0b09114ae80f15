"""The published edges of the contribution bins are coarse cut points between rows' values: no
edge is a row's exact value (non-integer values), the smallest and largest values never appear,
the outer bins are open, and the rows counted in a bin are those its published edges hold."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.explain import Contributions, contribution_bins


def _rows_in(x: np.ndarray, lo: float | None, hi: float | None) -> np.ndarray:
    lo_, hi_ = -math.inf if lo is None else lo, math.inf if hi is None else hi
    return np.asarray((x >= lo_) & (x < hi_))


@settings(max_examples=40, deadline=None)
@given(
    st.integers(10, 150),
    st.integers(1, 4),
    st.integers(2, 8),
    st.integers(0, 10_000),
    st.sampled_from([1e-3, 1.0, 365.25, 1e5]),
)
def test_no_edge_is_a_rows_value_and_the_extremes_never_appear(
    n_children: int, rows_per_child: int, n_bins: int, seed: int, scale: float
) -> None:
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(n_children), rows_per_child)
    n = ids.size
    x = np.column_stack([rng.lognormal(size=n) * scale, rng.normal(size=n) * scale])
    values = x / scale + rng.normal(0, 0.1, (n, 2))
    t = contribution_bins(
        Contributions(values, np.zeros(n), x, ("a", "b"), "linear"), ids, n_bins=n_bins
    )
    published = [v for c in ("value_lo", "value_hi") for v in t[c].to_list() if v is not None]
    assert not set(published) & set(x.ravel().tolist())  # no row's exact value
    for feature, j in (("a", 0), ("b", 1)):
        sub = t.filter(pl.col("feature") == feature).sort("bin")
        if sub.height == 0:
            continue
        lo, hi = sub["value_lo"].to_list(), sub["value_hi"].to_list()
        assert lo[0] is None and hi[-1] is None  # open ends: "below x", "x and above"
        assert hi[:-1] == lo[1:]  # bins meet at their cut points
        covered = np.zeros(n, dtype=bool)
        for r in sub.iter_rows(named=True):  # the edges are true: they hold the bin's rows
            rows = _rows_in(x[:, j], r["value_lo"], r["value_hi"])
            assert np.unique(ids[rows]).size == r["n_children"] >= 10
            q = np.quantile(values[rows, j], [0.25, 0.5, 0.75])
            assert [r["q25"], r["median"], r["q75"]] == [float(f"{v:.2g}") for v in q]
            covered |= rows
        assert covered.all()


def test_a_count_feature_is_cut_at_whole_numbers() -> None:
    rng = np.random.default_rng(1)
    n = 400
    x = rng.poisson(3.0, size=(n, 1)).astype(np.float64)
    x[0, 0] = 17.0  # one child with many earlier placements
    c = Contributions(x * 0.1, np.zeros(n), x, ("moves",), "linear")
    t = contribution_bins(c, np.arange(n))
    edges = [v for v in t["value_lo"].to_list() + t["value_hi"].to_list() if v is not None]
    assert t.height >= 3 and all(float(e).is_integer() for e in edges)
    assert 17.0 not in edges and 0.0 not in edges
    assert t["value_lo"][0] is None and t["value_hi"][-1] is None
