"""A task that runs tasks of its own runs them in its worker: no pool inside a worker."""

from __future__ import annotations

import compute_tasks

from earlysignal.compute import ComputeSpec, run_tasks


def test_tasks_inside_a_worker_run_in_that_worker() -> None:
    out = run_tasks(
        compute_tasks.nested_pids,
        {"a": {"inner": 3}, "b": {"inner": 3}},
        compute=ComputeSpec(n_jobs=2),
    )
    for res in out.values():
        assert res["inner"] == [res["outer"]]
