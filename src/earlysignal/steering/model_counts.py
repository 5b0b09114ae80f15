"""Expected counts from a trained earlysignal model instead of the case-mix model (``--model``).

A trained model (``earlysignal run``) estimates, at a prediction time ``t``, the probability of
its outcome in ``(t, t + horizon]`` from facts dated strictly before ``t``. For a steering
comparison each placement starting in the period gets one prediction time, **the day after its
start** (``t = start + 1``: what is known by the end of the start day, as for the case-mix
model), and

* its **expected** count is the model's calibrated risk at ``t`` (built with the model's own
  feature specs, as ``earlysignal score`` does);
* its **observed** count is the model's own label at ``t`` (:func:`earlysignal.outcomes.label`
  with the model's outcome, horizon, breakdown definition and ``k``), so that observed and
  expected count the same thing;
* placements whose window ``(t, t + horizon]`` runs past ``observed_until`` are **censored**
  (left out of both counts, never counted as "no"), and placements no longer in effect at
  ``t`` (ended on the day after their start or earlier) are not at risk; both are counted.

Only outcomes of a placement in effect can be compared this way (``breakdown``, ``carousel``,
``return_home``); the others are refused (``steer.model_outcome``). The observed count of a
unit is a sum of 0/1 labels, whose variance is below that of a Poisson count with the same
mean: the Poisson funnel limits are then slightly conservative.

Unlike the case-mix model, a trained model is **not** cross-fitted by unit: it was fitted once,
possibly on the very placements compared, so a unit's own children may have pulled its
expected count toward what it observed. :func:`model_expected` reports whether the model's
training period overlaps the compared placements, and the report says so beside the caveat
that the model was built to signal risk for single children, not to compare units.

Examples
--------
>>> from earlysignal.steering.model_counts import MODEL_OUTCOME
>>> MODEL_OUTCOME
'model'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.steering.spec import SteeringError

if TYPE_CHECKING:
    from earlysignal.scoring.model_ref import LoadedModel

__all__ = ["MODEL_OUTCOME", "PLACEMENT_OUTCOMES", "ModelOutcome", "model_expected", "model_outcome"]

MODEL_OUTCOME = "model"
"""Key of the comparison made with a trained model's outcome and risks."""

PLACEMENT_OUTCOMES: tuple[str, ...] = ("breakdown", "carousel", "return_home")
"""Model outcomes that a child in a placement is at risk of, and so can be compared per unit."""


@dataclass(frozen=True, slots=True)
class ModelOutcome:
    """What a trained model predicts: outcome, horizon, breakdown definition, ``k`` and label."""

    outcome: str
    horizon_days: int
    definition: str
    k: int
    label: str


def model_outcome(metadata: dict[str, Any]) -> ModelOutcome:
    """The outcome a saved model predicts, from the facts the study stored with it.

    Examples
    --------
    >>> model_outcome({"outcome": "breakdown", "horizon_days": 180,
    ...                "label": "label_breakdown_any_180d"}).definition
    'any_unplanned'
    >>> model_outcome({"outcome": "entry", "horizon_days": 180})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    earlysignal.steering.spec.SteeringError: [steer.model_outcome] ...
    """
    from earlysignal.outcomes import BREAKDOWN_DEFINITIONS, label_name

    outcome = metadata.get("outcome")
    horizon = metadata.get("horizon_days")
    if outcome not in PLACEMENT_OUTCOMES or not isinstance(horizon, int) or horizon < 1:
        raise SteeringError(
            f"[steer.model_outcome] the model predicts outcome {outcome!r} over horizon "
            f"{horizon!r} days; a steering comparison needs a model of an outcome of children "
            f"in a placement ({', '.join(PLACEMENT_OUTCOMES)}) with a horizon in days: use such "
            "a model, or leave out --model to use the case-mix model"
        )
    k = int(metadata.get("min_moves") or 2)
    stored = metadata.get("label")
    definition = "child_side"
    for d in BREAKDOWN_DEFINITIONS:
        if stored == label_name(outcome, horizon, d):
            definition = d
    return ModelOutcome(outcome, horizon, definition, k, label_name(outcome, horizon, definition))


