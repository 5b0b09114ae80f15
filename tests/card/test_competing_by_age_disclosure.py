"""The card's results by age publish like every other table: suppression decided by distinct
children, and no rate finer than its rounded counts (issue 12)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from earlysignal.card.board import competing_by_age

RATES = ("event_rate", "competing_share", "turns_18_share", "share_flagged", "recall", "mean_risk")


def _band(n_rows: int, n_events: int, n_competing: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    status = np.array(["event"] * n_events + ["competing"] * n_competing
                      + ["no_event"] * (n_rows - n_events - n_competing))  # fmt: skip
    y = (status == "event").astype(float)
    p = rng.uniform(0.01, 0.3, n_rows)
    return status, y, p


def test_rates_come_from_the_rounded_counts_and_give_no_exact_count_back() -> None:
    # 1,543 events in 2,223 rows: the old table published rows 2,225, events 1,545 and
    # event_rate = 1543/2223 to 16 digits, whose exact fraction gives both counts back
    status, y, p = _band(2223, 1543, 301)
    ages = np.random.default_rng(1).uniform(16.0, 18.0, y.size)  # some turn 18 in the window
    ids = np.array([f"c{i}" for i in range(y.size)])
    row = competing_by_age(ages, status, y, p, 0.2, child_id=ids)[1]
    assert row["age"] == "16-17"
    assert row["rows"] == 2225 and row["events"] == 1545
    for name in RATES:
        v = row[name]
        assert v is not None and round(v, 2) == v, (name, v)
    assert row["event_rate"] == round(1545 / 2225, 2)
    assert Fraction(row["event_rate"]).limit_denominator(10_000) != Fraction(1543, 2223)


def test_a_band_of_few_children_seen_many_times_is_hidden() -> None:
    # 3 children at 8 prediction times each (24 rows, 12 with the event): counted in rows the
    # band would be published as 25 rows and 10 events
    status, y, p = _band(24, 12, 0)
    ids = np.repeat(np.array(["a", "b", "c"]), 8)
    rows = competing_by_age(np.full(24, 10.0), status, y, p, 0.2, child_id=ids)
    assert rows[0]["rows"] is None and rows[0]["n_children"] is None
    assert all(rows[0][name] is None for name in RATES)


def test_events_of_few_children_are_hidden_with_their_rates() -> None:
    # 40 children, but every event row belongs to 4 of them
    n = 400
    ids = np.array([f"c{i % 40}" for i in range(n)])
    y = np.isin(ids, ["c0", "c1", "c2", "c3"]).astype(float)
    status = np.where(y > 0, "event", "no_event")
    p = np.full(n, 0.1)
    row = competing_by_age(np.full(n, 10.0), status, y, p, 0.2, child_id=ids)[0]
    assert row["n_children"] == 40 and row["rows"] == 400
    assert row["events"] is None and row["event_rate"] is None and row["recall"] is None
