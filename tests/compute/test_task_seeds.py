"""Seeds per task come from (root seed, task key) with SeedSequence, never from order."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from earlysignal.compute import ComputeSpec, run_tasks, task_seed


def _echo(seed: int, name: str) -> tuple[str, int]:
    return name, seed


@given(
    root=st.integers(0, 2**40),
    keys=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=8, unique=True),
)
def test_a_tasks_seed_depends_on_root_and_key_only(root: int, keys: list[str]) -> None:
    forward = run_tasks(_echo, {k: {"name": k} for k in keys}, seed=root)
    backward = run_tasks(_echo, {k: {"name": k} for k in reversed(keys)}, seed=root)
    alone = {k: run_tasks(_echo, {k: {"name": k}}, seed=root)[k] for k in keys}
    assert forward == backward == alone
    assert list(forward) == keys  # results come back in the order given
    assert all(0 <= s < 2**31 for _, s in forward.values())


def test_seeds_follow_numpy_seed_sequence() -> None:
    import hashlib

    digest = hashlib.sha256(b"sim-3").digest()
    words = tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))
    expected = np.random.SeedSequence(11, spawn_key=words).generate_state(1, np.uint32)[0]
    assert task_seed(11, "sim-3") == int(expected) & 0x7FFFFFFF
    assert len({task_seed(11, f"sim-{i}") for i in range(200)}) == 200


def test_a_task_with_its_own_seed_and_a_root_seed_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError, match="already has a 'seed'"):
        run_tasks(_echo, {"a": {"name": "a", "seed": 1}}, seed=2, compute=ComputeSpec())
