"""Eight tiny simulations on a local Dask cluster (127.0.0.1) equal the same tasks run locally."""

from __future__ import annotations

import logging

import compute_tasks
import pytest

from earlysignal.compute import ComputeSpec, run_tasks

distributed = pytest.importorskip("distributed")

TASKS = {f"sim-{i}": {"children": 120, "years": 4} for i in range(8)}


@pytest.fixture(scope="module")
def local() -> dict[str, dict[str, object]]:
    """The eight tasks run one after the other in this process (the reference)."""
    return run_tasks(compute_tasks.tiny_simulation, TASKS, seed=21)


def test_eight_simulations_on_a_dask_cluster_equal_the_local_run(
    local: dict[str, dict[str, object]],
) -> None:
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as cluster:
        spec = ComputeSpec(backend="dask", address=cluster.scheduler_address)
        on_cluster = run_tasks(compute_tasks.tiny_simulation, TASKS, seed=21, compute=spec)
        caps = run_tasks(compute_tasks.thread_caps, {"a": {}, "b": {}}, compute=spec)
    assert on_cluster == local
    assert len({r["seed"] for r in local.values()}) == 8
    # on a cluster a task gets one thread unless threads_per_task says otherwise
    assert {c["task_threads"] for c in caps.values()} == {1}


def test_without_an_address_a_local_cluster_is_started_with_capped_threads() -> None:
    spec = ComputeSpec(backend="dask", n_jobs=2, threads_per_task=1)
    caps = run_tasks(compute_tasks.thread_caps, {"a": {}, "b": {}, "c": {}}, compute=spec)
    assert list(caps) == ["a", "b", "c"]
    for cap in caps.values():  # worker processes started for the run: polars capped at import
        assert (cap["task_threads"], cap["polars"]) == (1, 1)
        assert cap["env"] == {"POLARS_MAX_THREADS": "1", "OMP_NUM_THREADS": "1"}
