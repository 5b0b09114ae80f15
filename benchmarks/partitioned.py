"""Benchmark: bounded memory, partitions of children against the whole cohort in memory.

    uv run python benchmarks/partitioned.py 100000 300000 --partition-size 50000

For each cohort size N: simulates N children in blocks into a partitioned folder
(``earlysignal.synth.blocks.simulate_partitioned``, blocks of ``min(50,000, K)`` children,
partitions of K), then validates it partition by partition
(``earlysignal.data.partition_validate.validate_partitioned``) and builds the default features
(3 outcomes off, 91-day schedule) partition by partition
(``earlysignal.features.partitioned.build_features_partitioned``). Unless ``--no-memory``, the
same cohort is then loaded whole and validated (``CareHistory.validate``) and featurised
(``build_features``) in memory, and the two feature outputs are compared. Every step runs in its
own subprocess; its peak is that process's maximum resident set (``getrusage``), loading
included. The load average is printed with each row (the machine is shared). The last line is
one JSON object with the figures.
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
from pathlib import Path

GIB = 1024**3


def _peak() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GIB


def _whole(folder: Path):  # type: ignore[no-untyped-def]
    import polars as pl

    from earlysignal.data.history import CareHistory
    from earlysignal.data.partitions import iter_partitions

    parts = list(iter_partitions(folder))
    h = CareHistory(
        children=pl.concat([p.children for p in parts]),
        placements=pl.concat([p.placements for p in parts]),
        events=pl.concat([p.events for p in parts]),
        observed_until=parts[0].observed_until,
    )
    del parts
    return h


def step(name: str, folder: Path, out: Path, n: int, k: int) -> dict[str, object]:
    t0 = time.perf_counter()
    extra: dict[str, object] = {}
    if name == "simulate":
        from earlysignal.synth.blocks import simulate_partitioned

        m = simulate_partitioned(
            n, folder, partition_size=k, block_size=min(50_000, k), years=10, seed=0
        )
        extra = {"partitions": m.n_partitions, **m.counts()}
    elif name == "validate":
        from earlysignal.data.partition_validate import validate_partitioned

        r = validate_partitioned(folder)
        extra = {"ok": r.ok, "problems": r.problems.height}
    elif name == "features":
        from earlysignal.features.partitioned import build_features_partitioned

        # a timing (no model is evaluated): the whole cohort's vocabulary, as features_memory
        res = build_features_partitioned(folder, out / "features", before="all", outcomes=())
        extra = {"rows": sum(res["rows"]), "features": len(res["features"])}
    elif name == "validate_memory":
        h = _whole(folder)
        t0 = time.perf_counter()
        r = h.validate()
        extra = {"ok": r.ok, "problems": r.problems.height}
    elif name == "features_memory":
        import polars as pl

        from earlysignal.cohort import prediction_times
        from earlysignal.features import build_features, default_specs

        h = _whole(folder)
        t0 = time.perf_counter()
        f = build_features(h, prediction_times(h), default_specs(h, before="all"), outcomes=())
        wall = time.perf_counter() - t0
        f = f.sort("child_id", "prediction_time")
        parts = pl.read_parquet(sorted((out / "features").glob("*.parquet")))
        parts = parts.sort("child_id", "prediction_time")
        extra = {"rows": f.height, "equal_to_partitioned": parts.equals(f)}
        return {"step": name, "wall_s": round(wall, 1), "peak_gib": round(_peak(), 2), **extra}
    wall = time.perf_counter() - t0
    return {"step": name, "wall_s": round(wall, 1), "peak_gib": round(_peak(), 2), **extra}


def _run(name: str, folder: Path, out: Path, n: int, k: int) -> dict[str, object]:
    load = os.getloadavg()[0]
    cmd = [sys.executable, __file__, "--step", name, str(folder), str(out), str(n), str(k)]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode:
        raise SystemExit(f"{name} failed:\n{res.stdout}\n{res.stderr}")
    fig = json.loads(res.stdout.strip().splitlines()[-1])
    fig["load_before"] = round(load, 1)
    fig["load_after"] = round(os.getloadavg()[0], 1)
    return dict(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("sizes", nargs="*", type=int, default=[100_000])
    ap.add_argument("--partition-size", type=int, default=50_000)
    ap.add_argument("--no-memory", action="store_true", help="skip the in-memory comparison")
    ap.add_argument("--step", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.step:
        name, folder, out, n, k = args.step
        print(json.dumps(step(name, Path(folder), Path(out), int(n), int(k))))
        return
    results = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as d:
            folder, out = Path(d) / "cohort", Path(d)
            steps = ["simulate", "validate", "features"]
            if not args.no_memory:
                steps += ["validate_memory", "features_memory"]
            for name in steps:
                fig = _run(name, folder, out, n, args.partition_size)
                fig.update(children=n, partition_size=args.partition_size)
                print(
                    f"{n:>10,} children  K={args.partition_size:>7,}  {name:<16} "
                    f"{fig['wall_s']:>8} s  peak {fig['peak_gib']:>6} GiB  "
                    f"load {fig['load_before']}-{fig['load_after']}  "
                    + " ".join(
                        f"{k}={v}"
                        for k, v in fig.items()
                        if k not in {"step", "wall_s", "peak_gib", "children", "partition_size"}
                        and not k.startswith("load")
                    ),
                    flush=True,
                )
                results.append(fig)
    print(json.dumps({"benchmark": "partitioned", "results": results}))


if __name__ == "__main__":
    main()
