"""Temporal split: periods, purging at both boundaries, censoring counted, nothing lost."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from earlysignal.split import (
    horizon_from_label,
    temporal_split,
    temporal_split_by_fraction,
)

LABEL = "label_breakdown_180d"
TRAIN_END = date(2021, 1, 1)
CAL_END = date(2022, 1, 1)


def _frame(days: list[int], labels: list[int | None]) -> pl.DataFrame:
    start = date(2019, 1, 1)
    return pl.DataFrame(
        {
            "child_id": [f"c{i % 7}" for i in range(len(days))],
            "prediction_time": [start + timedelta(days=d) for d in days],
            LABEL: labels,
        },
        schema_overrides={LABEL: pl.Int8},
    )


@given(
    st.lists(
        st.tuples(st.integers(0, 1400), st.sampled_from([0, 1, None])), min_size=1, max_size=60
    ),
    st.integers(0, 400),
)
def test_no_label_window_crosses_a_boundary_and_every_row_is_accounted_for(rows, horizon):
    frame = _frame([d for d, _ in rows], [lab for _, lab in rows])
    split = temporal_split(
        frame, train_end=TRAIN_END, calibrate_end=CAL_END, horizon=horizon, label=LABEL
    )
    h = timedelta(days=horizon)
    assert all(t + h < TRAIN_END for t in split.train["prediction_time"])
    assert all(t >= TRAIN_END and t + h < CAL_END for t in split.calibrate["prediction_time"])
    assert all(t >= CAL_END for t in split.test["prediction_time"])
    for part in (split.train, split.calibrate, split.test):
        assert part[LABEL].null_count() == 0
    s = split.summary
    assert s["rows_in"].sum() == frame.height
    assert (s["rows_in"] - s["purged"] - s["censored"] == s["rows"]).all()
    assert s["rows"].to_list() == [split.train.height, split.calibrate.height, split.test.height]
    assert s["censored"].sum() + s["purged"].sum() + s["rows"].sum() == frame.height


def test_purging_boundary_is_exact():
    # t + 180 days == train_end reaches into calibration (window (t, t+h] includes train_end).
    t_on = TRAIN_END - timedelta(days=180)
    t_before = TRAIN_END - timedelta(days=181)
    frame = pl.DataFrame(
        {"child_id": ["a", "b"], "prediction_time": [t_on, t_before], LABEL: [0, 1]},
        schema_overrides={LABEL: pl.Int8},
    )
    split = temporal_split(frame, train_end=TRAIN_END, calibrate_end=CAL_END, label=LABEL)
    assert split.train["child_id"].to_list() == ["b"]
    assert split.summary.filter(part="train")["purged"].item() == 1
    assert split.horizon == 180


def test_horizon_from_label_and_clear_errors():
    assert horizon_from_label("label_carousel_365d") == 365
    with pytest.raises(ValueError, match="naming rule"):
        horizon_from_label("carousel")
    frame = _frame([1], [0])
    with pytest.raises(ValueError, match="periods in order"):
        temporal_split(frame, train_end=CAL_END, calibrate_end=TRAIN_END, horizon=1)
    with pytest.raises(ValueError, match="label present"):
        temporal_split(
            frame, train_end=TRAIN_END, calibrate_end=CAL_END, horizon=1, label="label_x_1d"
        )
    with pytest.raises(TypeError, match="dates"):
        temporal_split(
            frame.with_columns(pl.col("prediction_time").cast(pl.String)),
            train_end=TRAIN_END,
            calibrate_end=CAL_END,
            horizon=1,
        )


def test_split_by_fraction_orders_periods():
    days = list(range(0, 1000, 5))
    frame = _frame(days, [0] * len(days))
    split = temporal_split_by_fraction(frame, fractions=(0.5, 0.25, 0.25), horizon=0)
    assert split.train["prediction_time"].max() < split.calibrate["prediction_time"].min()
    assert split.calibrate["prediction_time"].max() < split.test["prediction_time"].min()
    assert split.summary["rows_in"].to_list() == [100, 50, 50]
    with pytest.raises(ValueError, match="summing to 1"):
        temporal_split_by_fraction(frame, fractions=(0.5, 0.5, 0.5), horizon=0)


@given(
    st.lists(
        st.tuples(st.integers(1100, 1600), st.sampled_from([0, 1, None])), min_size=1, max_size=60
    ),
    st.integers(1, 400),
)
def test_test_rows_with_incomplete_follow_up_are_purged_whatever_their_label(rows, horizon):
    # Keeping rows whose window runs past the data end keeps only their positives (the negatives
    # are censored), which inflates test prevalence: with observed_until they all go, counted.
    frame = _frame([d for d, _ in rows], [lab for _, lab in rows])
    end = date(2023, 3, 31)
    frame = frame.filter(pl.col("prediction_time") <= end)
    if frame.height == 0:
        return
    split = temporal_split(
        frame,
        train_end=TRAIN_END,
        calibrate_end=CAL_END,
        horizon=horizon,
        label=LABEL,
        observed_until=end,
    )
    h = timedelta(days=horizon)
    assert all(t + h <= end for t in split.test["prediction_time"])
    test_in = frame.filter(pl.col("prediction_time") >= CAL_END)
    late = test_in.filter(pl.col("prediction_time") + pl.duration(days=horizon) > end)
    row = split.summary.filter(pl.col("part") == "test").row(0, named=True)
    assert row["purged"] == late.height
    assert row["rows"] + row["purged"] + row["censored"] == test_in.height
    without = temporal_split(
        frame, train_end=TRAIN_END, calibrate_end=CAL_END, horizon=horizon, label=LABEL
    )
    assert without.summary.filter(pl.col("part") == "test")["purged"].item() == 0
