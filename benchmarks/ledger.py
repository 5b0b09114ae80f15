"""Cost of the publication ledger: the fairness audit with and without it, and the ledger's size.

For each cohort size in ``--children``: a synthetic audit frame (two prediction rows per child,
attributes sex, age group and origin, random risks and labels; not the simulator, the audit's
counts are all that matter here) is audited three times with the default spec and
``--boot`` bootstrap replicates: without a ledger, then twice through one new ledger (the first
run records every cell; the second, with ``--added`` more children, looks every cell up and
repeats the figures). Prints the wall times, the ledger's size on disk after each run and how
many cells were repeated; the last line is one JSON object with every figure.

Run: ``uv run python benchmarks/ledger.py [--children N ...] [--boot B] [--added A]``
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from earlysignal.fairness import audit
from earlysignal.ledger import PublicationLedger, use_ledger


def _frame(n_children: int, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rows = 2 * n_children
    child = np.arange(rows) // 2
    p = rng.uniform(0.02, 0.6, rows)
    crng = np.random.default_rng(seed + 1)
    sex = crng.choice(["female", "male"], n_children)[child]
    age = crng.choice(["0-4", "5-11", "12-15", "16-17"], n_children)[child]
    origin = crng.choice(["dutch", "migrant_child", "migrant"], n_children, p=[0.6, 0.25, 0.15])
    return pl.DataFrame(
        {
            "child_id": [f"c{i:07d}" for i in child],
            "sex": sex,
            "age_group": age,
            "origin": origin[child],
            "risk": p,
            "y": (rng.random(rows) < p).astype(int),
        }
    )


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.iterdir() if f.is_file())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--children", type=int, nargs="+", default=[2_000, 20_000])
    ap.add_argument("--boot", type=int, default=20)
    ap.add_argument("--added", type=int, default=3)
    args = ap.parse_args()
    attrs = ["sex", "age_group", "origin"]
    kw: dict[str, Any] = {"attributes": attrs, "label": "y", "risk": "risk", "n_boot": args.boot}
    results = []
    for n in args.children:
        first = _frame(n)
        extra = _frame(n + args.added, seed=0).filter(
            pl.col("child_id").is_in([f"c{i:07d}" for i in range(n, n + args.added)])
        )
        later = pl.concat([first, extra])
        t0 = time.perf_counter()
        audit(first, **kw)
        plain = time.perf_counter() - t0
        with tempfile.TemporaryDirectory() as tmp:
            led = PublicationLedger(tmp)
            with use_ledger(led):
                t0 = time.perf_counter()
                audit(first, **kw)
                run1 = time.perf_counter() - t0
                size1 = _size(Path(tmp))
                t0 = time.perf_counter()
                audit(later, **kw)
                run2 = time.perf_counter() - t0
                size2 = _size(Path(tmp))
            repeated = sum(led.stats.repeated.values())
            recorded = sum(led.stats.recorded.values())
        row = {
            "children": n,
            "rows": first.height,
            "audit_s": round(plain, 2),
            "audit_ledger_first_s": round(run1, 2),
            "audit_ledger_second_s": round(run2, 2),
            "ledger_bytes_after_first": size1,
            "ledger_bytes_after_second": size2,
            "cells_recorded": recorded,
            "cells_repeated_second": repeated,
        }
        results.append(row)
        print(
            f"{n:>8} children: audit {plain:.2f} s; with ledger {run1:.2f} s (records "
            f"{recorded} cells, {size1 / 1e6:.2f} MB), next run {run2:.2f} s "
            f"({repeated} cells repeated, {size2 / 1e6:.2f} MB)"
        )
    print(json.dumps({"benchmark": "ledger", "boot": args.boot, "results": results}))


if __name__ == "__main__":
    main()
