"""The library's default feature set cannot leak: ``build_features(history, times)`` takes its
vocabulary (event kinds, frequent status values) from facts before the earliest prediction time
given (or ``vocabulary_before``), and ``default_specs(history)`` without a cut is refused."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.features import build_features, default_specs, feature_vocabulary
from earlysignal.features.bounded import bounded_specs

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]
from pit_helpers import add_late_facts, all_dates, times_for  # noqa: E402
from strategies import care_histories  # type: ignore[import-not-found]  # noqa: E402


def _late_columns(columns: list[str]) -> list[str]:
    return [c for c in columns if "late_kind" in c or "late_value" in c]


@settings(max_examples=25)
@given(h=care_histories(), data=st.data())
def test_the_default_path_never_takes_a_term_first_seen_at_or_after_the_earliest_time(h, data):
    t = data.draw(st.sampled_from(all_dates(h)), label="earliest prediction time")
    later = add_late_facts(h, t, data.draw(st.integers(1, 40), label="late facts"))
    times = times_for(later, t)
    extra = data.draw(st.integers(0, 400), label="days to a second time")
    second = times.with_columns(prediction_time=times["prediction_time"] + timedelta(days=extra))
    both = times.vstack(second)
    frame = build_features(later, both, outcomes=())
    assert _late_columns(frame.columns) == []
    # the same columns as the explicit cut at the earliest time, on the history without them
    assert frame.columns == build_features(h, both, outcomes=(), vocabulary_before=t).columns


@settings(max_examples=25)
@given(h=care_histories(), data=st.data())
def test_the_training_end_given_decides_the_vocabulary(h, data):
    cut = data.draw(st.sampled_from(all_dates(h)), label="training end")
    later = add_late_facts(h, cut, data.draw(st.integers(1, 40), label="late facts"))
    times = times_for(later, later.observed_until)
    frame = build_features(later, times, outcomes=(), vocabulary_before=cut)
    assert _late_columns(frame.columns) == []
    opt_in = build_features(later, times, outcomes=(), vocabulary_before="all")
    assert "events_late_kind_90d" in opt_in.columns
    assert feature_vocabulary(later, before=cut) == feature_vocabulary(h, before=cut)


def test_default_specs_of_a_history_without_a_cut_is_refused_with_the_fix():
    from earlysignal.data import example_history

    h = example_history(
        {"start": date(2020, 1, 1)},
        events={"kind": ["incident", "new_kind"], "date": [date(2020, 2, 1), date(2021, 2, 1)]},
        observed_until=date(2021, 6, 1),
    )
    for make in (default_specs, bounded_specs):
        with pytest.raises(ValueError, match=r"training period.*before=train_end"):
            make(h)
        names = [s.name for s in make(h, before="all")]
        assert "events_new_kind_90d" in names
        assert "events_new_kind_90d" not in [s.name for s in make(h, before=date(2021, 1, 1))]
    assert default_specs()  # no history: the fixed default kinds, nothing to leak
