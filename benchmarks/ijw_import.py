"""iJw import benchmark: wall time and peak RSS of ``import_ijw`` on a simulated archive.

Usage: ``uv run python benchmarks/ijw_import.py [--children N] [--years Y] [--zip]
[--xsd-sample K] [--workers W] [--dir DIR]`` (default 20,000 children over 10 years, about
half a million messages; the target: import with the library's own checks in under 60 s within
4 GiB). Steps, each in a fresh process so that each peak RSS is its own:

1. simulate the cohort and write it as an iJw archive (one file per message) in ``DIR``;
2. import it with the own checks (``workers`` processes; 1 = serial);
3. the cost of ``--xsd``: import the first ``K`` messages with and without XSD validation
   (``xmlschema``) and extrapolate the extra CPU seconds to the whole archive (with
   ``--workers W`` the reading, and so the XSD validation, is spread over W processes).

Prints one JSON line per step and a summary line; nothing is timed in unit tests. Wall time
depends on the load of the shared machine: the CPU time of the importing process is printed
too, and with ``--workers`` > 1 the workers' CPU time and largest peak RSS. ``--dir`` keeps
the archive so that a second run (e.g. another ``--workers``) reuses it.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

XSD = Path(__file__).resolve().parents[2] / "shared" / "data" / "ijw" / "xsd"
KEY = b"benchmark-key-0123456789abcdef0123456789"


def _rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _write(children: int, years: int, out: Path, as_zip: bool) -> dict[str, Any]:
    from earlysignal.sources.ijw_write import write_ijw_archive
    from earlysignal.synth import simulate

    t0 = time.perf_counter()
    sim = simulate(children, years, seed=0)
    t_sim = time.perf_counter() - t0
    t1 = time.perf_counter()
    arc = write_ijw_archive(sim.history, out, seed=0, as_zip=as_zip)
    return {
        "step": "write",
        "children": children,
        "years": years,
        "placements": sim.history.placements.height,
        "messages": arc.messages,
        "simulate_s": round(t_sim, 1),
        "write_s": round(time.perf_counter() - t1, 1),
        "extraction_date": arc.extraction_date.isoformat(),
        "mapping": str(arc.mapping_path),
        "peak_rss_mib": _rss_mib(),
    }


def _import(
    src: Path, mapping: str, extraction: str, workers: int, xsd: bool, limit: int | None
) -> dict[str, Any]:
    from datetime import date

    from earlysignal.sources.ijw import import_ijw

    if limit is not None:  # a sample: the first `limit` messages in name order
        sample = src.parent / f"sample_{limit}"
        if not sample.exists():
            sample.mkdir()
            files = sorted(src.rglob("*.xml"))[:limit]
            for i, f in enumerate(files):
                (sample / f"{i:09d}_{f.name}").write_bytes(f.read_bytes())
        src = sample
    t0, c0 = time.perf_counter(), time.process_time()
    _history, report = import_ijw(
        src,
        key=KEY,
        mapping=mapping,
        xsd_dir=XSD if xsd else None,
        observed_until=date.fromisoformat(extraction),
        errors="repair" if limit is not None else "raise",
        validate=True,
        workers=workers,
    )
    return {
        "step": "import",
        "xsd": xsd,
        "workers": workers,
        "sample": limit,
        "messages": report.messages_read,
        "import_s": round(time.perf_counter() - t0, 2),
        "import_cpu_s": round(time.process_time() - c0, 2),
        "workers_cpu_s": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
            + resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime,
            2,
        ),
        "workers_peak_rss_mib": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
        ),
        "peak_rss_mib": _rss_mib(),
        "valid": bool(report.validation and report.validation["ok"]),
        "output": report.output_counts,
    }


def _child(args: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", *args]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise SystemExit(res.stderr)
    out: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    print(json.dumps(out), flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--children", type=int, default=20_000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--zip", action="store_true", help="write and read a zip archive")
    ap.add_argument("--xsd-sample", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument(
        "--dir", type=Path, default=None, help="keep the archive here (reused on the next run)"
    )
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        kind, *rest = a.child
        if kind == "write":
            r = _write(int(rest[0]), int(rest[1]), Path(rest[2]), rest[3] == "1")
        else:
            limit = None if rest[5] == "0" else int(rest[5])
            r = _import(Path(rest[0]), rest[1], rest[2], int(rest[3]), rest[4] == "1", limit)
        print(json.dumps(r))
        return
    base = a.dir or Path(tempfile.mkdtemp(prefix="ijw-bench-"))
    src = base / ("arc.zip" if a.zip else "arc")
    try:
        meta = base / "write.json"
        if a.dir is not None and meta.is_file():  # reuse an archive written before
            w = json.loads(meta.read_text())
            print(json.dumps({**w, "reused": True}), flush=True)
        else:
            w = _child(["write", str(a.children), str(a.years), str(src), "1" if a.zip else "0"])
            meta.write_text(json.dumps(w))
        common = [str(src), w["mapping"], w["extraction_date"]]
        full = _child(["import", *common, str(a.workers), "0", "0"])
        summary: dict[str, Any] = {
            "messages": w["messages"],
            "import_s": full["import_s"],
            "import_cpu_s_main_process": full["import_cpu_s"],
            "import_peak_gib": round(full["peak_rss_mib"] / 1024, 2),
            "targets": {"import_s": 60, "peak_gib": 4},
        }
        if a.xsd_sample and not a.zip:
            k = min(a.xsd_sample, w["messages"])
            plain = _child(["import", *common, "1", "0", str(k)])
            with_xsd = _child(["import", *common, "1", "1", str(k)])
            per_msg = (with_xsd["import_s"] - plain["import_s"]) / k
            per_msg_cpu = (with_xsd["import_cpu_s"] - plain["import_cpu_s"]) / k
            summary["xsd_extra_wall_s_per_1000_messages"] = round(per_msg * 1000, 3)
            summary["xsd_extra_cpu_s_per_1000_messages"] = round(per_msg_cpu * 1000, 3)
            summary["xsd_extra_cpu_s_whole_archive"] = round(per_msg_cpu * w["messages"], 1)
        print(json.dumps({"summary": summary}))
    finally:
        if a.dir is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
