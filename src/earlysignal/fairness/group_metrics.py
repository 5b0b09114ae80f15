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
    """Point estimates per group: fairlearn's ``MetricFrame.by_group``, all metrics at once.

    One metric function of (labels, row positions) returns every metric of :data:`METRICS` as
    a dict: it calls the same engine as the bootstrap (:func:`_metrics_w`, i.e.
    :mod:`earlysignal.evaluate.metrics`) with unit weights on the group's risks and flags
    (``y_pred`` carries row positions so that fairlearn splits plain 1-d arrays). One function
    rather than one per metric: fairlearn copies a group's columns element by element
    (``np.stack``) on every metric call, which cost eleven times the metrics themselves
    (``benchmarks/demo.py``).
    """
    import pandas as pd
    from fairlearn.metrics import MetricFrame

    def values(y_true: Any, rows: Any) -> dict[str, float]:
        idx = np.asarray(rows, dtype=np.int64)
        yy = np.asarray(y_true, dtype=np.float64)
        rr, ff = p[idx], f[idx]
        bins = M.equal_mass_bins(rr, _n_bins(yy.size, n_bins))
        got = _metrics_w(yy, rr, ff, np.ones((1, yy.size)), bins)
        return {m: float(got[m][0]) for m in METRICS}

    sens = pd.DataFrame({c: frame.get_column(c).to_list() for c in cols})
    mf = MetricFrame(
        metrics={"metrics": values},
        y_true=y,
        y_pred=np.arange(y.size),
        sensitive_features=sens,
    )
    out: dict[tuple[str, ...], dict[str, float]] = {}
    for key, row in mf.by_group.iterrows():
        k = key if isinstance(key, tuple) else (key,)
        out[tuple(str(v) for v in k)] = dict(row["metrics"])
    return out


def _children(ids: np.ndarray, mask: np.ndarray) -> int:
    """Distinct children among the rows of ``mask``."""
    return int(np.unique(ids[mask]).size)
