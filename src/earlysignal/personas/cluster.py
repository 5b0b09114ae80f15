"""Personas by k-medoids (PAM) on sequence distances, with a CLARA sampling path.

* **PAM** (Kaufman and Rousseeuw 1990): a greedy BUILD, then SWAP: each round makes the single
  medoid/non-medoid swap that lowers the total distance most, until none does. We wrote it
  (forty lines of numpy) because ``scikit-learn-extra`` is unmaintained and ``sequenzo`` cannot
  be imported offline (``docs/personas.md``).
* **CLARA**: with more complete sequences than ``spec.sample_size``, PAM runs on ``spec.samples``
  random samples; every complete sequence is assigned to each sample's medoids and the medoids
  with the lowest total distance win. The samples are drawn first from one generator; each
  sample's PAM and assignment is then one task of :func:`earlysignal.compute.run_tasks`
  (``compute=``), so samples can run in parallel processes with the same result.
* **Number of personas**: for each ``k`` in ``spec.k_range`` on the first sample, the average
  silhouette width (ASW), the pseudo-R2 (share of the distance discrepancy explained) and the
  point-biserial correlation (PBC) between distances and "same persona"; ``k`` with the highest
  ASW is chosen unless ``spec.k`` is set. The whole table is returned and shown.
* **Censoring**: only complete windows are clustered; a child with a partial window of at least
  ``min_months`` observed months is assigned to the nearest medoid on the months it has
  (``partial=True``); shorter ones get no persona.

Examples
--------
>>> import numpy as np
>>> d = np.array([[0, 1, 9, 9], [1, 0, 9, 9], [9, 9, 0, 1], [9, 9, 1, 0]], dtype=float)
>>> medoids, labels = pam(d, 2)
>>> labels.tolist()
[0, 0, 1, 1]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numba
import numpy as np
import numpy.typing as npt

from earlysignal.personas.distances import (
    constant_costs,
    cross,
    dhd_costs,
    pairwise,
    transition_costs,
)
from earlysignal.personas.sequences import SequenceSet
from earlysignal.personas.spec import PersonaSpec

if TYPE_CHECKING:
    from earlysignal.compute.spec import ComputeSpec

__all__ = [
    "PersonaModel",
    "assign",
    "cluster_quality",
    "fit_personas",
    "pam",
    "silhouette_width",
]

F = npt.NDArray[np.float64]
I = npt.NDArray[np.int64]  # noqa: E741


@numba.njit(cache=True, parallel=True, nogil=True)  # type: ignore[untyped-decorator]
def _swap_totals(d: F, med: I, nearest: I, first: F, second: F) -> F:  # pragma: no cover
    # totals[i, x]: total distance after swapping medoid i for candidate x
    k, n = med.shape[0], d.shape[0]
    out = np.empty((k, n))
    for x in numba.prange(n):
        for i in range(k):
            s = 0.0
            for j in range(n):
                w = second[j] if nearest[j] == i else first[j]
                dx = d[x, j]
                s += dx if dx < w else w
            out[i, x] = s
    return out


def pam(d: F, k: int, *, max_iter: int = 200) -> tuple[I, I]:
    """k-medoids by PAM (BUILD + best-improvement SWAP) on a distance matrix.

    Returns
    -------
    tuple
        Medoid row indices and each row's cluster (index into the medoids).
    """
    n = d.shape[0]
    k = min(k, n)
    medoids = [int(np.argmin(d.sum(axis=1)))]
    nearest = d[medoids[0]].copy()
    for _ in range(1, k):
        gain = np.maximum(nearest[None, :] - d, 0.0).sum(axis=1)
        gain[medoids] = -1.0
        m = int(np.argmax(gain))
        medoids.append(m)
        nearest = np.minimum(nearest, d[m])
    med = np.array(medoids, dtype=np.int64)
    for _ in range(max_iter):
        dm = d[med]  # k x n
        order = np.argsort(dm, axis=0)
        first = dm[order[0], np.arange(n)]
        second = dm[order[1], np.arange(n)] if k > 1 else np.full(n, np.inf)
        cost = float(first.sum())
        totals = _swap_totals(d, med, order[0].astype(np.int64), first, second)
        totals[:, med] = np.inf
        i, x = np.unravel_index(int(np.argmin(totals)), totals.shape)
        best_i, best_x = (int(i), int(x)) if totals[i, x] < cost - 1e-9 else (-1, -1)
        if best_i < 0:
            break
        med[best_i] = best_x
    labels = np.argmin(d[med], axis=0).astype(np.int64)
    return med, labels


def silhouette_width(d: F, labels: I) -> float:
    """Average silhouette width on a distance matrix (as scikit-learn's ``silhouette_score``).

    Written out (one matrix product) so that choosing ``k`` does not import scikit-learn's
    metrics; ``tests/personas/test_cluster.py`` checks it against scikit-learn.
    """
    _, lab = np.unique(labels, return_inverse=True)
    k = int(lab.max()) + 1
    onehot = np.zeros((d.shape[0], k))
    onehot[np.arange(d.shape[0]), lab] = 1.0
    sums = d @ onehot
    sizes = onehot.sum(axis=0)
    own = sizes[lab]
    a = np.where(own > 1, sums[np.arange(d.shape[0]), lab] / np.maximum(own - 1, 1), 0.0)
    mean_other = sums / sizes[None, :]
    mean_other[np.arange(d.shape[0]), lab] = np.inf
    b = mean_other.min(axis=1)
    denom = np.maximum(a, b)
    sil = np.where((own > 1) & (denom > 0), (b - a) / np.where(denom > 0, denom, 1.0), 0.0)
    return float(sil.mean())


def cluster_quality(d: F, labels: I) -> dict[str, float]:
    """Average silhouette width, pseudo-R2 and point-biserial correlation of a partition.

    Examples
    --------
    >>> import numpy as np
    >>> d = np.array([[0, 1, 9, 9], [1, 0, 9, 9], [9, 9, 0, 1], [9, 9, 1, 0]], dtype=float)
    >>> q = cluster_quality(d, np.array([0, 0, 1, 1]))
    >>> round(q["asw"], 3), round(q["r2"], 3)
    (0.889, 0.895)
    """
    n = d.shape[0]
    k = len(np.unique(labels))
    asw = silhouette_width(d, labels) if 1 < k < n else 0.0
    total = float(d.sum()) / (2 * n)
    within = 0.0
    for c in np.unique(labels):
        m = labels == c
        within += float(d[np.ix_(m, m)].sum()) / (2 * m.sum())
    iu = np.triu_indices(n, 1)
    same = (labels[:, None] == labels[None, :])[iu].astype(float)
    dist = d[iu]
    pbc = float(np.corrcoef(dist, -same)[0, 1]) if 0 < same.mean() < 1 and dist.std() > 0 else 0.0
    r2 = 1.0 - within / total if total > 0 else 0.0
    return {"asw": asw, "r2": float(r2), "pbc": pbc}


@dataclass(frozen=True)
class PersonaModel:
    """Fitted personas: medoids (complete sequences) and how distances are computed.

    The medoids are sequences of real children: they stay in memory for assignment and are
    never written to a report (``describe`` publishes distributions only).
    """

    spec: PersonaSpec
    medoids: npt.NDArray[np.int8]
    sub: F
    indel: float
    tsub: F | None
    quality: list[dict[str, Any]]
    k: int
    n_clustered: int

    def distances(self, seqs: SequenceSet) -> F:
        """Distance of every sequence (its observed months) to every medoid."""
        return _to_medoids(
            seqs.codes, seqs.length, self.medoids, self.spec, self.sub, self.indel, self.tsub
        )


def _to_medoids(  # noqa: PLR0917
    codes: npt.NDArray[np.int8],
    length: I | None,
    medoids: npt.NDArray[np.int8],
    spec: PersonaSpec,
    sub: F,
    indel: float,
    tsub: F | None,
) -> F:
    # identical (sequence, length) rows are computed once
    ln = np.full(codes.shape[0], codes.shape[1], np.int64) if length is None else length
    key = np.concatenate([codes.astype(np.int16), ln[:, None].astype(np.int16)], axis=1)
    uniq, inverse = np.unique(key, axis=0, return_inverse=True)
    d = cross(
        uniq[:, :-1].astype(np.int8),
        medoids,
        sub,
        method=spec.distance,
        indel=indel,
        len_a=uniq[:, -1].astype(np.int64),
        tsub=tsub,
    )
    return np.asarray(d[inverse.ravel()])


def _costs(spec: PersonaSpec, codes: npt.NDArray[np.int8]) -> tuple[F, float, F | None]:
    n_states = len(spec.alphabet)
    if spec.substitution is not None:
        idx = {s: i for i, s in enumerate(spec.alphabet)}
        sub = constant_costs(n_states, 2.0)
        for (a, b), c in spec.substitution.items():
            sub[idx[a], idx[b]] = sub[idx[b], idx[a]] = float(c)
    elif spec.distance == "lcs":
        sub = constant_costs(n_states, 2.0)
    else:
        sub = transition_costs(codes, n_states)
    indel = spec.indel if spec.indel is not None else max(float(sub.max()) / 2.0, 1.0)
    if spec.distance == "lcs":
        indel = 1.0
    tsub = dhd_costs(codes, n_states) if spec.distance == "dhd" else None
    return sub, indel, tsub


def _clara_sample(
    *,
    complete: npt.NDArray[np.int8],
    rows: I,
    d: F | None,
    k: int,
    spec: PersonaSpec,
    sub: F,
    indel: float,
    tsub: F | None,
    assign_all: bool,
) -> tuple[float, npt.NDArray[np.int8]]:
    """One CLARA sample (a compute task): PAM on the sample, then the total distance of every
    complete sequence to the sample's medoids (of the sample's own rows with one sample)."""
    if d is None:
        d = pairwise(complete[rows], sub, method=spec.distance, indel=indel, tsub=tsub)
    med, _ = pam(d, k)
    medoids = complete[rows[med]]
    dist = _to_medoids(complete, None, medoids, spec, sub, indel, tsub) if assign_all else d[:, med]
    return float(dist.min(axis=1).sum()), medoids


def fit_personas(
    seqs: SequenceSet, spec: PersonaSpec, *, compute: ComputeSpec | None = None
) -> PersonaModel:
    """Find the personas among the complete sequences of ``seqs``.

    Parameters
    ----------
    seqs
        Sequences (from :func:`~earlysignal.personas.sequences.monthly_states`).
    spec
        The analysis (window, distance, ``k`` or ``k_range``, CLARA sample size).
    compute
        Where the CLARA samples run, one task each (default: one after the other in this
        process; docs/scaling.md). The samples are drawn first, from ``spec.seed``, so the
        personas are the same on every backend and with any ``n_jobs``.

    Returns
    -------
    PersonaModel
        Medoids ordered by persona size (largest first), the quality table and costs.
    """
    complete = seqs.codes[seqs.complete]
    n = complete.shape[0]
    if n < 2:
        raise ValueError(
            f"PERSONA-DATA: {n} children have a complete {spec.window}-month window; "
            "at least 2 are needed (use a shorter --window or a longer observation period)"
        )
    sub, indel, tsub = _costs(spec, complete)
    rng = np.random.default_rng(spec.seed)
    size = min(spec.sample_size, n)
    n_samples = 1 if size == n else spec.samples
    samples = [np.sort(rng.choice(n, size, replace=False)) for _ in range(n_samples)]
    method = spec.distance
    d0 = pairwise(complete[samples[0]], sub, method=method, indel=indel, tsub=tsub)
    quality: list[dict[str, Any]] = []
    for k in spec.k_range:
        if k >= size:
            continue
        _, lab = pam(d0, k)
        quality.append({"k": k, **cluster_quality(d0, lab)})
    if spec.k is not None:
        k = spec.k
    elif quality:
        k = int(max(quality, key=lambda q: q["asw"])["k"])
    else:
        k = 1
    # each sample's PAM and the assignment of every child to its medoids is one compute task;
    # the samples were drawn above from the one generator, so the result does not depend on
    # where the tasks run
    from earlysignal.compute.run import run_tasks

    common: dict[str, Any] = {
        "complete": complete, "k": k, "spec": spec, "sub": sub, "indel": indel, "tsub": tsub,
        "assign_all": n_samples > 1,
    }  # fmt: skip
    tasks = {
        f"clara-sample={s}": {"rows": rows, "d": d0 if s == 0 else None, **common}
        for s, rows in enumerate(samples)
    }
    best: tuple[float, npt.NDArray[np.int8]] | None = None
    for cost, medoids in run_tasks(_clara_sample, tasks, compute=compute).values():
        if best is None or cost < best[0]:
            best = (cost, medoids)
    assert best is not None
    medoids = best[1]
    lab = _to_medoids(complete, None, medoids, spec, sub, indel, tsub).argmin(axis=1)
    order = np.argsort(-np.bincount(lab, minlength=k), kind="stable")
    for q in quality:
        q["chosen"] = q["k"] == k
    return PersonaModel(spec, medoids[order], sub, indel, tsub, quality, k, n)


def assign(
    model: PersonaModel, seqs: SequenceSet, *, min_months: int = 3
) -> tuple[I, npt.NDArray[np.bool_]]:
    """Nearest-medoid persona of each sequence on its observed months.

    Returns
    -------
    tuple
        Persona index per row (``-1`` when fewer than ``min_months`` months are observed) and
        whether the assignment rests on a partial window.
    """
    d = model.distances(seqs)
    lab = d.argmin(axis=1).astype(np.int64)
    lab[seqs.length < min_months] = -1
    return lab, np.asarray(seqs.length < seqs.window)
