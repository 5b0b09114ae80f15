"""Fan-out: independent tasks on local processes (joblib), Dask or Ray, with per-task seeds.

One place in the library runs repeated, independent work (a simulation, a study in a sweep, a
model fit): :func:`run_tasks`, configured by a :class:`ComputeSpec` (``[compute]`` in an
experiment config, ``--backend``/``--address``/``--n-jobs`` on commands). Seeds come from
(root seed, task key) (:func:`task_seed`), so results are the same on every backend. See
docs/scaling.md.

Examples
--------
>>> run_tasks(pow, {"2^3": {"base": 2, "exp": 3}}, compute=ComputeSpec(n_jobs=1))
{'2^3': 8}
"""

from __future__ import annotations

from earlysignal.compute.run import THREAD_ENV, run_tasks, task_threads
from earlysignal.compute.seeds import task_seed
from earlysignal.compute.spec import BACKENDS, Backend, ComputeError, ComputeSpec

__all__ = [
    "BACKENDS",
    "THREAD_ENV",
    "Backend",
    "ComputeError",
    "ComputeSpec",
    "run_tasks",
    "task_seed",
    "task_threads",
]
