"""The audit's per-group metric engine: every metric of :data:`METRICS` for a group, for one
row of weights (the point estimate) or a batch of bootstrap weights.

AUROC and ECE are :mod:`earlysignal.evaluate.metrics`'s; the rest are weighted shares. The point
estimates per group come from fairlearn's ``MetricFrame`` calling the same kernel, so the
bootstrap (:mod:`earlysignal.fairness.bootstrap`) and the point estimates share one engine.
:func:`earlysignal.fairness.audit` puts them together; this module holds no disclosure control.

Examples
--------
>>> import numpy as np
>>> y = np.array([0.0, 1.0, 0.0, 1.0]); p = np.array([0.2, 0.7, 0.4, 0.6])
>>> out = _metrics_w(y, p, (p >= 0.5).astype(float), np.ones((1, 4)), np.zeros(4, dtype=np.int64))
>>> float(out["base_rate"][0]), float(out["tpr"][0])
(0.5, 1.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from earlysignal.evaluate import metrics as M

__all__ = ["METRICS"]

METRICS: dict[str, str] = {
    "base_rate": "observed share with the outcome",
    "mean_risk": "mean predicted risk (expected share)",
    "oe_ratio": "observed / expected (calibration in the large; < 1: the model over-predicts)",
    "citl": "observed minus expected share (calibration in the large, difference)",
    "ece": "expected calibration error (10 equal-mass bins within the group)",
    "auroc": "area under the ROC curve within the group",
    "selection_rate": "share flagged at the threshold or capacity",
    "tpr": "true positive rate (recall) among those with the outcome",
    "fpr": "false positive rate among those without the outcome",
    "fnr": "false negative rate (missed) among those with the outcome",
    "ppv": "positive predictive value (precision) among those flagged",
}
"""The per-group metrics and their meaning."""


# ----------------------------------------------------------------------------- kernels
def _n_bins(size: int, n_bins: int) -> int:
    """At most ``n_bins`` equal-mass bins and about 10 rows or more per bin in small groups."""
    return max(1, min(n_bins, size // 10))


def _metrics_w(
    y: np.ndarray, p: np.ndarray, f: np.ndarray, w: np.ndarray, bins: np.ndarray
) -> dict[str, np.ndarray]:
    """Every metric of one group for each row of weights ``w`` (B, n).

    AUROC and ECE are :mod:`earlysignal.evaluate.metrics`'s; the rest are weighted shares.
    """
    tot = w.sum(axis=1)
    obs = w @ y
    exp = w @ p
    flagged = w @ f
    tp = w @ (y * f)
    fp = w @ ((1 - y) * f)
    pos = obs
    neg = tot - obs
    div = M._safe_div
    return {
        "base_rate": div(obs, tot),
        "mean_risk": div(exp, tot),
        "oe_ratio": div(obs, exp),
        "citl": div(obs - exp, tot),
        "ece": np.atleast_1d(M.ece(y, p, w, bins=bins)),
        "auroc": np.atleast_1d(M.auroc(y, p, w)),
        "selection_rate": div(flagged, tot),
        "tpr": div(tp, pos),
        "fpr": div(fp, neg),
        "fnr": div(pos - tp, pos),
        "ppv": div(tp, flagged),
    }


# ----------------------------------------------------------------------------- fairlearn
def _metric_frame(
    frame: pl.DataFrame,
    cols: Sequence[str],
    *,
    y: np.ndarray,
    p: np.ndarray,
    f: np.ndarray,
    n_bins: int,
) -> dict[tuple[str, ...], dict[str, float]]:
    """Point estimates per group: fairlearn's ``MetricFrame.by_group``, one metric per column.

    Each metric is a function of (labels, row positions) that calls the same engine as the
    bootstrap (:func:`_metrics_w`, i.e. :mod:`earlysignal.evaluate.metrics`) with unit weights
    on the group's risks and flags; the group's values are computed once and shared by its
    metrics (``y_pred`` carries row positions so that fairlearn splits plain 1-d arrays).
    """
    import pandas as pd
    from fairlearn.metrics import MetricFrame

    cache: dict[tuple[int, int, int], dict[str, np.ndarray]] = {}

    def values(y_true: Any, rows: Any) -> dict[str, np.ndarray]:
        idx = np.asarray(rows, dtype=np.int64)
        key = (int(idx[0]), int(idx[-1]), int(idx.size)) if idx.size else (0, 0, 0)
        if key not in cache:
            yy = np.asarray(y_true, dtype=np.float64)
            rr, ff = p[idx], f[idx]
            bins = M.equal_mass_bins(rr, _n_bins(yy.size, n_bins))
            cache[key] = _metrics_w(yy, rr, ff, np.ones((1, yy.size)), bins)
        return cache[key]

    def metric(name: str) -> Any:
        def compute(y_true: Any, rows: Any) -> float:
            return float(values(y_true, rows)[name][0])

        compute.__name__ = name
        return compute

    sens = pd.DataFrame({c: frame.get_column(c).to_list() for c in cols})
    mf = MetricFrame(
        metrics={m: metric(m) for m in METRICS},
        y_true=y,
        y_pred=np.arange(y.size),
        sensitive_features=sens,
    )
    out: dict[tuple[str, ...], dict[str, float]] = {}
    for key, row in mf.by_group.iterrows():
        k = key if isinstance(key, tuple) else (key,)
        out[tuple(str(v) for v in k)] = {m: float(row[m]) for m in METRICS}
    return out


def _children(ids: np.ndarray, mask: np.ndarray) -> int:
    """Distinct children among the rows of ``mask``."""
    return int(np.unique(ids[mask]).size)
