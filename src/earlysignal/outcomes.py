"""Outcome labels per prediction time and horizon, with censoring and competing events.

Every outcome looks only at what happens in ``(t, t + horizon]``; definitions, censoring and
competing events are in ``docs/outcomes.md`` and summarised in :data:`OUTCOMES`. A label is

- null when the row is not at risk (for example no placement in effect for ``breakdown``),
- null (censored) when the window runs past ``observed_until`` (``t + horizon >
  observed_until``), *whatever happened in it*: an event seen before ``observed_until`` does not
  rescue the row (the default rule ``censor="window"``, see below),
- ``1`` when the event happens in the window,
- ``0`` when a competing event ends the risk first, or the whole window passes without the event.

Why the whole window. Keeping the rows of incomplete windows whose event happened early, and
nulling the others, keeps positives and drops negatives: the prevalence, the calibration
intercept and every metric that depends on the base rate are inflated, and a model learns the
extraction date. ``observed_until`` is always the history's own (``CareHistory.observed_until``),
so every caller (:func:`label`, :func:`label_with_report`, :func:`person_period`,
``build_features(outcomes=...)``, the experiment runner) is safe by default. ``censor="event"``
keeps the old rule (a row of an incomplete window keeps an event or competing event observed
before ``observed_until``): an explicit opt-out for descriptive counts, never for training or
evaluating a model.

What counts as a breakdown. ``definition="child_side"`` (default): the placement ends with
``end_reason == "breakdown"``, an unplanned ending asked for by the carer or the child (SSDA903
CREQB, CREQO, CHILD; iJw JZ588 32); ``"any_unplanned"`` also counts ``provider_ended`` (SSDA903
ALLEG, STAND, APPRR, CLOSE; iJw JZ588 33), and its label is named ``label_breakdown_any_{h}d``.
See :data:`BREAKDOWN_DEFINITIONS` and ``docs/outcomes.md``.

Examples
--------
>>> import polars as pl
>>> from datetime import date
>>> from earlysignal.data import example_history
>>> h = example_history(
...     {"start": date(2020, 1, 1), "end": date(2020, 5, 1), "end_reason": "breakdown"},
...     observed_until=date(2021, 1, 1))
>>> t = pl.DataFrame({"child_id": ["a"], "prediction_time": [date(2020, 2, 1)]})
>>> label(h, t, "breakdown", 180)["label_breakdown_180d"].to_list()
[1]
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import polars as pl

from earlysignal.cohort import attach_placement, placement_timeline
from earlysignal.data.history import CareHistory
from earlysignal.disclosure import DEFAULT_POLICY, DisclosurePolicy, round_count
from earlysignal.i18n import N_
from earlysignal.outcomes_home import EXTRA_OBSERVED_DAYS, entry_days, stable_return_days

__all__ = [
    "BREAKDOWN_DEFINITIONS",
    "BREAKDOWN_DEFINITION_SOURCE",
    "CENSOR_RULES",
    "OUTCOMES",
    "OutcomeReport",
    "breakdown_definition_summary",
    "label",
    "label_name",
    "label_with_report",
    "person_period",
]

log = logging.getLogger(__name__)

OUTCOMES: dict[str, str] = {
    "breakdown": "The placement in effect at t ends with a breakdown in (t, t+h] (definition "
    "child_side: end_reason 'breakdown'; any_unplanned: 'breakdown' or 'provider_ended'); "
    "at risk only with a placement in effect; another ending first is a competing event (0).",
    "carousel": "At least k moves (starts of non-temporary placements that are not the first "
    "of their care episode) in (t, t+h]; every row is at risk; no competing event.",
    "return_home": "A non-temporary placement of the child ends with end_reason 'return_home' "
    "in (t, t+h]; every row is at risk; no competing event.",
    "reentry": "For a child out of care at t whose last placement ended with 'return_home': "
    "a new care episode starts in (t, t+h]; other rows are not at risk.",
    "entry": "For a child at home at t under a measure or in youth care (statuses kind "
    "'measure' or 'youth_care' in force) and never placed before t: the first placement starts "
    "in (t, t+h]; turning 18 first is a competing event (0).",
    "stable_return": "For a child with a placement in effect at t: the care episode ends with "
    "'return_home' in (t, t+h] and no new episode starts within 365 days; the episode ending "
    "otherwise is a competing event (0); needs t+h+365 <= observed_until.",
}
"""The outcomes and their one-line definitions (full text in ``docs/outcomes.md``)."""

BREAKDOWN_DEFINITIONS: dict[str, tuple[str, ...]] = {
    "child_side": ("breakdown",),
    "any_unplanned": ("breakdown", "provider_ended"),
}
"""The end reasons that count as a breakdown under each definition (default ``child_side``)."""

BREAKDOWN_DEFINITION_SOURCE: dict[str, str] = {
    "child_side": N_(
        "DfE, Children looked after in England: reasons for placement change "
        "(carer requests / child requests; allegation, standards of care and closure are apart); "
        "Eltink et al. 2025 (Children and Youth Services Review 171:108203)"
    ),
    "any_unplanned": N_(
        "DfE, Children looked after in England: reasons for placement change "
        "(carer and child requests plus allegation, standards of care, approval removed, closure)"
    ),
}
"""Where each breakdown definition comes from (a citation, shown on the model card; stored in
English and worded from the catalogue when a card is rendered)."""

_DEFINITION_SUFFIX = {"child_side": "", "any_unplanned": "_any"}

CENSOR_RULES: tuple[str, ...] = ("window", "event")
"""``window`` (default): a window running past ``observed_until`` is censored whatever happened
in it. ``event``: such a window keeps an event or competing event seen by ``observed_until``
(an explicit opt-out; biased towards positives, never for models)."""

KEYS: tuple[str, ...] = ("child_id", "prediction_time")


def label_name(outcome: str, horizon: int, definition: str = "child_side") -> str:
    """Column name of a label, e.g. ``label_breakdown_180d``.

    The name is derived from the outcome, the breakdown definition (``any_unplanned`` adds
    ``_any``) and the horizon, so the default names of existing configs do not change.

    Examples
    --------
    >>> label_name("carousel", 365)
    'label_carousel_365d'
    >>> label_name("breakdown", 180, "any_unplanned")
    'label_breakdown_any_180d'
    """
    _check_definition(definition)
    suffix = _DEFINITION_SUFFIX[definition] if outcome == "breakdown" else ""
    return f"label_{outcome}{suffix}_{horizon}d"


@dataclass(frozen=True, slots=True)
class OutcomeReport:
    """Counts of a labelled frame: what each row's label rests on.

    Attributes
    ----------
    outcome, horizon, k
        The outcome, horizon in days and ``k`` (carousel only, else ``None``).
    definition
        The breakdown definition (breakdown only, else ``None``).
    censor
        The censoring rule (:data:`CENSOR_RULES`).
    rows
        All rows.
    positives, negatives
        Label 1, label 0 (``negatives`` includes ``competing``).
    competing
        Rows labelled 0 because a competing event ended the risk inside the window.
    censored
        Label null: the window runs past ``observed_until`` (with ``censor="window"`` whatever
        happened in it; with ``censor="event"`` only without an event or competing event).
    not_at_risk
        Label null: the row is outside the outcome's risk set.
    """

    outcome: str
    horizon: int
    k: int | None
    definition: str | None
    censor: str
    rows: int
    positives: int
    negatives: int
    competing: int
    censored: int
    not_at_risk: int


def _check_definition(definition: str) -> None:
    if definition not in BREAKDOWN_DEFINITIONS:
        raise ValueError(
            f"outcome rule 'breakdown definition': unknown definition {definition!r}; allowed: "
            f"{', '.join(map(repr, BREAKDOWN_DEFINITIONS))} (see docs/outcomes.md)"
        )


def _check_censor(censor: str) -> None:
    if censor not in CENSOR_RULES:
        raise ValueError(
            f"outcome rule 'censoring': unknown censor={censor!r}; allowed: "
            f"{', '.join(map(repr, CENSOR_RULES))} ('window', the default, is the safe one)"
        )


def _check(outcome: str, horizon: int, k: int) -> None:
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}; allowed: {', '.join(map(repr, OUTCOMES))}")
    if horizon < 1:
        raise ValueError(f"horizon must be a positive number of days, got {horizon}")
    if k < 1:
        raise ValueError(f"carousel needs k >= 1 moves, got k={k}")


def _event_days(
    history: CareHistory, times: pl.DataFrame, outcome: str, k: int, definition: str
) -> pl.DataFrame:
    """Keys + ``_at_risk`` (bool), ``_event_day`` and ``_competing_day`` (days after t)."""
    t = pl.col("prediction_time")
    base = times.select("child_id", "prediction_time", "placement_id")
    if outcome in {"entry", "stable_return"}:
        return (
            entry_days(history, base) if outcome == "entry" else stable_return_days(history, base)
        )
    if outcome == "breakdown":
        p = history.placements.select("placement_id", "end", "end_reason")
        j = base.join(p, on="placement_id", how="left", maintain_order="left")
        days = (pl.col("end") - t).dt.total_days()
        reasons = list(BREAKDOWN_DEFINITIONS[definition])
        is_bd = pl.col("end_reason").cast(pl.String).is_in(reasons).fill_null(False)
        return j.select(
            *KEYS,
            pl.col("placement_id").is_not_null().alias("_at_risk"),
            pl.when(is_bd).then(days).alias("_event_day"),
            pl.when(~is_bd & pl.col("end").is_not_null()).then(days).alias("_competing_day"),
        )
    tl = placement_timeline(history)
    if outcome == "carousel":
        facts = tl.filter(pl.col("move")).select("child_id", pl.col("start").alias("_d"))
        nth = k
    elif outcome == "return_home":
        facts = tl.filter(pl.col("end_reason") == "return_home").select(
            "child_id", pl.col("end").alias("_d")
        )
        nth = 1
    else:  # reentry
        facts = tl.filter(pl.col("reentry")).select("child_id", pl.col("start").alias("_d"))
        nth = 1
    keyed = base.with_row_index("_row")
    after = (
        keyed.select("_row", "child_id", "prediction_time")
        .join(facts, on="child_id", how="inner")
        .filter(pl.col("_d") > pl.col("prediction_time"))
        .group_by("_row")
        .agg(pl.col("_d").sort().get(nth - 1, null_on_oob=True).alias("_nth"))
    )
    j = keyed.join(after, on="_row", how="left").sort("_row")
    event_day = (pl.col("_nth") - t).dt.total_days()
    if outcome == "reentry":
        last = tl.select(
            "child_id", pl.col("start").alias("_s"), pl.col("end_reason").alias("_r")
        ).sort("_s")
        j = (
            j.sort("prediction_time")
            .join_asof(
                last,
                left_on="prediction_time",
                right_on="_s",
                by="child_id",
                strategy="backward",
                allow_exact_matches=False,
                check_sortedness=False,
            )
            .sort("_row")
        )
        at_risk = pl.col("placement_id").is_null() & (pl.col("_r") == "return_home").fill_null(
            False
        )
    else:
        at_risk = pl.lit(True)
    return j.select(
        *KEYS,
        at_risk.alias("_at_risk"),
        event_day.alias("_event_day"),
        pl.lit(None, dtype=pl.Int64).alias("_competing_day"),
    )


def _status_frame(  # noqa: PLR0917
    history: CareHistory,
    times: pl.DataFrame,
    outcome: str,
    horizon: int,
    k: int,
    censor: str,
    definition: str,
) -> pl.DataFrame:
    """Keys, ``_status`` (event/competing/no_event/censored/not_at_risk) and day columns."""
    _check(outcome, horizon, k)
    _check_censor(censor)
    _check_definition(definition)
    if "placement_id" not in times.columns:
        times = (
            attach_placement(history, times.select(*KEYS).with_row_index("_order"))
            .sort("_order")
            .drop("_order")
        )
    ev = _event_days(history, times, outcome, k, definition)
    observed = (pl.lit(history.observed_until) - pl.col("prediction_time")).dt.total_days()
    # stable_return also needs the year after the return: the window to observe is longer
    need = horizon + EXTRA_OBSERVED_DAYS.get(outcome, 0)
    incomplete = (observed < need) & pl.lit(censor == "window")
    status = (
        pl.when(~pl.col("_at_risk"))
        .then(pl.lit("not_at_risk"))
        .when(incomplete)
        .then(pl.lit("censored"))
        .when(pl.col("_event_day") <= horizon)
        .then(pl.lit("event"))
        .when(pl.col("_competing_day") <= horizon)
        .then(pl.lit("competing"))
        .when(observed >= need)
        .then(pl.lit("no_event"))
        .otherwise(pl.lit("censored"))
    )
    return ev.with_columns(status.alias("_status"), observed.alias("_observed"))


_LABEL_OF_STATUS = {"event": 1, "competing": 0, "no_event": 0}


def label_with_report(
    history: CareHistory,
    times: pl.DataFrame,
    outcome: str,
    horizon: int,
    *,
    k: int = 2,
    censor: str = "window",
    definition: str = "child_side",
) -> tuple[pl.DataFrame, OutcomeReport]:
    """Label prediction times and count positives, negatives, competing, censored rows.

    See :func:`label` for the parameters and the frame.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> from earlysignal.data import example_history
    >>> h = example_history({"start": date(2020, 1, 1)}, observed_until=date(2020, 6, 1))
    >>> t = pl.DataFrame({"child_id": ["a", "a"],
    ...                   "prediction_time": [date(2020, 2, 1), date(2020, 5, 1)]})
    >>> frame, report = label_with_report(h, t, "breakdown", 90)
    >>> frame["label_breakdown_90d"].to_list(), report.censored
    ([0, None], 1)
    """
    st = _status_frame(history, times, outcome, horizon, k, censor, definition)
    name = label_name(outcome, horizon, definition)
    lab = pl.col("_status").replace_strict(_LABEL_OF_STATUS, default=None, return_dtype=pl.Int8)
    out = st.select(*KEYS, lab.alias(name))
    counts = st["_status"].value_counts()
    c = dict(zip(counts["_status"].to_list(), counts["count"].to_list(), strict=True))
    report = OutcomeReport(
        outcome=outcome,
        horizon=horizon,
        k=k if outcome == "carousel" else None,
        definition=definition if outcome == "breakdown" else None,
        censor=censor,
        rows=st.height,
        positives=int(c.get("event", 0)),
        negatives=int(c.get("no_event", 0) + c.get("competing", 0)),
        competing=int(c.get("competing", 0)),
        censored=int(c.get("censored", 0)),
        not_at_risk=int(c.get("not_at_risk", 0)),
    )
    log.info("outcome %s: %s", name, report)
    return out, report


def label(
    history: CareHistory,
    times: pl.DataFrame,
    outcome: str,
    horizon: int,
    *,
    k: int = 2,
    censor: str = "window",
    definition: str = "child_side",
) -> pl.DataFrame:
    """Label each prediction time with an outcome over a horizon.

    Parameters
    ----------
    history
        The care histories.
    times
        Prediction times (``child_id``, ``prediction_time``; ``placement_id`` is used when
        present, as from :func:`earlysignal.cohort.prediction_times`, else derived).
    outcome
        ``breakdown``, ``carousel``, ``return_home``, ``reentry``, ``entry`` or
        ``stable_return`` (see :data:`OUTCOMES` and :mod:`earlysignal.outcomes_home`).
    horizon
        Days after ``t``; the window is ``(t, t + horizon]``.
    k
        Moves needed for ``carousel`` (default 2: with the placement in effect, 3+ placements).
    censor
        ``"window"`` (default): a row whose window runs past ``history.observed_until`` is
        null whatever happened in it. ``"event"``: such a row keeps an event or competing event
        seen by then (biased towards positives; an explicit opt-out, see the module docs).
    definition
        Breakdown only: ``"child_side"`` (default, ``end_reason == "breakdown"``) or
        ``"any_unplanned"`` (also ``provider_ended``; label ``label_breakdown_any_{h}d``).

    Returns
    -------
    pl.DataFrame
        ``child_id``, ``prediction_time`` and the label column named by :func:`label_name`
        (Int8: 1, 0 or null for censored or not at risk), in the row order of ``times``. The
        counts are logged; :func:`label_with_report` returns them.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> from earlysignal.data import example_history
    >>> h = example_history(
    ...     {"start": [date(2020, 1, 1), date(2020, 3, 1), date(2020, 6, 1)],
    ...      "end": [date(2020, 3, 1), date(2020, 6, 1), None],
    ...      "end_reason": ["breakdown", "planned", None]},
    ...     observed_until=date(2021, 6, 1))
    >>> t = pl.DataFrame({"child_id": ["a"], "prediction_time": [date(2020, 2, 1)]})
    >>> label(h, t, "carousel", 365)["label_carousel_365d"].to_list()
    [1]
    """
    return label_with_report(
        history, times, outcome, horizon, k=k, censor=censor, definition=definition
    )[0]


def person_period(
    history: CareHistory,
    times: pl.DataFrame,
    outcome: str,
    horizon: int,
    *,
    period_days: int = 30,
    k: int = 2,
    censor: str = "window",
    definition: str = "child_side",
) -> pl.DataFrame:
    """Discrete-time hazard layout: one row per prediction time and period at risk.

    The window ``(t, t + horizon]`` is cut into periods of ``period_days`` (the last one may be
    shorter). A row at risk contributes periods until its first event (``event`` 1 in that
    period), a competing event (its period included with ``event`` 0), the end of the horizon,
    or censoring at ``observed_until``. Rows not at risk contribute nothing.

    Censoring works period by period, by the rule of :func:`label`: with ``censor="window"``
    (default) only periods that end on or before ``history.observed_until`` are kept, whatever
    happened in them, so an event in a period that runs past ``observed_until`` is not kept
    (the row is censored at the end of its last complete period). ``censor="event"`` keeps the
    period of an event or competing event seen by ``observed_until``. ``definition`` is that of
    :func:`label`.

    Returns
    -------
    pl.DataFrame
        ``child_id``, ``prediction_time``, ``period`` (Int32, 1-based), ``period_start_day`` and
        ``period_end_day`` (Int32, the period is ``(t + start, t + end]``), ``event`` (Int8),
        sorted by key and period.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> from earlysignal.data import example_history
    >>> h = example_history(
    ...     {"start": date(2020, 1, 1), "end": date(2020, 3, 15), "end_reason": "breakdown"},
    ...     observed_until=date(2021, 1, 1))
    >>> t = pl.DataFrame({"child_id": ["a"], "prediction_time": [date(2020, 2, 1)]})
    >>> person_period(h, t, "breakdown", 90)["event"].to_list()
    [0, 1]
    """
    if period_days < 1:
        raise ValueError(f"period_days must be a positive number of days, got {period_days}")
    _check_censor(censor)
    # the row-level rule would drop the complete periods of an incomplete window: read what
    # happened by observed_until, then keep only complete periods (censor="window")
    st = _status_frame(history, times, outcome, horizon, k, "event", definition).filter(
        pl.col("_at_risk")
    )
    p = period_days
    status = pl.col("_status")
    last = (
        pl.when(status == "event")
        .then((pl.col("_event_day") + p - 1) // p)
        .when(status == "competing")
        .then((pl.col("_competing_day") + p - 1) // p)
        .when(status == "no_event")
        .then((horizon + p - 1) // p)
        .otherwise(pl.col("_observed").clip(lower_bound=0) // p)
    )
    # periods wholly observed: all when the window is, else those ending by observed_until
    complete = (
        pl.when(pl.col("_observed") >= horizon)
        .then((horizon + p - 1) // p)
        .otherwise(pl.col("_observed").clip(lower_bound=0) // p)
    )
    n = pl.min_horizontal(last, complete) if censor == "window" else last
    rows = (
        st.with_columns(last.cast(pl.Int64).alias("_last"), n.cast(pl.Int64).alias("_n"))
        .with_columns(pl.int_ranges(1, pl.col("_n") + 1).alias("period"))
        .explode("period", empty_as_null=False, keep_nulls=False)
        .with_columns(pl.col("period").cast(pl.Int32))
    )
    return rows.select(
        *KEYS,
        "period",
        ((pl.col("period") - 1) * p).cast(pl.Int32).alias("period_start_day"),
        pl.min_horizontal(pl.col("period") * p, pl.lit(horizon))
        .cast(pl.Int32)
        .alias("period_end_day"),
        ((status == "event") & (pl.col("period") == pl.col("_last"))).cast(pl.Int8).alias("event"),
    ).sort(*KEYS, "period", maintain_order=True)


def breakdown_definition_summary(
    history: CareHistory, definition: str = "child_side", *, policy: DisclosurePolicy | None = None
) -> dict[str, object]:
    """What a breakdown definition counts, and how many endings each part holds (publishable).

    Parameters
    ----------
    history
        The study's care histories.
    definition
        ``"child_side"`` or ``"any_unplanned"`` (:data:`BREAKDOWN_DEFINITIONS`).
    policy
        Disclosure policy (default :data:`earlysignal.disclosure.DEFAULT_POLICY`): each count
        is published rounded, and hidden (``None``) when fewer than ``min_count`` distinct
        children had such an ending.

    Returns
    -------
    dict
        ``name``, ``source`` (:data:`BREAKDOWN_DEFINITION_SOURCE`), ``end_reasons`` (counted
        as a breakdown), ``counts`` (``{"breakdown": n, "provider_ended": n}``: distinct
        non-temporary placements that ended so, rounded, or ``None`` when hidden) and
        ``counts_rounding``, ``counts_min_children``.

    Examples
    --------
    >>> from datetime import date
    >>> from earlysignal.data import example_history
    >>> n = 30
    >>> h = example_history(
    ...     {"child_id": [f"c{i}" for i in range(n)], "start": date(2020, 1, 1),
    ...      "end": date(2020, 5, 1), "end_reason": ["breakdown"] * 22 + ["provider_ended"] * 8},
    ...     observed_until=date(2021, 1, 1))
    >>> s = breakdown_definition_summary(h)
    >>> s["name"], s["end_reasons"], s["counts"]
    ('child_side', ['breakdown'], {'breakdown': 20, 'provider_ended': None})
    """
    _check_definition(definition)
    policy = DEFAULT_POLICY if policy is None else policy
    parts = BREAKDOWN_DEFINITIONS["any_unplanned"]
    p = history.placements
    if "temporary" in p.columns:
        p = p.filter(~pl.col("temporary").fill_null(False))
    ended = (
        p.filter(pl.col("end_reason").cast(pl.String).is_in(list(parts)))
        .group_by(pl.col("end_reason").cast(pl.String))
        .agg(
            pl.col("placement_id").n_unique().alias("placements"),
            pl.col("child_id").n_unique().alias("children"),
        )
    )
    found = {r["end_reason"]: r for r in ended.iter_rows(named=True)}
    counts: dict[str, int | None] = {}
    for part in parts:
        row = found.get(part, {"placements": 0, "children": 0})
        shown = int(row["children"]) >= policy.min_count
        counts[part] = round_count(int(row["placements"]), policy.rounding) if shown else None
    return {
        "name": definition,
        "source": BREAKDOWN_DEFINITION_SOURCE[definition],
        "end_reasons": list(BREAKDOWN_DEFINITIONS[definition]),
        "counts": counts,
        "counts_rounding": policy.rounding,
        "counts_min_children": policy.min_count,
    }
