"""PSI and the two-sample test against a stored profile."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from earlysignal.monitoring.drift import PSI_MAJOR, drift_table, profile, profiles, psi


@given(st.lists(st.integers(0, 30), min_size=20, max_size=300), st.randoms())
def test_psi_is_zero_on_the_reference_itself_and_ignores_order(values, rnd) -> None:  # type: ignore[no-untyped-def]
    x = np.asarray(values, dtype=float)
    ref = profile(x)
    assert abs(psi(ref, x)) < 1e-9
    shuffled = x.copy()
    rnd.shuffle(shuffled)
    assert psi(ref, shuffled) == psi(ref, x)
    assert psi(ref, x + 100) >= 0


def test_major_shift_and_missing_values_are_seen() -> None:
    rng = np.random.default_rng(1)
    ref = pl.DataFrame({"a": rng.poisson(1.0, 4000).astype(float), "b": rng.normal(size=4000)})
    now = pl.DataFrame(
        {
            "a": rng.poisson(3.0, 4000).astype(float),
            "b": np.where(rng.random(4000) < 0.5, np.nan, rng.normal(size=4000)),
        }
    )
    same = pl.DataFrame({"a": rng.poisson(1.0, 4000).astype(float), "b": rng.normal(size=4000)})
    table = drift_table(profiles(ref, ["a", "b"]), now)
    assert set(table.filter(pl.col("psi") > PSI_MAJOR)["column"]) == {"a", "b"}
    assert (table["p_value"] < 1e-6).all()
    quiet = drift_table(profiles(ref, ["a", "b"]), same)
    assert (quiet["level"] == "stable").all()
