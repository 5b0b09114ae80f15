"""Outcome labels per prediction time and horizon, with censoring and competing events.

Every outcome looks only at what happens in ``(t, t + horizon]``; definitions, censoring and
competing events are in ``docs/outcomes.md`` and summarised in :data:`OUTCOMES`. A label is

- ``1`` when the event happens in the window (on or before ``observed_until``),
- ``0`` when a competing event ends the risk first, or the whole window is observed
  (``t + horizon <= observed_until``) without the event,
- null when the row is not at risk (for example no placement in effect for ``breakdown``), or
  censored: the window runs past ``observed_until`` and neither the event nor a competing event
  was observed by then.

Examples
--------
>>> import polars as pl
>>> from datetime import date
>>> from earlysignal.data import CareHistory
>>> h = CareHistory.from_frames(
...     children=pl.DataFrame({"child_id": ["a"], "birth_date": [date(2010, 1, 1)],
...                            "sex": ["male"]}),
...     placements=pl.DataFrame({"child_id": ["a"], "placement_id": ["p1"],
...                              "start": [date(2020, 1, 1)], "end": [date(2020, 5, 1)],
...                              "setting": ["foster"], "end_reason": ["breakdown"]}),
...     events=None, observed_until=date(2021, 1, 1))
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

__all__ = [
    "OUTCOMES",
    "OutcomeReport",
    "label",
    "label_name",
    "label_with_report",
    "person_period",
]

log = logging.getLogger(__name__)

OUTCOMES: dict[str, str] = {
    "breakdown": "The placement in effect at t ends with end_reason 'breakdown' in (t, t+h]; "
    "at risk only with a placement in effect; another ending first is a competing event (0).",
    "carousel": "At least k moves (starts of non-temporary placements that are not the first "
    "of their care episode) in (t, t+h]; every row is at risk; no competing event.",
    "return_home": "A non-temporary placement of the child ends with end_reason 'return_home' "
    "in (t, t+h]; every row is at risk; no competing event.",
    "reentry": "For a child out of care at t whose last placement ended with 'return_home': "
    "a new care episode starts in (t, t+h]; other rows are not at risk.",
}
"""The outcomes and their one-line definitions (full text in ``docs/outcomes.md``)."""

KEYS: tuple[str, ...] = ("child_id", "prediction_time")


def label_name(outcome: str, horizon: int) -> str:
    """Column name of a label, e.g. ``label_breakdown_180d``.

    Examples
    --------
    >>> label_name("carousel", 365)
    'label_carousel_365d'
    """
    return f"label_{outcome}_{horizon}d"


@dataclass(frozen=True, slots=True)
class OutcomeReport:
    """Counts of a labelled frame: what each row's label rests on.

    Attributes
    ----------
    outcome, horizon, k
        The outcome, horizon in days and ``k`` (carousel only, else ``None``).
    rows
        All rows.
    positives, negatives
        Label 1, label 0 (``negatives`` includes ``competing``).
    competing
        Rows labelled 0 because a competing event ended the risk inside the window.
    censored
        Label null: the window runs past ``observed_until`` without the event.
    not_at_risk
        Label null: the row is outside the outcome's risk set.
    """

    outcome: str
    horizon: int
    k: int | None
    rows: int
    positives: int
    negatives: int
    competing: int
    censored: int
    not_at_risk: int


def _check(outcome: str, horizon: int, k: int) -> None:
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}; allowed: {', '.join(map(repr, OUTCOMES))}")
    if horizon < 1:
        raise ValueError(f"horizon must be a positive number of days, got {horizon}")
    if k < 1:
        raise ValueError(f"carousel needs k >= 1 moves, got k={k}")


def _event_days(history: CareHistory, times: pl.DataFrame, outcome: str, k: int) -> pl.DataFrame:
    """Keys + ``_at_risk`` (bool), ``_event_day`` and ``_competing_day`` (days after t)."""
    t = pl.col("prediction_time")
    base = times.select("child_id", "prediction_time", "placement_id")
    if outcome == "breakdown":
        p = history.placements.select("placement_id", "end", "end_reason")
        j = base.join(p, on="placement_id", how="left", maintain_order="left")
        days = (pl.col("end") - t).dt.total_days()
        is_bd = (pl.col("end_reason") == "breakdown").fill_null(False)
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


def _status_frame(
    history: CareHistory, times: pl.DataFrame, outcome: str, horizon: int, k: int
) -> pl.DataFrame:
    """Keys, ``_status`` (event/competing/no_event/censored/not_at_risk) and day columns."""
    _check(outcome, horizon, k)
    if "placement_id" not in times.columns:
        times = (
            attach_placement(history, times.select(*KEYS).with_row_index("_order"))
            .sort("_order")
            .drop("_order")
        )
    ev = _event_days(history, times, outcome, k)
    observed = (pl.lit(history.observed_until) - pl.col("prediction_time")).dt.total_days()
    status = (
        pl.when(~pl.col("_at_risk"))
        .then(pl.lit("not_at_risk"))
        .when(pl.col("_event_day") <= horizon)
        .then(pl.lit("event"))
        .when(pl.col("_competing_day") <= horizon)
        .then(pl.lit("competing"))
        .when(observed >= horizon)
        .then(pl.lit("no_event"))
        .otherwise(pl.lit("censored"))
    )
    return ev.with_columns(status.alias("_status"), observed.alias("_observed"))


_LABEL_OF_STATUS = {"event": 1, "competing": 0, "no_event": 0}


def label_with_report(
    history: CareHistory, times: pl.DataFrame, outcome: str, horizon: int, *, k: int = 2
) -> tuple[pl.DataFrame, OutcomeReport]:
    """Label prediction times and count positives, negatives, competing, censored rows.

    See :func:`label` for the parameters and the frame.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> from earlysignal.data import CareHistory
    >>> h = CareHistory.from_frames(
    ...     children=pl.DataFrame({"child_id": ["a"], "birth_date": [date(2010, 1, 1)],
    ...                            "sex": ["male"]}),
    ...     placements=pl.DataFrame({"child_id": ["a"], "placement_id": ["p1"],
    ...                              "start": [date(2020, 1, 1)], "end": [None],
    ...                              "setting": ["foster"], "end_reason": [None]}),
    ...     events=None, observed_until=date(2020, 6, 1))
    >>> t = pl.DataFrame({"child_id": ["a", "a"],
    ...                   "prediction_time": [date(2020, 2, 1), date(2020, 5, 1)]})
    >>> frame, report = label_with_report(h, t, "breakdown", 90)
    >>> frame["label_breakdown_90d"].to_list(), report.censored
    ([0, None], 1)
    """
    st = _status_frame(history, times, outcome, horizon, k)
    name = label_name(outcome, horizon)
    lab = pl.col("_status").replace_strict(_LABEL_OF_STATUS, default=None, return_dtype=pl.Int8)
    out = st.select(*KEYS, lab.alias(name))
    counts = st["_status"].value_counts()
    c = dict(zip(counts["_status"].to_list(), counts["count"].to_list(), strict=True))
    report = OutcomeReport(
        outcome=outcome,
        horizon=horizon,
        k=k if outcome == "carousel" else None,
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
    history: CareHistory, times: pl.DataFrame, outcome: str, horizon: int, *, k: int = 2
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
        ``breakdown``, ``carousel``, ``return_home`` or ``reentry`` (see :data:`OUTCOMES`).
    horizon
        Days after ``t``; the window is ``(t, t + horizon]``.
    k
        Moves needed for ``carousel`` (default 2: with the placement in effect, 3+ placements).

    Returns
    -------
    pl.DataFrame
        ``child_id``, ``prediction_time`` and ``label_{outcome}_{horizon}d`` (Int8: 1, 0 or
        null for censored or not at risk), in the row order of ``times``. The counts are
        logged; :func:`label_with_report` returns them.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> from earlysignal.data import CareHistory
    >>> h = CareHistory.from_frames(
    ...     children=pl.DataFrame({"child_id": ["a"], "birth_date": [date(2010, 1, 1)],
    ...                            "sex": ["male"]}),
    ...     placements=pl.DataFrame({"child_id": ["a"] * 3, "placement_id": ["p1", "p2", "p3"],
    ...         "start": [date(2020, 1, 1), date(2020, 3, 1), date(2020, 6, 1)],
    ...         "end": [date(2020, 3, 1), date(2020, 6, 1), None],
    ...         "setting": ["foster"] * 3, "end_reason": ["breakdown", "planned", None]}),
    ...     events=None, observed_until=date(2021, 6, 1))
    >>> t = pl.DataFrame({"child_id": ["a"], "prediction_time": [date(2020, 2, 1)]})
    >>> label(h, t, "carousel", 365)["label_carousel_365d"].to_list()
    [1]
    """
    return label_with_report(history, times, outcome, horizon, k=k)[0]


