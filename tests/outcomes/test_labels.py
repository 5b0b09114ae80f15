"""Outcome labels: definitions, competing events and the risk set, on small hand-made histories."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from earlysignal.data import CareHistory
from earlysignal.outcomes import label, label_with_report


def _history(placements, observed_until=date(2022, 1, 1)):
    rows = [
        {"child_id": "a", "placement_id": f"p{i}", "start": s, "end": e, "setting": "foster",
         "end_reason": r, "temporary": tmp}
        for i, (s, e, r, tmp) in enumerate(placements)
    ]  # fmt: skip
    return CareHistory.from_frames(
        children=pl.DataFrame(
            {"child_id": ["a"], "birth_date": [date(2008, 1, 1)], "sex": ["female"]}
        ),
        placements=pl.DataFrame(rows),
        events=None,
        observed_until=observed_until,
    )


def _times(*ts):
    return pl.DataFrame({"child_id": ["a"] * len(ts), "prediction_time": list(ts)})


def test_breakdown_positive_competing_and_not_at_risk():
    h = _history([
        (date(2020, 1, 1), date(2020, 6, 1), "breakdown", False),
        (date(2020, 6, 1), date(2020, 9, 1), "planned", False),
        (date(2020, 9, 2), None, None, False),
    ])  # fmt: skip
    t = _times(date(2020, 3, 1), date(2020, 6, 1), date(2020, 7, 1), date(2019, 6, 1))
    out, rep = label_with_report(h, t, "breakdown", 180)
    # p0 breaks down in window; on 2020-06-01 p0 ends that day (not in effect), p1 starts that
    # day (start < t fails): out of care that day; p1 ends planned (competing); before care
    assert out["label_breakdown_180d"].to_list() == [1, None, 0, None]
    assert (rep.positives, rep.negatives, rep.competing, rep.censored, rep.not_at_risk) == (
        1, 1, 1, 0, 2,
    )  # fmt: skip


def test_breakdown_ending_on_t_plus_horizon_counts_and_one_day_later_does_not():
    h = _history([(date(2020, 1, 1), date(2020, 7, 1), "breakdown", False)])
    t0 = date(2020, 7, 1).toordinal() - 30
    out = label(h, _times(date.fromordinal(t0), date.fromordinal(t0 - 1)), "breakdown", 30)
    assert out["label_breakdown_30d"].to_list() == [1, 0]


def test_censoring_exactly_at_observed_until():
    h_ok = _history([(date(2020, 1, 1), None, None, False)], observed_until=date(2020, 7, 1))
    t = _times(date(2020, 7, 1).fromordinal(date(2020, 7, 1).toordinal() - 100))
    assert label(h_ok, t, "breakdown", 100)["label_breakdown_100d"].to_list() == [0]
    assert label(h_ok, t, "breakdown", 101)["label_breakdown_101d"].to_list() == [None]
    # the window runs past observed_until: censored whatever happened in it, even an event
    # on observed_until itself or a competing ending before it ...
    h_ev = _history([(date(2020, 1, 1), date(2020, 7, 1), "breakdown", False)],
                    observed_until=date(2020, 7, 1))  # fmt: skip
    assert label(h_ev, t, "breakdown", 365)["label_breakdown_365d"].to_list() == [None]
    h_cp = _history([(date(2020, 1, 1), date(2020, 5, 1), "planned", False)],
                    observed_until=date(2020, 7, 1))  # fmt: skip
    assert label(h_cp, t, "breakdown", 365)["label_breakdown_365d"].to_list() == [None]
    _, rep = label_with_report(h_ev, t, "breakdown", 365)
    assert (rep.positives, rep.censored, rep.censor) == (0, 1, "window")
    # ... unless the caller opts out by name: censor="event" keeps what was seen by then
    ev = label(h_ev, t, "breakdown", 365, censor="event")["label_breakdown_365d"]
    assert ev.to_list() == [1]
    assert label(h_cp, t, "breakdown", 365, censor="event")["label_breakdown_365d"].to_list() == [0]
    with pytest.raises(ValueError, match="censor='rows'"):
        label(h_cp, t, "breakdown", 365, censor="rows")


def test_carousel_counts_moves_not_temporary_or_new_episodes():
    h = _history([
        (date(2020, 1, 1), date(2020, 2, 1), "breakdown", False),
        (date(2020, 2, 1), date(2020, 3, 1), "planned", False),   # move 1
        (date(2020, 2, 10), date(2020, 2, 12), "planned", True),  # temporary: never a move
        (date(2020, 3, 2), date(2020, 4, 1), "return_home", False),  # move 2 (1-day gap)
        (date(2020, 6, 1), None, None, False),  # new episode (re-entry), not a move
    ])  # fmt: skip
    t = _times(date(2020, 1, 15), date(2020, 2, 15))
    assert label(h, t, "carousel", 365)["label_carousel_365d"].to_list() == [1, 0]
    assert label(h, t, "carousel", 365, k=1)["label_carousel_365d"].to_list() == [1, 1]


def test_return_home_and_reentry():
    h = _history([
        (date(2020, 1, 1), date(2020, 4, 1), "return_home", False),
        (date(2020, 6, 1), None, None, False),
    ])  # fmt: skip
    t = _times(date(2020, 3, 1), date(2020, 5, 1), date(2020, 7, 1))
    assert label(h, t, "return_home", 60)["label_return_home_60d"].to_list() == [1, 0, 0]
    # re-entry: only the time out of care after a return home is at risk
    assert label(h, t, "reentry", 60)["label_reentry_60d"].to_list() == [None, 1, None]
    assert label(h, t, "reentry", 20)["label_reentry_20d"].to_list() == [None, 0, None]


def test_unknown_outcome_and_bad_horizon_are_refused():
    h = _history([(date(2020, 1, 1), None, None, False)])
    with pytest.raises(ValueError, match="unknown outcome 'brakdown'"):
        label(h, _times(date(2020, 2, 1)), "brakdown", 180)
    with pytest.raises(ValueError, match="horizon"):
        label(h, _times(date(2020, 2, 1)), "breakdown", 0)


def test_row_order_of_times_is_kept():
    h = _history([(date(2020, 1, 1), date(2020, 6, 1), "breakdown", False)])
    t = _times(date(2020, 5, 1), date(2020, 2, 1), date(2020, 5, 20))
    out = label(h, t, "breakdown", 31)
    assert out["prediction_time"].to_list() == t["prediction_time"].to_list()
    assert out["label_breakdown_31d"].to_list() == [1, 0, 1]
