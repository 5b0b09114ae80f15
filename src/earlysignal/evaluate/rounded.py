"""Rates for the card's stored figures, derived from counts rounded as disclosure control does.

The card keeps each figure as its numbers (:mod:`earlysignal.card.figures`), and the card data
is a published artefact. A rate stored to six digits gives its counts back: a reliability bin's
observed rate times the bin's rows is the exact number of events in it, a ROC point's true
positive rate times the positives is the exact number flagged with the event. The card rounds
every count to 5 (``earlysignal.disclosure.round_count``) and publishes rates "never finer than
their rounded counts" (docs/disclosure.md). The figures therefore store rates computed from the
rounded counts: ``round_count(numerator) / round_count(denominator)``. A curve drawn from them
is indistinguishable at the card's size; an exact count cannot be read back from it.

This is a thin layer over the same counts the metric engine uses (:mod:`earlysignal.evaluate.
metrics` computes the published metrics and their intervals); it exists because the figures
need the counts themselves, not the metric, to round them.

Examples
--------
>>> rounded_rate([9, 17], 80).tolist()
[0.125, 0.1875]
>>> rounded_rate(3, 0).tolist()
[nan]
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "ROUNDING",
    "published_prevalence",
    "rounded_counts",
    "rounded_net_benefit",
    "rounded_rate",
]

ROUNDING = 5
"""Counts behind a stored figure are rounded to this multiple (as every published count)."""


def rounded_counts(counts: Any, rounding: int = ROUNDING) -> np.ndarray:
    """Counts rounded to the nearest multiple of ``rounding`` (halves up), as float array.

    Examples
    --------
    >>> rounded_counts([0, 2, 3, 12, 13]).tolist()
    [0.0, 0.0, 5.0, 10.0, 15.0]
    """
    c = np.rint(np.asarray(counts, dtype=np.float64))
    return np.floor((c + rounding // 2) / rounding) * rounding


def rounded_rate(numerator: Any, denominator: Any, rounding: int = ROUNDING) -> np.ndarray:
    """``numerator / denominator`` from the counts rounded to ``rounding``; NaN when the
    rounded denominator is 0. Counts are rounded to whole numbers first.

    Examples
    --------
    >>> rounded_rate([3, 12], [40, 41]).tolist()
    [0.125, 0.25]
    """
    num = np.atleast_1d(rounded_counts(numerator, rounding))
    den = np.broadcast_to(rounded_counts(denominator, rounding), num.shape)
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def rounded_net_benefit(y: Any, p: Any, thresholds: Any) -> np.ndarray:
    """Net benefit of flagging ``p >= t`` (``TP/N - FP/N * t / (1 - t)``, as
    :func:`earlysignal.evaluate.metrics.net_benefit`) from TP, FP and N rounded to 5.

    Examples
    --------
    >>> y = np.array([0, 1] * 10); p = np.linspace(0, 1, 20)
    >>> rounded_net_benefit(y, p, [0.2]).round(3).tolist()  # TP 8 and FP 8 published as 10
    [0.375]
    """
    yv = np.asarray(y, dtype=np.float64).ravel()
    pv = np.asarray(p, dtype=np.float64).ravel()
    t = np.asarray(thresholds, dtype=np.float64).ravel()
    if np.any((t <= 0) | (t >= 1)):
        raise ValueError("net benefit thresholds must lie strictly between 0 and 1")
    flags = pv[:, None] >= t[None, :]
    tp = (yv[:, None] * flags).sum(axis=0)
    fp = ((1 - yv)[:, None] * flags).sum(axis=0)
    n = rounded_counts(yv.size)
    if n == 0:
        return np.full(t.size, np.nan)
    return np.asarray((rounded_counts(tp) - rounded_counts(fp) * t / (1 - t)) / n)


def published_prevalence(rows: list[dict[str, Any]], y: Any) -> list[dict[str, Any]]:
    """The card's observed-prevalence metric rows as published: the value is the rate of the
    event and row counts as disclosure control publishes them (rounded to 5, under 10 hidden,
    :func:`earlysignal.disclosure.published_rate`, 2 decimals), its interval to 2 decimals, so
    that no exact count can be read back from it. ``rows`` are changed in place and returned.

    Examples
    --------
    >>> rows = [{"metric": "prevalence", "value": 0.0567, "lower": 0.0511, "upper": 0.0623}]
    >>> published_prevalence(rows, [1] * 17 + [0] * 283)  # 17 of 300 -> 15 of 300
    [{'metric': 'prevalence', 'value': 0.05, 'lower': 0.05, 'upper': 0.06}]
    """
    from earlysignal.disclosure import DEFAULT_POLICY, published_count, published_rate

    yv = np.asarray(y, dtype=np.float64).ravel()
    value = published_rate(published_count(int(yv.sum())), published_count(yv.size))
    decimals = DEFAULT_POLICY.decimals if DEFAULT_POLICY.decimals is not None else 2
    for r in rows:
        r["value"] = value
        for k in ("lower", "upper"):
            r[k] = None if value is None or r[k] is None else round(float(r[k]), decimals)
    return rows
