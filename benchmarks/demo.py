"""Benchmark: the steps of ``earlysignal demo`` that this version made faster, old code against new.

Each measured piece runs in a fresh process twice: once with this checkout's ``src/`` and once
with the ``src/`` of an older commit (``--before REF``, e.g. the commit before the change;
extracted with ``git archive`` into a temporary folder and put first on ``PYTHONPATH``), on
the same inputs.
It prints, side by side, the CPU time of the piece in each process (user + system of all
threads: the work itself, which a loaded machine stretches less than the wall clock), the wall
time, and whether the two outputs are the same (hash of every number):

* ``audit``: the fairness audit (``earlysignal.fairness.audit``) of 60,000 rows of 20,000
  children, three attributes and their intersections, 20 bootstrap replicates: per-group point
  estimates through fairlearn's ``MetricFrame``;
* ``tune``: ``tune_logistic`` on 120,000 rows x 40 columns with 10 % missing values (the
  logistic baseline's 6 candidate fits and refit);
* ``log``: logging the same saved model folder (a small LightGBM model, calibrated) as an
  MLflow logged model twice in one process: the time of the second log (MLflow infers a logged
  model's pip requirements in a subprocess);
* with ``--demo``, the whole ``earlysignal demo`` (default cohort: 20,000 children, 10 years;
  ``--children``/``--years`` to change it) in each version, and the card's numbers compared
  (``model_card.json`` without its run id, dates, paths and durations) and the MLflow run's
  metrics and parameters. Long: several minutes a version.

Run: ``uv run python benchmarks/demo.py --before REF [--demo] [--old-src DIR]`` (``--old-src``:
a folder holding ``git archive REF src`` extracted before, whose numba cache is warm; a fresh
extraction makes the old code's first process compile the TreeSHAP and feature-search kernels,
which this checkout has cached). Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PIECES = ("audit", "tune", "log")


def _digest(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


# ----------------------------------------------------------------------------- workers
def _work_audit() -> str:
    import numpy as np
    import polars as pl

    from earlysignal.fairness import audit

    rng = np.random.default_rng(0)
    n = 60_000
    p = rng.uniform(0.02, 0.5, n)
    df = pl.DataFrame(
        {
            "child_id": [f"c{i // 3}" for i in range(n)],
            "sex": rng.choice(["female", "male"], n),
            "origin": rng.choice(["dutch", "migrant", "migrant_child"], n),
            "region": rng.choice(list("abcd"), n),
            "risk": p,
            "y": (rng.random(n) < p).astype(int),
        }
    )
    start, children = time.process_time(), _children_cpu()
    res = audit(df, attributes=["sex", "origin", "region"], label="y", risk="risk", n_boot=20)
    _report(start, children)
    return _digest([res.groups.rows(), res.metrics.rows()])


def _work_tune() -> str:
    import numpy as np

    from earlysignal.models import tune_logistic

    rng = np.random.default_rng(1)
    n, k = 120_000, 40
    X = np.column_stack([rng.geometric(0.2, (n, k // 2)) - 1.0, rng.normal(size=(n, k // 2))])
    X[rng.random((n, k)) < 0.1] = np.nan
    z = 2 - 0.5 * np.nan_to_num(X[:, 0]) + np.nan_to_num(X[:, k // 2])
    y = (rng.random(n) < 1 / (1 + np.exp(z))).astype(int)
    start, children = time.process_time(), _children_cpu()
    s = tune_logistic(X, y, np.arange(n) // 3, random_state=2)
    _report(start, children)
    m = s.model
    return _digest([s.candidates, m.coef_.tolist(), m.intercept_, m.mean_.tolist(),
                    m.scale_.tolist(), m.impute_values_.tolist()])  # fmt: skip


def _work_log() -> str:
    import mlflow
    import numpy as np
    import polars as pl

    from earlysignal.models import CalibratedRiskModel, LightGBMRiskModel, save_model
    from earlysignal.scoring.mlflow_model import log_risk_model

    rng = np.random.default_rng(2)
    x = rng.normal(size=(3000, 5))
    y = (rng.random(3000) < 1 / (1 + np.exp(-x[:, 0]))).astype(int)
    X = pl.DataFrame(x, schema=[f"f{i}" for i in range(5)])  # the model keeps feature names
    base = LightGBMRiskModel(n_estimators=20, num_leaves=7).fit(X[:2000], y[:2000])
    model = CalibratedRiskModel(base, method="isotonic").fit(X[2000:], y[2000:])
    work = Path(tempfile.mkdtemp(prefix="earlysignal-bench-log-"))
    folder = save_model(model, work / "model")
    os.chdir(work)  # not a uv project: MLflow infers by loading the model in a subprocess
    mlflow.set_tracking_uri(f"sqlite:///{work / 'mlruns.db'}")
    files = []
    for i in range(2):
        with mlflow.start_run():
            start, children = time.process_time(), _children_cpu()
            info = log_risk_model(folder)
            if i == 1:
                _report(start, children)
        deps = mlflow.pyfunc.get_model_dependencies(info.model_uri, format="pip")
        files.append(Path(deps).read_text())
    assert files[0] == files[1], "the two logged models' requirements differ"
    return _digest(files[1])


def _children_cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


_T0: dict[str, float] = {}


def _report(start_cpu: float, start_children: float) -> None:
    """Record the piece's CPU time: this process's, plus its finished subprocesses'."""
    _T0["cpu"] = time.process_time() - start_cpu + _children_cpu() - start_children


