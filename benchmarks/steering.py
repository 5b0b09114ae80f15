"""Validation of the steering comparison on the simulator, whose provider effects are known.

(a) **False flags.** With no provider effects (``SimParams.provider_effect_sd = 0``), the share
    of compared providers outside the 99.8 % funnel limits (and the 95 % limits) over repeated
    simulations, against the nominal 0.2 % (5 %).
(b) **Recovery and power.** With provider effects (``provider_effect_sd``, default 0.3 here),
    the correlation between the shrunken ratios and the true provider effects
    (``Simulation.truth["providers"]``, log hazard ratios of breakdown), and the share of
    providers with a true hazard ratio near 1.5 (1.35-1.65) flagged above the 99.8 % (95 %)
    limits, by provider size (children placed in the period). The exact power of the funnel
    test for a ratio of 1.5 at given expected counts is printed beside it.

Raw comparisons are used (no disclosure control: this is the method's own check).

The simulations are independent tasks run by :func:`earlysignal.compute.run_tasks`
(``--backend``, ``--address``, ``--n-jobs``; default one after the other in this process, as
before); each keeps its seed (1000 + r without effects, 2000 + r with), so the figures do not
depend on the backend.

Run::

    uv run python benchmarks/steering.py --quick      # about 3-5 minutes on 2 loaded cores
    uv run python benchmarks/steering.py --reps 20 --children 20000 [--n-jobs 2]
    uv run python benchmarks/steering.py --reps 4 --children 6000 --provider-size 100
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np
import polars as pl

from earlysignal.compute import ComputeSpec, run_tasks
from earlysignal.steering.compare import compare_units
from earlysignal.steering.funnel import funnel_limits
from earlysignal.steering.spec import SteeringSpec
from earlysignal.synth import simulate
from earlysignal.synth.params import SimParams

SIZES = ((10, 25), (25, 50), (50, 10**9))


def _binom_ci(k: int, n: int) -> tuple[float, float]:
    from scipy.stats import beta

    lo = float(beta.ppf(0.025, k, n - k + 1)) if k > 0 else 0.0
    hi = float(beta.ppf(0.975, k + 1, n - k)) if k < n else 1.0
    return lo, hi


def _run(children: int, years: int, seed: int, sd: float, size: int = 25) -> pl.DataFrame:
    params = replace(SimParams(), provider_effect_sd=sd, candidates_per_provider=size)
    sim = simulate(children, years=years, seed=seed, params=params)
    spec = SteeringSpec(by="provider", years=years - 1, outcomes=("unplanned",), seed=seed)
    res = compare_units(sim.history, spec, draws=500)
    return (
        res.comparisons["unplanned"]
        .join(
            sim.truth["providers"].select("provider_id", "effect"),
            left_on="unit",
            right_on="provider_id",
            how="left",
        )
        .with_columns(pl.lit(seed).alias("rep"))
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="4 + 4 simulations of 6,000 children")
    ap.add_argument("--reps", type=int, default=12)
    ap.add_argument("--children", type=int, default=12_000)
    ap.add_argument("--years", type=int, default=6)
    ap.add_argument("--effect-sd", type=float, default=0.3)
    ap.add_argument("--backend", choices=["joblib", "dask", "ray"], default="joblib")
    ap.add_argument("--address", default=None, help="Dask scheduler or Ray cluster address")
    ap.add_argument("--n-jobs", type=int, default=1, help="simulations at once")
    ap.add_argument(
        "--provider-size",
        type=int,
        default=25,
        help="SimParams.candidates_per_provider: larger providers (fewer of them)",
    )
    a = ap.parse_args()
    reps, children = (4, 6000) if a.quick else (a.reps, a.children)
    t0 = time.perf_counter()
    spec = ComputeSpec(backend=a.backend, address=a.address, n_jobs=a.n_jobs)

    size = a.provider_size

    def runs(sd: float, first_seed: int) -> pl.DataFrame:
        tasks = {
            f"sd={sd}/rep={r}": {"children": children, "years": a.years,
                                 "seed": first_seed + r, "sd": sd, "size": size}
            for r in range(reps)
        }  # fmt: skip
        return pl.concat(list(run_tasks(_run, tasks, compute=spec).values()))

    null = runs(0.0, 1000)
    n = null.height
    k998 = int(null["flag"].is_in(["above", "below"]).sum())
    k95 = int((null["flag"] != "within").sum())
    print(f"(a) no provider effects: {reps} simulations of {children:,} children, "
          f"{n} provider comparisons (10+ children; {size} children per provider)")  # fmt: skip
    lo, hi = _binom_ci(k998, n)
    print(f"    outside 99.8% limits: {k998}/{n} = {k998 / n:.2%} (95% CI {lo:.2%}-{hi:.2%}; "
          "nominal 0.20%)")  # fmt: skip
    above = int((null["flag"] == "above").sum())
    print(f"    of which above: {above}, below: {k998 - above}")
    lo, hi = _binom_ci(k95, n)
    print(f"    outside 95% limits:   {k95}/{n} = {k95 / n:.2%} (95% CI {lo:.2%}-{hi:.2%}; "
          "nominal 5%)")  # fmt: skip
    up95 = int(null["flag"].is_in(["above", "warning_above"]).sum())
    print(f"    of which above: {up95}, below: {k95 - up95} (nominal 2.5% each)")
    phis = null.group_by("rep").agg(pl.col("phi").first(), pl.col("overdispersion_applied").first())
    print(
        f"    phi per simulation: {sorted(round(v, 2) for v in phis['phi'])}; "
        f"over-dispersion applied in {int(phis['overdispersion_applied'].sum())}/{reps}"
    )

    eff = runs(a.effect_sd, 2000)
    pool = eff.filter(pl.col("effect").is_not_null())
    cors = []
    for r in pool["rep"].unique().to_list():
        s = pool.filter(pl.col("rep") == r)
        if s.height > 3:
            cors.append(float(np.corrcoef(np.log(s["shrunk"]), s["effect"])[0, 1]))
    from scipy.stats import spearmanr

    rho = float(spearmanr(pool["shrunk"], pool["effect"]).statistic)
    print(f"(b) provider effects sd {a.effect_sd}: {reps} simulations, {pool.height} provider "
          f"comparisons with a known effect")  # fmt: skip
    print(
        f"    correlation log(shrunken ratio) vs true log HR: mean over simulations "
        f"{np.mean(cors):.2f} (range {min(cors):.2f}-{max(cors):.2f}); pooled Spearman {rho:.2f}"
    )
    raw = float(np.corrcoef(np.log(pool["ratio"].clip(lower_bound=0.01)), pool["effect"])[0, 1])
    print(f"    (raw ratio, unshrunk: {raw:.2f})")
    near = pool.filter((pl.col("effect") > np.log(1.35)) & (pl.col("effect") < np.log(1.65)))
    print("    power to flag a provider with true HR 1.35-1.65, by children placed in the period:")
    for lo_n, hi_n in SIZES:
        s = near.filter((pl.col("children") >= lo_n) & (pl.col("children") < hi_n))
        if s.height == 0:
            print(f"      {lo_n}-{hi_n - 1 if hi_n < 10**9 else '+'}: no such provider")
            continue
        p998 = float(s["flag"].is_in(["above"]).mean())  # type: ignore[arg-type]
        p95 = float(s["flag"].is_in(["above", "warning_above"]).mean())  # type: ignore[arg-type]
        label = f"{lo_n}-{hi_n - 1}" if hi_n < 10**9 else f"{lo_n}+"
        print(
            f"      {label:>6} children: n={s.height:3d}  above 99.8%: {p998:.0%}  "
            f"above 95%: {p95:.0%}  (median expected {s['expected'].median():.1f})"
        )
    from scipy.stats import poisson

    print("    exact power for O/E = 1.5 (Poisson, no over-dispersion), by expected count E:")
    for e in (5, 10, 20, 40, 80, 160):
        _, hi998 = funnel_limits([float(e)], 0.998)
        _, hi95 = funnel_limits([float(e)], 0.95)
        p998 = float(poisson.sf(np.floor(hi998[0] * e), 1.5 * e))
        p95 = float(poisson.sf(np.floor(hi95[0] * e), 1.5 * e))
        print(f"      E={e:4d}: 99.8% {p998:.0%}   95% {p95:.0%}")
    print(f"total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
