"""Coverage of the child-clustered bootstrap's 95 % intervals on data with a known truth.

A generator of clustered rows (children with a hidden frailty and 1 + Poisson(3) prediction
times each) gives outcomes from a known risk; the model's probabilities are a fixed function
of the recorded covariate only, so they are miscalibrated for children with a high frailty and
in one group (``g = 1``, 30 % of children), as a real model is. The population values of AUROC,
ECE (10 equal-mass bins), calibration slope and the audit's O/E (observed / expected, overall
and in group ``g = 1``) are computed once on a huge sample (``--truth-children``; O/E from the
true risks, exactly its expectation). Then ``--draws`` independent cohorts of ``--children``
children are drawn; on each, ``earlysignal.evaluate.evaluate`` gives the 95 % intervals of
AUROC, ECE and calibration slope, and the O/E intervals come from the same child-clustered
bootstrap weights (``cluster_bootstrap_weights``) as the fairness audit uses. The share of
draws whose interval holds the population value is printed per metric with its 95 %
Clopper-Pearson interval.

Run: ``uv run python benchmarks/bootstrap_coverage.py [--draws 200] [--children 2000]
[--n-boot 200] [--truth-children 400000]``; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np

from earlysignal.evaluate import cluster_bootstrap_weights, evaluate
from earlysignal.evaluate import metrics as M

METRICS = ("auroc", "ece", "calibration_slope", "oe_all", "oe_group")


def draw_cohort(n_children: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One cohort: rows clustered in children, the true risk and the model's probability."""
    rows = 1 + rng.poisson(3.0, n_children)
    child = np.repeat(np.arange(n_children), rows)
    frailty = rng.normal(0.0, 0.8, n_children)[child]  # hidden, shared by a child's rows
    group = (rng.random(n_children) < 0.3)[child]
    level = rng.normal(0.0, 1.0, n_children)[child]  # recorded, persistent per child
    x = 0.7 * level + 0.7 * rng.normal(0.0, 1.0, child.size)
    truth = 1.0 / (1.0 + np.exp(-(-2.0 + x + frailty + 0.3 * group)))
    model = 1.0 / (1.0 + np.exp(-(-1.9 + 0.9 * x)))  # sees x only
    y = (rng.random(child.size) < truth).astype(np.int64)
    return {"child": child, "group": group, "truth": truth, "p": model, "y": y}


def population(n_children: int, seed: int) -> dict[str, float]:
    """Population values on a huge sample (O/E from the true risks)."""
    c = draw_cohort(n_children, np.random.default_rng(seed))
    y, p, truth, g = c["y"], c["p"], c["truth"], c["group"]
    return {
        "auroc": float(M.auroc(y, p)),
        "ece": float(M.ece(y, p, n_bins=10)),
        "calibration_slope": float(M.calibration_slope(y, p)),
        "oe_all": float(truth.sum() / p.sum()),
        "oe_group": float(truth[g].sum() / p[g].sum()),
        "rows": float(y.size),
    }


def intervals(c: dict[str, np.ndarray], n_boot: int, seed: int) -> dict[str, tuple[float, float]]:
    """95 % intervals of one cohort: evaluate() for three metrics, the audit's weights for O/E."""
    res = evaluate(c["y"], c["p"], c["child"], n_boot=n_boot, seed=seed, thresholds=(), capacity=())
    out: dict[str, tuple[float, float]] = {}
    for metric in ("auroc", "ece", "calibration_slope"):
        row = res.filter(model="model", metric=metric).row(0, named=True)
        out[metric] = (row["lower"], row["upper"])
    y, p, g = c["y"].astype(float), c["p"], c["group"]
    w = np.vstack(list(cluster_bootstrap_weights(c["child"], n_boot, seed=seed)))
    for name, mask in (("oe_all", np.ones_like(g)), ("oe_group", g)):
        with np.errstate(divide="ignore", invalid="ignore"):
            reps = (w[:, mask] @ y[mask]) / (w[:, mask] @ p[mask])
        reps = reps[np.isfinite(reps)]
        lo, hi = np.quantile(reps, [0.025, 0.975])
        out[name] = (float(lo), float(hi))
    return out


def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact binomial interval for k successes out of n."""
    from scipy.stats import beta

    a = (1 - level) / 2
    lo = 0.0 if k == 0 else float(beta.ppf(a, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - a, k + 1, n - k))
    return lo, hi


def coverage_study(
    draws: int, children: int, n_boot: int, truth_children: int, seed: int = 0
) -> dict[str, Any]:
    truth = population(truth_children, seed=10_000 + seed)
    hits = dict.fromkeys(METRICS, 0)
    widths: dict[str, list[float]] = {m: [] for m in METRICS}
    rng = np.random.default_rng(seed)
    for d in range(draws):
        cohort = draw_cohort(children, rng)
        for metric, (lo, hi) in intervals(cohort, n_boot, seed=d).items():
            hits[metric] += int(lo <= truth[metric] <= hi)
            widths[metric].append(hi - lo)
    out: dict[str, Any] = {"truth": truth, "coverage": {}}
    for metric in METRICS:
        lo, hi = clopper_pearson(hits[metric], draws)
        out["coverage"][metric] = {
            "covered": hits[metric],
            "draws": draws,
            "share": hits[metric] / draws,
            "clopper_pearson_95": [round(lo, 3), round(hi, 3)],
            "mean_width": round(float(np.mean(widths[metric])), 5),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--children", type=int, default=2000)
    parser.add_argument("--n-boot", type=int, default=200)
    parser.add_argument("--truth-children", type=int, default=400_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    t0 = time.perf_counter()
    result = coverage_study(args.draws, args.children, args.n_boot, args.truth_children, args.seed)
    print(f"population values ({int(result['truth']['rows'])} rows):")
    for metric in METRICS:
        print(f"  {metric:18s} {result['truth'][metric]:.5f}")
    print(f"coverage of the 95 % intervals over {args.draws} cohorts of {args.children} children:")
    for metric, c in result["coverage"].items():
        lo, hi = c["clopper_pearson_95"]
        print(f"  {metric:18s} {c['share']:.3f} ({lo:.3f}-{hi:.3f})  mean width {c['mean_width']}")
    result.update(
        benchmark="bootstrap_coverage",
        draws=args.draws,
        children=args.children,
        n_boot=args.n_boot,
        truth_children=args.truth_children,
        seconds=round(time.perf_counter() - t0, 1),
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
