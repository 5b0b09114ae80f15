"""The polars kernel agrees with an independent DuckDB SQL implementation on random histories."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.features import BoundaryPolicy, build_features, default_specs, feature_names
from earlysignal.features.specs import StatusInForce

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]
from duckdb_reference import duckdb_features  # noqa: E402
from pit_helpers import all_dates, with_providers  # noqa: E402
from strategies import care_histories  # type: ignore[import-not-found]  # noqa: E402

pytest.importorskip("duckdb")


def _compare(ours: pl.DataFrame, ref: pl.DataFrame, names: list[str]) -> None:
    assert ref.columns == names
    for n in names:
        a = ours[n].cast(pl.Float64).to_numpy()
        b = ref[n].cast(pl.Float64).to_numpy()
        assert np.array_equal(np.isnan(a), np.isnan(b)), f"{n}: null pattern differs"
        ok = ~np.isnan(a)
        # integers are exact; shares, ages and trends agree to floating rounding
        assert np.allclose(a[ok], b[ok], rtol=1e-12, atol=1e-12), f"{n}: values differ"


@pytest.mark.parametrize("policy", list(BoundaryPolicy))
@settings(max_examples=15)
@given(h=care_histories(min_children=2, max_children=8), data=st.data())
def test_polars_equals_duckdb(policy, h, data):
    h = with_providers(h)
    specs = (
        *default_specs(h, before="all"),
        StatusInForce("legal_status", "ots"),
    )
    specs = tuple(dict.fromkeys(specs))
    names = feature_names(specs)
    dates = all_dates(h)
    ids = h.children["child_id"].to_list()
    rows = data.draw(
        st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(dates)), min_size=1, max_size=25)
    )
    times = pl.DataFrame(rows, schema={"child_id": pl.String, "prediction_time": pl.Date},
                         orient="row").unique(maintain_order=True)  # fmt: skip
    ours = build_features(h, times, specs, outcomes=(), policy=policy)
    ref = duckdb_features(h, times, specs, policy=policy, memory_limit="500MB", threads=1)
    _compare(ours, ref, names)
