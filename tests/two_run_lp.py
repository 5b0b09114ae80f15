"""The linear-programming attacker of two overlapping runs, shared by the differencing tests.

Variables per group i of ``k``: x_i (its children in run 1), y_i (in run 2), a_i (children
who entered and joined i) and r_i (children of i in run 1 who left), with
y_i = x_i + a_i - r_i, r_i <= x_i, and the numbers entered and left known exactly (more than
a real attacker knows). What each test publishes becomes bounds on sums of these variables
(:meth:`TwoRuns.within`, :meth:`TwoRuns.published`); :meth:`TwoRuns.bounds` gives the
attacker's tightest interval on each sum asked for (``scipy.optimize.linprog``, HiGHS).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy.optimize import linprog

MIN = 10
"""The suppression threshold: a published count stands for at least this many children."""


class TwoRuns:
    """The attacker's linear model of ``k`` groups published in two runs."""

    def __init__(self, k: int, added: int, removed: int) -> None:
        self.k, self.nv = k, 4 * k
        self.a_ub: list[np.ndarray] = []
        self.b_ub: list[float] = []
        self.a_eq: list[np.ndarray] = []
        self.b_eq: list[float] = []
        for i in range(k):
            row = np.zeros(self.nv)
            row[[self.y(i), self.x(i), self.a(i), self.r(i)]] = [1, -1, -1, 1]
            self.a_eq.append(row)
            self.b_eq.append(0.0)
            row = np.zeros(self.nv)
            row[[self.r(i), self.x(i)]] = [1, -1]
            self.a_ub.append(row)
            self.b_ub.append(0.0)
        self.a_eq.append(self.coef([self.a(i) for i in range(k)]))
        self.b_eq.append(float(added))
        self.a_eq.append(self.coef([self.r(i) for i in range(k)]))
        self.b_eq.append(float(removed))

    def x(self, i: int) -> int:
        return i

    def y(self, i: int) -> int:
        return self.k + i

    def a(self, i: int) -> int:
        return 2 * self.k + i

    def r(self, i: int) -> int:
        return 3 * self.k + i

    def coef(self, idx: list[int]) -> np.ndarray:
        """The row that sums the variables ``idx``."""
        row = np.zeros(self.nv)
        row[idx] = 1.0
        return row

    def within(self, row: np.ndarray, lo: float, hi: float | None) -> None:
        """``lo <= row . v <= hi`` (no upper bound when ``hi`` is None)."""
        self.a_ub.append(-row)
        self.b_ub.append(-lo)
        if hi is not None:
            self.a_ub.append(row)
            self.b_ub.append(hi)

    def published(self, xs: np.ndarray, ys: np.ndarray, p1: int | None, p2: int | None) -> None:
        """What a cell's figures in both runs tell: a published ``P`` in run 1 is a count in
        ``[max(P - 2, 10), P + 2]``; in run 2 a figure that differs from run 1's was published
        afresh (the same bounds), one equal to it may repeat it (then only >= 10 is sure)."""
        if p1 is not None:
            self.within(xs, max(p1 - 2, MIN), p1 + 2)
        if p2 is not None:
            if p2 == p1:
                self.within(ys, MIN, None)
            else:
                self.within(ys, max(p2 - 2, MIN), p2 + 2)

    def bounds(self, objectives: Iterable[tuple[str, list[int]]]) -> dict[str, tuple[float, float]]:
        """The attacker's lowest and highest value of each named sum of variables."""
        kw = {
            "A_ub": np.array(self.a_ub),
            "b_ub": self.b_ub,
            "A_eq": np.array(self.a_eq),
            "b_eq": self.b_eq,
            "bounds": (0, None),
            "method": "highs",
        }
        out: dict[str, tuple[float, float]] = {}
        for name, idx in objectives:
            c = self.coef(idx)
            lo = linprog(c, **kw)
            hi = linprog(-c, **kw)
            assert lo.status == 0 and hi.status in (0, 3), (
                "the truth is feasible: the model is wrong"
            )
            out[name] = (float(lo.fun), float(-hi.fun) if hi.status == 0 else float("inf"))
        return out
