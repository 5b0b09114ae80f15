"""Checks of the personas: agreement across two samples, recovery of planted groups.

* :func:`stability`: personas fitted on two histories (two simulator seeds, or two halves of
  one register) are compared on the second history's complete sequences: each child gets the
  nearest medoid of either model, and the adjusted Rand index (ARI) of the two labellings says
  how far the types agree (1 = the same partition, about 0 = chance).
* :func:`recovery`: the ARI between the personas and known groups.

Examples
--------
>>> recovery(["a", "a", "b", "b"], [1, 1, 0, 0])
1.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from earlysignal.personas.cluster import PersonaModel
from earlysignal.personas.sequences import SequenceSet

__all__ = ["recovery", "stability"]


def recovery(truth: Sequence[str], labels: Sequence[int] | np.ndarray) -> float:
    """Adjusted Rand index between known groups and persona labels."""
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(list(truth), list(labels)))


def stability(model_a: PersonaModel, model_b: PersonaModel, seqs: SequenceSet) -> float:
    """ARI of the two models' nearest-medoid labels on the complete sequences of ``seqs``."""
    from sklearn.metrics import adjusted_rand_score

    full = seqs.take(seqs.complete)
    la = model_a.distances(full).argmin(axis=1)
    lb = model_b.distances(full).argmin(axis=1)
    return float(adjusted_rand_score(la, lb))
