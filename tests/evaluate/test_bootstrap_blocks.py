"""The bootstrap in blocks: block b's draws come from (seed, b), never from worker order."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.compute import ComputeSpec, run_tasks, task_seed
from earlysignal.evaluate import (
    BOOTSTRAP_BLOCK,
    bootstrap_block_key,
    bootstrap_blocks,
    cluster_bootstrap_weights,
    evaluate,
)
from earlysignal.evaluate.core import _block_weights


def _cohort(n_children: int = 300, per_child: int = 2, seed: int = 0):
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_children), per_child)
    truth = rng.uniform(0.03, 0.6, groups.size)
    y = (rng.random(groups.size) < truth).astype(int)
    noisy = np.clip(truth + rng.normal(0, 0.1, groups.size), 0.01, 0.99)
    return y, noisy, truth, groups


@settings(max_examples=25)
@given(
    n_boot=st.integers(1, 3 * BOOTSTRAP_BLOCK + 7),
    seed=st.integers(0, 2**31),
    max_cells=st.integers(1, 400),
)
def test_block_b_is_drawn_from_its_own_seed(n_boot: int, seed: int, max_cells: int) -> None:
    groups = np.array(["a", "b", "b", "c", "d", "d", "d"])
    w = np.vstack(list(cluster_bootstrap_weights(groups, n_boot, seed=seed, max_cells=max_cells)))
    assert w.shape == (n_boot, groups.size)
    _, inverse = np.unique(groups, return_inverse=True)
    start = 0
    for b, size in enumerate(bootstrap_blocks(n_boot)):
        # each block alone, from its task seed: no state carried over from earlier blocks
        alone = np.vstack(
            list(_block_weights(inverse, 4, size, task_seed(seed, bootstrap_block_key(b)), 10**6))
        )
        np.testing.assert_array_equal(w[start : start + size], alone)
        start += size
    # a longer bootstrap starts with the same replicates (the chunking does not matter either)
    longer = np.vstack(list(cluster_bootstrap_weights(groups, n_boot + BOOTSTRAP_BLOCK, seed=seed)))
    np.testing.assert_array_equal(longer[:n_boot], w)


def _draw(size: int, seed: int) -> np.ndarray:
    _, inverse = np.unique(np.arange(20) // 2, return_inverse=True)
    return np.vstack(list(_block_weights(inverse, 10, size, seed, 10**6)))


def test_block_tasks_in_any_order_give_the_same_draws() -> None:
    """Would fail if a block's seed came from the order tasks are given or run in."""
    sizes = bootstrap_blocks(170)
    tasks = {bootstrap_block_key(b): {"size": s} for b, s in enumerate(sizes)}
    forward = run_tasks(_draw, tasks, seed=9)
    backward = run_tasks(_draw, dict(reversed(list(tasks.items()))), seed=9)
    assert all(np.array_equal(forward[k], backward[k]) for k in tasks)
    direct = np.vstack(list(cluster_bootstrap_weights(np.arange(20) // 2, 170, seed=9)))
    np.testing.assert_array_equal(np.vstack(list(forward.values())), direct)


def test_intervals_are_the_same_with_one_or_two_workers() -> None:
    y, p, truth, groups = _cohort()
    kwargs = {
        "model": "m",
        "oracle": truth,
        "baselines": {"flat": np.full(y.size, y.mean()), "copy": p.copy()},
        "n_boot": 2 * BOOTSTRAP_BLOCK + 10,
        "seed": 4,
        "capacity": (0.1,),
    }
    local = evaluate(y, p, groups, **kwargs)
    spread = evaluate(y, p, groups, compute=ComputeSpec(n_jobs=2), **kwargs)
    assert local.equals(spread)
    # paired comparisons stay paired: every block scores all models on the same draws, so the
    # model minus its own copy is exactly 0 in every replicate
    gaps = local.filter(pl.col("model") == "m - copy", pl.col("lower").is_not_null())
    assert gaps.height > 20
    assert (gaps["lower"] == 0).all() and (gaps["upper"] == 0).all()
    assert local.filter(pl.col("lower").is_not_null()).height > 50
