"""Tiny tasks the compute tests send to workers (shipped by value, so any worker can run them)."""

from __future__ import annotations

import os
import sys
from typing import Any

import cloudpickle


def tiny_simulation(children: int, years: int, seed: int) -> dict[str, Any]:
    """Simulate a tiny cohort, build features, fit a small model: a summary, no row data."""
    import numpy as np

    from earlysignal.cohort import prediction_times
    from earlysignal.features import build_features, default_specs, feature_names
    from earlysignal.models import LightGBMRiskModel
    from earlysignal.synth import simulate
    from earlysignal.tracking import dataset_digest

    sim = simulate(children, years=years, seed=seed)
    times = prediction_times(sim.history)
    specs = default_specs(sim.history, before="all")  # descriptive: not a temporal evaluation
    names = feature_names(specs)
    frame = build_features(sim.history, times, specs, outcomes=(("breakdown", 180),))
    known = frame.filter(frame["label_breakdown_180d"].is_not_null())
    y = known["label_breakdown_180d"].cast(int).to_numpy()
    model = LightGBMRiskModel(
        n_estimators=10, num_leaves=7, min_child_samples=10, n_jobs=1, random_state=seed
    ).fit(known.select(names), y)
    risk = model.risk(known.select(names))
    return {
        "seed": seed,
        "placements": sim.history.placements.height,
        "placements_digest": dataset_digest(sim.history.placements),
        "rows": known.height,
        "positives": int(y.sum()),
        "risk_sum": float(np.sum(risk)),
    }


def thread_caps() -> dict[str, Any]:
    """What a worker lets a task use: the cap, polars' pool, the environment."""
    import polars as pl

    from earlysignal.compute import task_threads

    return {
        "task_threads": task_threads(),
        "polars": pl.thread_pool_size(),
        "env": {k: os.environ.get(k) for k in ("POLARS_MAX_THREADS", "OMP_NUM_THREADS")},
        "pid": os.getpid(),
    }


def nested_pids(inner: int) -> dict[str, Any]:
    """A task that runs tasks of its own with two workers: where do the inner tasks run?"""
    from earlysignal.compute import ComputeSpec, run_tasks

    pids = run_tasks(
        os.getpid, {f"inner-{i}": {} for i in range(inner)}, compute=ComputeSpec(n_jobs=2)
    )
    return {"outer": os.getpid(), "inner": sorted(set(pids.values()))}


cloudpickle.register_pickle_by_value(sys.modules[__name__])
