"""Benchmark: default point-in-time features, polars kernel versus the DuckDB SQL reference.

    uv run python benchmarks/features.py --children 1000000

Generates N children, by default with the fast synthetic generator in
``benchmarks/_fast_histories.py`` (about 3 placements and 15 events a child, the volumes of a
register that records placements and a few event kinds), or with the simulator
(``--source simulate``, about 5.6 placements and 98 events a child over their whole history:
at a million children the 97 million events alone take about 3 GiB in memory, so the 4 GiB
target is for the default volumes), 3 prediction times each, writes them to a temporary
Parquet folder, then builds the default features once with polars
(``earlysignal.features.build_features``, no labels) and once with the DuckDB reference
(``tests/features/duckdb_reference.py``, memory limit set), each in its own subprocess. Wall
time is the build only (not loading; polars' one-off numba warm-up is reported apart); peak
memory is the subprocess's maximum resident set (``getrusage``), loading included. The two
outputs are compared value by value. The last line printed is one JSON object with the
figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _load(folder: Path):  # type: ignore[no-untyped-def]
    import polars as pl

    from earlysignal.data.history import CareHistory

    meta = json.loads((folder / "meta.json").read_text())
    from datetime import date

    h = CareHistory(
        children=pl.read_parquet(folder / "children.parquet"),
        placements=pl.read_parquet(folder / "placements.parquet"),
        events=pl.read_parquet(folder / "events.parquet"),
        statuses=(
            pl.read_parquet(folder / "statuses.parquet")
            if (folder / "statuses.parquet").exists()
            else None
        ),
        observed_until=date.fromisoformat(meta["observed_until"]),
    )
    times = pl.read_parquet(folder / "times.parquet")
    return h, times


def worker(engine: str, folder: Path, memory_limit: str) -> None:
    h, times = _load(folder)
    from earlysignal.features import build_features, default_specs

    specs = default_specs(h, before="all")  # a timing of the features: no model is evaluated
    warmup = 0.0
    if engine == "polars":
        # the kernel's sorted-merge search is numba: importing numba and loading the compiled
        # kernel from its cache is a one-off cost per process (reported apart, not in wall_s)
        t0 = time.perf_counter()
        import numpy as np

        from earlysignal.features._search import merge_searchsorted

        merge_searchsorted(np.arange(4, dtype=np.int64), np.arange(2, dtype=np.int64))
        warmup = time.perf_counter() - t0
    t0 = time.perf_counter()
    if engine == "polars":
        out = build_features(h, times, specs, outcomes=())
        out = out.drop("child_id", "prediction_time", "placement_id", "setting")
    else:
        sys.path.insert(0, str(ROOT / "tests" / "features"))
        from duckdb_reference import duckdb_features

        out = duckdb_features(h, times, specs, memory_limit=memory_limit, threads=2)
    wall = time.perf_counter() - t0
    out.write_parquet(folder / f"out_{engine}.parquet")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"engine": engine, "wall_s": wall, "warmup_s": warmup, "peak_bytes": peak,
                      "rows": out.height, "features": out.width}))  # fmt: skip


def run(engine: str, folder: Path, memory_limit: str) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    proc = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            engine,
            "--data",
            str(folder),
            "--duckdb-memory",
            memory_limit,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        raise SystemExit(f"{engine} worker failed:\n{proc.stderr[-3000:]}")
    res: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    res["children_peak_bytes"] = max(before, after)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--children", type=int, default=100_000)
    ap.add_argument("--times", type=int, default=3, help="prediction times per child")
    ap.add_argument("--source", choices=["fast", "simulate"], default="fast")
    ap.add_argument("--duckdb-memory", default="8GB", help="DuckDB memory_limit")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--worker", choices=["polars", "duckdb"], help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.data, args.duckdb_memory)
        return

    import numpy as np
    import polars as pl

    sys.path.insert(0, str(HERE))
    from _fast_histories import fast_history, fast_times

    t0 = time.perf_counter()
    if args.source == "simulate":
        from earlysignal.synth import simulate  # type: ignore[attr-defined]

        history = simulate(n_children=args.children, seed=args.seed).history
        source = "earlysignal.synth.simulate"
    else:
        history = fast_history(args.children, seed=args.seed)
        source = "benchmarks/_fast_histories.py (synthetic)"
    times = fast_times(history, per_child=args.times, seed=args.seed + 1)
    gen_s = time.perf_counter() - t0
    counts = history.counts()
    print(f"generated {counts} and {times.height} prediction times in {gen_s:.1f} s ({source})")
    with tempfile.TemporaryDirectory(prefix="es-bench-") as tmp:
        folder = Path(tmp)
        for name, frame in history.tables().items():
            frame.write_parquet(folder / f"{name}.parquet")
        (folder / "meta.json").write_text(
            json.dumps({"observed_until": history.observed_until.isoformat()})
        )
        times.write_parquet(folder / "times.parquet")
        del history
        res = {e: run(e, folder, args.duckdb_memory) for e in ("polars", "duckdb")}
        a = pl.read_parquet(folder / "out_polars.parquet")
        b = pl.read_parquet(folder / "out_duckdb.parquet")
        agree = a.columns == b.columns and all(
            np.allclose(
                a[c].cast(pl.Float64).to_numpy(), b[c].cast(pl.Float64).to_numpy(),
                rtol=1e-12, atol=1e-12, equal_nan=True,
            )
            for c in a.columns
        )  # fmt: skip
    gib = 1024**3
    p, d = res["polars"], res["duckdb"]
    print(f"polars : {p['wall_s']:8.2f} s  peak {p['peak_bytes'] / gib:6.2f} GiB  (plus "
          f"{p['warmup_s']:.2f} s once per process: numba import and kernel load)")  # fmt: skip
    print(f"duckdb : {d['wall_s']:8.2f} s  peak {d['peak_bytes'] / gib:6.2f} GiB "
          f"(memory_limit {args.duckdb_memory})")  # fmt: skip
    ratio = d["wall_s"] / p["wall_s"]
    cold = d["wall_s"] / (p["wall_s"] + p["warmup_s"])
    print(f"ratio duckdb/polars wall time: {ratio:.2f}x ({cold:.2f}x counting polars' one-off "
          f"warm-up); outputs agree: {agree}")  # fmt: skip
    print(
        json.dumps(
            {
                "benchmark": "features",
                "children": args.children,
                "prediction_times": times.height,
                "features": int(p["features"]),
                "placements": counts["placements"],
                "events": counts["events"],
                "source": source,
                "polars_wall_s": round(p["wall_s"], 3),
                "polars_peak_gib": round(p["peak_bytes"] / gib, 3),
                "polars_warmup_s": round(p["warmup_s"], 3),
                "duckdb_wall_s": round(d["wall_s"], 3),
                "duckdb_peak_gib": round(d["peak_bytes"] / gib, 3),
                "duckdb_memory_limit": args.duckdb_memory,
                "speedup": round(ratio, 2),
                "speedup_with_warmup": round(cold, 2),
                "agree": bool(agree),
            }
        )
    )


if __name__ == "__main__":
    main()
