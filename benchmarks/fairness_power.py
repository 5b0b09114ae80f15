"""Power and false-alarm rate of the audit's calibration-gap test against the simulator's bias.

For each cohort size in ``--children`` and each recording-bias strength in ``--multipliers``,
repeats ``--sims`` simulations (seeds ``--seed``, ``--seed + 1``, ...); the clean arm (no bias)
uses the same seeds. Each simulation:

1. simulate the cohort (``recording_bias``: the incidents, missing episodes, police contacts and
   crises of children of ``origin == "migrant"`` are recorded ``multiplier`` times as often as
   they happen; outcomes are unchanged);
2. build the default features (sensitive attributes are not inputs) at quarterly prediction
   times with the 180-day placement-breakdown label;
3. split by time (train / calibrate / test 50/25/25 %, purged for the horizon and for follow-up
   past the data end), fit LightGBM on the training period and calibrate it (isotonic) on the
   calibration period;
4. audit the test period by ``sex`` and ``origin`` with the default spec (capacity 10 %, 200
   child-clustered bootstrap resamples, Bonferroni across the groups tested).

Power: share of biased simulations in which the audit flags ``origin = migrant``. False alarm:
share of clean simulations in which it flags any group. ``other_flagged_rate``: share of
simulations flagging a group other than ``migrant`` (in biased runs mostly ``dutch``: in a
relative test the rest of an over-predicted group looks under-predicted). Each run prints every
group's z, so the test's calibration (z about N(0, 1) in clean runs) can be checked. Targets
(issue 6): power >= 0.9, false alarm <= 0.05. Printed per arm with Clopper-Pearson 95 %
intervals; the last line of output is one JSON object with every figure (no row-level data).

The simulations are independent tasks run by :func:`earlysignal.compute.run_tasks`
(``--backend joblib|dask|ray``, ``--address``, ``--n-jobs``; default one at a time in this
process, as before). Each keeps its seed (``--seed + i``), so the verdicts do not depend on the
backend; LightGBM uses 2 threads in this process and the per-task thread cap in workers. With
several ``--n-jobs`` values (``--n-jobs 1 2``) the whole benchmark runs once per value, side by
side, and the seconds of each and whether their results are identical are printed (the
speed-up figure of docs/performance.md).

Run: ``uv run python benchmarks/fairness_power.py [--sims S] [--children N ...]
[--multipliers M ...] [--years Y] [--backend B] [--address A] [--n-jobs J ...]``
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from typing import Any

import numpy as np
import polars as pl

from earlysignal.cohort import prediction_times
from earlysignal.compute import ComputeSpec, run_tasks, task_threads
from earlysignal.fairness import audit
from earlysignal.features import build_features, default_specs, feature_names
from earlysignal.models import CalibratedRiskModel, LightGBMRiskModel
from earlysignal.split import fraction_boundaries, temporal_split_by_fraction
from earlysignal.synth import simulate
from earlysignal.synth.scenarios import BiasScenario

LABEL = "label_breakdown_180d"
GROUP = "migrant"


def _clopper_pearson(k: int, n: int) -> tuple[float, float]:
    from scipy.stats import beta

    lo = 0.0 if k == 0 else float(beta.ppf(0.025, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(0.975, k + 1, n - k))
    return lo, hi


def one_run(seed: int, multiplier: float, children: int, years: int) -> dict[str, Any]:
    """One simulation, model and audit; returns the audit's verdicts (no row-level data)."""
    scenario = (
        BiasScenario("recording_bias", event_multiplier=multiplier) if multiplier > 1 else None
    )
    sim = simulate(children, years=years, seed=seed, scenario=scenario)
    times = prediction_times(sim.history)
    # the feature vocabulary from the training period only (the split's first boundary)
    specs = default_specs(sim.history, before=fraction_boundaries(times, (0.5, 0.25, 0.25))[0])
    names = feature_names(specs)
    frame = build_features(sim.history, times, specs, outcomes=(("breakdown", 180),))
    split = temporal_split_by_fraction(
        frame,
        fractions=(0.5, 0.25, 0.25),
        horizon=180,
        label=LABEL,
        observed_until=sim.history.observed_until,
    )
    train, cal, test = split.part("train"), split.part("calibrate"), split.part("test")
    base = LightGBMRiskModel(
        n_estimators=200,
        learning_rate=0.05,
        num_leaves=15,
        min_child_samples=100,
        n_jobs=task_threads(2),  # 2 in this process (as before), the worker's cap elsewhere
        random_state=seed,
    ).fit(train.select(names), train[LABEL].to_numpy())
    model = CalibratedRiskModel(base, method="isotonic", intervals=False).fit(
        cal.select(names), cal[LABEL].to_numpy()
    )
    attrs = sim.history.children.select("child_id", "sex", "origin")
    audited = (
        test.select("child_id", LABEL)
        .with_columns(risk=pl.Series(model.risk(test.select(names))))
        .join(attrs, on="child_id", how="left", maintain_order="left")
    )
    res = audit(
        audited,
        attributes=["sex", "origin"],
        intersections=(),
        label=LABEL,
        risk="risk",
        cluster="child_id",
        seed=seed,
    )
    flagged = res.flagged()["group"].to_list()
    row = res.groups.filter(pl.col("group") == GROUP).row(0, named=True)
    return {
        "seed": seed,
        "multiplier": multiplier,
        "children": children,
        "test_rows": res.n_rows,
        "flagged": flagged,
        "group_flagged": GROUP in flagged,
        "any_flagged": bool(flagged),
        "group_oe": row["oe_ratio"],
        "group_z": row["gap_z"],
        "z_by_group": {
            g: (None if z is None else round(z, 2))
            for g, z in res.groups.filter(pl.col("attribute") != "all")
            .select("group", "gap_z")
            .iter_rows()
        },
    }


