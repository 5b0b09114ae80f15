"""The card's results by age count children, not rows: a band, its events and each share are
shown only when they come from at least 10 distinct children on either side, and every rate
and share is computed from counts rounded to 5 and given to 2 decimals (docs/disclosure.md)."""

from __future__ import annotations

import numpy as np

from earlysignal.card.board import competing_by_age


def _band(seed: int = 0) -> tuple[np.ndarray, ...]:
    """An under-16 band of 200 children (one row each) and a 16-17 band of 3 children with 30
    prediction times each."""
    rng = np.random.default_rng(seed)
    age = np.r_[rng.uniform(5, 15.9, 200), np.full(90, 17.0)]
    y = np.r_[(rng.random(200) < 0.3).astype(int), np.tile([1, 0, 0], 30)]
    status = np.where(y > 0, "event", np.where(rng.random(290) < 0.2, "competing", "no_event"))
    p = rng.uniform(0, 0.6, 290)
    ids = np.r_[[f"c{i}" for i in range(200)], [f"old{i % 3}" for i in range(90)]]
    return age, status, y, p, ids


def test_three_children_seen_90_times_get_no_band() -> None:
    age, status, y, p, ids = _band()
    rows = competing_by_age(age, status, y, p, 0.3, child_id=ids)
    older = next(r for r in rows if r["age"] == "16-17")
    assert all(v is None for k, v in older.items() if k != "age"), older
    younger = next(r for r in rows if r["age"] == "under 16")
    assert younger["rows"] == 200 and younger["event_rate"] is not None


def test_rates_come_from_rounded_counts() -> None:
    age, status, y, p, ids = _band()
    rows = competing_by_age(age, status, y, p, 0.3, child_id=ids)
    younger = next(r for r in rows if r["age"] == "under 16")
    for key in ("event_rate", "competing_share", "share_flagged", "recall"):
        v = younger[key]
        assert v is not None and round(v, 2) == v, (key, v)
    # the event rate times the published rows is (within the 2 decimals) a rounded count
    events = younger["event_rate"] * younger["rows"]
    assert abs(events - 5 * round(events / 5)) <= 0.005 * younger["rows"] + 1e-9
    assert younger["events"] == 5 * round(int(y[:200].sum()) / 5)
