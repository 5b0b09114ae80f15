"""The published contribution quartiles are rounded (2 significant digits): the median of an odd
number of rows is not one row's exact contribution (issue 12)."""

from __future__ import annotations

import numpy as np

from earlysignal.explain import Contributions, contribution_bins


def test_the_median_of_an_odd_bin_is_not_a_rows_exact_value() -> None:
    rng = np.random.default_rng(3)
    n = 11  # 11 children, one row each: one bin, its median is the 6th row's contribution
    x = np.zeros((n, 1))
    values = rng.normal(0, 0.3, size=(n, 1)) + 0.123456789
    c = Contributions(values, np.zeros(n), x, ("a",), "linear")
    t = contribution_bins(c, np.arange(n), n_bins=1, min_children=10)
    assert t.height == 1
    row = t.row(0, named=True)
    exact = float(np.median(values[:, 0]))
    assert exact in values[:, 0]
    assert row["median"] != exact
    assert row["median"] == float(f"{exact:.2g}")
    for k in ("q25", "median", "q75"):
        assert row[k] == float(f"{row[k]:.2g}")
