"""Benchmark: ``earlysignal.scoring.score`` on 100,000 children in placement.

Times one scoring as of the extraction date: validation, the cohort on the day, point-in-time
features with the model's own specs, calibrated risks with Venn-ABERS intervals, TreeSHAP
contributions for every child (the ranked table lists each child's top contributions), the
ranked table (CSV and Parquet), and a signal sheet (HTML and Markdown) for each child the
capacity rule flags (10 %: ties in Venn-ABERS risk broken by the raw score, so no more; the
script also prints what the former cut on the risk alone, ``risk >= quantile``, flagged). The goal:
under 20 s. It prints the time of each step, the total, the process's CPU time (the work
itself, which a loaded machine stretches less than the wall clock), and the load average.

``--compare`` also times the steps this version changed the old way, on the same data, side by
side (old s, new s, ratio): features from the whole history against the scored children only;
risk and interval with two passes through the trees against one; TreeSHAP with the explain
defaults (trees with paths of more than 12 unique features left to LightGBM's
``pred_contrib``) against the scoring setting (16); the sheets' factors row by row against
vectorised. And, on a sample of rows, LightGBM's own ``pred_contrib`` for the whole model.

The histories come from ``benchmarks/_fast_histories.py`` (clearly synthetic, fast); the model
is a calibrated LightGBM (200 trees, 31 leaves) fitted on earlier prediction times of the same
histories. Model fitting and data generation are not timed; the first import of the libraries
scoring loads (LightGBM, numba, jinja2) is timed apart.

Run: ``uv run python benchmarks/scoring.py [--compare]`` (``--children`` sets the histories
generated; the script reports how many are in placement on the day).

``--partitioned K`` then scores the same histories twice more, each in its own subprocess
(peak = that process's maximum resident set, loading, validation and the model included):
in memory from a canonical folder, and from a partitioned folder of K children a partition
(``earlysignal.scoring.partitioned``); it prints time and peak side by side and checks that
the two ranked tables and summaries are equal. ``--skip-memory`` leaves out the in-memory run
(for cohorts that do not fit). E.g. ``uv run python benchmarks/scoring.py --children 300000
--partitioned 50000``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import polars as pl
from _fast_histories import fast_history

from earlysignal.cohort import Schedule, prediction_times
from earlysignal.features import build_features, default_specs
from earlysignal.models import CalibratedRiskModel, LightGBMRiskModel, capacity_rule, save_model
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


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def _timed(fn):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def compare(loaded, history, day) -> None:  # type: ignore[no-untyped-def]
    """Time the changed steps the old way and the new way on the same data."""
    from earlysignal.cohort import attach_placement
    from earlysignal.explain import contributions
    from earlysignal.explain.contributions import feature_matrix
    from earlysignal.scoring.compute import (
        SCORING_MAX_UNIQUE_DEPTH,
        risk_and_interval,
        sheet_factors,
    )

    specs = list(loaded.specs)
    t = pl.DataFrame({"child_id": history.children["child_id"]}).with_columns(
        pl.lit(day).alias("prediction_time")
    )
    placed = attach_placement(history, t).filter(pl.col("placement_id").is_not_null())
    keys = placed.select("child_id", "prediction_time")
    rows = []
    old_f, a = _timed(lambda: build_features(history, keys, specs, outcomes=()))
    new_f, b = _timed(
        lambda: build_features(history.subset(placed["child_id"]), keys, specs, outcomes=())
    )
    assert old_f.equals(new_f)
    rows.append(("features (whole history / scored children)", a, b))
    names = list(loaded.feature_names)
    m = loaded.model
    xf = new_f.select(names)
    (old_r, a) = _timed(lambda: (m.risk(xf), m.predict_interval(xf)))
    (new_r, b) = _timed(lambda: risk_and_interval(m, xf))
    assert np.array_equal(old_r[0], new_r[0]) and np.array_equal(old_r[1][0], new_r[1][0])
    rows.append(("risk + interval (2 passes / 1)", a, b))
    x, _ = feature_matrix(new_f, names)
    contributions(m, x[:64])  # compile / load the kernel outside the timings
    old_c, a = _timed(lambda: contributions(m, x, feature_names=names))
    new_c, b = _timed(
        lambda: contributions(m, x, feature_names=names, max_unique_depth=SCORING_MAX_UNIQUE_DEPTH)
    )
    gap = float(np.abs(old_c.values - new_c.values).max())
    rows.append(
        (
            f"contributions ({old_c.implementation} / {new_c.implementation}; max diff {gap:.1e})",
            a,
            b,
        )
    )
    flagged = np.flatnonzero(new_r[0] >= loaded.metadata["threshold"])  # sheets' workload

    def row_by_row() -> None:
        for i in flagged:
            now = new_c.values[i]
            [j for j in np.argsort(-now, kind="stable") if now[j] > 0][:3]
            [j for j in np.argsort(now, kind="stable") if now[j] < 0][:3]

    _, a = _timed(row_by_row)
    _, b = _timed(lambda: sheet_factors(new_c.values[flagged], 3))
    rows.append(("sheet factors (row by row / vectorised)", a, b))
    n = min(2_000, len(x))
    booster = m.base_.booster_
    _, native = _timed(lambda: booster.predict(x[:n], pred_contrib=True, num_threads=2))
    _, fast = _timed(
        lambda: contributions(
            m, x[:n], feature_names=names, max_unique_depth=SCORING_MAX_UNIQUE_DEPTH
        )
    )
    print(f"changed steps, old way against new way ({_load()}):")
    for label, a, b in rows:
        print(f"  {label}: {a:.2f} s -> {b:.2f} s ({a / b:.1f}x)")
    print(
        f"  LightGBM pred_contrib on {n} rows: {native:.2f} s ({1e3 * native / n:.2f} ms a row) "
        f"against {fast:.2f} s fast ({1e3 * fast / n:.3f} ms a row): for {len(x)} rows about "
        f"{native / n * len(x):.0f} s"
    )


def _own_peak_gib() -> float:
    """This process's peak resident set (``VmHWM``), in GiB.

    Not ``getrusage``'s ``ru_maxrss``: on Linux it survives ``exec``, so a subprocess started
    (by ``vfork``) from this benchmark's parent, which holds the histories and the training
    data, would report the parent's peak.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1024**3