def _children(table: pl.DataFrame, mask: np.ndarray[Any, Any]) -> list[str]:
    """The distinct children of the rows of ``table`` where ``mask`` holds (sorted ids)."""
    return sorted(table.filter(pl.Series(mask))["child_id"].cast(pl.String).unique().to_list())


def model_expected(
    history: CareHistory, table: pl.DataFrame, loaded: LoadedModel, *, period_start: date
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Observed label and expected risk of the model's outcome for each placement of ``table``.

    Parameters
    ----------
    history
        The care history compared.
    table
        :func:`~earlysignal.steering.units.placement_table` rows (with a unit).
    loaded
        The trained model (:func:`earlysignal.scoring.load_scoring_model`).
    period_start
        First day of the compared period (to say whether the model's training overlaps it).

    Returns
    -------
    tuple
        ``table`` restricted to the placements with a label, with :data:`MODEL_OUTCOME`
        (observed 0/1, Int64) and ``expected_model`` (the model's risk); and what was done
        (outcome, horizon, counts of censored and not-at-risk placements and their children's
        ids under ``children_<count>``, training overlap).

    Raises
    ------
    SteeringError
        ``steer.model_outcome`` (an outcome not about placements), ``steer.model_scope`` (data
        the model does not know: scoring rules S04, S05, S07), ``steer.model_censored`` (no
        placement with a complete window).
    """
    from earlysignal.features import build_features
    from earlysignal.scoring.model_ref import ScoringError
    from earlysignal.scoring.score import check_scope

    mo = model_outcome(loaded.metadata)
    try:
        check_scope(loaded, history, history.observed_until)
    except ScoringError as exc:
        raise SteeringError(
            f"[steer.model_scope] the model does not fit these data: {exc}. Use a model "
            "trained on data like these, or leave out --model to use the case-mix model"
        ) from None
    t = table.select("child_id", "placement_id", (pl.col("start") + timedelta(days=1)).alias("t"))
    times = t.select("child_id", pl.col("t").alias("prediction_time"))
    frame = build_features(
        history,
        times,
        list(loaded.specs),
        outcomes=[(mo.outcome, mo.horizon_days, mo.k, mo.definition)],
    )
    missing = [n for n in loaded.feature_names if n not in frame.columns]
    if missing:
        raise SteeringError(
            f"[steer.model_scope] the model's features {missing[:5]} cannot be built from these "
            "data (scoring rule S04); use the model trained with these feature specs"
        )
    in_effect = (frame["placement_id"] == t["placement_id"]).fill_null(False).to_numpy()
    observed = frame[mo.label].to_numpy().astype(np.float64)
    labelled = in_effect & ~np.isnan(observed)
    risk = np.full(frame.height, np.nan)
    if labelled.any():
        x = frame.filter(pl.Series(labelled)).select(list(loaded.feature_names))
        risk[labelled] = np.asarray(loaded.model.risk(x), dtype=np.float64)
    out = table.with_columns(
        pl.Series(MODEL_OUTCOME, np.nan_to_num(observed), dtype=pl.Float64).cast(pl.Int64),
        pl.Series(f"expected_{MODEL_OUTCOME}", risk, dtype=pl.Float64),
    ).filter(pl.Series(labelled))
    if out.height == 0:
        raise SteeringError(
            f"[steer.model_censored] no placement starting in the period has its whole "
            f"{mo.horizon_days}-day window observed before {history.observed_until}; compare "
            "over a longer period (--years) or use a model with a shorter horizon"
        )
    train_end = loaded.metadata.get("train_end")
    overlap = None
    if isinstance(train_end, str):
        overlap = date.fromisoformat(train_end) >= period_start
    info: dict[str, Any] = {
        "outcome": mo.outcome,
        "horizon_days": mo.horizon_days,
        "definition": mo.definition if mo.outcome == "breakdown" else None,
        "k": mo.k if mo.outcome == "carousel" else None,
        "label": mo.label,
        "placements_labelled": int(labelled.sum()),
        "placements_censored": int((in_effect & np.isnan(observed)).sum()),
        "placements_not_in_effect": int((~in_effect).sum()),
        # the children of the two counts above (for the report's disclosure control only)
        "children_placements_censored": _children(t, in_effect & np.isnan(observed)),
        "children_placements_not_in_effect": _children(t, ~in_effect),
        "train_end": train_end,
        "training_overlaps_period": overlap,
    }
    return out, info
