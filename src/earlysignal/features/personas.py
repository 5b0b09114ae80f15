"""Persona membership as a feature: the fit on the training period and the 0/1 columns.

:class:`~earlysignal.features.specs.PersonaMembership` says what to compute; this module
computes it with :mod:`earlysignal.personas` (the layer below):

* **Fit** (:func:`fit_membership`): the monthly pathways known before ``spec.fit_before`` (the
  training period's end: ``monthly_states(history, as_of=fit_before)``, months ending before
  it, placements starting before it, an ending only when before it) are clustered by PAM/CLARA
  into ``spec.k`` personas, on the children whose whole ``window`` is observed by then. Children
  who enter care later, and anything dated on or after ``fit_before``, never shape the medoids.
  The medoids are real children's pathways: they stay in memory and are never written; what is
  recorded with a run is :meth:`PersonaFit.summary` (sizes, quality, a SHA-256 ``digest`` of
  the medoids and costs), and the spec carries the digest so that scoring, which refits from
  the data it is given, stops with rule ``PERSONA-FIT`` when its refit differs.
* **Columns** (:func:`persona_columns`): for each prediction time, the child's pathway built
  from facts strictly before the cutoff is assigned to the nearest medoid on the months it has
  (:func:`earlysignal.personas.signal.membership_as_of`), one 0/1 column per persona, all 0
  with fewer than ``spec.min_months`` months.

The fit is the costly part (seconds on 20,000 children); the last fit is kept (one slot, keyed
by the history object and the spec without its digest), so that the runner's fit and
``build_features`` on the same history fit once.

Examples
--------
>>> from datetime import date
>>> from earlysignal.personas.planted import planted_history
>>> from earlysignal.features.specs import PersonaFeatureError, PersonaMembership
>>> h, _ = planted_history(80, seed=1)
>>> fit = fit_membership(h, PersonaMembership(fit_before=date(2022, 1, 1), window=12, k=3))
>>> s = fit.summary()
>>> s["k"], s["window_months"], s["fit_before"], len(s["digest"])
(3, 12, '2022-01-01', 64)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.features.specs import PersonaFeatureError, PersonaMembership
from earlysignal.personas.cluster import PersonaModel, assign, fit_personas
from earlysignal.personas.sequences import monthly_states
from earlysignal.personas.spec import PersonaSpec

__all__ = [
    "PersonaFeatureError",
    "PersonaFit",
    "fit_membership",
    "persona_columns",
    "persona_feature",
]


@dataclass(frozen=True)
class PersonaFit:
    """Fitted personas for :class:`PersonaMembership` (medoids in memory only)."""

    spec: PersonaMembership
    model: PersonaModel
    digest: str
    n_children: int

    def summary(self) -> dict[str, Any]:
        """What a run records: no pathway of any child, only the fit's settings and quality.

        Returns
        -------
        dict
            ``fit_before``, ``window_months``, ``k``, ``min_months``, ``distance``,
            ``children_clustered`` (complete windows before ``fit_before``), ``asw`` (average
            silhouette width on the first clustering sample), ``digest``, ``columns``.
        """
        quality = [q for q in self.model.quality if q.get("chosen")]
        return {
            "fit_before": self.spec.fit_before.isoformat(),
            "window_months": self.spec.window,
            "k": self.spec.k,
            "min_months": self.spec.min_months,
            "distance": self.spec.distance,
            "children_clustered": self.n_children,
            "asw": float(quality[0]["asw"]) if quality else None,
            "digest": self.digest,
            "columns": [o.name for o in self.spec.outputs()],
        }


def _persona_spec(spec: PersonaMembership) -> PersonaSpec:
    return PersonaSpec(
        window=spec.window,
        k=spec.k,
        k_range=(spec.k,),  # the quality of the chosen k only: no search over k
        distance=spec.distance,  # type: ignore[arg-type]
        sample_size=spec.sample_size,
        samples=spec.samples,
        seed=spec.seed,
    )


def _digest(model: PersonaModel) -> str:
    h = hashlib.sha256()
    for part in (model.medoids, model.sub, np.array([model.indel]), model.tsub):
        if part is not None:
            h.update(np.ascontiguousarray(part).tobytes())
    return h.hexdigest()


_LAST: list[tuple[CareHistory, PersonaMembership, PersonaFit]] = []


def fit_membership(history: CareHistory, spec: PersonaMembership) -> PersonaFit:
    """Fit the personas of ``spec`` on the pathways known before ``spec.fit_before``.

    Raises
    ------
    PersonaFeatureError
        ``PERSONA-DATA`` when fewer children than ``k`` (or 10) have a complete window before
        ``fit_before``; ``PERSONA-FIT`` when ``spec.digest`` is set and the refit differs.
    """
    key = replace(spec, digest=None)
    if _LAST and _LAST[0][0] is history and _LAST[0][1] == key:
        fit = _LAST[0][2]
    else:
        pspec = _persona_spec(spec)
        seqs = monthly_states(history, pspec, as_of=spec.fit_before)
        n = int(seqs.complete.sum())
        if n < max(spec.k, 10):
            raise PersonaFeatureError(
                f"PERSONA-DATA: {n} children have a complete {spec.window}-month pathway before "
                f"{spec.fit_before.isoformat()} (the training period's end); {spec.k} personas "
                f"need at least {max(spec.k, 10)}. Use a shorter window ([features] "
                "persona_window), fewer personas (persona_k), or more years of data"
            )
        model = fit_personas(seqs, pspec)
        fit = PersonaFit(key, model, _digest(model), n)
        _LAST[:] = [(history, key, fit)]
    if spec.digest is not None and spec.digest != fit.digest:
        raise PersonaFeatureError(
            f"PERSONA-FIT: the personas refitted from these data before "
            f"{spec.fit_before.isoformat()} differ from the model's (digest {fit.digest[:12]} "
            f"against {spec.digest[:12]}); persona features can be rebuilt only from data that "
            "hold the same history before that date: score with the study's own archive"
        )
    return fit


def persona_feature(
    history: CareHistory,
    *,
    fit_before: date,
    window: int = 24,
    k: int = 5,
    min_months: int = 3,
    seed: int = 0,
) -> tuple[PersonaMembership, PersonaFit]:
    """The persona spec of a study, fitted before ``fit_before``, with its digest recorded.

    What the experiment runner calls for ``[features] personas = true``: the returned spec
    carries the digest of its medoids, so a saved model's ``features.json`` pins them.

    Examples
    --------
    >>> from earlysignal.personas.planted import planted_history
    >>> h, _ = planted_history(80, seed=1)
    >>> spec, fit = persona_feature(h, fit_before=date(2022, 1, 1), window=12, k=3)
    >>> spec.digest == fit.digest, spec.name
    (True, 'persona_12m_1of3')
    """
    spec = PersonaMembership(
        fit_before=fit_before, window=window, k=k, min_months=min_months, seed=seed
    )
    fit = fit_membership(history, spec)
    return replace(spec, digest=fit.digest), fit


def persona_columns(
    spec: PersonaMembership,
    history: CareHistory,
    child_ids: pl.Series,
    cutoff: pl.Series,
) -> list[tuple[str, pl.Series]]:
    """The 0/1 persona columns for prediction rows (child id and cutoff date per row).

    Parameters
    ----------
    spec
        The feature spec.
    history
        The care history (also the one the personas are fitted on).
    child_ids, cutoff
        One value per row: the child and the first date whose facts the feature may not see
        (``t`` under the strict boundary policy).

    Returns
    -------
    list
        ``(name, series)`` per persona, Int8, in the rows' order.
    """
    fit = fit_membership(history, spec)
    persona = _persona_as_of(fit, history, child_ids, cutoff.cast(pl.Date)) + 1  # 0: none
    return [
        (o.name, pl.Series(o.name, persona == j, dtype=pl.Boolean).cast(pl.Int8))
        for j, o in enumerate(spec.outputs(), start=1)
    ]


def _persona_as_of(
    fit: PersonaFit, history: CareHistory, child_ids: pl.Series, cutoff: pl.Series
) -> npt.NDArray[np.int64]:
    """Persona index (``-1``: none) per row, from the months that end before the row's cutoff.

    The sequence known at t is a prefix of the sequence known at extraction: the state of a
    month that ends on day ``d < t`` depends only on placements with ``start <= d`` and on
    whether they ended by ``d`` (an end on or after t is after ``d``), and a move's mark only
    on its start and the previous end, both before ``d``. So the sequences are built once and
    each row keeps the months ending before its cutoff, instead of one rebuild per prediction
    date (:func:`~earlysignal.personas.signal.membership_as_of`, which
    ``tests/features/test_persona_membership.py`` checks this against, with the leakage
    properties).
    """
    seqs = monthly_states(history, fit.model.spec)
    known = pl.DataFrame(
        {
            "child_id": seqs.child_id.tolist(),
            "_row": np.arange(len(seqs), dtype=np.int64),
            "_entry": seqs.entry,
        },
        schema={"child_id": pl.String, "_row": pl.Int64, "_entry": pl.Date},
    )
    rows = pl.DataFrame({"child_id": child_ids, "_t": cutoff}).join(
        known, on="child_id", how="left", maintain_order="left"
    )
    w = seqs.window
    months = rows.select(
        pl.sum_horizontal(
            (pl.col("_entry").dt.offset_by(f"{m + 1}mo").dt.offset_by("-1d") < pl.col("_t"))
            .fill_null(False)
            .cast(pl.Int64)
            for m in range(w)
        )
    ).to_series()
    found = rows["_row"].is_not_null().to_numpy()
    at = rows["_row"].fill_null(0).to_numpy()
    length = np.where(found, np.minimum(months.to_numpy(), seqs.length[at]), 0)
    codes = seqs.codes[at].copy()
    codes[np.arange(w)[None, :] >= length[:, None]] = -1
    prefixes = replace(seqs.take(at), codes=codes, length=length.astype(np.int64))
    labels, _ = assign(fit.model, prefixes, min_months=fit.spec.min_months)
    return np.where(found, labels, -1).astype(np.int64)