def worker(piece: str, out: Path) -> None:
    wall = time.perf_counter()
    digest = {"audit": _work_audit, "tune": _work_tune, "log": _work_log}[piece]()
    import earlysignal

    out.write_text(
        json.dumps(
            {
                "cpu_s": _T0["cpu"],
                "process_wall_s": time.perf_counter() - wall,
                "digest": digest,
                "src": str(Path(earlysignal.__file__).parents[1]),
            }
        )
    )


# ----------------------------------------------------------------------------- driver
def _run_piece(piece: str, src: Path | None) -> dict[str, Any]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")]).rstrip(":")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--worker", piece, "--out", str(out)],
            env=env, check=True, cwd=tmp, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        res: dict[str, Any] = json.loads(out.read_text())
        res["wall_s"] = time.perf_counter() - start
    return res


VOLATILE = {"run_id", "started", "finished", "generated", "date", "durations_s", "digests",
            "path", "uri", "model_uri", "model_id", "card", "created", "logged_model",
            "environment", "git_commit", "uv_lock_sha256"}  # fmt: skip
"""Card fields that change from run to run, or with where the code lies (git, uv.lock)."""


VOLATILE_TEXT = re.compile(r"[0-9a-f]{32}|[0-9a-f]{8}\b|/tmp/\S+|m-[0-9a-f]{32}")
"""Run and model ids (whole or first 8 characters) and temporary paths inside texts."""


def _stable(node: Any) -> Any:
    """The card without what changes from run to run (ids, dates, times, paths)."""
    if isinstance(node, dict):
        return {k: _stable(v) for k, v in node.items() if k not in VOLATILE}
    if isinstance(node, list):
        return [_stable(v) for v in node]
    if isinstance(node, str):
        return VOLATILE_TEXT.sub("<volatile>", node)
    return node


