"""The kernel's sorted-merge search gives numpy's answers, and the features do not depend on it."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from earlysignal.features import build as build_module
from earlysignal.features import build_features, default_specs
from earlysignal.features._search import BLOCK, merge_searchsorted

sorted_ints = arrays(np.int64, st.integers(0, 3 * 1024), elements=st.integers(-50, 50)).map(np.sort)


@given(sorted_ints, sorted_ints)
def test_merge_equals_numpy_searchsorted(keys: np.ndarray, queries: np.ndarray) -> None:
    expected = np.searchsorted(keys, queries, side="left")
    assert np.array_equal(merge_searchsorted(keys, queries), expected)


def test_blocks_start_from_their_own_binary_search() -> None:
    rng = np.random.default_rng(0)
    keys = np.sort(rng.integers(0, 10**9, 50_000))
    queries = np.sort(rng.integers(0, 10**9, 3 * BLOCK + 7))
    assert np.array_equal(merge_searchsorted(keys, queries), np.searchsorted(keys, queries))


def test_features_are_the_same_with_the_merge_search(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from earlysignal.cohort import prediction_times
    from earlysignal.synth import simulate

    history = simulate(400, years=4, seed=2).history
    times = prediction_times(history)
    specs = default_specs(history, before="all")
    numpy_path = build_features(history, times, specs)
    monkeypatch.setattr(build_module, "MERGE_MIN_QUERIES", 0)
    merge_path = build_features(history, times, specs)
    assert merge_path.equals(numpy_path)
    shuffled = times.sample(fraction=1.0, shuffle=True, seed=1)  # unsorted input: same rows
    again = build_features(history, shuffled, specs)
    keys = ["child_id", "prediction_time"]
    assert again.sort(keys).equals(merge_path.sort(keys))
