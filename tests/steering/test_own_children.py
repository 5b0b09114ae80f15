"""A unit's own children cannot move its expected count toward its observed count.

The case-mix model is cross-fitted by unit: the expected count of a unit comes from a model
fitted on other units only. Changing the unit's own outcomes (every placement a breakdown, or
none) leaves its expected count exactly where it was. The naive in-sample fit, shown for
contrast, fails the same check: its expected count follows the observed one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.steering.casemix import _design, _pipeline, expected_counts, split_bands
from earlysignal.steering.compare import compare_units
from earlysignal.steering.spec import SteeringSpec
from earlysignal.synth import simulate

COLS = ("age", "prior", "setting")


def _table(seed: int, n: int = 600, units: int = 12) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.uniform(0, 17, n)
    rate = 0.001 * np.exp(0.08 * (age - 8))
    days = rng.integers(5, 900, n)
    event = (rng.random(n) < 1 - np.exp(-rate * days)).astype(np.int64)
    return pl.DataFrame(
        {
            "unit": [f"u{i % units:02d}" for i in range(n)],
            "days": days,
            "age": age,
            "prior": rng.integers(0, 5, n),
            "setting": rng.choice(["foster", "residential", "kinship_foster"], n),
            "unplanned": event,
        }
    )


def _unit_expected(table: pl.DataFrame, unit: str, **kw: Any) -> float:
    e = expected_counts(table, "unplanned", columns=COLS, **kw)["expected"].to_numpy()
    return float(e[(table["unit"] == unit).to_numpy()].sum())


def _in_sample_expected(table: pl.DataFrame, unit: str) -> float:
    """The naive fit on every unit, the unit itself included (what the module avoids)."""
    import pandas as pd

    sp = split_bands(table["days"].to_numpy(), table["unplanned"].to_numpy())
    num, cat = _design(table, COLS)
    x = table.select(*COLS).to_pandas().iloc[sp["row"]].reset_index(drop=True)
    x["_band"] = pd.Series(sp["band"]).astype(str)
    model = _pipeline(num, cat, 1e-4)
    model.fit(x, sp["event"] / sp["exposure"], poissonregressor__sample_weight=sp["exposure"])
    pred = model.predict(x) * sp["exposure"]
    e = np.bincount(sp["row"], weights=pred, minlength=table.height)
    return float(e[(table["unit"] == unit).to_numpy()].sum())


def _set_outcome(table: pl.DataFrame, unit: str, value: int) -> pl.DataFrame:
    return table.with_columns(
        pl.when(pl.col("unit") == unit)
        .then(value)
        .otherwise(pl.col("unplanned"))
        .alias("unplanned")
    )


@settings(max_examples=12)
@given(
    seed=st.integers(0, 10_000),
    which=st.integers(0, 11),
    folds=st.sampled_from([2, 5, 20]),
    value=st.sampled_from([0, 1]),
)
def test_own_outcomes_leave_expected_unchanged(
    seed: int, which: int, folds: int, value: int
) -> None:
    table = _table(seed)
    unit = f"u{which:02d}"
    before = _unit_expected(table, unit, folds=folds)
    after = _unit_expected(_set_outcome(table, unit, value), unit, folds=folds)
    assert after == pytest.approx(before, rel=1e-9, abs=1e-12)


def test_in_sample_fit_would_follow_the_observed_count() -> None:
    """Contrast: without cross-fitting, a large unit's outcomes drag its expected count."""
    table = _table(1, n=600, units=3)
    unit = "u00"
    lo = _in_sample_expected(_set_outcome(table, unit, 0), unit)
    hi = _in_sample_expected(_set_outcome(table, unit, 1), unit)
    assert hi > lo * 1.5  # the naive expected count follows the observed count
    lo_cf = _unit_expected(_set_outcome(table, unit, 0), unit, folds=5)
    hi_cf = _unit_expected(_set_outcome(table, unit, 1), unit, folds=5)
    assert hi_cf == pytest.approx(lo_cf, rel=1e-9)


def test_in_a_whole_history_own_breakdowns_barely_move_expected() -> None:
    """On a simulated history: making every ending at the largest provider a breakdown moves
    its expected count by a small fraction of the change in its observed count (only through
    other placements' case mix, e.g. a later placement's count of earlier breakdowns)."""
    sim = simulate(1200, years=4, seed=5)
    spec = SteeringSpec(by="provider", folds=4, outcomes=("unplanned",), years=4)
    base = compare_units(sim.history, spec, draws=50).comparisons["unplanned"]
    big = base.sort("expected", descending=True)["unit"][0]
    pl_ = sim.history.placements
    changed = pl_.with_columns(
        pl.when((pl.col("provider_id") == big) & pl.col("end").is_not_null())
        .then(pl.lit("breakdown"))
        .otherwise(pl.col("end_reason"))
        .alias("end_reason")
    )
    h2 = type(sim.history).from_frames(
        children=sim.history.children,
        placements=changed,
        events=sim.history.events,
        observed_until=sim.history.observed_until,
    )
    after = compare_units(h2, spec, draws=50).comparisons["unplanned"]
    row0 = base.filter(pl.col("unit") == big).row(0, named=True)
    row1 = after.filter(pl.col("unit") == big).row(0, named=True)
    d_obs = row1["observed"] - row0["observed"]
    assert d_obs > 5
    assert abs(row1["expected"] - row0["expected"]) < 0.1 * d_obs