def _run_demo(src: Path | None, children: int, years: int) -> dict[str, Any]:
    import resource

    env = {**os.environ, "MPLBACKEND": "Agg"}
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")]).rstrip(":")
    tmp = Path(tempfile.mkdtemp(prefix="earlysignal-bench-demo-"))
    env["MLFLOW_TRACKING_URI"] = f"sqlite:///{tmp / 'mlruns.db'}"
    exe = Path(sys.executable).with_name("earlysignal")
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [str(exe), "demo", "--children", str(children), "--years", str(years),
         "--out", str(tmp / "out")],
        env=env, check=True, cwd=tmp, capture_output=True,
    )  # fmt: skip
    wall = time.perf_counter() - start
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    card = json.loads(next((tmp / "out").glob("*/model_card.json")).read_text())
    import mlflow

    client = mlflow.MlflowClient(env["MLFLOW_TRACKING_URI"])
    run = client.get_run(card["run"]["run_id"])
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "steps_s": card["provenance"]["durations_s"],
        "card_digest": _digest(_stable(card)),
        "run_digest": _digest([run.data.metrics, run.data.params]),
        "folder": str(tmp),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", help="git ref of the old code (required)")
    ap.add_argument("--pieces", default=",".join(PIECES))
    ap.add_argument("--demo", action="store_true", help="also run the whole demo in each version")
    ap.add_argument("--children", type=int, default=20_000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--old-src", type=Path, help="an existing extraction of --before's src/")
    ap.add_argument("--worker", choices=PIECES, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.out)
        return
    if not args.before:
        ap.error("give --before REF, the git ref of the old code")
    if args.old_src:  # an extraction of --before used before: numba's kernels cached there
        old_src = args.old_src
    else:
        old_root = Path(tempfile.mkdtemp(prefix="earlysignal-bench-old-"))
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.before, "src"],
                                 check=True, capture_output=True).stdout  # fmt: skip
        subprocess.run(["tar", "-x", "-C", str(old_root)], input=archive, check=True)
        old_src = old_root / "src"
        print(
            "note: a fresh extraction compiles numba's kernels (TreeSHAP, feature search) "
            "in the old code's first process; reuse it with --old-src for warm figures"
        )
    load = os.getloadavg()
    print(f"old code: {args.before} ({old_src}); new code: {ROOT / 'src'}; "
          f"load average {load[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    figures: dict[str, Any] = {"before": args.before, "load_average": round(load[0], 2)}
    print(f"{'piece':<8} {'old cpu s':>10} {'new cpu s':>10} {'ratio':>6} "
          f"{'old wall s':>11} {'new wall s':>11}  same output")  # fmt: skip
    for piece in [p for p in args.pieces.split(",") if p]:
        old, new = _run_piece(piece, old_src), _run_piece(piece, None)
        same = old["digest"] == new["digest"]
        ratio = old["cpu_s"] / max(new["cpu_s"], 1e-9)
        print(f"{piece:<8} {old['cpu_s']:>10.2f} {new['cpu_s']:>10.2f} {ratio:>5.1f}x "
              f"{old['wall_s']:>11.1f} {new['wall_s']:>11.1f}  {same}")  # fmt: skip
        figures[piece] = {"old_cpu_s": round(old["cpu_s"], 2), "new_cpu_s": round(new["cpu_s"], 2),
                          "same": same}  # fmt: skip
    if args.demo:
        old, new = (_run_demo(old_src, args.children, args.years),
                    _run_demo(None, args.children, args.years))  # fmt: skip
        same_card = old["card_digest"] == new["card_digest"]
        same_run = old["run_digest"] == new["run_digest"]
        print(f"demo ({args.children} children, {args.years} years): old {old['wall_s']:.1f} s "
              f"wall, {old['cpu_s']:.1f} s CPU; new {new['wall_s']:.1f} s wall, "
              f"{new['cpu_s']:.1f} s CPU; same card numbers {same_card}, same MLflow metrics "
              f"and parameters {same_run}")  # fmt: skip
        steps = sorted(set(old["steps_s"]) | set(new["steps_s"]), key=list(old["steps_s"]).index)
        for s in steps:
            print(f"  {s:<22} old {old['steps_s'].get(s, 0):>7.1f} s   "
                  f"new {new['steps_s'].get(s, 0):>7.1f} s")  # fmt: skip
        figures["demo"] = {"old": old, "new": new, "same_card": same_card, "same_run": same_run}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
