"""Explaining 100,000 rows: LightGBM's native TreeSHAP (pred_contrib) and exact logistic
contributions, their additivity, and agreement with shap's own TreeSHAP.

Simulates a cohort, builds the default features at quarterly prediction times with the 180-day
breakdown label, fits on the earlier 70 % of prediction times and measures on the rest:

* a LightGBM model as the models benchmark fits it (early stopping, learning rate 0.03) and a
  compact LightGBM model (100 trees of depth 3), each with its test AUROC;
* seconds to explain ``--rows`` rows (test rows resampled to that many) on 2 threads;
* the largest |base + sum(contributions) - raw log-odds| over those rows;
* the largest |native - shap TreeExplainer| over a 1,000-row sample, with shap running its own
  C++ TreeSHAP on its own parse of the trees.

The last line of output is one JSON object with every figure.

Run: ``uv run python benchmarks/explain.py [--children N] [--years Y] [--rows R]``
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from typing import Any

import numpy as np
import polars as pl

from earlysignal.cohort import prediction_times
from earlysignal.explain import contributions
from earlysignal.features import build_features, default_specs, feature_names
from earlysignal.models import LightGBMRiskModel, LogisticRiskModel
from earlysignal.synth import simulate

LABEL = "label_breakdown_180d"


def _auroc(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, p))


def _depths(booster: Any) -> tuple[int, float]:
    dump = booster.dump_model()["tree_info"]

    def depth(node: dict[str, Any]) -> int:
        if "leaf_index" in node or "left_child" not in node:
            return 0
        return 1 + max(depth(node["left_child"]), depth(node["right_child"]))

    ds = [depth(t["tree_structure"]) for t in dump]
    leaves = [t["num_leaves"] for t in dump]
    return max(ds), float(np.mean(leaves))


def _time_explain(model: Any, x: np.ndarray, names: list[str]) -> tuple[float, float]:
    start = time.perf_counter()
    c = contributions(model, x, feature_names=names, n_jobs=2)
    seconds = time.perf_counter() - start
    err = float(np.max(np.abs(c.raw_score - model.raw_score(x))))
    return seconds, err


def _shap_agreement(model: LightGBMRiskModel, x: np.ndarray, names: list[str]) -> float:
    import shap

    native = contributions(model, x, feature_names=names)
    explainer = shap.TreeExplainer(model.booster_)
    explainer.model.model_type = "internal"  # shap's own TreeSHAP, not LightGBM's
    theirs = np.asarray(explainer.shap_values(x, check_additivity=False))
    if theirs.ndim == 3:
        theirs = theirs[..., -1]
    return float(np.max(np.abs(native.values - theirs)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    t0 = time.perf_counter()
    sim = simulate(args.children, years=args.years, seed=args.seed)
    specs = default_specs(sim.history)
    names = feature_names(specs)
    times = prediction_times(sim.history)
    frame = build_features(sim.history, times, specs, outcomes=(("breakdown", 180),))
    labelled = frame.filter(pl.col(LABEL).is_not_null()).sort("prediction_time")
    cut = labelled["prediction_time"].quantile(0.7, interpolation="nearest")
    train = labelled.filter(pl.col("prediction_time") < cut)
    test = labelled.filter(pl.col("prediction_time") >= cut)
    x_train = train.select(names).to_numpy().astype(np.float64)
    y_train = train[LABEL].to_numpy()
    x_test = test.select(names).to_numpy().astype(np.float64)
    y_test = test[LABEL].to_numpy()
    prep = time.perf_counter() - t0
    print(
        f"cohort: {args.children} children, {frame.height} rows, {len(names)} features "
        f"({prep:.0f} s); train {train.height}, test {test.height}"
    )

    rng = np.random.default_rng(args.seed)
    x_explain = x_test[rng.integers(0, x_test.shape[0], args.rows)]

    models: dict[str, Any] = {
        "lightgbm_benchmark": LightGBMRiskModel(
            n_estimators=3000,
            learning_rate=0.03,
            colsample_bytree=0.7,
            reg_lambda=5.0,
            early_stopping_rounds=150,
            n_jobs=2,
        ),
        "lightgbm_compact": LightGBMRiskModel(
            n_estimators=100,
            learning_rate=0.1,
            num_leaves=8,
            max_depth=3,
            n_jobs=2,
        ),
        "logistic": LogisticRiskModel(),
    }
    figures: dict[str, Any] = {
        "benchmark": "explain",
        "children": args.children,
        "years": args.years,
        "features": len(names),
        "rows_explained": args.rows,
        "threads": 2,
        "machine": platform.machine(),
    }
    for key, model in models.items():
        start = time.perf_counter()
        if isinstance(model, LightGBMRiskModel) and model.early_stopping_rounds:
            model.fit(x_train, y_train, groups=train["child_id"].to_numpy())
        else:
            model.fit(x_train, y_train)
        fit_s = time.perf_counter() - start
        seconds, err = _time_explain(model, x_explain, names)
        entry: dict[str, Any] = {
            "fit_seconds": round(fit_s, 1),
            "explain_seconds": round(seconds, 2),
            "ms_per_1000_rows": round(1000 * seconds / args.rows * 1000, 1),
            "max_additivity_error": err,
            "test_auroc": round(_auroc(y_test, model.raw_score(x_test)), 4),
        }
        if isinstance(model, LightGBMRiskModel):
            depth, leaves = _depths(model.booster_)
            entry.update(trees=model.n_trees_, max_depth=depth, mean_leaves=round(leaves, 1))
            entry["max_abs_diff_vs_shap"] = _shap_agreement(model, x_explain[:1000], names)
        figures[key] = entry
        print(key, entry, flush=True)
    figures["target_100k_under_5s"] = {
        k: bool(v["explain_seconds"] * 100_000 / args.rows < 5.0)
        for k, v in figures.items()
        if isinstance(v, dict) and "explain_seconds" in v
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
