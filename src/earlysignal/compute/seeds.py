"""Seeds per task from (root seed, task key), never from worker order.

A task's seed comes from :class:`numpy.random.SeedSequence` with the root seed as entropy and
the task key (a string, hashed with SHA-256) as spawn key, so the same study gives every task
the same seed whatever the backend, the number of workers or the order tasks finish in, and
adding a task never changes another task's seed.

Examples
--------
>>> task_seed(7, "sim-0") == task_seed(7, "sim-0")
True
>>> task_seed(7, "sim-0") != task_seed(7, "sim-1") != task_seed(8, "sim-0")
True
>>> 0 <= task_seed(7, "sim-0") < 2**31
True
"""

from __future__ import annotations

import hashlib

__all__ = ["task_seed"]


def task_seed(root: int, key: str) -> int:
    """The seed of the task named ``key`` in a study seeded with ``root``.

    Parameters
    ----------
    root
        The study's seed (a non-negative integer).
    key
        The task's stable name (e.g. ``"children=2000/multiplier=1.5/sim=3"``).

    Returns
    -------
    int
        A seed in ``[0, 2**31)``, accepted by numpy, the simulator and LightGBM alike.

    Examples
    --------
    >>> task_seed(0, "a")
    1364770929
    """
    import numpy as np

    if root < 0:
        raise ValueError(f"root seed {root} is negative; give a seed of 0 or more")
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    words = tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))
    state = np.random.SeedSequence(entropy=root, spawn_key=words).generate_state(1, np.uint32)
    return int(state[0]) & 0x7FFFFFFF
