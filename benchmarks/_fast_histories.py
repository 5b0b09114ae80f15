"""A fast, clearly synthetic history generator for the feature benchmark only.

NOT the simulator: no mechanisms, no calibration, no ground truth. It draws placement chains,
events and statuses with plausible volumes (about 3 placements, 15 events and 1 status per
child) so that ``benchmarks/features.py`` can time the feature kernel at a million children in
seconds. Use ``earlysignal.synth.simulate`` for anything that needs realism.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from earlysignal.data.history import CareHistory

SETTINGS = ["kinship_foster", "foster", "family_home", "residential", "secure", "independent",
            "with_parents", "other"]  # fmt: skip
REASONS = ["planned", "breakdown", "return_home", "permanence", "aged_out", "transfer", "other"]
REASON_P = [0.35, 0.22, 0.2, 0.08, 0.05, 0.05, 0.05]
KINDS = ["incident", "missing", "police_contact", "school_change", "crisis", "caseworker_change",
         "review"]  # fmt: skip
EPOCH = date(1970, 1, 1)


def fast_history(n: int, seed: int = 0, observed_until: date = date(2024, 12, 31)) -> CareHistory:
    """A synthetic history of ``n`` children (see the module docstring)."""
    rng = np.random.default_rng(seed)
    ou = (observed_until - EPOCH).days
    ids = np.array([f"c{i:07d}" for i in range(n)], dtype=object)
    birth = rng.integers((date(1998, 1, 1) - EPOCH).days, (date(2018, 1, 1) - EPOCH).days, n)
    entry = np.minimum(birth + rng.integers(0, 16 * 365, n), ou - 30)
    n_pl = np.minimum(rng.geometric(0.4, n), 8)
    child = np.repeat(np.arange(n), n_pl)
    m = len(child)
    length = rng.exponential(320, m).astype(np.int64) + 1
    gap = np.where(rng.random(m) < 0.85, rng.integers(0, 2, m), rng.integers(30, 400, m))
    # chain starts: entry + cumulative (length + gap) of earlier placements of the child
    step = length + gap
    first = np.r_[True, child[1:] != child[:-1]]
    csum = np.cumsum(step)
    start_of_group = np.maximum.accumulate(np.where(first, np.arange(m), 0))
    before = csum - step - (csum[start_of_group] - step[start_of_group])
    start = entry[child] + before
    end = start + length
    last = np.r_[child[1:] != child[:-1], True]
    ongoing = (last & (rng.random(m) < 0.4)) | (end >= ou)
    keep = start < ou
    reason = np.array(REASONS, dtype=object)[rng.choice(len(REASONS), m, p=REASON_P)]
    placements = pl.DataFrame(
        {
            "child_id": ids[child][keep],
            "placement_id": np.array([f"p{i:08d}" for i in range(m)], dtype=object)[keep],
            "start": start[keep].astype("datetime64[D]"),
            "end": np.where(ongoing, np.datetime64("NaT"), end.astype("datetime64[D]"))[keep],
            "setting": np.array(SETTINGS, dtype=object)[rng.integers(0, 8, m)][keep],
            "provider_id": np.array([f"v{i}" for i in range(5000)], dtype=object)[
                rng.integers(0, 5000, m)
            ][keep],
            "end_reason": pl.Series(
                np.where(ongoing, None, reason)[keep].tolist(), dtype=pl.String
            ),
            "temporary": (rng.random(m) < 0.03)[keep],
        }
    ).with_columns(pl.col("start").cast(pl.Date), pl.col("end").cast(pl.Date))
    span_end = np.minimum(np.where(ongoing, ou, end), ou)
    last_end = np.zeros(n, dtype=np.int64)
    np.maximum.at(last_end, child[keep], span_end[keep])
    n_ev = rng.poisson(15, n)
    ev_child = np.repeat(np.arange(n), n_ev)
    lo, hi = entry[ev_child], np.maximum(last_end[ev_child], entry[ev_child] + 1)
    ev_day = lo + (rng.random(len(ev_child)) * (hi - lo)).astype(np.int64)
    events = pl.DataFrame(
        {
            "child_id": ids[ev_child],
            "date": ev_day.astype("datetime64[D]"),
            "kind": np.array(KINDS, dtype=object)[rng.integers(0, 7, len(ev_child))],
            "value": np.full(len(ev_child), np.nan),
        }
    ).with_columns(pl.col("date").cast(pl.Date), pl.lit(None, dtype=pl.Float64).alias("value"))
    st_start = np.minimum(entry + rng.integers(0, 60, n), ou - 1)
    st_len = rng.integers(30, 2000, n)
    st_end = np.where((st_start + st_len < ou) & (rng.random(n) < 0.5), st_start + st_len, -1)
    statuses = pl.DataFrame(
        {
            "child_id": ids,
            "kind": ["legal_status"] * n,
            "value": np.array(["ots", "voogdij", "voluntary"], dtype=object)[rng.integers(0, 3, n)],
            "start": st_start.astype("datetime64[D]"),
            "end": np.where(st_end < 0, np.datetime64("NaT"), st_end.astype("datetime64[D]")),
        }
    ).with_columns(pl.col("start").cast(pl.Date), pl.col("end").cast(pl.Date))
    children = pl.DataFrame(
        {
            "child_id": ids,
            "birth_date": birth.astype("datetime64[D]"),
            "sex": np.array(["female", "male"], dtype=object)[rng.integers(0, 2, n)],
        }
    ).with_columns(pl.col("birth_date").cast(pl.Date))
    return CareHistory.from_frames(
        children=children,
        placements=placements,
        events=events,
        statuses=statuses,
        observed_until=observed_until,
        meta={"source": "benchmarks/_fast_histories.py (synthetic, benchmark only)"},
    )


def fast_times(history: CareHistory, per_child: int = 3, seed: int = 1) -> pl.DataFrame:
    """``per_child`` prediction times per child, uniform over the child's time in the data."""
    rng = np.random.default_rng(seed)
    span = history.placements.group_by("child_id").agg(
        pl.col("start").min().cast(pl.Int64).alias("lo"),
        pl.col("end").max().cast(pl.Int64).alias("hi"),
        pl.col("end").null_count().alias("open"),
    )
    ou = (history.observed_until - EPOCH).days
    span = span.with_columns(
        pl.when(pl.col("open") > 0).then(ou).otherwise(pl.col("hi")).alias("hi")
    ).sort("child_id")
    lo = span["lo"].to_numpy() + 1
    hi = np.maximum(span["hi"].to_numpy(), lo + 1)
    idx = np.repeat(np.arange(span.height), per_child)
    day = lo[idx] + (rng.random(len(idx)) * (hi[idx] - lo[idx])).astype(np.int64)
    return (
        pl.DataFrame({"child_id": span["child_id"].to_numpy()[idx], "d": np.minimum(day, ou)})
        .select("child_id", pl.col("d").cast(pl.Int32).cast(pl.Date).alias("prediction_time"))
        .unique(maintain_order=True)
    )
