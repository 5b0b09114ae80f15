"""The at-home history is valid, deterministic, and records what the process says it does."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from earlysignal.synth.at_home import AT_HOME_EVENT_KINDS, simulate_at_home


def test_valid_and_deterministic() -> None:
    a = simulate_at_home(800, years=4, seed=5)
    b = simulate_at_home(800, years=4, seed=5)
    assert a.history.validate().ok
    for name, frame in a.history.tables().items():
        assert frame.equals(b.history.tables()[name]), name
    c = simulate_at_home(800, years=4, seed=6)
    assert not c.history.events.equals(a.history.events)


def test_events_at_home_only_before_entry_and_under_a_measure() -> None:
    h = simulate_at_home(1500, years=5, seed=2).history
    assert set(h.events["kind"].unique()) <= set(AT_HOME_EVENT_KINDS)
    assert h.statuses is not None
    meas = h.statuses.filter(pl.col("kind").is_in(["measure", "youth_care"]))
    ev = h.events.join(meas.select("child_id", "start", "end"), on="child_id", how="left")
    inside = (pl.col("date") >= pl.col("start")) & (
        pl.col("end").is_null() | (pl.col("date") <= pl.col("end"))
    )
    assert ev.select(inside.fill_null(False).all()).item()
    first = h.placements.group_by("child_id").agg(pl.col("start").min().alias("first"))
    late = h.events.join(first, on="child_id").filter(pl.col("date") >= pl.col("first"))
    assert late.height == 0


def test_parent_help_covers_its_episode() -> None:
    h = simulate_at_home(3000, years=6, seed=4).history
    assert h.statuses is not None
    helped = h.statuses.filter(pl.col("kind") == "parent_help")
    j = helped.join(h.placements, on=["child_id", "start"], how="left", suffix="_p")
    assert j["placement_id"].null_count() == 0
    ended = j.filter(pl.col("end_p").is_not_null())
    assert (ended["end"] == ended["end_p"] - timedelta(days=1)).all()
    share = helped.height / h.placements.height
    assert 0.25 < share < 0.45  # p_parent_help = 0.35
