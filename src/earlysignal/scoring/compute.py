"""The numbers of a scoring, computed once and for all children at a time.

:func:`earlysignal.scoring.score` spends its time on a few array steps; this module holds them
so that each runs once, vectorised, for all children:

- :func:`risk_and_interval`: one pass through the trees (the base model's raw score), from
  which both the calibrated risk and the Venn-ABERS interval are read (the model's own
  ``risk`` and ``predict_interval`` would each pass through the trees again, with the same
  result);
- :func:`top_factors`: each child's strongest raising contributions for the ranked table;
- :func:`sheet_factors`: the raising and lowering factors of the flagged children's sheets.

Examples
--------
>>> import numpy as np
>>> values = np.array([[0.2, -0.1, 0.5], [-0.3, 0.0, -0.2]])
>>> top_factors(values, ["a", "b", "c"], 2)["factor_1"]
['c', None]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "SCORING_MAX_UNIQUE_DEPTH",
    "risk_and_interval",
    "risk_interval_and_score",
    "sheet_factors",
    "top_factors",
]

SCORING_MAX_UNIQUE_DEPTH = 16
"""Trees with paths of up to this many unique features stay in the fast TreeSHAP kernel when
scoring (the explain default is 12): LightGBM's own ``pred_contrib`` for the deeper trees cost
more than the kernel for all the others (``docs/scoring.md``)."""


def risk_and_interval(
    model: Any, X: Any
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """Calibrated risk and, when the model has one, its Venn-ABERS interval per row.

    A calibrated model's raw score is computed once and fed to both its calibrator and its
    Venn-ABERS predictor: the same numbers as ``model.risk(X)`` and
    ``model.predict_interval(X)``, with one pass through the trees instead of two.
    ``X`` is what the model takes (a frame with its feature columns, or a matrix).

    Examples
    --------
    >>> import numpy as np
    >>> from earlysignal.models import CalibratedRiskModel, LogisticRiskModel
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 2)); y = (X[:, 0] + rng.normal(size=400) > 0).astype(int)
    >>> m = CalibratedRiskModel(LogisticRiskModel(), method="venn_abers").fit(X, y)
    >>> risk, (lo, hi) = risk_and_interval(m, X[:5])
    >>> bool(np.array_equal(risk, m.risk(X[:5])))
    True
    >>> bool(np.array_equal(lo, m.predict_interval(X[:5])[0]))
    True
    """
    risk, interval, _ = risk_interval_and_score(model, X)
    return risk, interval


def risk_interval_and_score(
    model: Any, X: Any
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None, np.ndarray]:
    """As :func:`risk_and_interval`, plus the model's raw score per row (one pass).

    The raw score breaks ties in risk for a capacity rule (``earlysignal.models.decision``).

    Examples
    --------
    >>> import numpy as np
    >>> from earlysignal.models import CalibratedRiskModel, LogisticRiskModel
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 2)); y = (X[:, 0] + rng.normal(size=400) > 0).astype(int)
    >>> m = CalibratedRiskModel(LogisticRiskModel(), method="isotonic").fit(X, y)
    >>> risk, interval, raw = risk_interval_and_score(m, X[:5])
    >>> bool(np.array_equal(raw, m.raw_score(X[:5]))), bool(np.array_equal(risk, m.risk(X[:5])))
    (True, True)
    """
    venn_abers = getattr(model, "venn_abers_", None)
    raw = np.asarray(model.raw_score(X), dtype=np.float64)
    if hasattr(model, "calibrate_scores"):  # the calibrators read the raw score: one pass
        risk = np.asarray(model.calibrate_scores(raw), dtype=np.float64)
        bounds = None if venn_abers is None else venn_abers.predict_interval(raw)
    else:
        risk = np.asarray(model.risk(X), dtype=np.float64)
        bounds = None if venn_abers is None else model.predict_interval(X)
    if bounds is None:
        return risk, None, raw
    lo, hi = bounds
    return risk, (np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)), raw


def top_factors(values: np.ndarray, names: Sequence[str], n_factors: int) -> dict[str, Any]:
    """The ``n_factors`` largest positive contributions of every row, for the ranked table.

    Returns ``factor_k`` (feature name, ``None`` when the row has fewer positive
    contributions) and ``factor_k_contribution`` (NaN then), ``k = 1 .. n_factors``; ties go to
    the feature that comes first in the model's order.

    Examples
    --------
    >>> import numpy as np
    >>> out = top_factors(np.array([[0.1, 0.3, -0.2]]), ["a", "b", "c"], 3)
    >>> out["factor_1"], out["factor_2"], out["factor_3"]
    (['b'], ['a'], [None])
    """
    n = values.shape[0]
    k = min(n_factors, values.shape[1])
    # a stable partial order: the k largest by value, then by column (argsort of -values is
    # stable, so equal contributions keep the model's column order)
    order = np.argsort(-values, axis=1, kind="stable")[:, :k]
    picked = np.take_along_axis(values, order, axis=1)
    label = np.asarray(list(names), dtype=object)
    out: dict[str, Any] = {}
    for j in range(n_factors):
        if j < k:
            val = picked[:, j]
            keep = val > 0
            chosen = label[order[:, j]]
            out[f"factor_{j + 1}"] = [c if f else None for c, f in zip(chosen, keep, strict=True)]
            out[f"factor_{j + 1}_contribution"] = np.where(keep, val, np.nan)
        else:
            out[f"factor_{j + 1}"] = [None] * n
            out[f"factor_{j + 1}_contribution"] = np.full(n, np.nan)
    return out


def sheet_factors(values: np.ndarray, n_factors: int) -> tuple[list[list[int]], list[list[int]]]:
    """Column indices of each row's raising and lowering factors, strongest first.

    At most ``n_factors`` each: the largest positive contributions (raising) and the most
    negative (lowering), ties in the model's column order.

    Examples
    --------
    >>> import numpy as np
    >>> sheet_factors(np.array([[0.1, 0.3, -0.2, 0.0]]), 2)
    ([[1, 0]], [[2]])
    """
    up_order = np.argsort(-values, axis=1, kind="stable")[:, :n_factors]
    down_order = np.argsort(values, axis=1, kind="stable")[:, :n_factors]
    up_val = np.take_along_axis(values, up_order, axis=1)
    down_val = np.take_along_axis(values, down_order, axis=1)
    up = [o[v > 0].tolist() for o, v in zip(up_order, up_val, strict=True)]
    down = [o[v < 0].tolist() for o, v in zip(down_order, down_val, strict=True)]
    return up, down
