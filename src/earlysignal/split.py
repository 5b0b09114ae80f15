"""Temporal train / calibrate / test splits with purging, and grouped cross-validation by child.

Random splits overstate performance for prediction over time (the What Works for Children's
Social Care review found exactly that). earlysignal splits by *prediction time*: the model is
trained on an earlier period, calibrated on the next one and tested on the latest one.

Purging. A row at prediction time ``t`` with horizon ``h`` has its label window ``(t, t + h]``.
A training row is kept only if its window ends before the calibration period starts
(``t + h < train_end``); a calibration row only if its window ends before the test period starts
(``t + h < calibrate_end``). Rows whose window crosses a boundary are dropped *and counted*
(``Split.summary``). Without purging, a training label would be decided by events that happen
during the calibration or test period, which is the leak that makes temporal validation look
better than it is.

Incomplete follow-up. A row whose window runs past the end of the data
(``t + h > observed_until``) must not keep a label: keeping the rows whose event happened
before the data end and dropping the others would keep positives and drop negatives, and
inflate the test prevalence, the calibration intercept and every metric that depends on the
base rate. The labels of :func:`earlysignal.outcomes.label` and ``build_features(outcomes=...)``
are censored at the source by default (``censor="window"``: null whatever happened in the
window, with the history's own ``observed_until``), so such rows arrive here with a null label
and are excluded and counted as censored, whether or not ``observed_until`` is passed. Passing
``observed_until`` (the history's extraction date) also purges them when the labels come from
elsewhere, whatever their label, and counts them as purged; the experiment runner passes it.

Children may appear in several periods, each time with only what was known at that row's
prediction time (the feature rule). That is the deployment situation: a model trained last year
scores the same children this year. What may not cross a boundary is a *label*, and purging
guarantees it.

Censored rows (null label) are excluded from every part and counted.

Examples
--------
>>> from datetime import date
>>> import polars as pl
>>> frame = pl.DataFrame(
...     {
...         "child_id": ["a", "a", "b", "b", "c"],
...         "prediction_time": [
...             date(2020, 1, 1), date(2020, 12, 1), date(2021, 3, 1),
...             date(2021, 5, 1), date(2022, 3, 1),
...         ],
...         "label_breakdown_180d": [0, 1, 0, None, 1],
...     },
...     schema_overrides={"label_breakdown_180d": pl.Int8},
... )
>>> split = temporal_split(
...     frame, train_end=date(2021, 1, 1), calibrate_end=date(2022, 1, 1), horizon=180,
...     label="label_breakdown_180d",
... )
>>> split.train.height, split.calibrate.height, split.test.height
(1, 1, 1)
>>> split.summary.select("part", "rows_in", "purged", "censored", "rows").rows()
[('train', 2, 1, 0, 1), ('calibrate', 2, 0, 1, 1), ('test', 1, 0, 0, 1)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

__all__ = [
    "Split",
    "fraction_boundaries",
    "grouped_cv",
    "horizon_from_label",
    "temporal_split",
    "temporal_split_by_fraction",
]

_LABEL_RE = re.compile(r"^label_(?P<outcome>.+)_(?P<horizon>\d+)d$")
_PARTS = ("train", "calibrate", "test")


@dataclass(frozen=True, eq=False)
class Split:
    """A temporal split of a features frame into train, calibrate and test parts.

    Attributes
    ----------
    train, calibrate, test : polars.DataFrame
        The rows of each period, purged and (when a label is given) without censored rows, in
        the input's row order.
    summary : polars.DataFrame
        One row per part: ``part`` (str), ``start`` and ``end`` (date, ``end`` exclusive, null
        when open), ``rows_in`` (rows whose prediction time falls in the period), ``purged``
        (rows dropped because their label window crosses into the next period), ``censored``
        (rows dropped because their label is null), ``rows`` (rows kept), ``children`` (distinct
        children kept), ``positives`` (label 1 among the rows kept; null without a label).
    train_end, calibrate_end : datetime.date
        First day of the calibration period and first day of the test period.
    horizon : int
        The label horizon in days used for purging.
    label : str or None
        The label column, if one was given.
    """

    train: pl.DataFrame
    calibrate: pl.DataFrame
    test: pl.DataFrame
    summary: pl.DataFrame
    train_end: date
    calibrate_end: date
    horizon: int
    label: str | None

    def part(self, name: str) -> pl.DataFrame:
        """Return one part by name (``"train"``, ``"calibrate"`` or ``"test"``).

        Examples
        --------
        >>> from datetime import date
        >>> import polars as pl
        >>> f = pl.DataFrame({"child_id": ["a"], "prediction_time": [date(2020, 1, 1)]})
        >>> s = temporal_split(f, train_end=date(2021, 1, 1), calibrate_end=date(2022, 1, 1),
        ...                    horizon=30)
        >>> s.part("train").height
        1
        """
        if name not in _PARTS:
            raise ValueError(f"unknown split part {name!r}: expected one of {', '.join(_PARTS)}")
        frame: pl.DataFrame = getattr(self, name)
        return frame


def horizon_from_label(label: str) -> int:
    """Read the horizon in days from a label column name ``label_{outcome}_{horizon}d``.

    Examples
    --------
    >>> horizon_from_label("label_carousel_365d")
    365
    """
    match = _LABEL_RE.match(label)
    if match is None:
        raise ValueError(
            f"label column {label!r} does not follow the naming rule 'label_{{outcome}}_"
            "{horizon}d' (see docs/architecture.md): pass horizon= explicitly"
        )
    return int(match.group("horizon"))


def _check_frame(frame: pl.DataFrame, time_col: str, label: str | None) -> None:
    if time_col not in frame.columns:
        raise ValueError(
            f"split rule 'time column present': the features frame has no column {time_col!r} "
            f"(columns: {', '.join(frame.columns[:12])}...); pass time_col= to name it"
        )
    dtype = frame.schema[time_col]
    if dtype != pl.Date:
        raise TypeError(
            f"split rule 'prediction times are dates': column {time_col!r} has type {dtype}, "
            "expected polars Date; cast it with pl.col(...).cast(pl.Date)"
        )
    n_null = frame.get_column(time_col).null_count()
    if n_null:
        raise ValueError(
            f"split rule 'no missing prediction time': column {time_col!r} has {n_null} null "
            "values; remove or fill those rows before splitting"
        )
    if label is not None and label not in frame.columns:
        raise ValueError(
            f"split rule 'label present': the features frame has no label column {label!r}; "
            "build features with outcomes=... or pass the right label name"
        )


def temporal_split(
    frame: pl.DataFrame,
    *,
    train_end: date,
    calibrate_end: date,
    horizon: int | None = None,
    label: str | None = None,
    time_col: str = "prediction_time",
    group_col: str = "child_id",
    observed_until: date | None = None,
) -> Split:
    """Split a features frame by prediction time into train, calibrate and test periods.

    Parameters
    ----------
    frame : polars.DataFrame
        One row per (child, prediction time), as returned by ``build_features``.
    train_end : datetime.date
        First day of the calibration period; training rows have ``t < train_end``.
    calibrate_end : datetime.date
        First day of the test period; calibration rows have ``train_end <= t < calibrate_end``
        and test rows ``t >= calibrate_end``.
    horizon : int, optional
        Label horizon in days, used for purging. Read from ``label`` when omitted.
    label : str, optional
        Label column; rows where it is null (censored) are excluded and counted.
    time_col, group_col : str
        Names of the prediction-time and child columns.
    observed_until : datetime.date, optional
        The end of the data. When given, test rows whose label window runs past it
        (``t + horizon > observed_until``) are purged whatever their label (see "Incomplete
        follow-up" in the module docstring); pass ``history.observed_until``. Labels made by
        earlysignal are already null for those rows (censored at the source), so omitting it
        is safe for them; it guards labels made elsewhere.

    Returns
    -------
    Split
        The three parts and a ``summary`` of what was kept, purged and censored.

    Examples
    --------
    >>> from datetime import date
    >>> import polars as pl
    >>> f = pl.DataFrame({"child_id": ["a", "b"],
    ...                   "prediction_time": [date(2020, 12, 1), date(2021, 6, 1)]})
    >>> s = temporal_split(f, train_end=date(2021, 1, 1), calibrate_end=date(2022, 1, 1),
    ...                    horizon=90)
    >>> s.summary.get_column("purged").to_list()
    [1, 0, 0]
    """
    if horizon is None:
        if label is None:
            raise ValueError(
                "split rule 'purging needs a horizon': pass horizon= (days) or a label named "
                "'label_{outcome}_{horizon}d'"
            )
        horizon = horizon_from_label(label)
    if horizon < 0:
        raise ValueError(f"split rule 'horizon >= 0': got horizon={horizon}; pass days >= 0")
    if not train_end < calibrate_end:
        raise ValueError(
            f"split rule 'periods in order': train_end={train_end} must be before "
            f"calibrate_end={calibrate_end}"
        )
    _check_frame(frame, time_col, label)
    t = pl.col(time_col)
    window_end = t + pl.duration(days=horizon)
    periods = {
        "train": (None, train_end, t < train_end, window_end < train_end),
        "calibrate": (
            train_end,
            calibrate_end,
            (t >= train_end) & (t < calibrate_end),
            window_end < calibrate_end,
        ),
        "test": (
            calibrate_end,
            None,
            t >= calibrate_end,
            pl.lit(True) if observed_until is None else window_end <= pl.lit(observed_until),
        ),
    }
    parts: dict[str, pl.DataFrame] = {}
    rows = []
    for name, (start, end, in_period, keep_window) in periods.items():
        part = frame.filter(in_period)
        rows_in = part.height
        part = part.filter(keep_window)
        purged = rows_in - part.height
        censored = 0
        if label is not None:
            before = part.height
            part = part.filter(pl.col(label).is_not_null())
            censored = before - part.height
        parts[name] = part
        positives = int(part.get_column(label).cast(pl.Int64).sum()) if label is not None else None
        children = part.get_column(group_col).n_unique() if group_col in part.columns else None
        rows.append(
            {
                "part": name,
                "start": start,
                "end": end,
                "rows_in": rows_in,
                "purged": purged,
                "censored": censored,
                "rows": part.height,
                "children": children,
                "positives": positives,
            }
        )
    summary = pl.DataFrame(
        rows,
        schema={
            "part": pl.String,
            "start": pl.Date,
            "end": pl.Date,
            "rows_in": pl.Int64,
            "purged": pl.Int64,
            "censored": pl.Int64,
            "rows": pl.Int64,
            "children": pl.Int64,
            "positives": pl.Int64,
        },
    )
    return Split(
        train=parts["train"],
        calibrate=parts["calibrate"],
        test=parts["test"],
        summary=summary,
        train_end=train_end,
        calibrate_end=calibrate_end,
        horizon=horizon,
        label=label,
    )


def temporal_split_by_fraction(
    frame: pl.DataFrame,
    *,
    fractions: tuple[float, float, float] = (0.6, 0.2, 0.2),
    horizon: int | None = None,
    label: str | None = None,
    time_col: str = "prediction_time",
    group_col: str = "child_id",
    observed_until: date | None = None,
) -> Split:
    """Split by prediction time so that the periods hold about the given fractions of rows.

    The boundaries are the prediction-time quantiles at ``fractions[0]`` and
    ``fractions[0] + fractions[1]`` (computed before purging and censoring, so the parts that
    are kept are somewhat smaller than the fractions; ``Split.summary`` says by how much).
    ``observed_until`` is passed on to :func:`temporal_split`.

    Examples
    --------
    >>> from datetime import date, timedelta
    >>> import polars as pl
    >>> times = [date(2020, 1, 1) + timedelta(days=30 * i) for i in range(10)]
    >>> f = pl.DataFrame({"child_id": [str(i) for i in range(10)], "prediction_time": times})
    >>> s = temporal_split_by_fraction(f, horizon=0)
    >>> s.summary.get_column("rows_in").to_list()
    [6, 2, 2]
    """
    _check_frame(frame, time_col, label)
    train_end, calibrate_end = fraction_boundaries(frame, fractions, time_col=time_col)
    return temporal_split(
        frame,
        train_end=train_end,
        calibrate_end=calibrate_end,
        horizon=horizon,
        label=label,
        time_col=time_col,
        group_col=group_col,
        observed_until=observed_until,
    )


def fraction_boundaries(
    frame: pl.DataFrame,
    fractions: tuple[float, float, float] = (0.6, 0.2, 0.2),
    *,
    time_col: str = "prediction_time",
) -> tuple[date, date]:
    """``(train_end, calibrate_end)`` of :func:`temporal_split_by_fraction` for these times.

    Known before any feature is built (from the prediction times alone), so the training
    period's end can choose the feature vocabulary
    (:func:`earlysignal.features.feature_vocabulary`) before the split is made.

    Examples
    --------
    >>> from datetime import date, timedelta
    >>> import polars as pl
    >>> times = [date(2020, 1, 1) + timedelta(days=30 * i) for i in range(10)]
    >>> fraction_boundaries(pl.DataFrame({"prediction_time": times}))
    (datetime.date(2020, 6, 29), datetime.date(2020, 8, 28))
    """
    if len(fractions) != 3 or any(f <= 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(
            f"split rule 'three positive fractions summing to 1': got {fractions}; "
            "pass e.g. fractions=(0.6, 0.2, 0.2)"
        )
    if frame.height == 0:
        raise ValueError("split rule 'rows to split': the features frame is empty")
    ordinals = np.sort(frame.get_column(time_col).cast(pl.Int32).to_numpy())
    n = ordinals.size
    epoch = date(1970, 1, 1)
    cut1 = int(ordinals[min(n - 1, round(fractions[0] * n))])
    cut2 = int(ordinals[min(n - 1, round((fractions[0] + fractions[1]) * n))])
    return epoch + timedelta(days=cut1), epoch + timedelta(days=max(cut2, cut1 + 1))


def grouped_cv(
    frame: pl.DataFrame,
    n_splits: int = 5,
    group_col: str = "child_id",
    *,
    seed: int = 0,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cross-validation folds in which each child's rows stay together.

    Children are shuffled with ``seed`` and dealt round-robin into ``n_splits`` folds, so the
    folds hold about equal numbers of children. Use within the training period only (for
    tuning); the temporal split remains the honest evaluation.

    Returns
    -------
    list of (train_indices, validation_indices)
        Row positions (int64 arrays) into ``frame``; usable as ``cv=`` in scikit-learn.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"child_id": ["a", "a", "b", "c", "c", "d"]})
    >>> folds = grouped_cv(f, n_splits=2)
    >>> sorted(int(i) for _, val in folds for i in val)
    [0, 1, 2, 3, 4, 5]
    """
    if group_col not in frame.columns:
        raise ValueError(
            f"grouped CV rule 'group column present': no column {group_col!r} in the frame; "
            "pass group_col="
        )
    codes = frame.get_column(group_col).cast(pl.String).to_numpy()
    uniques, inverse = np.unique(codes, return_inverse=True)
    if not 2 <= n_splits <= uniques.size:
        raise ValueError(
            f"grouped CV rule '2 <= n_splits <= children': got n_splits={n_splits} for "
            f"{uniques.size} children; lower n_splits"
        )
    rng = np.random.default_rng(seed)
    fold_of_group = np.empty(uniques.size, dtype=np.int64)
    fold_of_group[rng.permutation(uniques.size)] = np.arange(uniques.size) % n_splits
    fold = fold_of_group[inverse]
    rows = np.arange(frame.height, dtype=np.int64)
    return [(rows[fold != k], rows[fold == k]) for k in range(n_splits)]
