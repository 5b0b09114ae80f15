"""The decision rule: which rows are flagged, by a risk threshold or by a capacity.

A capacity rule ("flag the top 10 %") is fixed once, on the calibration period, by
:func:`capacity_rule`, and then applied unchanged wherever rows are flagged: the test period
and the card, the fairness audit, scoring and monitoring (:meth:`CapacityRule.flag`).

**Why a second key.** Calibrated risks are a step function of the model's score (isotonic,
Venn-ABERS): many rows share one risk value, so a cut on the risk alone flags a whole tie
group. ``risk >= quantile(risk, 1 - capacity)`` flagged 12.6 % of a 600-child study for a
10 % capacity; a cut that keeps only whole tie groups can fall far below it (1.3 %). The rule
therefore ranks rows by risk and, among equal risks, by the model's raw (uncalibrated) score:
a lexicographic threshold ``(risk_threshold, score_threshold)``,

    flagged = risk > risk_threshold  or  (risk == risk_threshold and score >= score_threshold)

**The tie rule.** On the set it is fixed on (``n`` rows), the rule flags the
``floor(capacity * n)`` rows first in the order (risk, then score, both highest first), when
the row at the cut and the next one differ in risk or score: the flagged share is then as
close as possible to the capacity and never above it. Rows equal in both risk and score
cannot be told apart: a group of them at the cut is left out whole, so fewer are flagged
(at most, never more). On new data the same two numbers are applied, so the share flagged
there is near the capacity but not fixed by it.

The thresholds are cut points between two rows, never one row's risk or raw score
(:func:`between`, as LightGBM's split thresholds): a saved model, its MLflow parameters and the
card must not carry a row's exact value. When the cut falls between two different risks the
rule needs no score: ``flagged = risk >= risk_threshold``.

A fixed risk threshold (``[decision] threshold``) is the same object without a score
threshold: ``flagged = risk >= risk_threshold``. So is a model saved before the score
threshold existed (:meth:`CapacityRule.from_metadata`); a model saved when the thresholds were
a row's values loads and flags as it did.

Examples
--------
>>> import numpy as np
>>> risk = np.array([0.4, 0.2, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.05, 0.05])
>>> score = np.array([1.0, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0, -0.1, -0.2, -0.3])
>>> rule = capacity_rule(risk, score, 0.3)
>>> rule.flag(risk, score).tolist()[:4], int(rule.flag(risk, score).sum())
([True, True, True, False], 3)
>>> int((risk >= np.quantile(risk, 0.7)).sum())  # a cut on the risk alone: the whole tie group
5
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class CapacityRule:
    """A decision rule: a risk threshold and, to break ties in risk, a score threshold.

    Parameters
    ----------
    risk_threshold
        Rows with a higher calibrated risk are flagged (``inf``: none are).
    score_threshold
        Rows with a risk equal to ``risk_threshold`` are flagged when their raw score is at
        least this; ``None``: all of them (a plain ``risk >= risk_threshold`` rule).
    capacity
        The share the rule was fixed for (``None`` for a fixed risk threshold).
    n_fitted, n_flagged_fitted
        Rows of the set the rule was fixed on, and how many it flags there.

    Examples
    --------
    >>> import numpy as np
    >>> rule = CapacityRule(risk_threshold=0.2, score_threshold=0.35)
    >>> rule.flag(np.array([0.3, 0.2, 0.2, 0.1]), np.array([0.0, 0.4, 0.3, 9.0])).tolist()
    [True, True, False, False]
    >>> CapacityRule(0.2).flag(np.array([0.3, 0.2, 0.1])).tolist()
    [True, True, False]
    """

    risk_threshold: float
    score_threshold: float | None = None
    capacity: float | None = None
    n_fitted: int | None = None
    n_flagged_fitted: int | None = None

    def flag(self, risk: Any, score: Any = None) -> np.ndarray:
        """Boolean mask of the flagged rows.

        ``score`` (the model's raw score, one per row) is needed when the rule has a score
        threshold; it is ignored otherwise.
        """
        r = np.asarray(risk, dtype=np.float64)
        if self.score_threshold is None:
            return np.asarray(r >= self.risk_threshold)
        if score is None:
            raise ValueError(
                "CapacityRule.flag: this rule breaks ties in risk by the model's raw score; "
                "pass score= (model.raw_score(X)) beside the risks"
            )
        s = np.asarray(score, dtype=np.float64)
        if s.shape != r.shape:
            raise ValueError(f"CapacityRule.flag: risk {r.shape} and score {s.shape} differ")
        return np.asarray(
            (r > self.risk_threshold) | ((r == self.risk_threshold) & (s >= self.score_threshold))
        )

    def to_metadata(self) -> dict[str, Any]:
        """The rule as JSON-ready fields of a saved model's metadata."""
        return {
            "threshold": self.risk_threshold,
            "score_threshold": self.score_threshold,
            "capacity": self.capacity,
        }

    @classmethod
    def from_metadata(cls, meta: Mapping[str, Any]) -> CapacityRule:
        """The rule a saved model carries (``threshold``, ``score_threshold``, ``capacity``).

        A model saved before the score threshold existed has only ``threshold``: it flags
        ``risk >= threshold``, as it did when it was saved.

        Examples
        --------
        >>> CapacityRule.from_metadata({"threshold": 0.2, "capacity": 0.1}).score_threshold is None
        True
        """
        thr = meta.get("threshold")
        if thr is None:
            raise ValueError("the model carries no decision threshold")
        score = meta.get("score_threshold")
        capacity = meta.get("capacity")
        return cls(
            risk_threshold=float(thr),
            score_threshold=None if score is None else float(score),
            capacity=None if capacity is None else float(capacity),
        )


def shown_threshold(value: float | None) -> float | None:
    """A threshold as published outside the saved model: 3 significant digits.

    The saved model keeps its thresholds exact (they decide which rows are flagged); the MLflow
    parameters, the card and the run's logs show them to 3 significant digits, which is all a
    reader needs and no more than the calibration data's ranking.

    Examples
    --------
    >>> shown_threshold(0.123456), shown_threshold(-1.98765), shown_threshold(None)
    (0.123, -1.99, None)
    """
    return None if value is None else float(f"{float(value):.3g}")


def flagged_count(capacity: float, n: int) -> int:
    """The number of rows a capacity asks for: ``floor(capacity * n)``, exact for decimals.

    ``capacity * n`` is rounded to 9 decimals first, so that 0.29 x 100 (28.999999999999996
    in floating point) asks for 29 rows, not 28.

    Examples
    --------
    >>> flagged_count(0.29, 100), flagged_count(0.1, 605), flagged_count(0.1, 5)
    (29, 60, 0)
    """
    return math.floor(round(capacity * n, 9))


def capacity_rule(risk: Any, score: Any, capacity: float) -> CapacityRule:
    """Fix the rule that flags the top ``capacity`` share of rows, ties in risk broken by score.

    Rows are ordered by risk, then by raw score (both highest first). The rule flags the first
    ``k = floor(capacity * n)`` rows (:func:`flagged_count`). When rows equal in both risk and
    score straddle the cut, the cut moves up to the last row before them: fewer than ``k`` are
    flagged, never more. With ``score=None`` ties in risk cannot be broken and the same "never
    more" rule applies to whole tie groups of risk.

    **The thresholds are no row's value.** When the last flagged and the first unflagged row
    differ in risk, the rule is ``risk >= t`` with ``t`` the midpoint of their two risks
    (:func:`between`), and no score threshold. When they share a risk (a tie of the
    calibrator's step), the risk threshold is that shared risk (a value of at least two rows)
    and the score threshold the midpoint between the last flagged row's raw score and the next
    lower raw score of any row. A rule that flags every row is ``risk >= 0``. Either way the
    rule flags exactly the rows a threshold at the last flagged row would flag, here; on new
    data a row between the two neighbours is decided by the midpoint.

    Parameters
    ----------
    risk
        Calibrated risks of the rows the rule is fixed on (the calibration period).
    score
        The model's raw (uncalibrated) score of the same rows, or ``None``.
    capacity
        The share of rows to flag, in (0, 1].

    Returns
    -------
    CapacityRule

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> score = rng.normal(size=600)
    >>> risk = np.round(1 / (1 + np.exp(-score)), 1)  # a step function: many ties
    >>> rule = capacity_rule(risk, score, 0.1)
    >>> int(rule.flag(risk, score).sum()), rule.n_flagged_fitted
    (60, 60)
    >>> int((risk >= np.quantile(risk, 0.9)).sum()) > 60  # the old rule: the whole tie group
    True
    """
    if not 0 < capacity <= 1:
        raise ValueError(f"capacity_rule: capacity must lie in (0, 1], got {capacity}")
    r = np.asarray(risk, dtype=np.float64).ravel()
    s = np.zeros_like(r) if score is None else np.asarray(score, dtype=np.float64).ravel()
    if s.shape != r.shape:
        raise ValueError(f"capacity_rule: risk {r.shape} and score {s.shape} differ")
    if not (np.all(np.isfinite(r)) and np.all(np.isfinite(s))):
        raise ValueError("capacity_rule: risks and scores must be finite numbers")
    n = r.size
    k = flagged_count(capacity, n)
    order = np.lexsort((-s, -r))  # risk first, then score, both highest first
    rs, ss = r[order], s[order]
    cut = k
    if 0 < k < n and rs[k - 1] == rs[k] and ss[k - 1] == ss[k]:
        # rows k-1 and k cannot be told apart: move the cut up before their whole group
        same = (rs[:k] == rs[k - 1]) & (ss[:k] == ss[k - 1])
        cut = int(np.flatnonzero(~same)[-1]) + 1 if not same.all() else 0
    if cut == 0:
        return CapacityRule(math.inf, None, float(capacity), n, 0)
    if cut == n:  # every row: a threshold below every risk, no row's value
        return CapacityRule(0.0 if rs[-1] >= 0 else -math.inf, None, float(capacity), n, n)
    if rs[cut] < rs[cut - 1]:  # the cut falls between two risks: no tie to break
        return CapacityRule(between(rs[cut], rs[cut - 1]), None, float(capacity), n, cut)
    # the cut falls inside a tie of risk: break it by the score, between two rows' scores
    below = s[s < ss[cut - 1]]  # the next lower raw score of any row (row ``cut`` has one)
    score_cut = between(float(below.max()), ss[cut - 1])
    return CapacityRule(float(rs[cut - 1]), score_cut, float(capacity), n, cut)


def between(lo: float, hi: float) -> float:
    """The midpoint of two neighbouring values ``lo < hi``: a cut that is neither.

    As LightGBM places a split threshold between two feature values, the decision rule's
    thresholds lie between the last flagged and the first unflagged row, so a saved model, its
    MLflow parameters and the card carry no row's exact risk or raw score. ``x >= between(lo,
    hi)`` is ``x >= hi`` for every ``x`` that is ``lo``, ``hi`` or not between them. When
    ``lo`` and ``hi`` are neighbouring floating-point numbers nothing lies strictly between:
    ``hi`` is returned (the former rule, exact).

    Examples
    --------
    >>> between(0.25, 0.5), between(-1.0, 3.0)
    (0.375, 1.0)
    >>> import numpy as np
    >>> bool(between(1.0, float(np.nextafter(1.0, 2.0))) == np.nextafter(1.0, 2.0))
    True
    """
    lo, hi = float(lo), float(hi)
    mid = lo / 2 + hi / 2
    return mid if lo < mid < hi else hi