def person_period(
    history: CareHistory,
    times: pl.DataFrame,
    outcome: str,
    horizon: int,
    *,
    period_days: int = 30,
    k: int = 2,
) -> pl.DataFrame:
    """Discrete-time hazard layout: one row per prediction time and period at risk.

    The window ``(t, t + horizon]`` is cut into periods of ``period_days`` (the last one may be
    shorter). A row at risk contributes periods until its first event (``event`` 1 in that
    period), a competing event (its period included with ``event`` 0), the end of the horizon,
    or censoring at ``observed_until`` (only fully observed periods are kept). Rows not at risk
    contribute nothing.

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
    >>> from earlysignal.data import CareHistory
    >>> h = CareHistory.from_frames(
    ...     children=pl.DataFrame({"child_id": ["a"], "birth_date": [date(2010, 1, 1)],
    ...                            "sex": ["male"]}),
    ...     placements=pl.DataFrame({"child_id": ["a"], "placement_id": ["p1"],
    ...                              "start": [date(2020, 1, 1)], "end": [date(2020, 3, 15)],
    ...                              "setting": ["foster"], "end_reason": ["breakdown"]}),
    ...     events=None, observed_until=date(2021, 1, 1))
    >>> t = pl.DataFrame({"child_id": ["a"], "prediction_time": [date(2020, 2, 1)]})
    >>> person_period(h, t, "breakdown", 90)["event"].to_list()
    [0, 1]
    """
    if period_days < 1:
        raise ValueError(f"period_days must be a positive number of days, got {period_days}")
    st = _status_frame(history, times, outcome, horizon, k).filter(pl.col("_at_risk"))
    p = period_days
    status = pl.col("_status")
    n = (
        pl.when(status == "event")
        .then((pl.col("_event_day") + p - 1) // p)
        .when(status == "competing")
        .then((pl.col("_competing_day") + p - 1) // p)
        .when(status == "no_event")
        .then((horizon + p - 1) // p)
        .otherwise(pl.col("_observed").clip(lower_bound=0) // p)
    )
    rows = (
        st.with_columns(n.cast(pl.Int64).alias("_n"))
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
        ((status == "event") & (pl.col("period") == pl.col("_n"))).cast(pl.Int8).alias("event"),
    ).sort(*KEYS, "period", maintain_order=True)
