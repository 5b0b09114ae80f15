"""Aalen-Johansen cumulative incidence of return home: hand computation, KM, disclosure."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from earlysignal.indicators.return_home import aalen_johansen, return_home_incidence
from earlysignal.synth.at_home import simulate_at_home


def test_against_a_hand_computation() -> None:
    # times 1..6; causes: return (1), other (2), censored (0)
    t = np.array([1, 2, 2, 3, 4, 4, 5, 6])
    c = np.array([1, 2, 0, 1, 1, 2, 0, 1])
    # s=1: n=8, d1=1 -> F1=1/8, S=7/8
    # s=2: n=7, d2=1 -> F2=7/8*1/7=1/8, S=7/8*6/7=3/4 (the censored at 2 is still at risk)
    # s=3: n=5, d1=1 -> F1=1/8+3/4*1/5=0.275, S=3/4*4/5=0.6
    # s=4: n=4, d1=1, d2=1 -> F1=0.275+0.6/4=0.425, F2=1/8+0.6/4=0.275, S=0.6*2/4=0.3
    # s=6: n=1, d1=1 -> F1=0.425+0.3=0.725, S=0
    cif = aalen_johansen(t, c, times=[0, 1, 2, 3, 4, 5, 6])
    assert cif[1] == pytest.approx([0, 0.125, 0.125, 0.275, 0.425, 0.425, 0.725])
    assert cif[2] == pytest.approx([0, 0, 0.125, 0.125, 0.275, 0.275, 0.275])


def test_without_competing_events_it_is_one_minus_kaplan_meier() -> None:
    rng = np.random.default_rng(0)
    t = rng.integers(1, 50, 300)
    c = (rng.random(300) < 0.7).astype(np.int64)
    cif = aalen_johansen(t, c, times=[10, 25, 49])[1]
    s, km = 1.0, {}
    for u in np.unique(t):
        n = np.sum(t >= u)
        s *= 1 - np.sum((t == u) & (c == 1)) / n
        km[int(u)] = s
    expected = [1 - km[max(k for k in km if k <= x)] for x in (10, 25, 49)]
    assert cif == pytest.approx(expected)


def test_by_parent_help_published_safely_and_labelled_association() -> None:
    h = simulate_at_home(20_000, years=10, seed=0).history
    out = return_home_incidence(h, by="parent_help", days=[365, 730])
    assert out["kind"] == "association" and out["confounders"]
    t = out["table"]
    assert set(t["parent_help"].to_list()) == {"yes", "no"}
    published = t.filter(pl.col("children").is_not_null())
    assert (published["children"] % 5 == 0).all()
    assert (published["children"] >= 10).all()
    yes = t.filter((pl.col("parent_help") == "yes") & (pl.col("day") == 365))["cif_return"][0]
    no = t.filter((pl.col("parent_help") == "no") & (pl.col("day") == 365))["cif_return"][0]
    assert yes > 1.5 * no  # the simulator's help effect (more than twice the hazard)


def test_small_groups_are_hidden() -> None:
    h = simulate_at_home(300, years=3, seed=2).history
    out = return_home_incidence(h, by="setting", days=[365])
    t = out["table"]
    hidden = t.filter(pl.col("children").is_null())
    assert hidden.height > 0
    assert hidden["cif_return"].null_count() == hidden.height
