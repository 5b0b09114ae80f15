"""Simulator scale benchmark: wall time and peak RSS for a cohort size (JSON line at the end).

Usage: ``uv run python benchmarks/simulate.py [N_CHILDREN ...] [--years Y] [--oracle]``
(default 100,000 children over 10 years). Each size runs in a fresh process so that the
peak RSS is that size's own: the peak after ``simulate`` (the target: 100,000 children in under
60 s and 1,000,000 in under 10 minutes, within 8 GiB) and the peak once the history has also
been validated strictly (``CareHistory.validate``, which needs memory of its own).
``--oracle`` also times ``oracle_risk`` for 180-day breakdown at
one prediction time for every child in care (50 draws).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any


def _one(n: int, years: int, oracle: bool, validate: bool = True) -> dict[str, Any]:
    from datetime import date

    import polars as pl

    from earlysignal.indicators.measures import in_care_at
    from earlysignal.synth import oracle_risk, simulate

    t0 = time.perf_counter()
    sim = simulate(n, years, seed=0)
    t_sim = time.perf_counter() - t0
    rss_sim = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t1 = time.perf_counter()
    if validate:
        sim.history.validate(strict=True)
    t_val = time.perf_counter() - t1
    out: dict[str, Any] = {
        "children": n,
        "years": years,
        "simulate_s": round(t_sim, 2),
        "validate_s": round(t_val, 2) if validate else None,
        "peak_rss_simulate_mib": round(rss_sim, 1),
        "placements": sim.history.placements.height,
        "events": sim.history.events.height,
    }
    if oracle:
        t = date(2020, 4, 1)
        ids = in_care_at(sim.history, t)["child_id"]
        times = pl.DataFrame({"child_id": ids, "prediction_time": [t] * ids.len()})
        t2 = time.perf_counter()
        oracle_risk(sim, times, outcome="breakdown", horizon=180, n_draws=50)
        out["oracle_rows"] = times.height
        out["oracle_s"] = round(time.perf_counter() - t2, 2)
    out["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["targets"] = {
        "simulate_s": 60 if n <= 100_000 else 600 if n <= 1_000_000 else None,
        "simulate_peak_gib": 8,
    }
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=int, default=[100_000])
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--oracle", action="store_true")
    ap.add_argument(
        "--no-validate",
        action="store_true",
        help="skip the strict validation (it needs about the history's memory again)",
    )
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(_one(a.sizes[0], a.years, a.oracle, validate=not a.no_validate)))
        return
    results = []
    load = os.getloadavg()[0]
    for n in a.sizes:
        cmd = [sys.executable, __file__, str(n), "--years", str(a.years), "--child"]
        if a.oracle:
            cmd.append("--oracle")
        if a.no_validate:
            cmd.append("--no-validate")
        r = subprocess.run(cmd, capture_output=True, text=True, check=True)
        res = json.loads(r.stdout.strip().splitlines()[-1])
        print(
            f"{n:>9,} children x {a.years} years: simulate {res['simulate_s']:.1f} s "
            f"(peak RSS {res['peak_rss_simulate_mib']:.0f} MiB), "
            + (
                f"validate {res['validate_s']:.1f} s (peak RSS with it "
                f"{res['peak_rss_mib']:.0f} MiB), "
                if res["validate_s"] is not None
                else "not validated, "
            )
            + f"{res['placements']:,} placements, {res['events']:,} events"
            + (
                f", oracle {res['oracle_rows']:,} rows in {res['oracle_s']:.1f} s"
                if a.oracle
                else ""
            )
        )
        results.append(res)
    print(json.dumps({"benchmark": "simulate", "cores": os.cpu_count(), "load_1min": load,
                      "results": results}))  # fmt: skip


if __name__ == "__main__":
    main()