def _arm(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    k = sum(r[key] for r in runs)
    n = len(runs)
    z = [r["group_z"] for r in runs if r["group_z"] is not None]
    return {
        "sims": n,
        "rate": k / n,
        "ci95": [round(v, 3) for v in _clopper_pearson(k, n)],
        "mean_group_oe": round(float(np.mean([r["group_oe"] for r in runs])), 4),
        "mean_group_z": round(float(np.mean(z)), 2) if z else None,
        "mean_test_rows": round(float(np.mean([r["test_rows"] for r in runs]))),
        # groups other than the biased one flagged (in a relative test the rest of an
        # over-predicted group looks under-predicted): share of simulations
        "other_flagged_rate": round(
            sum(any(g != GROUP for g in r["flagged"]) for r in runs) / n, 3
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=20)
    parser.add_argument("--children", type=int, nargs="+", default=[20_000])
    parser.add_argument("--multipliers", type=float, nargs="*", default=[1.5, 2.0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--backend", choices=["joblib", "dask", "ray"], default="joblib")
    parser.add_argument("--address", default=None, help="Dask scheduler or Ray cluster address")
    parser.add_argument(
        "--n-jobs", type=int, nargs="+", default=[1], help="tasks at once; several: side by side"
    )
    args = parser.parse_args()
    start = time.perf_counter()

    timings: dict[int, float] = {}
    results: dict[int, dict[str, dict[str, Any]]] = {}
    for n_jobs in args.n_jobs:
        spec = ComputeSpec(backend=args.backend, address=args.address, n_jobs=n_jobs)
        # one task per simulation; each keeps its seed (--seed + i), as before fan-out
        tasks = {
            f"children={children}/multiplier={multiplier}/sim={i}": {
                "seed": args.seed + i,
                "multiplier": multiplier,
                "children": children,
                "years": args.years,
            }
            for children in args.children
            for multiplier in (1.0, *args.multipliers)
            for i in range(args.sims)
        }
        t = time.perf_counter()
        results[n_jobs] = run_tasks(one_run, tasks, compute=spec)
        timings[n_jobs] = time.perf_counter() - t
        print(f"n_jobs={n_jobs} ({args.backend}): {len(tasks)} simulations in "
              f"{timings[n_jobs]:.1f} s", flush=True)  # fmt: skip
    first = results[args.n_jobs[0]]
    identical = all(r == first for r in results.values())
    arms: list[dict[str, Any]] = []
    for children in args.children:
        for multiplier in (1.0, *args.multipliers):
            runs = []
            for i in range(args.sims):
                r = first[f"children={children}/multiplier={multiplier}/sim={i}"]
                runs.append(r)
                print(
                    f"{children} children, multiplier {multiplier:.2f}, sim {i + 1}/{args.sims}: "
                    f"test rows {r['test_rows']}, migrant O/E {r['group_oe']:.3f} "
                    f"z {r['group_z']:+.2f}, flagged {r['flagged']}, z by group {r['z_by_group']}",
                    flush=True,
                )
            clean = multiplier == 1.0
            arm = {
                "children": children,
                "multiplier": multiplier,
                "measure": "false_alarm" if clean else "power",
                **_arm(runs, "any_flagged" if clean else "group_flagged"),
            }
            arms.append(arm)
            print(json.dumps(arm), flush=True)
    print("\n| children | recording bias | sims | measure | rate (95 % CI) | migrant O/E | z |")
    print("|---|---|---|---|---|---|---|")
    for a in arms:
        print(
            f"| {a['children']:,} | x{a['multiplier']:.1f} | {a['sims']} | {a['measure']} | "
            f"{a['rate']:.2f} ({a['ci95'][0]:.2f}-{a['ci95'][1]:.2f}) | {a['mean_group_oe']:.3f} "
            f"| {a['mean_group_z']} |"
        )
    figures = {
        "benchmark": "fairness_power",
        "years": args.years,
        "group": f"origin={GROUP}",
        "scenario": "recording_bias",
        "arms": arms,
        "targets": {
            f"{a['children']}x{a['multiplier']}": (
                a["rate"] <= 0.05 if a["measure"] == "false_alarm" else a["rate"] >= 0.9
            )
            for a in arms
        },
        "seconds": round(time.perf_counter() - start),
        "backend": args.backend,
        "seconds_by_n_jobs": {str(k): round(v, 1) for k, v in timings.items()},
        "speedup": (
            round(timings[args.n_jobs[0]] / timings[args.n_jobs[-1]], 2)
            if len(timings) > 1
            else None
        ),
        "identical_across_n_jobs": identical,
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }
    assert not any(math.isnan(a["rate"]) for a in arms)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
