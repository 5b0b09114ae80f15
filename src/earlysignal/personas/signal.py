"""Persona membership *as of t*: a candidate signal built from the history before t only.

For each prediction time ``t`` of a child, the child's monthly sequence is rebuilt from facts
strictly before ``t`` (:func:`~earlysignal.personas.sequences.monthly_states` with ``as_of``:
only months whose last day is before ``t``), and the nearest medoid on those months is the
persona (``-1`` when fewer than ``min_months`` months are known, or the child was never in
care before ``t``). The medoids come from a fitted :class:`~earlysignal.personas.cluster.
PersonaModel`; fit it on the training period only when the membership feeds a model.

Examples
--------
>>> from datetime import date
>>> import polars as pl
>>> from earlysignal.personas.planted import planted_history
>>> from earlysignal.personas.cluster import fit_personas
>>> from earlysignal.personas.sequences import monthly_states
>>> from earlysignal.personas.spec import PersonaSpec
>>> h, _ = planted_history(60, seed=1)
>>> spec = PersonaSpec(window=12, k=3)
>>> model = fit_personas(monthly_states(h, spec), spec)
>>> times = pl.DataFrame({"child_id": ["C000000"], "t": [date(2022, 1, 1)]})
>>> membership_as_of(model, h, times).columns
['child_id', 't', 'persona', 'persona_months']
"""

from __future__ import annotations

import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.personas.cluster import PersonaModel, assign
from earlysignal.personas.sequences import monthly_states

__all__ = ["membership_as_of"]


def membership_as_of(
    model: PersonaModel, history: CareHistory, times: pl.DataFrame, *, min_months: int = 3
) -> pl.DataFrame:
    """Persona (1-based; null when none) of each ``(child_id, t)`` from facts before ``t``.

    Returns
    -------
    polars.DataFrame
        ``child_id``, ``t``, ``persona`` (Int64, null: no persona yet), ``persona_months``
        (months the assignment rests on).
    """
    parts = []
    for (t,), group in times.select("child_id", "t").unique().group_by(["t"]):
        ids = group["child_id"].to_list()
        seqs = monthly_states(history.subset(ids), model.spec, as_of=t)
        labels, _ = assign(model, seqs, min_months=min_months)
        parts.append(
            pl.DataFrame(
                {
                    "child_id": seqs.child_id.tolist(),
                    "t": [t] * len(seqs),
                    "persona": [int(v) + 1 if v >= 0 else None for v in labels],
                    "persona_months": seqs.length.tolist(),
                },
                schema={
                    "child_id": pl.String,
                    "t": pl.Date,
                    "persona": pl.Int64,
                    "persona_months": pl.Int64,
                },
            )
        )
    found = pl.concat(parts) if parts else None
    out = times.select("child_id", "t")
    if found is None:
        return out.with_columns(persona=pl.lit(None, pl.Int64), persona_months=pl.lit(0, pl.Int64))
    return out.join(found, on=["child_id", "t"], how="left").with_columns(
        pl.col("persona_months").fill_null(0)
    )
