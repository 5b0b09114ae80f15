"""Benchmark: persona membership as a feature (``[features] personas = true``).

    uv run python benchmarks/persona_feature.py [--children 5000] [--years 10] [--window 24] [--k 5]

Simulates a cohort, takes quarterly prediction times (the default study's design) and a
training-period end at 60 % of them, then times, with numba's compiled kernels warmed up first
on a small history: the default features alone; the persona fit (sequences known before the
training end, CLARA with the spec's defaults); and the persona columns at every prediction time
(sequences built once, each row's prefix of months ending before its t assigned to the nearest
medoid). The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date

import polars as pl

from earlysignal.cohort import Schedule, prediction_times
from earlysignal.features import PersonaMembership, build_features, default_specs
from earlysignal.features.personas import fit_membership, persona_columns
from earlysignal.personas.planted import planted_history
from earlysignal.synth import simulate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--children", type=int, default=5_000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--window", type=int, default=24)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    warm, _ = planted_history(60, seed=1)  # compile (or load) the numba kernels
    fit_membership(warm, PersonaMembership(fit_before=date(2022, 1, 1), window=6, k=2))

    t0 = time.perf_counter()
    history = simulate(a.children, years=a.years, seed=a.seed).history
    times = prediction_times(history, Schedule(every_days=91))
    simulate_s = time.perf_counter() - t0
    days = times["prediction_time"].sort()
    fit_before = days[int(0.6 * (len(days) - 1))]

    t0 = time.perf_counter()
    build_features(history, times, default_specs(history, before=fit_before), outcomes=())
    default_s = time.perf_counter() - t0

    spec = PersonaMembership(fit_before=fit_before, window=a.window, k=a.k, seed=a.seed)
    t0 = time.perf_counter()
    fit = fit_membership(history, spec)
    fit_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    cols = persona_columns(spec, history, times["child_id"], times["prediction_time"])
    columns_s = time.perf_counter() - t0
    onehot = pl.DataFrame([s for _, s in cols])
    with_persona = float(onehot.sum_horizontal().mean())

    figures = {
        "children": a.children,
        "years": a.years,
        "prediction_times": times.height,
        "prediction_dates": times["prediction_time"].n_unique(),
        "window": a.window,
        "k": a.k,
        "children_clustered": fit.n_children,
        "asw": round(float(fit.summary()["asw"] or 0.0), 3),
        "share_of_rows_with_a_persona": round(with_persona, 3),
        "simulate_s": round(simulate_s, 1),
        "default_features_s": round(default_s, 1),
        "persona_fit_s": round(fit_s, 1),
        "persona_columns_s": round(columns_s, 1),
    }
    for k, v in figures.items():
        print(f"{k:32s} {v}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
