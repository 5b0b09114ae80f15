"""Features at t never depend on anything at or after t, on row order or on other children."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from earlysignal.features import BoundaryPolicy, build_features, default_specs, feature_names
from earlysignal.features.specs import DEFAULT_EVENT_KINDS, EventCount, StatusInForce

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]
from pit_helpers import draw_time, perturb_future, times_for, with_providers  # noqa: E402
from strategies import care_histories  # type: ignore[import-not-found]  # noqa: E402

SPECS = (
    *default_specs(),
    EventCount("brand_new_kind", 90),
    StatusInForce("legal_status", "ots"),
    StatusInForce("legal_status", "voogdij"),
)
NAMES = feature_names(SPECS)


def _features(h, times, policy=BoundaryPolicy.STRICT):
    return build_features(h, times, SPECS, outcomes=(), policy=policy).select(
        "child_id", "prediction_time", *NAMES
    )


@given(h=care_histories(), data=st.data())
def test_future_records_never_change_features(h, data):
    h = with_providers(h)
    t = draw_time(data, h)
    times = times_for(h, t)
    before = _features(h, times)
    after = _features(perturb_future(data, h, t), times)
    assert_frame_equal(before, after)


@given(h=care_histories(), data=st.data())
def test_inclusive_policy_sees_day_t_but_not_later(h, data):
    h = with_providers(h)
    t = draw_time(data, h)
    times = times_for(h, t)
    # under INCLUSIVE, facts on t count; still nothing after t
    import datetime as dt

    t1 = t + dt.timedelta(days=1)
    before = _features(h, times, BoundaryPolicy.INCLUSIVE)
    after = _features(perturb_future(data, h, t1), times, BoundaryPolicy.INCLUSIVE)
    assert_frame_equal(before, after)


@settings(max_examples=20)
@given(h=care_histories(), other=care_histories(), data=st.data())
def test_row_order_and_other_children_change_nothing(h, other, data):
    t = draw_time(data, h)
    times = times_for(h, t)
    before = _features(h, times)
    renamed = {
        name: frame.with_columns(("x" + pl.col("child_id")).alias("child_id"))
        for name, frame in other.tables().items()
    }
    renamed["placements"] = renamed["placements"].with_columns(
        ("x" + pl.col("placement_id")).alias("placement_id")
    )
    seed = data.draw(st.integers(0, 2**16))

    def mix(a, b):
        if b is None:
            return a.sample(fraction=1.0, shuffle=True, seed=seed) if a is not None else None
        if a is None:
            return None
        return pl.concat([a, b.select(a.columns)]).sample(fraction=1.0, shuffle=True, seed=seed)

    big = replace(
        h,
        children=mix(h.children, renamed["children"].select(h.children.columns)),
        placements=mix(h.placements, renamed["placements"]),
        events=mix(h.events, renamed["events"]),
        statuses=mix(h.statuses, renamed.get("statuses")),
        observed_until=max(h.observed_until, other.observed_until),
    )
    shuffled_times = times.sample(fraction=1.0, shuffle=True, seed=seed)
    after = _features(big, shuffled_times).sort("child_id")
    assert_frame_equal(before.sort("child_id"), after)


def test_default_kinds_are_documented():
    assert "incident" in DEFAULT_EVENT_KINDS
    assert all(n == n.lower() for n in NAMES)
