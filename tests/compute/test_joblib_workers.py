"""joblib's local processes give the in-process results, with threads capped per worker."""

from __future__ import annotations

import compute_tasks

from earlysignal.compute import ComputeSpec, run_tasks


def test_two_local_processes_give_the_in_process_results() -> None:
    tasks = {f"sim-{i}": {"children": 150, "years": 4} for i in range(4)}
    local = run_tasks(compute_tasks.tiny_simulation, tasks, seed=3)
    spread = run_tasks(compute_tasks.tiny_simulation, tasks, seed=3, compute=ComputeSpec(n_jobs=2))
    assert spread == local
    assert len({r["placements_digest"] for r in local.values()}) == 4  # seeds differ by key


def test_workers_cap_polars_and_openmp_threads() -> None:
    caps = run_tasks(
        compute_tasks.thread_caps,
        {f"t{i}": {} for i in range(4)},
        compute=ComputeSpec(n_jobs=2, threads_per_task=1),
    )
    for cap in caps.values():
        assert cap["task_threads"] == 1
        assert cap["polars"] == 1
        assert cap["env"] == {"POLARS_MAX_THREADS": "1", "OMP_NUM_THREADS": "1"}
