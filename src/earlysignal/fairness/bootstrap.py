"""The audit's child-clustered bootstrap, in blocks that run as compute tasks.

The draws are :func:`earlysignal.evaluate.cluster_bootstrap_weights`'s: blocks of
:data:`~earlysignal.evaluate.core.BOOTSTRAP_BLOCK` replicates, block ``b`` drawn from
``task_seed(seed, "bootstrap-block=b")``, so the audit's overall row rests on the same draws
as ``evaluate`` and the intervals are the same on every backend and with any ``n_jobs``. Each
block computes every group's metrics and the calibration-gap sums for its replicates (with one
BLAS thread, so that a block gives the same digits in any worker); the blocks are concatenated
in block order.

Examples
--------
>>> import numpy as np
>>> y = np.array([0.0, 1.0, 0.0, 1.0]); p = np.array([0.2, 0.7, 0.4, 0.6])
>>> everyone = (np.ones(4, dtype=bool), np.zeros(4, dtype=np.int64))
>>> boot = audit_bootstrap(np.array(["a", "a", "b", "c"]), y, p, y, [everyone], n_boot=60, seed=0)
>>> boot.groups[0][0]["base_rate"].shape, boot.total_observed.shape
((60,), (60,))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from earlysignal.evaluate.core import bootstrap_block_key, bootstrap_blocks

if TYPE_CHECKING:
    from earlysignal.compute.spec import ComputeSpec

__all__ = ["AuditBootstrap", "audit_bootstrap"]

GroupBoot = tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]
"""One group's replicates: its metrics, and its observed and expected sums (for the gap test)."""


@dataclass(frozen=True)
class AuditBootstrap:
    """Replicates of every group, in the order the groups were given.

    Attributes
    ----------
    groups
        Per group: metric -> one value per replicate, and the group's observed (``w @ y``) and
        expected (``w @ p``) sums per replicate.
    total_observed, total_expected
        The same sums over every row.
    """

    groups: list[GroupBoot]
    total_observed: np.ndarray
    total_expected: np.ndarray


def _audit_block(
    *,
    inverse: np.ndarray,
    n_groups: int,
    size: int,
    seed: int,
    y: np.ndarray,
    p: np.ndarray,
    f: np.ndarray,
    groups: Sequence[tuple[np.ndarray, np.ndarray]],
) -> AuditBootstrap:
    """One block of replicates (a compute task): every group's metrics and gap sums."""
    from threadpoolctl import threadpool_limits

    from earlysignal.fairness.group_metrics import _metrics_w

    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n_groups, np.full(n_groups, 1.0 / n_groups), size=size)
    w = counts[:, inverse].astype(np.float64)
    with threadpool_limits(limits=1, user_api="blas"):
        out: list[GroupBoot] = []
        for mask, bins in groups:
            wg, yg, pg = w[:, mask], y[mask], p[mask]
            out.append((_metrics_w(yg, pg, f[mask], wg, bins), wg @ yg, wg @ pg))
        return AuditBootstrap(out, w @ y, w @ p)


def audit_bootstrap(
    ids: np.ndarray,
    y: np.ndarray,
    p: np.ndarray,
    f: np.ndarray,
    groups: Sequence[tuple[np.ndarray, np.ndarray]],
    *,
    n_boot: int,
    seed: int,
    compute: ComputeSpec | None = None,
) -> AuditBootstrap:
    """The audit's bootstrap: ``n_boot`` replicates clustered by ``ids``, in blocks as tasks.

    Parameters
    ----------
    ids
        The cluster (child) of each row.
    y, p, f
        Labels, risks and flags (0/1) per row.
    groups
        Per group: its row mask and the equal-mass bin of each of its rows (for the ECE).
    n_boot
        Replicates (0: empty arrays).
    seed
        The bootstrap's root seed.
    compute
        Where the blocks run (default: one after the other in this process).

    Returns
    -------
    AuditBootstrap
    """
    from earlysignal.compute.run import run_tasks

    _, inverse = np.unique(np.asarray(ids), return_inverse=True)
    inverse = inverse.ravel()
    common: dict[str, Any] = {
        "inverse": inverse,
        "n_groups": int(inverse.max()) + 1 if inverse.size else 0,
        "y": y,
        "p": p,
        "f": f,
        "groups": list(groups),
    }
    sizes = bootstrap_blocks(n_boot)
    if not sizes:
        return _audit_block(size=0, seed=seed, **common)
    tasks = {bootstrap_block_key(b): {"size": size, **common} for b, size in enumerate(sizes)}
    blocks = list(run_tasks(_audit_block, tasks, compute=compute, seed=seed).values())
    merged: list[GroupBoot] = []
    for g in range(len(common["groups"])):
        parts = [blk.groups[g] for blk in blocks]
        metrics = {m: np.concatenate([pt[0][m] for pt in parts]) for m in parts[0][0]}
        merged.append(
            (
                metrics,
                np.concatenate([pt[1] for pt in parts]),
                np.concatenate([pt[2] for pt in parts]),
            )
        )
    return AuditBootstrap(
        merged,
        np.concatenate([blk.total_observed for blk in blocks]),
        np.concatenate([blk.total_expected for blk in blocks]),
    )
