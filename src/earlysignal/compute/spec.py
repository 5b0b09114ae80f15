"""What runs independent tasks: the backend, where it is, how many at once (a frozen spec).

A :class:`ComputeSpec` is data only; :func:`earlysignal.compute.run_tasks` does the work. It is
what ``[compute]`` in an experiment config and ``--backend``/``--address``/``--n-jobs`` on the
commands that repeat work turn into.

Examples
--------
>>> ComputeSpec().backend, ComputeSpec().n_jobs
('joblib', 1)
>>> ComputeSpec(n_jobs=2).threads(cores=2)
1
>>> try:
...     ComputeSpec(backend="spark")
... except ComputeError as err:
...     print(err.rule)
COMPUTE-BACKEND
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal, get_args

__all__ = ["BACKENDS", "Backend", "ComputeError", "ComputeSpec"]

Backend = Literal["joblib", "dask", "ray"]
BACKENDS: tuple[str, ...] = get_args(Backend)
"""The engines tasks can run on: local processes (joblib/loky), Dask, Ray."""


class ComputeError(ValueError):
    """A compute setting that cannot be used: names the rule, the value received and the fix.

    Attributes
    ----------
    rule
        The rule id (``COMPUTE-BACKEND``, ``COMPUTE-N-JOBS``, ``COMPUTE-THREADS``,
        ``COMPUTE-ADDRESS``, ``COMPUTE-EXTRA``).
    """

    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        super().__init__(f"[{rule}] {message}")


@dataclass(frozen=True)
class ComputeSpec:
    """Where and how wide independent tasks run.

    Parameters
    ----------
    backend
        ``"joblib"`` (default: local processes with loky; ``n_jobs = 1`` runs the tasks one
        after the other in this process), ``"dask"`` (``dask.distributed``) or ``"ray"``.
        Dask and Ray are optional extras (``earlysignal[dask]``, ``earlysignal[ray]``).
    address
        The cluster to use: a Dask scheduler (``tcp://host:8786``) or a Ray cluster
        (``auto``, ``ray://host:10001``). ``None`` starts a local cluster of ``n_jobs`` workers
        on 127.0.0.1 for the run (or uses a Ray runtime already started in this process).
        Not allowed with ``joblib``.
    n_jobs
        Tasks at once on the local machine (joblib workers, local Dask workers, local Ray
        CPUs). With an ``address`` the cluster's own workers decide.
    threads_per_task
        Threads each task may use (LightGBM, polars, numba, BLAS/OpenMP). ``None``: the
        machine's cores divided by ``n_jobs`` for local runs, 1 on a cluster.
    """

    backend: Backend = "joblib"
    address: str | None = None
    n_jobs: int = 1
    threads_per_task: int | None = None

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ComputeError(
                "COMPUTE-BACKEND",
                f"backend {self.backend!r} is not known; use one of {', '.join(BACKENDS)}",
            )
        if not isinstance(self.n_jobs, int) or self.n_jobs < 1:
            raise ComputeError(
                "COMPUTE-N-JOBS", f"n_jobs = {self.n_jobs!r}; give a whole number of 1 or more"
            )
        if self.threads_per_task is not None and self.threads_per_task < 1:
            raise ComputeError(
                "COMPUTE-THREADS",
                f"threads_per_task = {self.threads_per_task!r}; give 1 or more, or leave it unset",
            )
        if self.address is not None and self.backend == "joblib":
            raise ComputeError(
                "COMPUTE-ADDRESS",
                f"address = {self.address!r} needs backend 'dask' or 'ray' (joblib runs on "
                "this machine only); remove the address or choose a cluster backend",
            )

    def threads(self, cores: int | None = None) -> int:
        """Threads per task: ``threads_per_task``, else cores // n_jobs locally, 1 on a cluster.

        Examples
        --------
        >>> ComputeSpec(n_jobs=3).threads(cores=8)
        2
        >>> ComputeSpec(backend="dask", address="tcp://10.0.0.1:8786").threads(cores=8)
        1
        """
        if self.threads_per_task is not None:
            return self.threads_per_task
        if self.address is not None:
            return 1
        cores = cores if cores is not None else (os.cpu_count() or 1)
        return max(1, cores // self.n_jobs)

    @property
    def parallel(self) -> bool:
        """Whether tasks leave this process (any cluster, or joblib with ``n_jobs > 1``).

        Examples
        --------
        >>> ComputeSpec().parallel, ComputeSpec(n_jobs=2).parallel
        (False, True)
        """
        return self.backend != "joblib" or self.n_jobs > 1
