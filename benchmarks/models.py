"""Calibrated models against the oracle on the default simulated cohort.

For 180-day placement breakdown and 365-day carousel: simulate the default cohort, build the
default features at quarterly prediction times, split by time (train / calibrate / test with
purging), fit LightGBM, logistic and rule baselines on the training period, calibrate each on the
calibration period, and evaluate on the test period against the simulator's oracle with
child-clustered bootstrap intervals.

Targets (issue 5): calibrated LightGBM reaches >= 90 % of the oracle's lift over chance
((AUROC - 0.5) >= 0.9 x the oracle's), ECE <= 0.02, calibration slope in [0.9, 1.1], and beats
the logistic and rule baselines (AUROC, paired interval). The last line of output is one JSON
object with every figure.

Baselines get the same care as LightGBM (issue 12): the logistic baseline's C and transform
(none or log1p of counts and durations) are chosen by ``tune_logistic`` from as many candidate
fits as LightGBM's grid (6), scored on the same held-out 15 % of training children.

Sensitivity worlds (issue 12): the oracle claim is re-measured in simulator worlds with other
hidden dynamics, each stated in ``WORLDS`` and chosen before any run (never tuned to a
target): a faster-drifting latent severity, and larger hidden carer and provider effects. The
lift share per world, with its interval, and the range across worlds are reported; with
``--write-json PATH`` the per-world summary is written there (``docs/oracle_worlds.json`` is
the one the docs quote).

Before and after the placement (issue 20): ``entry_180d`` (first placement of a child at home
under a measure or in youth care) and ``stable_return_365d`` (home within the horizon and no
re-entry within 12 months after) are measured on the at-home simulator
(``earlysignal.synth.at_home``) against its own oracle (``at_home_oracle``), in the default world
only (the sensitivity worlds change the placement simulator's parameters). Entry uses the
bounded-lookback features of the entry study (no "ever" feature, ``features.bounded``) at
quarterly times while a measure runs at home; its rule baseline, fixed before any run, is "a
crisis in the last 365 days"; stable return uses the default features at quarterly times in
care and the usual moves rule. The entry study's at-home cohort is as large as ``--children``.

The worlds are independent tasks run by :func:`earlysignal.compute.run_tasks` (``--backend``,
``--address``, ``--n-jobs``; default one world after the other in this process, as before).
Every world keeps the same ``--seed``, so the figures do not depend on the backend; LightGBM
uses ``--threads`` threads in this process and at most the per-task thread cap in workers.

Run: ``uv run python benchmarks/models.py [--children N] [--years Y] [--n-boot B]
[--worlds default,fast_severity,hidden_effects] [--outcomes breakdown_180d,...] [--quick]
[--write-json PATH] [--backend joblib|dask|ray] [--address A] [--n-jobs J]``
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from earlysignal.cohort import prediction_times
from earlysignal.cohort_home import AtHomeSchedule
from earlysignal.compute import ComputeSpec, run_tasks, task_threads
from earlysignal.evaluate import evaluate
from earlysignal.features import build_features, default_specs, feature_names
from earlysignal.features.bounded import bounded_specs
from earlysignal.models import (
    CalibratedRiskModel,
    LightGBMRiskModel,
    RuleBaseline,
    tune_logistic,
)
from earlysignal.split import fraction_boundaries, temporal_split_by_fraction
from earlysignal.synth import SimParams, oracle_risk, simulate
from earlysignal.synth.at_home import simulate_at_home
from earlysignal.synth.at_home_oracle import STABLE_DAYS, at_home_oracle

OUTCOMES = (("breakdown", 180), ("carousel", 365))
HOME_OUTCOMES = (("entry", 180), ("stable_return", 365))
"""Outcomes measured on the at-home simulator (default world only)."""
RULE_FEATURE = "moves_365d"  # "2+ moves in the last 365 days"
ENTRY_RULE = ("events_crisis_365d", 1.0)  # "a crisis in the last 365 days" (fixed in advance)
STABLE_YEARS = 15  # years simulated for stable_return at least (its label needs 730 days)
# Headline calibration for every model. Isotonic regression gives exactly 0 to its lowest block
# when that block holds no event, which breaks log loss and the calibration slope (seen on a
# 5,000-child development cohort before this benchmark was run); the Venn-ABERS merged
# probability is isotonic in spirit and never 0 or 1. Isotonic and sigmoid are reported too.
METHOD = "venn_abers"
KEYS = ["child_id", "prediction_time"]

_PHI_FAST = 0.97  # weekly AR(1): one-year autocorrelation 0.97**52 = 0.21 (default 0.69)
WORLDS: dict[str, tuple[str, dict[str, Any]]] = {
    "default": ("the calibrated default simulator", {}),
    "fast_severity": (
        "faster-drifting latent severity: weekly persistence 0.97 instead of 0.993 (one-year "
        "autocorrelation 0.21 instead of 0.69), stationary spread unchanged (sd 0.7)",
        {"sev_phi_week": _PHI_FAST, "sev_sd_week": 0.7 * (1 - _PHI_FAST**2) ** 0.5},
    ),
    "hidden_effects": (
        "larger hidden effects: carer quality sd 0.6 and provider effect sd 0.3 (log HR), "
        "twice the defaults; neither is ever recorded",
        {"carer_quality_sd": 0.6, "provider_effect_sd": 0.3},
    ),
}
"""Sensitivity worlds: name -> (what differs, ``SimParams`` fields replaced). Fixed in advance."""


def _triple(res: pl.DataFrame, model: str, metric: str) -> list[float | None]:
    row = res.filter(pl.col("model") == model, pl.col("metric") == metric, pl.col("at").is_null())
    r = row.row(0, named=True)
    return [round(r["estimate"], 4), _r(r["lower"]), _r(r["upper"])]


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def run_outcome(
    sim: Any,
    frame: pl.DataFrame,
    names: list[str],
    outcome: str,
    horizon: int,
    *,
    n_boot: int,
    seed: int,
    threads: int,
    oracle_fn: Any = None,
    rule: tuple[str, float] = (RULE_FEATURE, 2.0),
) -> dict[str, Any]:
    label = f"label_{outcome}_{horizon}d"
    t0 = time.perf_counter()
    data = frame.select([*KEYS, *names, label])
    split = temporal_split_by_fraction(
        data, fractions=(0.6, 0.2, 0.2), label=label, observed_until=sim.history.observed_until
    )
    print(f"\n== {label}: split")
    print(split.summary)
    train, cal, test = split.train, split.calibrate, split.test
    y_train = train[label].cast(pl.Int64).to_numpy()
    y_cal = cal[label].cast(pl.Int64).to_numpy()
    y_test = test[label].cast(pl.Int64).to_numpy()
    X_train, X_cal, X_test = (part.select(names) for part in (train, cal, test))

    timings: dict[str, float] = {}
    t = time.perf_counter()
    # Tuning inside the training period only: the same held-out 15 % of training children
    # (early stopping) scores every setting; the test period is never looked at.
    grid = [
        {"num_leaves": leaves, "min_child_samples": leaf_rows}
        for leaves in (7, 15, 31)
        for leaf_rows in (100, 400)
    ]
    tuning = []
    gbm = None
    for setting in grid:
        candidate = LightGBMRiskModel(
            n_estimators=3000,
            learning_rate=0.03,
            colsample_bytree=0.7,
            reg_lambda=5.0,
            early_stopping_rounds=150,
            n_jobs=threads,
            random_state=seed,
            **setting,
        ).fit(X_train, y_train, groups=train["child_id"].to_numpy())
        tuning.append({**setting, "trees": candidate.n_trees_, "loss": candidate.validation_loss_})
        if gbm is None or candidate.validation_loss_ < gbm.validation_loss_:
            gbm = candidate
    assert gbm is not None
    print("LightGBM tuning (validation log loss on held-out training children):")
    for row in tuning:
        print(f"  {row}")
    timings["fit_lightgbm_s"] = time.perf_counter() - t
    t = time.perf_counter()
    # As many candidate fits as LightGBM's grid, on the same held-out training children.
    search = tune_logistic(
        X_train, y_train, train["child_id"].to_numpy(), random_state=seed, validation_fraction=0.15
    )
    assert len(search.candidates) == len(grid)
    logistic = search.model
    print("logistic tuning (validation log loss on the same held-out training children):")
    for row in search.candidates:
        print(f"  {row}")
    timings["fit_logistic_s"] = time.perf_counter() - t
    rule = RuleBaseline(feature=rule[0], cutpoints=(rule[1],)).fit(X_train, y_train)

    t = time.perf_counter()
    calibrated = {
        "lightgbm": CalibratedRiskModel(gbm, method=METHOD).fit(X_cal, y_cal),
        "lightgbm_isotonic": CalibratedRiskModel(gbm, method="isotonic", intervals=False).fit(
            X_cal, y_cal
        ),
        "lightgbm_sigmoid": CalibratedRiskModel(gbm, method="sigmoid", intervals=False).fit(
            X_cal, y_cal
        ),
        "logistic": CalibratedRiskModel(logistic, method=METHOD).fit(X_cal, y_cal),
        "rule": CalibratedRiskModel(rule, method=METHOD).fit(X_cal, y_cal),
    }
    timings["calibrate_s"] = time.perf_counter() - t
    preds = {name: model.risk(X_test) for name, model in calibrated.items()}
    uncalibrated_gbm = gbm.risk(X_test)
    lo, hi = calibrated["lightgbm"].predict_interval(X_test)

    t = time.perf_counter()
    times = test.select(KEYS)
    if oracle_fn is None:
        oracle = oracle_risk(sim, times, outcome=outcome, horizon=horizon)
    else:
        oracle = oracle_fn(sim, times, outcome, horizon)
    oracle = times.join(oracle.select([*KEYS, "risk", "se"]), on=KEYS, how="left")
    timings["oracle_s"] = time.perf_counter() - t
    n_missing_oracle = oracle["risk"].null_count()
    if n_missing_oracle:
        raise RuntimeError(f"oracle_risk returned no risk for {n_missing_oracle} test rows")
    oracle_p = np.clip(oracle["risk"].to_numpy(), 0.0, 1.0)

    t = time.perf_counter()
    res = evaluate(
        y_test,
        preds["lightgbm"],
        test["child_id"].to_numpy(),
        model="lightgbm",
        oracle=oracle_p,
        baselines={"logistic": preds["logistic"], "rule": preds["rule"]},
        thresholds=(0.05, 0.1, 0.2, 0.3),
        capacity=(0.05, 0.1, 0.2),
        n_boot=n_boot,
        seed=seed,
    )
    # Variants of the main model: point estimates only (the bootstrap costs time).
    variants = evaluate(
        y_test,
        preds["lightgbm_sigmoid"],
        test["child_id"].to_numpy(),
        model="lightgbm_sigmoid",
        baselines={
            "lightgbm_isotonic": preds["lightgbm_isotonic"],
            "lightgbm_uncalibrated": uncalibrated_gbm,
        },
        thresholds=(),
        capacity=(),
        n_boot=0,
    ).filter(pl.col("model") != "data")
    # The baselines against each other, on the same bootstrap draws (same seed: paired).
    logistic_vs_rule = evaluate(
        y_test,
        preds["logistic"],
        test["child_id"].to_numpy(),
        model="logistic",
        baselines={"rule": preds["rule"]},
        thresholds=(),
        capacity=(),
        n_boot=n_boot,
        seed=seed,
    ).filter(pl.col("model") == "logistic - rule")
    res = pl.concat([res, variants, logistic_vs_rule])
    timings["evaluate_s"] = time.perf_counter() - t
    with pl.Config(tbl_rows=400, tbl_width_chars=140):
        print(
            res.filter(
                pl.col("metric").is_in(
                    ["auroc", "auprc", "brier", "ece", "calibration_slope",
                     "calibration_intercept", "auroc_lift", "prevalence", "n_rows",
                     "n_children", "log_loss"]
                )
            )
        )  # fmt: skip

    auroc = _triple(res, "lightgbm", "auroc")
    oracle_auroc = _triple(res, "oracle", "auroc")
    lift = _triple(res, "lightgbm / oracle", "auroc_lift")
    ece = _triple(res, "lightgbm", "ece")
    slope = _triple(res, "lightgbm", "calibration_slope")
    vs_logistic = _triple(res, "lightgbm - logistic", "auroc")
    vs_rule = _triple(res, "lightgbm - rule", "auroc")
    logistic_vs_rule_auroc = _triple(res, "logistic - rule", "auroc")
    result = {
        "label": label,
        "calibration": METHOD,
        "split": split.summary.select(
            "part", "rows_in", "purged", "censored", "rows", "children", "positives"
        ).to_dicts(),
        "n_features": len(names),
        "lightgbm_trees": gbm.n_trees_,
        "lightgbm_params": {
            "num_leaves": gbm.num_leaves,
            "min_child_samples": gbm.min_child_samples,
        },
        "prevalence_test": _triple(res, "data", "prevalence"),
        "lightgbm": {
            "auroc": auroc,
            "auprc": _triple(res, "lightgbm", "auprc"),
            "brier": _triple(res, "lightgbm", "brier"),
            "ece": ece,
            "calibration_slope": slope,
            "calibration_intercept": _triple(res, "lightgbm", "calibration_intercept"),
            "venn_abers_mean_width": round(float(np.mean(hi - lo)), 5),
        },
        "lightgbm_sigmoid": {
            "auroc": _triple(res, "lightgbm_sigmoid", "auroc"),
            "ece": _triple(res, "lightgbm_sigmoid", "ece"),
            "calibration_slope": _triple(res, "lightgbm_sigmoid", "calibration_slope"),
        },
        "lightgbm_isotonic": {
            "auroc": _triple(res, "lightgbm_isotonic", "auroc"),
            "ece": _triple(res, "lightgbm_isotonic", "ece"),
            "calibration_slope": _triple(res, "lightgbm_isotonic", "calibration_slope"),
        },
        "lightgbm_uncalibrated": {
            "ece": _triple(res, "lightgbm_uncalibrated", "ece"),
            "calibration_slope": _triple(res, "lightgbm_uncalibrated", "calibration_slope"),
        },
        "oracle": {
            "auroc": oracle_auroc,
            "ece": _triple(res, "oracle", "ece"),
            "calibration_slope": _triple(res, "oracle", "calibration_slope"),
            "mean_mc_se": (
                None if oracle["se"].null_count() == oracle.height else _r(oracle["se"].mean())  # type: ignore[arg-type]
            ),
        },
        "logistic": {
            "auroc": _triple(res, "logistic", "auroc"),
            "ece": _triple(res, "logistic", "ece"),
            "tuning": search.summary(),
        },
        "rule": {"auroc": _triple(res, "rule", "auroc"), "ece": _triple(res, "rule", "ece")},
        "lift_share_of_oracle": lift,
        "auroc_gain_vs_logistic": vs_logistic,
        "auroc_gain_vs_rule": vs_rule,
        "logistic_auroc_gain_vs_rule": logistic_vs_rule_auroc,
        "auroc_dropped_replicates": int(
            res.filter(pl.col("model") == "lightgbm / oracle")["dropped_replicates"].item() or 0
        ),
        "targets": {
            "lift_share_ge_0.9": lift[0] >= 0.9,
            "ece_le_0.02": ece[0] <= 0.02,
            "slope_in_0.9_1.1": 0.9 <= slope[0] <= 1.1,
            "beats_logistic": (vs_logistic[1] or 0) > 0,
            "beats_rule": (vs_rule[1] or 0) > 0,
        },
        "seconds": {k: round(v, 1) for k, v in timings.items()}
        | {"total": round(time.perf_counter() - t0, 1)},
    }
    return result


def run_world(
    world: str, args: argparse.Namespace, outcomes: list[tuple[str, int]]
) -> dict[str, Any]:
    description, changes = WORLDS[world]
    params = dataclasses.replace(SimParams(), **changes)
    start = time.perf_counter()
    sim = simulate(args.children, years=args.years, seed=args.seed, params=params)
    t_sim = time.perf_counter() - start
    t = time.perf_counter()
    times = prediction_times(sim.history)
    # the feature vocabulary from the training period only (the split's first boundary)
    specs = default_specs(sim.history, before=fraction_boundaries(times, (0.6, 0.2, 0.2))[0])
    names = feature_names(specs)
    frame = build_features(sim.history, times, specs, outcomes=tuple(outcomes))
    t_features = time.perf_counter() - t
    print(
        f"\n######## world {world}: {description}\n"
        f"cohort: {args.children} children, {args.years} years, seed {args.seed}; "
        f"{frame.height} prediction times, {len(names)} features; simulate {t_sim:.1f} s, "
        f"features {t_features:.1f} s"
    )
    results = {
        f"{outcome}_{horizon}d": run_outcome(
            sim,
            frame,
            names,
            outcome,
            horizon,
            n_boot=args.n_boot,
            seed=args.seed,
            threads=min(args.threads, task_threads(args.threads)),
        )
        for outcome, horizon in outcomes
    }
    return {
        "world": world,
        "description": description,
        "params_changed": changes,
        "prediction_times": frame.height,
        "seconds": {
            "simulate": round(t_sim, 1),
            "features": round(t_features, 1),
            "total": round(time.perf_counter() - start, 1),
        },
        **results,
    }


def _home_oracle(sim: Any, times: pl.DataFrame, outcome: str, horizon: int) -> pl.DataFrame:
    """The at-home simulator's oracle, with ``se`` as the binomial bound of its draws.

    Entry integrates the weekly entry probability per draw (little noise: 50 draws); a stable
    return is counted over simulated paths, whose noise would pull the oracle's AUROC down
    towards the models' (seen at 50 draws: mean bound 0.018 on a 5 % outcome), so it gets 200.
    """
    n_draws = 50 if outcome == "entry" else 200
    frame = at_home_oracle(sim, times, outcome=outcome, horizon=horizon, n_draws=n_draws)
    bound = (pl.col("risk") * (1 - pl.col("risk")) / n_draws).sqrt()
    return frame.with_columns(bound.alias("se"))


def run_home(args: argparse.Namespace, outcomes: list[tuple[str, int]]) -> dict[str, Any]:
    """``entry`` and ``stable_return`` on the at-home simulator (default world)."""
    start = time.perf_counter()
    sims: dict[int, Any] = {}
    t_sim = 0.0
    results: dict[str, Any] = {}
    for outcome, horizon in outcomes:
        # A stable return is decided 730 days after t: purging empties a calibration period
        # shorter than that, so this outcome is simulated over at least 15 years.
        years = args.years if outcome == "entry" else max(args.years, STABLE_YEARS)
        if years not in sims:
            t = time.perf_counter()
            sims[years] = simulate_at_home(args.children, years=years, seed=args.seed)
            t_sim += time.perf_counter() - t
        sim = sims[years]
        t = time.perf_counter()
        if outcome == "entry":
            times = prediction_times(sim.history, AtHomeSchedule(every_days=91))
            before = fraction_boundaries(times, (0.6, 0.2, 0.2))[0]
            specs = bounded_specs(sim.history, before=before)
            rule = ENTRY_RULE
        else:
            times = prediction_times(sim.history)
            # a stable return needs the horizon and 365 days after the return to be seen: the
            # split's periods are cut from the times whose window can complete (the rest would
            # be censored anyway, and would leave the last period empty)
            last = sim.history.observed_until - timedelta(days=horizon + STABLE_DAYS)
            times = times.filter(pl.col("prediction_time") <= last)
            before = fraction_boundaries(times, (0.6, 0.2, 0.2))[0]
            specs = default_specs(sim.history, before=before)
            rule = (RULE_FEATURE, 2.0)
        names = feature_names(specs)
        frame = build_features(sim.history, times, specs, outcomes=[(outcome, horizon)])
        print(
            f"\n######## at-home simulator, {outcome}_{horizon}d: {args.children} children, "
            f"{years} years, seed {args.seed}; {frame.height} prediction times, "
            f"{len(names)} features; features {time.perf_counter() - t:.1f} s"
        )
        results[f"{outcome}_{horizon}d"] = run_outcome(
            sim,
            frame,
            names,
            outcome,
            horizon,
            n_boot=args.n_boot,
            seed=args.seed,
            threads=args.threads,
            oracle_fn=_home_oracle,
            rule=rule,
        )
    return {
        "world": "default",
        "description": "the at-home simulator's defaults (children at home under a measure)",
        "params_changed": {},
        "seconds": {"simulate": round(t_sim, 1), "total": round(time.perf_counter() - start, 1)},
        **results,
    }


def _summary(figures: dict[str, Any], outcomes: list[tuple[str, int]]) -> dict[str, Any]:
    """Lift share per world and its range; every baseline comparison, per world."""
    out: dict[str, Any] = {}
    for outcome, horizon in outcomes:
        key = f"{outcome}_{horizon}d"
        per_world = {
            w: {
                "lift_share_of_oracle": figures["worlds"][w][key]["lift_share_of_oracle"],
                "lightgbm_auroc": figures["worlds"][w][key]["lightgbm"]["auroc"],
                "oracle_auroc": figures["worlds"][w][key]["oracle"]["auroc"],
                "auroc_gain_vs_logistic": figures["worlds"][w][key]["auroc_gain_vs_logistic"],
                "auroc_gain_vs_rule": figures["worlds"][w][key]["auroc_gain_vs_rule"],
                "logistic_auroc_gain_vs_rule": figures["worlds"][w][key][
                    "logistic_auroc_gain_vs_rule"
                ],
                "logistic_tuning": figures["worlds"][w][key]["logistic"]["tuning"],
            }
            for w in figures["worlds"]
        }
        shares = [v["lift_share_of_oracle"][0] for v in per_world.values()]
        out[key] = {
            "per_world": per_world,
            "lift_share_range_across_worlds": [min(shares), max(shares)],
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-boot", type=int, default=200)
    parser.add_argument(
        "--threads", type=int, default=1, help="LightGBM threads (1 is robust on a shared machine)"
    )
    parser.add_argument(
        "--worlds",
        default=",".join(WORLDS),
        help=f"comma-separated sensitivity worlds among {', '.join(WORLDS)}",
    )
    parser.add_argument(
        "--outcomes",
        default=",".join(f"{o}_{h}d" for o, h in (*OUTCOMES, *HOME_OUTCOMES)),
        help="comma-separated outcomes, e.g. breakdown_180d",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a quick check: 1,500 children, 7 years, 30 bootstrap draws (figures not for docs)",
    )
    parser.add_argument("--write-json", type=Path, default=None, help="write the summary here")
    parser.add_argument("--backend", choices=["joblib", "dask", "ray"], default="joblib")
    parser.add_argument("--address", default=None, help="Dask scheduler or Ray cluster address")
    parser.add_argument("--n-jobs", type=int, default=1, help="worlds at once")
    args = parser.parse_args()
    if args.quick:
        args.children, args.years, args.n_boot = 1_500, 7, 30
    worlds = [w.strip() for w in args.worlds.split(",") if w.strip()]
    unknown = [w for w in worlds if w not in WORLDS]
    if unknown:
        parser.error(f"unknown worlds {unknown}; choose among {list(WORLDS)}")
    wanted = {o.strip() for o in args.outcomes.split(",")}
    outcomes = [(o, h) for o, h in OUTCOMES if f"{o}_{h}d" in wanted]
    home = [(o, h) for o, h in HOME_OUTCOMES if f"{o}_{h}d" in wanted]
    if not outcomes and not home:
        parser.error(f"no known outcome in {args.outcomes!r}")
    start = time.perf_counter()
    figures: dict[str, Any] = {
        "benchmark": "models",
        "children": args.children,
        "years": args.years,
        "seed": args.seed,
        "n_boot": args.n_boot,
        "quick": args.quick,
        "machine": {"cores": 2, "python": platform.python_version()},
        "lightgbm_threads": args.threads,
        # one task per world (fan-out plumbing only: each world computes as before)
        "worlds": run_tasks(
            run_world,
            {w: {"world": w, "args": args, "outcomes": outcomes} for w in worlds},
            compute=ComputeSpec(backend=args.backend, address=args.address, n_jobs=args.n_jobs),
        )
        if outcomes
        else {},
    }
    figures["summary"] = _summary(figures, outcomes)
    if home:
        figures["at_home"] = run_home(args, home)
        figures["summary"]["at_home"] = {
            key: {
                "lift_share_of_oracle": value["lift_share_of_oracle"],
                "lightgbm_auroc": value["lightgbm"]["auroc"],
                "oracle_auroc": value["oracle"]["auroc"],
                "ece": value["lightgbm"]["ece"],
                "calibration_slope": value["lightgbm"]["calibration_slope"],
                "auroc_gain_vs_logistic": value["auroc_gain_vs_logistic"],
                "auroc_gain_vs_rule": value["auroc_gain_vs_rule"],
            }
            for key, value in figures["at_home"].items()
            if isinstance(value, dict) and "lightgbm" in value
        }
    figures["seconds_total"] = round(time.perf_counter() - start, 1)
    if args.write_json is not None:
        keep = {k: v for k, v in figures.items() if k != "worlds"}
        keep["world_descriptions"] = {w: WORLDS[w][0] for w in worlds}
        args.write_json.write_text(json.dumps(keep, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
