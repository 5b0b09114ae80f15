"""Benchmark: import a synthetic five-year SSDA903 extraction of 100,000 children.

    uv run python benchmarks/ssda903_import.py --children 100000

Draws N children's care histories with a fast, clearly synthetic generator (below; NOT the
simulator: placement chains with SSDA903-consistent end reasons, three reviews and a few
missing periods a child), writes them as five yearly returns (collection years 2017-2021,
``earlysignal.sources.ssda903_write.write_returns``: every episode repeated in each return of
a year it was open, as DfE collects them) to a temporary folder, then times
``import_ssda903`` on that folder (reading, reconciliation across returns, every rule,
derivation and canonical validation). The goal is under 30 s at 100,000 children. Wall time
is the import only; peak memory is the process's maximum resident set (``getrusage``, so it
includes generation and writing). The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.sources import import_ssda903
from earlysignal.sources.ssda903_write import SETTING_PLACE, write_returns

OBS = date(2022, 3, 31)
EPOCH = date(1970, 1, 1)
CHANGE = ["breakdown", "provider_ended", "planned", "transfer", "other"]
CEASE = ["permanence", "return_home", "aged_out", "transfer", "other"]


def _days(d: date) -> int:
    return (d - EPOCH).days


def synthetic_history(n: int, seed: int = 0) -> CareHistory:
    """N children in care at some time in 2012-2022 (see the module docstring)."""
    rng = np.random.default_rng(seed)
    ou = _days(OBS)
    ids = np.array([f"{i:06d}" for i in range(n)], dtype=object)
    entry = rng.integers(_days(date(2013, 4, 1)), ou - 30, n)
    birth = np.maximum(_days(date(2004, 4, 2)), entry - rng.integers(30, 15 * 365, n))
    birth = np.minimum(birth, entry - 1)
    n_pl = np.minimum(rng.geometric(0.4, n), 6)
    child = np.repeat(np.arange(n), n_pl)
    m = len(child)
    length = rng.exponential(300, m).astype(np.int64) + 1
    contiguous = rng.random(m) < 0.8
    gap = np.where(contiguous, 0, rng.integers(30, 400, m))
    step = length + gap
    first = np.r_[True, child[1:] != child[:-1]]
    last = np.r_[child[1:] != child[:-1], True]
    csum = np.cumsum(step)
    group_start = np.maximum.accumulate(np.where(first, np.arange(m), 0))
    before = csum - step - (csum[group_start] - step[group_start])
    start = entry[child] + before
    end = start + length
    keep = start < ou
    # a placement is the child's last kept one if the next starts after the extraction date
    nxt_kept = np.r_[keep[1:], False] & ~last
    last_kept = keep & ~nxt_kept
    ongoing = (last_kept & (rng.random(m) < 0.4)) | (end >= ou)
    follows = ~last_kept & contiguous  # the next placement starts the day this one ends
    reason = np.where(
        follows,
        np.array(CHANGE, dtype=object)[rng.integers(0, len(CHANGE), m)],
        np.array(CEASE, dtype=object)[rng.integers(0, len(CEASE), m)],
    )
    settings = np.array(sorted(SETTING_PLACE), dtype=object)
    placements = pl.DataFrame(
        {
            "child_id": ids[child][keep],
            "placement_id": np.array([f"p{i}" for i in range(m)], dtype=object)[keep],
            "start": start[keep].astype("datetime64[D]"),
            "end": np.where(ongoing, np.datetime64("NaT"), end.astype("datetime64[D]"))[keep],
            "setting": settings[rng.integers(0, len(settings), m)][keep],
            "provider_id": np.array([f"SC{i:05d}" for i in range(3000)], dtype=object)[
                rng.integers(0, 3000, m)
            ][keep],
            "end_reason": pl.Series(
                np.where(ongoing, None, reason)[keep].tolist(), dtype=pl.String
            ),
            "end_reason_detail": pl.Series([None] * int(keep.sum()), dtype=pl.String),
            "temporary": np.zeros(int(keep.sum()), dtype=bool),
        }
    ).with_columns(pl.col("start").cast(pl.Date), pl.col("end").cast(pl.Date))
    # reviews (3 a child) and missing periods (0.3 a child) inside one of the child's placements
    k_start = start[keep]
    k_end = np.where(ongoing, ou, np.minimum(end, ou))[keep]
    k_child = child[keep]
    n_ev = rng.poisson(3.3, int(keep.sum()))
    idx = np.repeat(np.arange(len(k_child)), n_ev)
    day = k_start[idx] + (rng.random(len(idx)) * (k_end[idx] - k_start[idx])).astype(np.int64)
    kind = np.where(rng.random(len(idx)) < 0.1, "missing", "review")
    value = np.where(kind == "missing", rng.integers(0, 3, len(idx)).astype(float), np.nan)
    events = (
        pl.DataFrame(
            {
                "child_id": ids[k_child[idx]],
                "date": day.astype("datetime64[D]"),
                "kind": kind.astype(object),
                "value": value,
            }
        )
        .with_columns(pl.col("date").cast(pl.Date), pl.col("value").fill_nan(None))
        .unique(["child_id", "date", "kind"])
    )
    children = pl.DataFrame(
        {
            "child_id": ids,
            "birth_date": birth.astype("datetime64[D]"),
            "sex": np.array(["female", "male"], dtype=object)[rng.integers(0, 2, n)],
        }
    ).with_columns(pl.col("birth_date").cast(pl.Date))
    return CareHistory.from_frames(
        children=children, placements=placements, events=events, observed_until=OBS
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--children", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    t0 = time.perf_counter()
    history = synthetic_history(args.children, args.seed)
    t_gen = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="ssda903_bench_") as tmp:
        t0 = time.perf_counter()
        written = write_returns(history, Path(tmp), first_year=2017, last_year=2021)
        t_write = time.perf_counter() - t0
        size = sum(f.stat().st_size for f in written.files)
        t0 = time.perf_counter()
        imported, report = import_ssda903(tmp, year_label="start", errors="repair")
        t_import = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    figures = {
        "children": args.children,
        "children_imported": imported.children.height,
        "episode_rows": report.rows_read["episodes"],
        "rows_read_all_tables": sum(report.rows_read.values()),
        "duplicates_merged_episodes": report.duplicates_merged["episodes"],
        "placements": imported.placements.height,
        "events": imported.events.height,
        "files_mb": round(size / 1024**2, 1),
        "generate_s": round(t_gen, 2),
        "write_returns_s": round(t_write, 2),
        "import_s": round(t_import, 2),
        "goal_import_s": 30,
        "valid": bool(report.validation and report.validation["ok"]),
        "issues": {f"{r} ({s})": n for r, s, n in report.issue_counts().iter_rows()},
        "peak_rss_gib": round(peak, 2),
    }
    print(
        f"{figures['episode_rows']:,} episode rows in {len(written.years)} returns "
        f"({figures['files_mb']} MB): imported in {t_import:.1f} s (goal < 30 s)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
