"""Outcomes before and after the placement: ``entry`` and ``stable_return`` (issue 20).

Both return, per prediction time, the columns :mod:`earlysignal.outcomes` turns into a status
(``_at_risk``, ``_event_day`` and ``_competing_day``, in days after ``t``); definitions,
competing events and censoring are in ``docs/outcomes.md``.

- ``entry``: at risk when a ``statuses`` row of kind ``measure`` or ``youth_care`` is in force
  at ``t`` (``start < t`` and ``end`` null or ``end >= t``) and the child has no non-temporary
  placement starting before ``t``. Event: the child's first non-temporary placement starts in
  ``(t, t + h]`` before the 18th birthday. Competing: the 18th birthday in the window (no
  entry can follow: a placement after it is not a child's), or a first
  placement starting on ``t`` itself (the child is at home at ``t`` by the placement contract,
  but the entry is not in the window: label 0).
- ``stable_return``: at risk when a non-temporary placement is in effect at ``t``. Event: the
  care episode in effect at ``t`` ends with ``return_home`` in ``(t, t + h]`` and no new
  episode starts within :data:`STABLE_DAYS` after that return. A return followed by re-entry
  within :data:`STABLE_DAYS` is a 0 (not stable); the episode ending otherwise (ageing out,
  adoption, ...) is a competing event. The window to observe is ``(t, t + h + STABLE_DAYS]``:
  a row is censored unless ``t + h + STABLE_DAYS <= observed_until``.

Examples
--------
>>> import polars as pl
>>> from datetime import date
>>> from earlysignal.data import example_history
>>> h = example_history(
...     {"start": date(2020, 3, 1)},
...     statuses={"kind": "measure", "value": "ots", "start": date(2019, 6, 1)},
...     observed_until=date(2021, 1, 1))
>>> t = pl.DataFrame({"child_id": ["a"], "prediction_time": [date(2020, 1, 1)]})
>>> entry_days(h, t).select("_at_risk", "_event_day").row(0)
(True, 60)
"""

from __future__ import annotations

import polars as pl

from earlysignal.cohort import placement_timeline
from earlysignal.data.history import CareHistory

__all__ = [
    "EXTRA_OBSERVED_DAYS",
    "MEASURE_KINDS",
    "STABLE_DAYS",
    "entry_days",
    "stable_return_days",
]

MEASURE_KINDS: tuple[str, ...] = ("measure", "youth_care")
"""``statuses`` kinds that put a child at home in the ``entry`` risk set."""
STABLE_DAYS = 365
"""Days after a return home without re-entry for the return to count as stable."""
EXTRA_OBSERVED_DAYS: dict[str, int] = {"stable_return": STABLE_DAYS}
"""Days beyond the horizon an outcome needs to observe before a row is complete."""

KEYS = ("child_id", "prediction_time")


def measures_in_force(history: CareHistory, times: pl.DataFrame) -> pl.Series:
    """Boolean per row of ``times``: a measure or youth care at home is in force at ``t``.

    Raises a clear error when the history has no ``statuses`` table.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> from earlysignal.data import example_history
    >>> h = example_history(
    ...     {"start": date(2020, 3, 1)},
    ...     statuses={"kind": "measure", "value": "ots", "start": date(2019, 6, 1),
    ...               "end": date(2019, 12, 31)},
    ...     observed_until=date(2021, 1, 1))
    >>> t = pl.DataFrame({"child_id": ["a", "a"],
    ...                   "prediction_time": [date(2019, 12, 31), date(2020, 1, 1)]})
    >>> measures_in_force(h, t).to_list()
    [True, False]
    """
    if history.statuses is None:
        raise ValueError(
            "outcome rule 'entry risk set': the history has no statuses table; entry needs "
            f"statuses rows of kind {' or '.join(map(repr, MEASURE_KINDS))} (a measure or youth "
            "care at home): add them (the iJw and CBS adapters map measures there)"
        )
    t = pl.col("prediction_time")
    meas = history.statuses.filter(pl.col("kind").is_in(list(MEASURE_KINDS))).select(
        "child_id", "start", "end"
    )
    keyed = times.select(*KEYS).with_row_index("_row")
    hit = (
        keyed.join(meas, on="child_id", how="inner")
        .filter((pl.col("start") < t) & (pl.col("end").is_null() | (pl.col("end") >= t)))
        .select("_row")
        .unique()
        .with_columns(pl.lit(True).alias("_m"))
    )
    out = keyed.join(hit, on="_row", how="left").sort("_row")["_m"].fill_null(False)
    return out.alias("measure_in_force")


