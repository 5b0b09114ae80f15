"""The same tasks on a local Ray runtime (127.0.0.1, 2 CPUs) equal the local run (needs ray)."""

from __future__ import annotations

import os

import compute_tasks
import pytest

from earlysignal.compute import ComputeSpec, run_tasks

# before ray is imported: no usage statistics, workers on this interpreter (not `uv run`)
os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
# a loaded 2-core machine can take over the default 30 s to start Ray's agent
os.environ.setdefault("RAY_agent_register_timeout_ms", "300000")
ray = pytest.importorskip("ray", reason="the optional extra 'ray' is not installed")

pytestmark = pytest.mark.slow

TASKS = {f"sim-{i}": {"children": 120, "years": 4} for i in range(4)}


def test_tasks_on_a_local_ray_runtime_equal_the_local_run() -> None:
    local = run_tasks(compute_tasks.tiny_simulation, TASKS, seed=21)
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        object_store_memory=100 * 1024**2,
        log_to_driver=False,
    )
    try:
        spec = ComputeSpec(backend="ray", threads_per_task=1)
        on_ray = run_tasks(compute_tasks.tiny_simulation, TASKS, seed=21, compute=spec)
        caps = run_tasks(compute_tasks.thread_caps, {"a": {}}, compute=spec)
    finally:
        ray.shutdown()
    assert on_ray == local
    assert caps["a"]["task_threads"] == 1
