"""The provider pool: shared state of a simulation, drawn once.

Pool providers (foster care services, family homes, residential and secure providers) each
have a hidden effect on the hazard of an unplanned ending. A one-shot :func:`simulate` draws
its pool from its own seed; the simulator in blocks (:mod:`earlysignal.synth.blocks`) draws one
pool for the whole cohort with :meth:`ProviderPool.draw` and passes it to every block, so
children of different blocks meet the same providers.

Examples
--------
>>> pool = ProviderPool.draw(1_000, seed=0)
>>> int(pool.pool_size.sum()) == pool.prov_eff.size
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from earlysignal.synth.params import SimParams

__all__ = ["POOL_SHARES", "ProviderPool", "pool_size_for"]

POOL_SHARES = (0.0, 0.55, 0.15, 0.2, 0.03, 0.05, 0.0, 0.02)
"""Share of the pool's providers per setting (index of ``SETTINGS``; kinship has none)."""


def pool_size_for(n_candidates: int, per_provider: int = 25) -> int:
    """Providers in the pool for ``n_candidates`` children (one per ``per_provider``, at least 40).

    ``per_provider`` is ``SimParams.candidates_per_provider`` (25 by default).
    """
    return max(40, n_candidates // max(1, per_provider))


@dataclass(frozen=True)
class ProviderPool:
    """Provider effects (log hazard ratios) and each setting's slice of the pool."""

    prov_eff: npt.NDArray[np.float64]
    pool_start: npt.NDArray[np.int64]
    pool_size: npt.NDArray[np.int64]

    @classmethod
    def sizes(cls, n_pool: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Providers per setting and the first index of each setting's slice."""
        size = np.maximum(1, np.round(np.array(POOL_SHARES) * n_pool)).astype(np.int64)
        start = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64)
        return size, start

    @classmethod
    def from_rng(
        cls, n_pool: int, rng: np.random.Generator, params: SimParams | None = None
    ) -> ProviderPool:
        """Draw the effects from ``rng`` (the one-shot simulator's order of draws)."""
        p = params or SimParams()
        size, start = cls.sizes(n_pool)
        eff = rng.normal(0.0, p.provider_effect_sd, int(size.sum()))
        return cls(prov_eff=eff, pool_start=start, pool_size=size)

    @classmethod
    def draw(cls, n_candidates: int, seed: int, params: SimParams | None = None) -> ProviderPool:
        """A pool for a cohort of about ``n_candidates`` candidates, from its own seed stream."""
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 7])))
        per = (params or SimParams()).candidates_per_provider
        return cls.from_rng(pool_size_for(n_candidates, per), rng, params)
