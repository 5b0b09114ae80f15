"""Benchmark: ``earlysignal.scoring.score`` on 100,000 children in placement.

Times one scoring as of the extraction date: validation, the cohort on the day, point-in-time
features with the model's own specs, calibrated risks with Venn-ABERS intervals, TreeSHAP
contributions for every child, the ranked table (CSV and Parquet), and a signal sheet (HTML and
Markdown) for each child the capacity rule flags (10 %). The goal: under 20 s.

The histories come from ``benchmarks/_fast_histories.py`` (clearly synthetic, fast); the model
is a calibrated LightGBM (200 trees, 31 leaves) fitted on earlier prediction times of the same
histories. Model fitting and data generation are not timed.

Run: ``uv run python benchmarks/scoring.py`` (``--children`` sets the histories generated; the
script reports how many are in placement on the day).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import polars as pl
from _fast_histories import fast_history

from earlysignal.cohort import Schedule, prediction_times
from earlysignal.features import build_features, default_specs
from earlysignal.models import CalibratedRiskModel, LightGBMRiskModel, save_model
from earlysignal.scoring import score
from earlysignal.scoring.model_ref import load_scoring_model


def score_frame_for(history, specs, day):  # type: ignore[no-untyped-def]
    """Features of the children in placement on ``day`` (untimed, to fix the threshold)."""
    from earlysignal.cohort import attach_placement

    t = pl.DataFrame({"child_id": history.children["child_id"]}).with_columns(
        pl.lit(day).alias("prediction_time")
    )
    placed = attach_placement(history, t).filter(pl.col("placement_id").is_not_null())
    return build_features(history, placed.select("child_id", "prediction_time"), specs, outcomes=())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--capacity", type=float, default=0.10)
    args = parser.parse_args()
    t = time.perf_counter()
    history = fast_history(args.children, seed=1)
    end = history.observed_until
    print(f"histories: {args.children} children generated in {time.perf_counter() - t:.1f} s")

    specs = default_specs(history)
    times = prediction_times(
        history,
        Schedule(
            every_days=365, start=end - timedelta(days=3 * 365), end=end - timedelta(days=400)
        ),
    )
    times = times.sample(n=min(120_000, times.height), seed=0)
    frame = build_features(history, times, specs, outcomes=[("breakdown", 180)])
    frame = frame.filter(pl.col("label_breakdown_180d").is_not_null())
    names = [o.name for s in specs for o in s.outputs()]
    half = frame.height // 2
    fit, cal = frame.head(half), frame.tail(frame.height - half)
    gbm = LightGBMRiskModel(n_estimators=200, num_leaves=31, n_jobs=2).fit(
        fit.select(names), fit["label_breakdown_180d"].to_numpy()
    )
    model = CalibratedRiskModel(gbm, method="venn_abers").fit(
        cal.select(names), cal["label_breakdown_180d"].to_numpy()
    )
    # the workload of the goal: the decision rule flags 10 % of the children scored on the day
    # (the fast histories are not stationary, so a threshold from earlier times would not)
    today = score_frame_for(history, specs, end)
    threshold = float(np.quantile(model.risk(today.select(names)), 1 - args.capacity))
    with tempfile.TemporaryDirectory() as tmp:
        folder = save_model(
            model,
            Path(tmp) / "model",
            feature_specs=specs,
            metadata={
                "outcome": "breakdown",
                "horizon_days": 180,
                "threshold": threshold,
                "capacity": args.capacity,
                "data_source": history.meta.get("source"),
                "observed_until": end.isoformat(),
            },
        )
        loaded = load_scoring_model(folder)
        t = time.perf_counter()
        result = score(loaded, history, as_of=end, out=Path(tmp) / "out", log_run=False)
        elapsed = time.perf_counter() - t
        sheets = len(list((Path(tmp) / "out" / "sheets").glob("*.html")))
    s = result.summary
    print(
        f"scored {s['children_scored']} children in placement on {end}, "
        f"{s['children_flagged']} flagged ({sheets} sheets, HTML and Markdown)"
    )
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in s["durations_s"].items())
    print(f"by step: {steps}")
    print(
        f"score (validate, cohort, features, risk+interval, contributions, table, sheets, "
        f"overview): {elapsed:.1f} s (goal: under 20 s)"
    )


if __name__ == "__main__":
    main()
