"""Run independent tasks on joblib (local processes), Dask or Ray: one place for fan-out.

:func:`run_tasks` takes a function and named tasks (keyword arguments per task key) and
returns each task's result under its key, in the order given, whatever the backend. When a
root seed is given every task gets its own ``seed`` from :func:`~earlysignal.compute.task_seed`
(root seed, task key), so results do not depend on the backend, the number of workers or the
order tasks finish in.

The engines do the scheduling (joblib's loky executor, ``dask.distributed``'s ``Client.map``,
Ray tasks); nothing here is a scheduler. Each task is shipped as a cloudpickle payload that the
worker opens only after it has capped its threads, so a worker process that has not yet imported
polars, numba, numpy or LightGBM starts them with ``threads_per_task`` threads
(``POLARS_MAX_THREADS``, ``NUMBA_NUM_THREADS``, ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``,
``MKL_NUM_THREADS``); libraries already loaded are capped with threadpoolctl (BLAS, OpenMP) and
``numba.set_num_threads``; a task passes :func:`task_threads` to LightGBM's ``n_jobs``.

Nothing phones home: Dask's local cluster listens on 127.0.0.1 without a dashboard, Ray is
started with usage statistics off (``RAY_USAGE_STATS_ENABLED=0``), no dashboard, on 127.0.0.1,
and without re-running ``uv`` in its workers (``RAY_ENABLE_UV_RUN_RUNTIME_ENV=0``).

Examples
--------
>>> def square(x, seed):
...     return x * x, seed
>>> out = run_tasks(square, {"a": {"x": 2}, "b": {"x": 3}}, seed=1)
>>> [v[0] for v in out.values()], out["a"][1] == task_seed(1, "a")
([4, 9], True)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any, TypeVar

from earlysignal.compute.seeds import task_seed
from earlysignal.compute.spec import ComputeError, ComputeSpec

__all__ = ["THREAD_ENV", "run_tasks", "task_threads"]

R = TypeVar("R")

THREAD_ENV: dict[str, tuple[str, ...]] = {
    "POLARS_MAX_THREADS": ("polars",),
    "NUMBA_NUM_THREADS": ("numba",),
    "OMP_NUM_THREADS": ("lightgbm", "sklearn"),
    "OPENBLAS_NUM_THREADS": ("numpy",),
    "MKL_NUM_THREADS": ("numpy",),
}
"""Thread variables set in a worker before the listed modules are first imported there."""

CONNECT_TIMEOUT = "20s"
"""How long a Dask client waits for the scheduler at ``compute.address`` to answer."""

_TASK_THREADS: ContextVar[int | None] = ContextVar("earlysignal_task_threads", default=None)


def task_threads(default: int | None = None) -> int:
    """Threads the running task may use (pass it to LightGBM's ``n_jobs``).

    Inside a task that :func:`run_tasks` sent to a worker: the spec's ``threads_per_task``.
    Elsewhere (and for tasks run in this process with ``n_jobs = 1``): ``default``, or the
    machine's cores when ``default`` is ``None``.

    Examples
    --------
    >>> task_threads(2)
    2
    """
    cap = _TASK_THREADS.get()
    if cap is not None:
        return cap
    return default if default is not None else (os.cpu_count() or 1)


def run_tasks(
    fn: Callable[..., R],
    tasks: Mapping[str, Mapping[str, Any]],
    *,
    compute: ComputeSpec | None = None,
    seed: int | None = None,
) -> dict[str, R]:
    """Run ``fn(**kwargs)`` for every task, on the configured engine.

    Parameters
    ----------
    fn
        A function importable by the workers (defined at module level) returning picklable
        data. With ``seed`` it must accept a ``seed`` keyword.
    tasks
        Task key -> keyword arguments. Keys name tasks stably (they derive the seeds); keep the
        arguments small (what to compute, not the data: a worker rebuilds its data).
    compute
        Backend, address, ``n_jobs`` and threads per task; default: joblib, one task at a time
        in this process. Called from inside a task that was sent to a worker, the tasks run
        one after the other in that worker (no nested pools or clusters).
    seed
        Root seed. When given, each task is called with ``seed=task_seed(seed, key)``.

    Returns
    -------
    dict
        Task key -> result, in the order of ``tasks``.

    Raises
    ------
    ComputeError
        A backend whose optional dependency is missing (``COMPUTE-EXTRA``) or a cluster
        address that does not answer (``COMPUTE-ADDRESS``).
    ValueError
        A task that already has a ``seed`` argument while a root seed is given.

    Examples
    --------
    >>> run_tasks(pow, {"x": {"base": 7, "exp": 2}})
    {'x': 49}
    """
    spec = compute or ComputeSpec()
    keys = list(tasks)
    calls: list[dict[str, Any]] = []
    for key in keys:
        kwargs = dict(tasks[key])
        if seed is not None:
            if "seed" in kwargs:
                raise ValueError(
                    f"task {key!r} already has a 'seed' argument while a root seed is given; "
                    "give one or the other"
                )
            kwargs["seed"] = task_seed(seed, key)
        calls.append(kwargs)
    if not spec.parallel or _TASK_THREADS.get() is not None:
        # a task that runs tasks of its own (a study's bootstrap inside a sweep) runs them in
        # its worker, one after the other: no pool or cluster inside a worker
        results: list[R] = [fn(**kwargs) for kwargs in calls]
    else:
        import cloudpickle

        threads = spec.threads()
        payloads = [cloudpickle.dumps((fn, kwargs)) for kwargs in calls]
        runner = {"joblib": _on_joblib, "dask": _on_dask, "ray": _on_ray}[spec.backend]
        results = runner(payloads, spec, threads)
    return dict(zip(keys, results, strict=True))


def _call(payload: bytes, threads: int) -> Any:
    """Run one task in a worker: cap threads first, then open the payload and call it."""
    for var, modules in THREAD_ENV.items():
        if not any(m in sys.modules for m in modules):
            os.environ[var] = str(threads)
    import cloudpickle
    from threadpoolctl import threadpool_limits

    fn, kwargs = cloudpickle.loads(payload)
    token = _TASK_THREADS.set(threads)
    try:
        with threadpool_limits(limits=threads):
            if "numba" in sys.modules:
                import numba

                limit: int = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
                numba.set_num_threads(min(threads, limit))
            return fn(**kwargs)
    finally:
        _TASK_THREADS.reset(token)


def _on_joblib(payloads: list[bytes], spec: ComputeSpec, threads: int) -> list[Any]:
    from joblib import Parallel, delayed, parallel_config

    # loky also caps OpenMP/BLAS/numba in its workers from the start (inner_max_num_threads)
    with parallel_config(backend="loky", inner_max_num_threads=threads):
        out = Parallel(n_jobs=spec.n_jobs)(delayed(_call)(p, threads) for p in payloads)
    return list(out)


def _missing_extra(backend: str, exc: ImportError) -> ComputeError:
    return ComputeError(
        "COMPUTE-EXTRA",
        f"backend {backend!r} needs its optional dependency ({exc.name or exc}); install it "
        f"with `uv sync --extra {backend}` or `pip install 'earlysignal[{backend}]'`, or use "
        "backend 'joblib'",
    )


def _on_dask(payloads: list[bytes], spec: ComputeSpec, threads: int) -> list[Any]:
    import importlib
    import logging

    try:
        dd: Any = importlib.import_module("distributed")
    except ImportError as exc:
        raise _missing_extra("dask", exc) from None

    cluster: Any = None
    if spec.address is not None:
        try:
            client = dd.Client(spec.address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ComputeError(
                "COMPUTE-ADDRESS",
                f"no Dask scheduler answered at {spec.address!r} ({exc}); start it "
                "(`dask scheduler`) or fix compute.address / --address",
            ) from None
    else:
        cluster = dd.LocalCluster(
            n_workers=spec.n_jobs,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = dd.Client(cluster, set_as_default=False)
    try:
        futures = client.map(_call, payloads, threads=threads, pure=False)
        return list(client.gather(futures))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _on_ray(payloads: list[bytes], spec: ComputeSpec, threads: int) -> list[Any]:
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"  # never send usage statistics
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")  # workers use this interpreter
    try:
        import ray
    except ImportError as exc:
        raise _missing_extra("ray", exc) from None
    if os.environ["RAY_ENABLE_UV_RUN_RUNTIME_ENV"] == "0":
        # Ray reads this flag when it is first imported; if ray was imported before the
        # variable was set, its workers would be started with `uv run` in a copy of the
        # project (a new environment, built from the network, without ray): turn it off too
        from ray._private import ray_constants

        ray_constants.RAY_ENABLE_UV_RUN_RUNTIME_ENV = False
    started = False
    if not ray.is_initialized():
        try:
            if spec.address is not None:
                ray.init(address=spec.address, log_to_driver=False)
            else:
                ray.init(
                    num_cpus=spec.n_jobs * threads,
                    include_dashboard=False,
                    _node_ip_address="127.0.0.1",
                    log_to_driver=False,
                    configure_logging=False,
                )
        except ConnectionError as exc:
            raise ComputeError(
                "COMPUTE-ADDRESS",
                f"no Ray cluster answered at {spec.address!r} ({exc}); start it "
                "(`ray start --head`) or fix compute.address / --address",
            ) from None
        started = True
    remote = ray.remote(num_cpus=threads)(_call)
    try:
        return list(ray.get([remote.remote(p, threads) for p in payloads]))
    finally:
        if started:
            ray.shutdown()
