"""Benchmark: personas for 100,000 children (sequences, CLARA clustering, assignment).

    uv run python benchmarks/personas.py [--children 100000] [--window 36] [--source fast]

``--source fast`` uses the synthetic chains of ``_fast_histories.py`` (random settings and
durations: many distinct sequences, the hard case for distance computing); ``--source sim``
uses the simulator (slower to generate). Prints the time of each step; the goal is under 60 s
for the whole persona analysis of 100,000 children on the 2-core development machines.

With ``--sequenzo PYTHON`` (a Python of a throwaway venv with ``sequenzo`` installed, e.g.
``uv venv /tmp/seq && uv pip install -p /tmp/seq sequenzo``) it also compares our OM and Hamming
distances on 200 sequences with sequenzo's, in that interpreter.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from _fast_histories import fast_history

from earlysignal.personas.cluster import assign, fit_personas
from earlysignal.personas.distances import cross
from earlysignal.personas.sequences import monthly_states
from earlysignal.personas.spec import PersonaSpec


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--children", type=int, default=100_000)
    ap.add_argument("--window", type=int, default=36)
    ap.add_argument("--source", choices=["fast", "sim"], default="fast")
    ap.add_argument("--distance", default="om")
    ap.add_argument("--sequenzo", help="Python interpreter of a venv with sequenzo")
    args = ap.parse_args()
    t0 = time.perf_counter()
    if args.source == "fast":
        history = fast_history(args.children, seed=0)
    else:
        from earlysignal.synth import simulate

        history = simulate(args.children, years=10, seed=0).history
    t1 = time.perf_counter()
    spec = PersonaSpec(window=args.window, distance=args.distance)
    # warm the numba kernels (compiled once, cached on disk) outside the timing
    warm = monthly_states(history.subset(history.children["child_id"][:300].to_list()), spec)
    fit_personas(warm, PersonaSpec(window=args.window, k_range=(2, 3), sample_size=50))
    t2 = time.perf_counter()
    seqs = monthly_states(history, spec)
    t3 = time.perf_counter()
    model = fit_personas(seqs, spec)
    t4 = time.perf_counter()
    labels, partial = assign(model, seqs)
    t5 = time.perf_counter()
    distinct = len(np.unique(seqs.codes[seqs.complete], axis=0))
    print(f"children with care: {len(seqs):,}; complete windows: {int(seqs.complete.sum()):,} "
          f"({distinct:,} distinct sequences); partial windows assigned: "
          f"{int((partial & (labels >= 0)).sum()):,}")  # fmt: skip
    print(f"generate history ({args.source}): {t1 - t0:6.1f} s")
    print(f"numba warm-up (not counted):  {t2 - t1:6.1f} s")
    print(f"monthly sequences:            {t3 - t2:6.1f} s")
    print(
        f"choose k + CLARA ({spec.samples} x {spec.sample_size}): {t4 - t3:6.1f} s  (k = {model.k})"
    )
    print(f"assign every child:           {t5 - t4:6.1f} s")
    print(f"TOTAL persona analysis:       {t5 - t2:6.1f} s  (goal < 60 s)")
    for q in model.quality:
        print(f"  k={q['k']}: ASW {q['asw']:.3f}  pseudo-R2 {q['r2']:.3f}  PBC {q['pbc']:.3f}")
    if args.sequenzo:
        compare_with_sequenzo(args.sequenzo, seqs.codes[seqs.complete][:200], model.sub)


def compare_with_sequenzo(python: str, codes: np.ndarray, sub: np.ndarray) -> None:
    """Largest difference between our distances and sequenzo's on the same sequences."""
    with tempfile.TemporaryDirectory() as tmp:
        np.save(Path(tmp) / "codes.npy", codes)
        np.save(Path(tmp) / "sub.npy", sub)
        script = f"""
import json, numpy as np, pandas as pd
from sequenzo import SequenceData, get_distance_matrix
codes = np.load({str(Path(tmp) / "codes.npy")!r}); sub = np.load({str(Path(tmp) / "sub.npy")!r})
states = list(range(sub.shape[0]))
cols = [f"m{{i}}" for i in range(codes.shape[1])]
df = pd.DataFrame(codes, columns=cols); df["id"] = range(len(df))
sd = SequenceData(df, time=[f"m{{i}}" for i in range(codes.shape[1])], states=states, id_col="id")
out = {{}}
for method, kw in (("OM", dict(sm=sub, indel=1.0)), ("HAM", dict(sm=sub))):
    out[method] = np.asarray(get_distance_matrix(sd, method=method, **kw)).tolist()
print(json.dumps(out))
"""
        res = subprocess.run([python, "-c", script], capture_output=True, text=True, check=False)
        if res.returncode:
            print("sequenzo comparison failed:", res.stderr[-1500:])
            return
        theirs = json.loads(res.stdout.strip().splitlines()[-1])
    for method, ours in (("OM", "om"), ("HAM", "hamming")):
        mine = cross(codes, codes, sub, method=ours, indel=1.0)  # type: ignore[arg-type]
        diff = float(np.abs(mine - np.asarray(theirs[method])).max())
        print(
            f"sequenzo {method}: largest absolute difference {diff:.2e} on {len(codes)} "
            f"sequences (mean distance {float(mine.mean()):.3f})"
        )


if __name__ == "__main__":
    main()