def entry_days(history: CareHistory, times: pl.DataFrame) -> pl.DataFrame:
    """Keys + ``_at_risk``, ``_event_day``, ``_competing_day`` for ``entry`` (module docs)."""
    t = pl.col("prediction_time")
    first = (
        history.placements.filter(~pl.col("temporary").fill_null(False))
        .group_by("child_id")
        .agg(pl.col("start").min().alias("_first"))
    )
    births = history.children.select(
        "child_id", pl.col("birth_date").dt.offset_by("18y").alias("_b18")
    )
    keyed = times.select(*KEYS).with_columns(measures_in_force(history, times).alias("_m"))
    j = keyed.join(first, on="child_id", how="left", maintain_order="left").join(
        births, on="child_id", how="left", maintain_order="left"
    )
    at_risk = pl.col("_m") & (pl.col("_first").is_null() | (pl.col("_first") >= t))
    days = (pl.col("_first") - t).dt.total_days()
    b18 = (pl.col("_b18") - t).dt.total_days()
    competing = pl.when(pl.col("_first") == t).then(0).otherwise(b18)
    return j.select(
        *KEYS,
        at_risk.alias("_at_risk"),
        pl.when((pl.col("_first") > t) & (pl.col("_first") < pl.col("_b18")))
        .then(days)
        .alias("_event_day"),
        competing.cast(pl.Int64).alias("_competing_day"),
    )


def stable_return_days(history: CareHistory, times: pl.DataFrame) -> pl.DataFrame:
    """Keys + ``_at_risk``, ``_event_day``, ``_competing_day`` for ``stable_return``.

    ``times`` must carry ``placement_id`` (the placement in effect at ``t``, null out of care).
    """
    t = pl.col("prediction_time")
    tl = placement_timeline(history)
    episodes = (
        tl.group_by("child_id", "episode")
        .agg(
            pl.col("start").min().alias("_es"),
            pl.col("end").last().alias("_ee"),
            pl.col("end_reason").last().cast(pl.String).alias("_er"),
        )
        .sort("child_id", "episode")
        .with_columns(pl.col("_es").shift(-1).over("child_id").alias("_next"))
    )
    ep_of = tl.select("placement_id", "episode")
    j = (
        times.select(*KEYS, "placement_id")
        .join(ep_of, on="placement_id", how="left", maintain_order="left")
        .join(episodes, on=["child_id", "episode"], how="left", maintain_order="left")
    )
    ended = pl.col("_ee").is_not_null()
    ret = ended & (pl.col("_er") == "return_home")
    ou = pl.lit(history.observed_until)
    seen = (pl.col("_ee") + pl.duration(days=STABLE_DAYS)) <= ou
    stable = (
        ret
        & seen
        & (
            pl.col("_next").is_null()
            | ((pl.col("_next") - pl.col("_ee")).dt.total_days() > STABLE_DAYS)
        )
    )
    days = (pl.col("_ee") - t).dt.total_days()
    return j.select(
        *KEYS,
        pl.col("placement_id").is_not_null().alias("_at_risk"),
        pl.when(stable).then(days).alias("_event_day"),
        pl.when(ended & ~ret).then(days).alias("_competing_day"),
    )