def score_step(model: str, data: str, out: str, as_of: str) -> dict[str, object]:
    """One scoring in this process (run by ``--step``): wall time, peak memory, counts."""
    from datetime import date

    t = time.perf_counter()
    result = score(model, Path(data), as_of=date.fromisoformat(as_of), out=out, log_run=False)
    wall = time.perf_counter() - t
    peak = _own_peak_gib()
    s = result.summary
    return {
        "wall_s": round(wall, 1),
        "peak_gib": round(peak, 2),
        "children_scored": s["children_scored"],
        "children_flagged": s["children_flagged"],
        "durations_s": {k: round(v, 1) for k, v in s["durations_s"].items()},
    }


def partitioned_compare(  # type: ignore[no-untyped-def]
    history, model_folder: Path, tmp: Path, size: int, *, memory: bool
) -> None:
    """Score in memory and by partition, each in its own subprocess; print side by side."""
    from earlysignal.data.partitions import write_partitioned

    day = history.observed_until.isoformat()
    t = time.perf_counter()
    write_partitioned(history, tmp / "parts", partition_size=size)
    if memory:
        history.write(tmp / "canonical")
    print(f"data written (canonical and partitioned) in {time.perf_counter() - t:.1f} s")
    runs = {"partitioned": tmp / "parts"}
    if memory:
        runs = {"in memory": tmp / "canonical", **runs}
    figures = {}
    for label, data in runs.items():
        out = tmp / f"out-{label.replace(' ', '_')}"
        load = os.getloadavg()[0]
        cmd = [sys.executable, __file__, "--step", str(model_folder), str(data), str(out), day]
        res = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if res.returncode:
            raise SystemExit(f"{label} failed:\n{res.stdout}\n{res.stderr}")
        fig = json.loads(res.stdout.strip().splitlines()[-1])
        fig["load"] = f"{load:.1f}-{os.getloadavg()[0]:.1f}"
        figures[label] = fig
        print(
            f"{label:<12} ({'K=' + format(size, ',') if label == 'partitioned' else 'whole'}): "
            f"{fig['wall_s']} s, peak {fig['peak_gib']} GiB, {fig['children_scored']} scored, "
            f"{fig['children_flagged']} flagged, load {fig['load']}; by step {fig['durations_s']}",
            flush=True,
        )
    if memory:
        a = pl.read_parquet(tmp / "out-in_memory" / "ranked.parquet")
        b = pl.read_parquet(tmp / "out-partitioned" / "ranked.parquet")
        sa = json.loads((tmp / "out-in_memory" / "scoring.json").read_text())
        sb = json.loads((tmp / "out-partitioned" / "scoring.json").read_text())
        print(f"ranked tables equal: {a.equals(b)}; summaries equal: {sa == sb}")
    print(json.dumps({"benchmark": "scoring-partitioned", "partition_size": size, **figures}))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--step":
        print(json.dumps(score_step(*sys.argv[2:6])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--capacity", type=float, default=0.10)
    parser.add_argument("--compare", action="store_true", help="time the old way too")
    parser.add_argument(
        "--partitioned", type=int, metavar="K", help="also score by partitions of K children"
    )
    parser.add_argument(
        "--skip-memory", action="store_true", help="with --partitioned: no in-memory run"
    )
    parser.add_argument(
        "--skip-score", action="store_true", help="with --partitioned: no timed in-process run"
    )
    args = parser.parse_args()
    t = time.perf_counter()
    history = fast_history(args.children, seed=1)
    end = history.observed_until
    print(f"histories: {args.children} children generated in {time.perf_counter() - t:.1f} s")

    first = end - timedelta(days=3 * 365)
    # the vocabulary from facts before the first prediction time (nothing later decides it)
    specs = default_specs(history, before=first)
    times = prediction_times(
        history, Schedule(every_days=365, start=first, end=end - timedelta(days=400))
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
    risk_today = model.risk(today.select(names))
    rule = capacity_rule(risk_today, model.raw_score(today.select(names)), args.capacity)
    former = int((risk_today >= np.quantile(risk_today, 1 - args.capacity)).sum())
    print(
        f"former cut on the risk alone (risk >= quantile) would flag {former} of "
        f"{risk_today.size} ({100 * former / risk_today.size:.1f} %)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = save_model(
            model,
            Path(tmp) / "model",
            feature_specs=specs,
            metadata={
                "outcome": "breakdown",
                "horizon_days": 180,
                **rule.to_metadata(),  # threshold, score_threshold, capacity
                "data_source": history.meta.get("source"),
                "observed_until": end.isoformat(),
            },
        )
        loaded = load_scoring_model(folder)
        if args.partitioned:
            partitioned_compare(
                history, folder, Path(tmp), args.partitioned, memory=not args.skip_memory
            )
            if args.skip_score:
                return
        t = time.perf_counter()
        import jinja2  # noqa: F401  (the first import of what scoring loads, timed apart)
        import lightgbm  # noqa: F401

        import earlysignal.explain._treeshap_kernel
        import earlysignal.explain.sheet  # noqa: F401

        print(f"first import of lightgbm, numba, jinja2: {time.perf_counter() - t:.1f} s")
        print(f"before scoring: {_load()}")
        t, cpu = time.perf_counter(), time.process_time()
        result = score(loaded, history, as_of=end, out=Path(tmp) / "out", log_run=False)
        elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
        sheets = len(list((Path(tmp) / "out" / "sheets").glob("*.html")))
        print(f"after scoring: {_load()}")
        s = result.summary
        print(
            f"scored {s['children_scored']} children in placement on {end}, "
            f"{s['children_flagged']} flagged "
            f"({100 * s['children_flagged'] / s['children_scored']:.1f} %; {sheets} sheets, "
            "HTML and Markdown)"
        )
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in s["durations_s"].items())
        print(f"by step: {steps}")
        print(
            f"score (validate, cohort, features, risk+interval, contributions, table, sheets, "
            f"overview): {elapsed:.1f} s (goal: under 20 s); CPU time of this process "
            f"{cpu:.1f} s (all threads: the work itself, whatever the load)"
        )
        if args.compare:
            compare(loaded, history, end)


if __name__ == "__main__":
    main()
