"""One steering comparison, end to end in data: placements, measures, O/E, funnel, shrinkage.

Returns data only (:class:`SteeringResult`); :mod:`earlysignal.steering.report` applies
disclosure control and renders it.

Examples
--------
>>> from earlysignal.synth import simulate
>>> sim = simulate(1500, years=4, seed=3)
>>> res = compare_units(sim.history, SteeringSpec(by="provider", folds=3))
>>> sorted(res.comparisons)
['moves', 'unplanned']
>>> {"ratio", "shrunk", "rank_lo", "flag"} <= set(res.comparisons["unplanned"].columns)
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.steering.casemix import expected_counts
from earlysignal.steering.funnel import standardise
from earlysignal.steering.model_counts import MODEL_OUTCOME, model_expected
from earlysignal.steering.shrinkage import posterior_draws, shrink
from earlysignal.steering.spec import UNIT_KINDS, SteeringError, SteeringSpec
from earlysignal.steering.units import (
    CASE_MIX_COLUMNS,
    COUNT_COLUMNS,
    period_start,
    placement_table,
    unit_measures,
    unit_members,
)

if TYPE_CHECKING:
    from earlysignal.scoring.model_ref import LoadedModel

__all__ = ["SteeringResult", "compare_units"]


@dataclass(frozen=True)
class SteeringResult:
    """Everything a steering report shows, before disclosure control (never publish as is).

    Attributes
    ----------
    spec, period_start, period_end
        The comparison and its period.
    placements
        :func:`~earlysignal.steering.units.placement_table` with ``expected_<outcome>``.
    measures
        :func:`~earlysignal.steering.units.unit_measures`.
    comparisons
        Outcome -> one row per unit with at least ``spec.min_children`` children (smaller
        units enter the case-mix fit but are not compared: they are counted in ``excluded``):
        ``unit``, ``children``, ``observed``, ``expected`` and the columns of
        :func:`~earlysignal.steering.funnel.standardise` and
        :func:`~earlysignal.steering.shrinkage.shrink`.
    draws
        Outcome -> posterior draws of the ratios (draws x units, rows of the comparison).
    excluded
        Counts of what was left out and why, raw: counts of placements
        (``placements_in_period``, ``placements_without_unit``, ``placements_within``,
        ``model_placements_censored``, ``model_placements_not_in_effect``) and of units
        (``units_too_small_<outcome>``). Published only through
        :func:`~earlysignal.steering.report.build_report` (placements with their distinct
        children, rounded and suppressed).
    units_without_placements
        Units found in the data with no placement starting in the period.
    case_mix
        How the expected counts were made (``cross_fit`` with its folds, or a model run).
    members
        Outcome -> per unit of the comparison, the children it counts (``_m_children``) and
        the children who had the outcome (``_m_observed``): ids for the publication ledger
        (:mod:`earlysignal.ledger`), never published.
    excluded_children
        For each count of placements in ``excluded``, the distinct children whose placements
        it counts (their ids, sorted): the report publishes that count tied to the number of
        these children (:mod:`earlysignal.disclosure`). Never published.
    """

    spec: SteeringSpec
    period_start: date
    period_end: date
    placements: pl.DataFrame
    measures: pl.DataFrame
    comparisons: dict[str, pl.DataFrame]
    draws: dict[str, npt.NDArray[np.float64]]
    excluded: dict[str, int]
    units_without_placements: tuple[str, ...]
    case_mix: dict[str, Any] = field(default_factory=dict)
    members: dict[str, pl.DataFrame] = field(default_factory=dict)
    excluded_children: dict[str, list[str]] = field(default_factory=dict)


def _kids(frame: pl.DataFrame) -> list[str]:
    """The distinct children of a table of placements (sorted ids)."""
    return sorted(frame["child_id"].cast(pl.String).unique().to_list())


def _all_units(history: CareHistory, spec: SteeringSpec) -> set[str]:
    table, col = UNIT_KINDS[spec.by]
    frame = history.placements if table == "placements" else history.children
    if col not in frame.columns:
        return set()
    vals = frame[col].cast(pl.String).str.strip_chars().replace("", None).drop_nulls()
    return set(vals.unique().to_list())


def _within(history: CareHistory, table: pl.DataFrame, within: tuple[str, str]) -> pl.DataFrame:
    col, value = within
    if col not in history.children.columns:
        raise SteeringError(
            f"[steer.within_missing] table 'children' has no column {col!r} for --within "
            f"{col}={value}; add the column or drop --within"
        )
    kids = history.children.filter(pl.col(col).cast(pl.String) == value).select("child_id")
    out = table.join(kids, on="child_id", how="semi")
    if out.height == 0:
        raise SteeringError(
            f"[steer.within_empty] no placement in the period of a child with {col} = {value!r};"
            f" check the value (found e.g. "
            f"{history.children[col].drop_nulls().unique().sort().head(5).to_list()})"
        )
    return out


def compare_units(
    history: CareHistory,
    spec: SteeringSpec,
    *,
    draws: int = 2000,
    model: LoadedModel | None = None,
) -> SteeringResult:
    """Compare units on their outcomes, adjusted for case mix, with funnel limits and shrinkage.

    Parameters
    ----------
    history
        A canonical care history.
    spec
        What to compare.
    draws
        Posterior draws (rank intervals, cost intervals).
    model
        A trained earlysignal model (:func:`earlysignal.scoring.load_scoring_model`): the
        comparison is then of the model's own outcome, observed against the model's risks
        (:mod:`earlysignal.steering.model_counts`), instead of ``spec.outcomes`` against the
        cross-fitted case-mix model.

    Returns
    -------
    SteeringResult
        Raw results (counts unrounded): publish only through
        :func:`earlysignal.steering.report.build_report`.

    Raises
    ------
    earlysignal.steering.spec.SteeringError
        Unit column missing or empty, fewer than 2 units, an outcome without events. When
        fewer than 2 units reach ``spec.min_children``, the outcome's comparison is empty
        (the report then says that no unit could be shown, and why).
    """
    table = placement_table(history, spec)
    excluded = {
        "placements_in_period": table.height,
        "placements_without_unit": int(table["unit"].null_count()),
    }
    kids = {
        "placements_in_period": _kids(table),
        "placements_without_unit": _kids(table.filter(pl.col("unit").is_null())),
    }
    table = table.filter(pl.col("unit").is_not_null())
    folds = min(spec.folds, table["unit"].n_unique())
    start = period_start(history.observed_until, spec.years)
    outcomes = spec.outcomes
    model_info: dict[str, Any] = {}
    if model is not None:  # the model's outcome against its risks (no cross-fitting)
        outcomes = (MODEL_OUTCOME,)
        compared, model_info = model_expected(history, table, model, period_start=start)
    else:
        for outcome in outcomes:  # the case-mix model is always fitted on every unit's data
            exp = expected_counts(
                table, outcome, columns=CASE_MIX_COLUMNS, folds=spec.folds, counts=COUNT_COLUMNS
            )
            table = table.with_columns(exp["expected"].alias(f"expected_{outcome}"))
    if spec.within is not None:
        table = _within(history, table, spec.within)
        excluded["placements_within"] = table.height
        kids["placements_within"] = _kids(table)
    if model is None:
        compared = table
    else:
        compared = compared.join(table.select("placement_id"), on="placement_id", how="semi")
        for key in ("placements_censored", "placements_not_in_effect"):
            excluded[f"model_{key}"] = int(model_info[key])
            kids[f"model_{key}"] = model_info.pop(f"children_{key}")
    measures = unit_measures(table)
    without = tuple(sorted(_all_units(history, spec) - set(measures["unit"].to_list())))
    comparisons: dict[str, pl.DataFrame] = {}
    all_draws: dict[str, npt.NDArray[np.float64]] = {}
    members: dict[str, pl.DataFrame] = {}
    for k, outcome in enumerate(outcomes):
        per = (
            compared.group_by("unit")
            .agg(
                pl.col("child_id").n_unique().cast(pl.Int64).alias("children"),
                pl.col(outcome).sum().cast(pl.Int64).alias("observed"),
                pl.col(f"expected_{outcome}").sum().alias("expected"),
                pl.col("child_id")
                .filter(pl.col(outcome) > 0)
                .n_unique()
                .cast(pl.Int64)
                .alias("children_event"),
            )
            .filter(pl.col("expected") > 0)
            .sort("unit")
        )
        excluded[f"units_too_small_{outcome}"] = int((per["children"] < spec.min_children).sum())
        per = per.filter(pl.col("children") >= spec.min_children)
        if per.height < 2:  # nothing to compare: the report says so (never a silent blank)
            comparisons[outcome] = per.clear()
            all_draws[outcome] = np.zeros((draws, 0))
            continue
        std = standardise(per)
        shr = shrink(std, draws=draws, seed=spec.seed + k)
        a = float(shr["prior_shape"][0])
        all_draws[outcome] = posterior_draws(
            per["observed"].to_numpy(), per["expected"].to_numpy(), a, draws, spec.seed + 100 + k
        )
        comparisons[outcome] = shr
        members[outcome] = unit_members(compared, [outcome]).rename(
            {f"_m_{outcome}": "_m_observed"}
        )
    return SteeringResult(
        spec=spec,
        period_start=start,
        period_end=history.observed_until,
        placements=table,
        measures=measures,
        comparisons=comparisons,
        draws=all_draws,
        excluded=excluded,
        units_without_placements=without,
        case_mix=_case_mix(spec, folds, model, model_info),
        members=members,
        excluded_children=kids,
    )


def _case_mix(
    spec: SteeringSpec, folds: int, model: LoadedModel | None, info: dict[str, Any]
) -> dict[str, Any]:
    within = None if spec.within is None else list(spec.within)
    if model is None:
        return {
            "method": "cross_fit",
            "folds": folds,
            "within": within,
            "model": "piecewise-exponential Poisson regression (scikit-learn PoissonRegressor)",
            "columns": list(CASE_MIX_COLUMNS),
        }
    return {
        "method": "trained_model",
        "within": within,
        "model": type(model.model).__name__,
        "columns": list(model.feature_names),
        **{k: v for k, v in info.items() if not k.startswith("placements_")},
        "placements_labelled": info["placements_labelled"],
    }
