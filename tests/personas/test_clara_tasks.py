"""CLARA's samples as compute tasks: the same personas in one process and in two workers."""

from __future__ import annotations

import numpy as np

from earlysignal.compute import ComputeSpec
from earlysignal.personas.cluster import assign, fit_personas
from earlysignal.personas.planted import planted_history
from earlysignal.personas.sequences import monthly_states
from earlysignal.personas.spec import PersonaSpec


def test_clara_samples_give_the_same_personas_with_one_or_two_workers() -> None:
    h, _ = planted_history(400, seed=11)
    spec = PersonaSpec(window=24, k=4, sample_size=60, samples=4, seed=2)
    seqs = monthly_states(h, spec)
    assert int(seqs.complete.sum()) > spec.sample_size  # the CLARA path, not one PAM
    local = fit_personas(seqs, spec)
    spread = fit_personas(seqs, spec, compute=ComputeSpec(n_jobs=2))
    np.testing.assert_array_equal(spread.medoids, local.medoids)
    assert spread.quality == local.quality
    assert (spread.k, spread.n_clustered) == (local.k, local.n_clustered)
    np.testing.assert_array_equal(assign(spread, seqs)[0], assign(local, seqs)[0])
