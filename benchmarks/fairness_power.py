"""Power and false-alarm rate of the audit's calibration-gap test against the simulator's bias.

Repeats, for ``--sims`` seeds, with and without the simulator's ``recording_bias`` scenario
(the incidents, missing episodes, police contacts and crises of children of ``origin ==
"migrant"`` are recorded 1.5 times as often as they happen; outcomes are unchanged):

1. simulate ``--children`` children over ``--years`` years;
2. build the default features (sensitive attributes are not inputs) at quarterly prediction
   times with the 180-day placement-breakdown label;
3. split by time (train / calibrate / test, purged for the horizon), fit LightGBM on the
   training period and calibrate it (isotonic) on the calibration period;
4. audit the test period by ``sex`` and ``origin`` with the default spec (capacity 10 %,
   200 child-clustered bootstrap resamples, Bonferroni across the groups tested).

Power: share of biased simulations in which the audit flags ``origin = migrant``. False alarm:
share of unbiased simulations in which it flags any group. Targets (issue 6): power >= 0.9,
false alarm <= 0.05. The last line of output is one JSON object with every figure.

Run: ``uv run python benchmarks/fairness_power.py [--sims S] [--children N] [--years Y]``
"""

from __future__ import annotations

import argparse
import json
import math
import time
from typing import Any

import numpy as np
import polars as pl

from earlysignal.cohort import prediction_times
from earlysignal.fairness import audit
from earlysignal.features import build_features, default_specs, feature_names
from earlysignal.models import CalibratedRiskModel, LightGBMRiskModel
from earlysignal.split import temporal_split_by_fraction
from earlysignal.synth import simulate

LABEL = "label_breakdown_180d"
GROUP = "migrant"


def _clopper_pearson(k: int, n: int) -> tuple[float, float]:
    from scipy.stats import beta

    lo = 0.0 if k == 0 else float(beta.ppf(0.025, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(0.975, k + 1, n - k))
    return lo, hi


def one_run(seed: int, scenario: str | None, children: int, years: int) -> dict[str, Any]:
    """One simulation, model and audit; returns the audit's verdicts (no row-level data)."""
    sim = simulate(children, years=years, seed=seed, scenario=scenario)
    specs = default_specs(sim.history)
    names = feature_names(specs)
    times = prediction_times(sim.history)
    frame = build_features(sim.history, times, specs, outcomes=(("breakdown", 180),))
    split = temporal_split_by_fraction(frame, fractions=(0.5, 0.25, 0.25), horizon=180, label=LABEL)
    train, cal, test = split.part("train"), split.part("calibrate"), split.part("test")
    base = LightGBMRiskModel(
        n_estimators=200,
        learning_rate=0.05,
        num_leaves=15,
        min_child_samples=100,
        n_jobs=2,
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
        "scenario": scenario or "none",
        "test_rows": res.n_rows,
        "flagged": flagged,
        "group_flagged": GROUP in flagged,
        "any_flagged": bool(flagged),
        "group_oe": row["oe_ratio"],
        "group_z": row["gap_z"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=20)
    parser.add_argument("--children", type=int, default=4000)
    parser.add_argument("--years", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1000)
    args = parser.parse_args()

    start = time.perf_counter()
    runs: dict[str, list[dict[str, Any]]] = {"recording_bias": [], "none": []}
    for i in range(args.sims):
        for scenario in ("recording_bias", None):
            r = one_run(args.seed + i, scenario, args.children, args.years)
            runs[r["scenario"]].append(r)
            print(
                f"sim {i + 1}/{args.sims} {r['scenario']:>14}: test rows {r['test_rows']}, "
                f"migrant O/E {r['group_oe']:.3f} z {r['group_z']:+.2f}, flagged {r['flagged']}",
                flush=True,
            )
    biased, clean = runs["recording_bias"], runs["none"]
    k_power = sum(r["group_flagged"] for r in biased)
    k_alarm = sum(r["any_flagged"] for r in clean)
    power, alarm = k_power / len(biased), k_alarm / len(clean)
    figures = {
        "benchmark": "fairness_power",
        "sims_per_arm": args.sims,
        "children": args.children,
        "years": args.years,
        "group": f"origin={GROUP}",
        "scenario": "recording_bias (event_multiplier 1.5)",
        "mean_test_rows": round(float(np.mean([r["test_rows"] for r in biased + clean]))),
        "power": power,
        "power_ci95": [round(v, 3) for v in _clopper_pearson(k_power, len(biased))],
        "false_alarm": alarm,
        "false_alarm_ci95": [round(v, 3) for v in _clopper_pearson(k_alarm, len(clean))],
        "mean_group_oe_biased": round(float(np.mean([r["group_oe"] for r in biased])), 4),
        "mean_group_oe_clean": round(float(np.mean([r["group_oe"] for r in clean])), 4),
        "power_target_met": power >= 0.9,
        "false_alarm_target_met": alarm <= 0.05,
        "seconds": round(time.perf_counter() - start),
    }
    assert not math.isnan(power)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
