"""The care-episode structure of a history: episodes, moves and re-entries.

Defined once here, in the data layer, for every module above it: ``earlysignal.cohort``
re-exports :func:`placement_timeline` (its public home) and ``earlysignal.indicators`` builds
``care_timeline`` on it, so the indicators and the models count moves alike.
"""

from __future__ import annotations

import polars as pl

from earlysignal.data.history import CareHistory

__all__ = ["placement_timeline"]


def placement_timeline(history: CareHistory) -> pl.DataFrame:
    """Non-temporary placements with their care episode, move and re-entry flags.

    Returns
    -------
    pl.DataFrame
        The non-temporary placements sorted by (``child_id``, ``start``, ``placement_id``) with
        the canonical columns plus ``episode`` (Int32, 1-based per child), ``first_of_episode``,
        ``move`` (the start is a move: not the first placement of its episode) and ``reentry``
        (first placement of an episode that follows an ending with ``return_home``), all
        Boolean. A placement starts a new episode when it is the child's first or starts more
        than one day after the previous placement's end. Everything here is known at the
        placement's start, so these flags are safe to use as of any ``t > start``.

    Examples
    --------
    >>> from datetime import date
    >>> from earlysignal.data import example_history
    >>> h = example_history(
    ...     {"start": [date(2020, 1, 1), date(2020, 3, 1), date(2021, 1, 1)],
    ...      "end": [date(2020, 3, 1), date(2020, 6, 1), None],
    ...      "end_reason": ["breakdown", "return_home", None]},
    ...     observed_until=date(2021, 6, 1))
    >>> placement_timeline(h).select("placement_id", "episode", "move", "reentry").rows()
    [('p1', 1, False, False), ('p2', 1, True, False), ('p3', 2, False, True)]
    """
    p = history.placements.filter(~pl.col("temporary").fill_null(False)).sort(
        "child_id", "start", "placement_id"
    )
    # sorted by child: the previous row is the previous placement of the same child unless the
    # child changes (cheaper than window expressions over string keys)
    first = (pl.col("child_id") != pl.col("child_id").shift(1)).fill_null(True)
    prev_end = pl.when(~first).then(pl.col("end").shift(1))
    prev_reason = pl.when(~first).then(pl.col("end_reason").shift(1))
    gap = (pl.col("start") - prev_end).dt.total_days()
    new_episode = first | (gap.is_not_null() & (gap > 1))
    return (
        p.with_columns(new_episode.alias("first_of_episode"), prev_reason.alias("_prev_reason"))
        .with_columns(
            (
                pl.col("first_of_episode").cast(pl.Int32).cum_sum()
                - pl.when(first)
                .then(pl.col("first_of_episode").cast(pl.Int32).cum_sum() - 1)
                .forward_fill()
            )
            .cast(pl.Int32)
            .alias("episode"),
            (~pl.col("first_of_episode")).alias("move"),
            (
                pl.col("first_of_episode")
                & (pl.col("_prev_reason") == "return_home").fill_null(False)
            ).alias("reentry"),
        )
        .drop("_prev_reason")
    )
