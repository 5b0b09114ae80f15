"""Through the public path (build_features -> temporal_split), with no observed_until passed to
the split, no label whose window runs past the data end reaches any part: labels are censored at
the source by default, whatever happened in the window."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from earlysignal.data import CareHistory
from earlysignal.features import MoveCount, build_features
from earlysignal.split import temporal_split

sys.path[:0] = [str(Path(__file__).resolve().parents[1])]
from strategies import care_histories  # type: ignore[import-not-found]  # noqa: E402

OUTCOMES = ("breakdown", "carousel", "return_home")


def _times(h: CareHistory, every: int) -> pl.DataFrame:
    first = h.placements["start"].min()
    assert isinstance(first, date)
    days = range(0, (h.observed_until - first).days + 1, every)
    rows = [(c, first + timedelta(days=d)) for c in h.children["child_id"] for d in days]
    return pl.DataFrame(rows, schema={"child_id": pl.String, "prediction_time": pl.Date},
                        orient="row")  # fmt: skip


@given(h=care_histories(), data=st.data())
def test_no_part_holds_a_label_from_an_incomplete_window(h, data):
    outcome = data.draw(st.sampled_from(OUTCOMES))
    horizon = data.draw(st.sampled_from([30, 90, 180, 365]))
    times = _times(h, data.draw(st.sampled_from([15, 45])))
    frame = build_features(h, times, [MoveCount(90)], outcomes=[(outcome, horizon)])
    label = f"label_{outcome}_{horizon}d"
    t0, t1 = times["prediction_time"].min(), h.observed_until
    assert isinstance(t0, date)
    span = max((t1 - t0).days, 2)
    a = data.draw(st.integers(1, span - 1))
    b = data.draw(st.integers(a + 1, span))
    split = temporal_split(
        frame,
        train_end=t0 + timedelta(days=a),
        calibrate_end=t0 + timedelta(days=b),
        horizon=horizon,
        label=label,
    )
    for part in ("train", "calibrate", "test"):
        ends = split.part(part)["prediction_time"] + timedelta(days=horizon)
        assert (ends <= h.observed_until).all(), (part, h.observed_until)


def test_a_positive_seen_before_the_data_end_does_not_reach_the_test_set():
    h = CareHistory.from_frames(
        children=pl.DataFrame(
            {"child_id": ["a", "b"], "birth_date": [date(2010, 1, 1)] * 2, "sex": ["male"] * 2}
        ),
        placements=pl.DataFrame(
            {
                "child_id": ["a", "b"],
                "placement_id": ["pa", "pb"],
                "start": [date(2019, 1, 1), date(2019, 1, 1)],
                "end": [date(2021, 11, 1), None],
                "setting": ["foster", "foster"],
                "end_reason": ["breakdown", None],
            }
        ),
        events=None,
        observed_until=date(2021, 12, 1),
    )
    times = pl.DataFrame({
        "child_id": ["a", "b", "a", "b"],
        "prediction_time": [date(2020, 1, 1), date(2020, 1, 1), date(2021, 9, 1),
                            date(2021, 9, 1)],
    })  # fmt: skip
    frame = build_features(h, times, [MoveCount(90)], outcomes=[("breakdown", 180)])
    # a's placement breaks down on 2021-11-01, inside a window that runs past 2021-12-01
    late = frame.filter(pl.col("prediction_time") == date(2021, 9, 1))
    assert late["label_breakdown_180d"].to_list() == [None, None]
    split = temporal_split(
        frame, train_end=date(2020, 6, 1), calibrate_end=date(2021, 6, 1),
        label="label_breakdown_180d",
    )  # fmt: skip
    assert split.test.height == 0
    assert split.summary.filter(part="test")["censored"].item() == 2
