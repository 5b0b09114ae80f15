"""Benchmark: the bootstrap's blocks and CLARA's samples as compute tasks, n_jobs 1 vs 2.

    uv run python benchmarks/fanout.py [--children 20000] [--rows-per-child 1] [--n-boot 1000]
        [--persona-children 50000] [--samples 5] [--skip-evaluate] [--skip-personas]

* ``evaluate``: a model and one baseline on a test set of ``--children`` children
  (``--rows-per-child`` prediction rows each), ``--n-boot`` child-clustered replicates in blocks
  of 50, each block one task (``ComputeSpec(n_jobs=...)``, joblib's local processes).
* personas: ``fit_personas`` on ``--persona-children`` children of ``_fast_histories.py`` with
  ``--samples`` CLARA samples of 2,000, each sample one task.

Both are timed with ``n_jobs = 1`` (in this process) and ``n_jobs = 2`` (two local worker
processes, one thread each); the workers are started (and the numba kernels loaded in them) by a
small warm-up run that is not counted, as in a session that fans out more than once. The script
checks that both give the same result and prints the times, the ratio and ``uptime``'s load (the
development machines are shared: read the ratio with the load).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from earlysignal.compute import ComputeSpec


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def bench_evaluate(children: int, rows_per_child: int, n_boot: int) -> None:
    from earlysignal.evaluate import evaluate

    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(children), rows_per_child)
    frailty = rng.normal(0, 1, children)[groups]
    truth = 1 / (1 + np.exp(-(-2 + frailty + rng.normal(0, 0.5, groups.size))))
    y = (rng.random(groups.size) < truth).astype(int)
    model = np.clip(truth + rng.normal(0, 0.05, groups.size), 0.001, 0.999)
    base = np.clip(truth + rng.normal(0, 0.15, groups.size), 0.001, 0.999)
    kw = {"model": "m", "baselines": {"base": base}, "n_boot": n_boot, "seed": 1}
    # warm-up (not counted): start the two workers
    evaluate(y[:200], model[:200], groups[:200], n_boot=100, compute=ComputeSpec(n_jobs=2))
    times, tables = {}, {}
    for n_jobs in (1, 2):
        print(f"evaluate n_jobs={n_jobs}: load before {_load()}", flush=True)
        t = time.perf_counter()
        tables[n_jobs] = evaluate(y, model, groups, compute=ComputeSpec(n_jobs=n_jobs), **kw)
        times[n_jobs] = time.perf_counter() - t
    same = tables[1].equals(tables[2])
    print(
        f"evaluate: {children:,} children, {y.size:,} rows, {n_boot:,} replicates, 2 models: "
        f"n_jobs=1 {times[1]:.1f} s, n_jobs=2 {times[2]:.1f} s, ratio {times[1] / times[2]:.2f}; "
        f"identical tables: {same}; load after {_load()}",
        flush=True,
    )


def bench_personas(children: int, samples: int) -> None:
    from _fast_histories import fast_history

    from earlysignal.personas.cluster import fit_personas
    from earlysignal.personas.sequences import monthly_states
    from earlysignal.personas.spec import PersonaSpec

    history = fast_history(children, seed=0)
    spec = PersonaSpec(window=36, samples=samples)
    seqs = monthly_states(history, spec)
    # warm-up (not counted): compile or load the numba kernels here and in the two workers
    warm = monthly_states(history.subset(history.children["child_id"][:300].to_list()), spec)
    small = PersonaSpec(window=36, k_range=(2, 3), sample_size=50, samples=2)
    fit_personas(warm, small)
    fit_personas(warm, small, compute=ComputeSpec(n_jobs=2))
    times, models = {}, {}
    for n_jobs in (1, 2):
        print(f"personas n_jobs={n_jobs}: load before {_load()}", flush=True)
        t = time.perf_counter()
        models[n_jobs] = fit_personas(seqs, spec, compute=ComputeSpec(n_jobs=n_jobs))
        times[n_jobs] = time.perf_counter() - t
    same = bool(np.array_equal(models[1].medoids, models[2].medoids))
    print(
        f"personas: {children:,} children ({int(seqs.complete.sum()):,} complete windows), "
        f"{samples} CLARA samples of {spec.sample_size:,}, k={models[1].k}: "
        f"n_jobs=1 {times[1]:.1f} s, n_jobs=2 {times[2]:.1f} s, ratio {times[1] / times[2]:.2f}; "
        f"identical medoids: {same}; load after {_load()}",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--children", type=int, default=20_000)
    ap.add_argument("--rows-per-child", type=int, default=1)
    ap.add_argument("--n-boot", type=int, default=1_000)
    ap.add_argument("--persona-children", type=int, default=50_000)
    ap.add_argument("--samples", type=int, default=5)
    ap.add_argument("--skip-evaluate", action="store_true")
    ap.add_argument("--skip-personas", action="store_true")
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}; load (1, 5, 15 min): {_load()}", flush=True)
    if not args.skip_evaluate:
        bench_evaluate(args.children, args.rows_per_child, args.n_boot)
    if not args.skip_personas:
        bench_personas(args.persona_children, args.samples)


if __name__ == "__main__":
    main()
