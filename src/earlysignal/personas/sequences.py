"""Each child's care pathway as a sequence of monthly states from first entry.

Month ``m`` (0-based) of a child runs from ``entry + m months`` to the day before
``entry + (m + 1) months`` (calendar months, clamped at month ends as polars' ``offset_by``).
The state of a month is where the child lives on its last day ``d``: the setting of the
non-temporary placement with ``start <= d`` and (``end`` null or ``end > d``), mapped through
``PersonaSpec.setting_states``; out of care, ``home_after_return`` after a ``return_home`` ending
and ``left_care`` after any other ending. When ``moved`` is in the alphabet, a month in which a
move starts (the start of a non-temporary placement that is not the first of its care episode,
``docs/architecture.md``) is coded ``moved`` instead.

**Censoring.** A month is observed when its last day is on or before ``observed_until`` (and,
for a sequence *as of t*, strictly before ``t``). Unobserved months are coded ``-1``; the
sequence's ``length`` counts the observed months. A child whose window is not complete is
never forced into a type: clustering uses complete windows only, and the others are assigned
afterwards to the nearest medoid on their observed months (``cluster.assign``), marked
``partial``.

Examples
--------
>>> from datetime import date
>>> from earlysignal.data import example_history
>>> from earlysignal.personas.spec import PersonaSpec
>>> h = example_history(
...     {"start": [date(2020, 1, 1), date(2020, 3, 10)],
...      "end": [date(2020, 3, 10), date(2020, 5, 1)],
...      "setting": ["foster", "residential"], "end_reason": ["breakdown", "return_home"]},
...     observed_until=date(2020, 6, 15))
>>> s = monthly_states(h, PersonaSpec(window=6))
>>> s.labels(0), int(s.length[0]), bool(s.complete[0])
(['foster', 'foster', 'moved', 'residential', 'home_after_return', '.'], 5, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.personas.spec import PersonaSpec

__all__ = ["SequenceSet", "monthly_states"]

UNOBSERVED = -1


@dataclass(frozen=True)
class SequenceSet:
    """Monthly state sequences of a set of children (row ``i`` is ``child_id[i]``).

    Attributes
    ----------
    child_id
        Children, sorted.
    codes
        ``int8`` matrix children x window: index into ``alphabet``, ``-1`` when unobserved.
    length
        Observed months per child (a prefix: months are observed from the first on).
    entry
        First day in care.
    age_at_entry
        Age in years at entry.
    breakdowns
        Placements ending with ``breakdown`` inside the observed window.
    alphabet
        The states.
    window
        Months per sequence.
    """

    child_id: npt.NDArray[np.str_]
    codes: npt.NDArray[np.int8]
    length: npt.NDArray[np.int64]
    entry: npt.NDArray[np.datetime64]
    age_at_entry: npt.NDArray[np.float64]
    breakdowns: npt.NDArray[np.int64]
    alphabet: tuple[str, ...]
    window: int

    @property
    def complete(self) -> npt.NDArray[np.bool_]:
        """Whether the whole window is observed."""
        return np.asarray(self.length == self.window)

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    def labels(self, row: int) -> list[str]:
        """The states of one row as names (``.`` for unobserved), for tests and debugging."""
        return [self.alphabet[c] if c >= 0 else "." for c in self.codes[row]]

    def take(self, rows: npt.NDArray[np.int64] | npt.NDArray[np.bool_]) -> SequenceSet:
        """The subset of rows."""
        return SequenceSet(
            self.child_id[rows],
            self.codes[rows],
            self.length[rows],
            self.entry[rows],
            self.age_at_entry[rows],
            self.breakdowns[rows],
            self.alphabet,
            self.window,
        )


def _nontemporary(history: CareHistory) -> pl.DataFrame:
    p = history.placements
    if "temporary" in p.columns:
        p = p.filter(~pl.col("temporary").fill_null(False))
    p = p.sort("child_id", "start")
    prev_end = pl.col("end").shift(1).over("child_id")
    return p.with_columns(
        is_move=(prev_end.is_not_null() & (pl.col("start") <= prev_end.dt.offset_by("1d"))),
        entry=pl.col("start").min().over("child_id"),
    )


def monthly_states(
    history: CareHistory, spec: PersonaSpec, *, as_of: date | None = None
) -> SequenceSet:
    """Build the monthly state sequences of every child with a placement.

    Parameters
    ----------
    history
        The care history.
    spec
        Window, alphabet and setting-to-state mapping.
    as_of
        Keep only months whose last day is strictly before this date (the sequence known at
        ``as_of``: used for persona membership as a feature). ``None``: up to
        ``observed_until``.

    Returns
    -------
    SequenceSet
        One row per child with at least one non-temporary placement (starting before
        ``as_of`` when given).
    """
    alphabet = spec.alphabet
    index = {s: i for i, s in enumerate(alphabet)}
    p = _nontemporary(history)
    if as_of is not None:
        p = p.filter(pl.col("start") < as_of)
    w = spec.window
    limit = history.observed_until
    first = (
        p.group_by("child_id")
        .agg(pl.col("start").min().alias("entry"))
        .sort("child_id")
        .with_row_index("row")
    )
    # integer child keys from here on: sorting and joining 100,000 x window rows on strings is slow
    p = p.join(first.select("child_id", "row"), on="child_id")
    # one vectorised offset per month (a per-row "{m}mo" string is parsed row by row: slow)
    grid = (
        pl.concat(
            [
                first.select("row", "entry").with_columns(
                    m=pl.lit(m, dtype=pl.Int32),
                    month_start=pl.col("entry").dt.offset_by(f"{m}mo"),
                    month_end=pl.col("entry").dt.offset_by(f"{m + 1}mo").dt.offset_by("-1d"),
                )
                for m in range(w)
            ]
        )
        .with_columns(
            observed=(pl.col("month_end") <= limit)
            & (pl.lit(True) if as_of is None else (pl.col("month_end") < as_of))
        )
        .sort("month_end")
    )
    setting_state = {s: index[spec.state_of_setting(s)] for s in p["setting"].unique().to_list()}
    out_codes = {
        "home_after_return": index.get("home_after_return", index.get("left_care", -1)),
        "left_care": index.get("left_care", index.get("home_after_return", -1)),
    }
    last = grid.join_asof(
        p.select("row", "start", "end", "setting", "end_reason").sort("start"),
        left_on="month_end",
        right_on="start",
        by="row",
        strategy="backward",
        check_sortedness=False,
    )
    in_care = pl.col("end").is_null() | (pl.col("end") > pl.col("month_end"))
    state = (
        pl.when(in_care)
        .then(pl.col("setting").replace_strict(setting_state, return_dtype=pl.Int8))
        .when(pl.col("end_reason") == "return_home")
        .then(pl.lit(out_codes["home_after_return"], dtype=pl.Int8))
        .otherwise(pl.lit(out_codes["left_care"], dtype=pl.Int8))
    )
    last = last.with_columns(state=state)
    if "moved" in index:
        moves = (
            p.filter("is_move")
            .select("row", pl.col("start").alias("move"))
            .sort("move")
            .join_asof(
                grid.select("row", "m", "month_start", "month_end").sort("month_start"),
                left_on="move",
                right_on="month_start",
                by="row",
                strategy="backward",
                check_sortedness=False,
            )
            .filter(pl.col("m").is_not_null() & (pl.col("move") <= pl.col("month_end")))
            .select("row", "m", moved=pl.lit(True))
            .unique()
        )
        last = last.join(moves, on=["row", "m"], how="left").with_columns(
            state=pl.when(pl.col("moved").fill_null(False))
            .then(pl.lit(index["moved"], dtype=pl.Int8))
            .otherwise("state")
        )
    n = first.height
    # scatter into the matrix (no sort of the long table)
    rows = last["row"].to_numpy().astype(np.int64)
    months = last["m"].to_numpy().astype(np.int64)
    observed = np.zeros((n, w), dtype=bool)
    observed[rows, months] = last["observed"].to_numpy()
    codes = np.full((n, w), UNOBSERVED, dtype=np.int8)
    codes[rows, months] = last["state"].to_numpy().astype(np.int8)
    codes[~observed] = UNOBSERVED
    length = observed.sum(axis=1).astype(np.int64)
    window_end = grid.filter(pl.col("m") == w - 1).select("row", "month_end")
    bd = (
        p.join(window_end, on="row")
        .filter(
            (pl.col("end_reason") == "breakdown")
            & (pl.col("end") <= pl.col("month_end"))
            & (pl.col("end") <= limit)
            & (pl.lit(True) if as_of is None else (pl.col("end") < as_of))
        )
        .group_by("child_id")
        .len()
    )
    extra = (
        first.join(history.children.select("child_id", "birth_date"), on="child_id", how="left")
        .join(bd, on="child_id", how="left")
        .sort("child_id")
        .with_columns(
            age=(pl.col("entry") - pl.col("birth_date")).dt.total_days() / 365.25,
            len=pl.col("len").fill_null(0),
        )
    )
    return SequenceSet(
        child_id=extra["child_id"].to_numpy().astype(str),
        codes=codes,
        length=length,
        entry=extra["entry"].to_numpy(),
        age_at_entry=extra["age"].fill_null(float("nan")).to_numpy().astype(np.float64),
        breakdowns=extra["len"].to_numpy().astype(np.int64),
        alphabet=alphabet,
        window=w,
    )
