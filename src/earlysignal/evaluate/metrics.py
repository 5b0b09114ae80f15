"""Metrics of discrimination, calibration and clinical usefulness, weighted and batched.

Every function takes labels ``y`` (0/1), probabilities ``p`` and optional row weights ``w``:
either one weight vector of shape ``(n,)`` or a batch of shape ``(B, n)`` (one row per bootstrap
replicate, holding how often each row was drawn). The result has shape ``()`` for one vector and
``(B,)`` (or ``(B, T)`` for metrics at several thresholds) for a batch. The point estimate and
every bootstrap replicate therefore go through the same code.

What scikit-learn does not have, and is implemented here (with property tests in
``tests/evaluate``): expected calibration error with equal-mass bins, the Murphy decomposition of
the Brier score (with Stephenson et al.'s within-bin terms, so that it adds up exactly for
continuous forecasts), calibration intercept and slope (logistic recalibration), net benefit,
and capacity metrics at the top k %. AUROC, average precision, Brier score and log loss agree
with scikit-learn for unit weights (tested).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "auroc",
    "average_precision",
    "brier",
    "brier_decomposition",
    "calibration_intercept",
    "calibration_slope",
    "capacity",
    "ece",
    "equal_mass_bins",
    "log_loss",
    "net_benefit",
    "prevalence",
    "ranking_metrics",
    "treat_all_net_benefit",
]


def _prep(
    y: np.ndarray, p: np.ndarray, w: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    yv = np.asarray(y, dtype=np.float64)
    pv = np.asarray(p, dtype=np.float64)
    if yv.ndim != 1 or pv.shape != yv.shape:
        raise ValueError(f"metrics need 1-d y and p of equal length, got {yv.shape}, {pv.shape}")
    if w is None:
        return yv, pv, np.ones((1, yv.size)), True
    wv = np.asarray(w, dtype=np.float64)
    single = wv.ndim == 1
    wv = np.atleast_2d(wv)
    if wv.shape[1] != yv.size:
        raise ValueError(f"weights have {wv.shape[1]} columns for {yv.size} rows")
    return yv, pv, wv, single


def _out(values: np.ndarray, single: bool) -> np.ndarray:
    return values[0] if single else values


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def prevalence(y: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Weighted share of rows with the outcome.

    Examples
    --------
    >>> float(prevalence(np.array([0, 1, 1, 0])))
    0.5
    """
    yv, _, wv, single = _prep(y, np.zeros(np.asarray(y).shape), w)
    return _out(_safe_div(wv @ yv, wv.sum(axis=1)), single)


def _tie_groups(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(p, kind="stable")
    ps = p[order]
    starts = np.flatnonzero(np.r_[True, ps[1:] != ps[:-1]])
    return order, starts


def _grouped_pos_neg(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights of positives and negatives per distinct score (ascending), shape (B, G)."""
    order, starts = _tie_groups(p)
    ws = w[:, order]
    ys = y[order]
    pos = np.add.reduceat(ws * ys, starts, axis=1)
    neg = np.add.reduceat(ws * (1.0 - ys), starts, axis=1)
    return pos, neg


def _auroc_from_groups(pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
    neg_below = np.cumsum(neg, axis=1) - neg
    num = np.sum(pos * (neg_below + 0.5 * neg), axis=1)
    return _safe_div(num, pos.sum(axis=1) * neg.sum(axis=1))


def _ap_from_groups(pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
    pos, neg = pos[:, ::-1], neg[:, ::-1]
    tp = np.cumsum(pos, axis=1)
    fp = np.cumsum(neg, axis=1)
    precision = _safe_div(tp, tp + fp)
    contrib = np.where(pos > 0, precision * pos, 0.0)
    return _safe_div(contrib.sum(axis=1), pos.sum(axis=1))


def auroc(y: np.ndarray, p: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Area under the ROC curve (ties count one half), weighted.

    Examples
    --------
    >>> float(auroc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])))
    0.75
    """
    yv, pv, wv, single = _prep(y, p, w)
    pos, neg = _grouped_pos_neg(yv, pv, wv)
    return _out(_auroc_from_groups(pos, neg), single)


def average_precision(y: np.ndarray, p: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Average precision (area under the precision-recall curve, step-wise), weighted.

    Examples
    --------
    >>> round(float(average_precision(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))), 4)
    0.8333
    """
    yv, pv, wv, single = _prep(y, p, w)
    pos, neg = _grouped_pos_neg(yv, pv, wv)
    return _out(_ap_from_groups(pos, neg), single)


def ranking_metrics(
    y: np.ndarray,
    p: np.ndarray,
    w: np.ndarray,
    fractions: np.ndarray,
    n_children: float,
    *,
    tie_break: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """AUROC, average precision and capacity metrics from one sort and one gather (batch ``w``).

    Returns ``auroc`` and ``auprc`` of shape (B,) and ``precision``, ``recall``,
    ``alerts_per_100`` of shape (B, K). ``tie_break`` (the model's raw score) orders rows of
    equal risk for the capacity metrics, as the decision rule does (see ``capacity``).
    """
    yv, pv, wv, _ = _prep(y, p, w)
    order, starts = _tie_groups(pv)
    ws = wv[:, order]
    ys = yv[order]
    pos = np.add.reduceat(ws * ys, starts, axis=1)
    neg = np.add.reduceat(ws, starts, axis=1) - pos
    out = {"auroc": _auroc_from_groups(pos, neg), "auprc": _ap_from_groups(pos, neg)}
    if tie_break is None:
        out.update(_capacity_sorted(ws[:, ::-1], ys[::-1], fractions, n_children, pv[order][::-1]))
        return out
    tb = np.asarray(tie_break, dtype=np.float64)
    lex = np.lexsort((tb, pv))[::-1]  # risk, then score, both highest first
    out.update(_capacity_sorted(wv[:, lex], yv[lex], fractions, n_children, pv[lex], ts=tb[lex]))
    return out


def brier(y: np.ndarray, p: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Mean squared difference between probability and outcome, weighted.

    Examples
    --------
    >>> float(brier(np.array([0, 1]), np.array([0.0, 0.5])))
    0.125
    """
    yv, pv, wv, single = _prep(y, p, w)
    return _out(_safe_div(wv @ (pv - yv) ** 2, wv.sum(axis=1)), single)


def log_loss(y: np.ndarray, p: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Mean negative log-likelihood; probabilities clipped to ``[eps, 1 - eps]`` (float eps).

    Examples
    --------
    >>> round(float(log_loss(np.array([0, 1]), np.array([0.5, 0.5]))), 4)
    0.6931
    """
    yv, pv, wv, single = _prep(y, p, w)
    eps = np.finfo(np.float64).eps
    q = np.clip(pv, eps, 1 - eps)
    loss = -(yv * np.log(q) + (1 - yv) * np.log1p(-q))
    return _out(_safe_div(wv @ loss, wv.sum(axis=1)), single)


def equal_mass_bins(p: np.ndarray, n_bins: int = 10) -> np.ndarray:
    """Bin index per row: ``n_bins`` bins of (about) equal size by predicted probability.

    The edges are the quantiles of ``p``; tied probabilities always share a bin (so with many
    ties some bins are larger and fewer bins may be used).

    Examples
    --------
    >>> equal_mass_bins(np.array([0.1, 0.2, 0.3, 0.4]), n_bins=2).tolist()
    [0, 0, 1, 1]
    """
    pv = np.asarray(p, dtype=np.float64)
    if n_bins < 1:
        raise ValueError(f"n_bins must be >= 1, got {n_bins}")
    if pv.size == 0:
        return np.zeros(0, dtype=np.int64)
    ranks = np.argsort(np.argsort(pv, kind="stable"), kind="stable")
    provisional = (ranks * n_bins) // pv.size
    # Ties share the bin of their first member.
    order, starts = _tie_groups(pv)
    first = np.repeat(provisional[order][starts], np.diff(np.r_[starts, pv.size]))
    bins = np.empty(pv.size, dtype=np.int64)
    bins[order] = first
    _, dense = np.unique(bins, return_inverse=True)
    return np.asarray(dense, dtype=np.int64)


def _bin_sums(
    y: np.ndarray, p: np.ndarray, w: np.ndarray, bins: np.ndarray
) -> dict[str, np.ndarray]:
    n_b = int(bins.max()) + 1 if bins.size else 0
    onehot = np.zeros((bins.size, n_b))
    onehot[np.arange(bins.size), bins] = 1.0
    return {
        "w": w @ onehot,
        "wp": (w * p) @ onehot,
        "wy": (w * y) @ onehot,
        "wpp": (w * p * p) @ onehot,
        "wpy": (w * p * y) @ onehot,
        "wyy": (w * y * y) @ onehot,
    }


def ece(
    y: np.ndarray,
    p: np.ndarray,
    w: np.ndarray | None = None,
    *,
    n_bins: int = 10,
    bins: np.ndarray | None = None,
) -> np.ndarray:
    """Expected calibration error over equal-mass bins: sum of bin share x |mean p - mean y|.

    Parameters
    ----------
    bins : numpy.ndarray, optional
        Precomputed bin index per row (the bootstrap keeps the point estimate's bins).

    Examples
    --------
    >>> float(ece(np.array([0, 1, 0, 1]), np.array([0.5, 0.5, 0.5, 0.5])))
    0.0
    """
    yv, pv, wv, single = _prep(y, p, w)
    b = equal_mass_bins(pv, n_bins) if bins is None else np.asarray(bins)
    return _out(_ece_from_sums(_bin_sums(yv, pv, wv, b)), single)


def _ece_from_sums(s: dict[str, np.ndarray]) -> np.ndarray:
    return _safe_div(np.abs(s["wp"] - s["wy"]).sum(axis=1), s["w"].sum(axis=1))


def brier_decomposition(
    y: np.ndarray,
    p: np.ndarray,
    w: np.ndarray | None = None,
    *,
    n_bins: int = 10,
    bins: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Murphy's decomposition of the Brier score over equal-mass bins.

    ``brier = reliability - resolution + uncertainty + within_bin`` exactly, where
    ``reliability = sum_k share_k (mean p_k - mean y_k)^2`` (lower is better),
    ``resolution = sum_k share_k (mean y_k - mean y)^2`` (higher is better),
    ``uncertainty = mean y (1 - mean y)``, and ``within_bin`` collects the within-bin variance
    of the forecasts minus twice their within-bin covariance with the outcome (Stephenson,
    Coelho and Jolliffe 2008); it is zero when forecasts are constant within bins.

    Examples
    --------
    >>> y = np.array([0, 1, 0, 1]); p = np.array([0.2, 0.2, 0.6, 0.6])
    >>> d = brier_decomposition(y, p, n_bins=2)
    >>> bool(np.isclose(d["reliability"] - d["resolution"] + d["uncertainty"]
    ...      + d["within_bin"], brier(y, p)))
    True
    """
    yv, pv, wv, single = _prep(y, p, w)
    b = equal_mass_bins(pv, n_bins) if bins is None else np.asarray(bins)
    parts = _decomposition_from_sums(_bin_sums(yv, pv, wv, b))
    return {key: _out(value, single) for key, value in parts.items()}


def _decomposition_from_sums(s: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    total = s["w"].sum(axis=1)
    ybar = _safe_div(s["wy"].sum(axis=1), total)
    pk = _safe_div(s["wp"], s["w"])
    yk = _safe_div(s["wy"], s["w"])
    filled = s["w"] > 0
    rel = np.where(filled, s["w"] * (pk - yk) ** 2, 0.0).sum(axis=1) / total
    res = np.where(filled, s["w"] * (yk - ybar[:, None]) ** 2, 0.0).sum(axis=1) / total
    unc = ybar * (1 - ybar)
    wbv = np.where(filled, s["wpp"] - s["wp"] * pk, 0.0).sum(axis=1)
    wbc = 2 * np.where(filled, s["wpy"] - s["wp"] * yk, 0.0).sum(axis=1)
    within = (wbv - wbc) / total
    return {"reliability": rel, "resolution": res, "uncertainty": unc, "within_bin": within}


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-12, 1 - 1e-12)
    return np.asarray(np.log(q) - np.log1p(-q), dtype=np.float64)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)), dtype=np.float64)


def calibration_slope(
    y: np.ndarray, p: np.ndarray, w: np.ndarray | None = None, *, max_iter: int = 50
) -> np.ndarray:
    """Slope ``b`` of the logistic recalibration ``logit P(y=1) = a + b logit(p)``.

    1 is ideal; below 1 the predictions are too extreme (overfitting), above 1 too modest.
    Fitted by Newton-Raphson, vectorised over bootstrap replicates.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0.05, 0.6, 20000); y = (rng.random(20000) < p).astype(int)
    >>> bool(abs(float(calibration_slope(y, p)) - 1) < 0.1)
    True
    """
    yv, pv, wv, single = _prep(y, p, w)
    x = _logit(pv)
    params = np.zeros((wv.shape[0], 2))
    params[:, 1] = 1.0
    for _ in range(max_iter):
        eta = params[:, :1] + params[:, 1:] * x
        mu = _sigmoid(eta)
        r = wv * (yv - mu)
        h = wv * mu * (1 - mu)
        g0, g1 = r.sum(axis=1), r @ x
        h00, h01, h11 = h.sum(axis=1), h @ x, h @ (x * x)
        det = h00 * h11 - h01 * h01
        det = np.where(np.abs(det) > 1e-300, det, np.nan)
        step0 = (h11 * g0 - h01 * g1) / det
        step1 = (h00 * g1 - h01 * g0) / det
        params[:, 0] += step0
        params[:, 1] += step1
        if np.all(~np.isfinite(step0) | (np.abs(step0) + np.abs(step1) < 1e-9)):
            break
    return _out(params[:, 1], single)


def calibration_intercept(
    y: np.ndarray, p: np.ndarray, w: np.ndarray | None = None, *, max_iter: int = 50
) -> np.ndarray:
    """Calibration-in-the-large: ``a`` in ``logit P(y=1) = a + logit(p)`` (slope fixed at 1).

    0 is ideal; positive means the model underestimates risk on average.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0.05, 0.6, 20000); y = (rng.random(20000) < p).astype(int)
    >>> bool(abs(float(calibration_intercept(y, p))) < 0.05)
    True
    """
    yv, pv, wv, single = _prep(y, p, w)
    x = _logit(pv)
    a = np.zeros(wv.shape[0])
    for _ in range(max_iter):
        mu = _sigmoid(a[:, None] + x)
        g = (wv * (yv - mu)).sum(axis=1)
        h = (wv * mu * (1 - mu)).sum(axis=1)
        step = _safe_div(g, h)
        a = a + np.nan_to_num(step)
        if np.all(np.abs(np.nan_to_num(step)) < 1e-10):
            break
    return _out(a, single)


def net_benefit(
    y: np.ndarray, p: np.ndarray, thresholds: np.ndarray, w: np.ndarray | None = None
) -> np.ndarray:
    """Net benefit of flagging rows with ``p >= t``: ``TP/N - FP/N * t / (1 - t)``.

    Returns shape ``(T,)`` for one weight vector, ``(B, T)`` for a batch.

    Examples
    --------
    >>> y = np.array([0, 1, 1, 0]); p = np.array([0.1, 0.9, 0.6, 0.4])
    >>> net_benefit(y, p, np.array([0.5])).round(3).tolist()
    [0.5]
    """
    yv, pv, wv, single = _prep(y, p, w)
    t = np.asarray(thresholds, dtype=np.float64)
    if np.any((t <= 0) | (t >= 1)):
        raise ValueError("net benefit thresholds must lie strictly between 0 and 1")
    flags = (pv[:, None] >= t[None, :]).astype(np.float64)
    tp = wv @ (yv[:, None] * flags)
    fp = wv @ ((1 - yv)[:, None] * flags)
    n = wv.sum(axis=1)[:, None]
    nb = tp / n - fp / n * (t / (1 - t))[None, :]
    return _out(nb, single)


def treat_all_net_benefit(
    y: np.ndarray, thresholds: np.ndarray, w: np.ndarray | None = None
) -> np.ndarray:
    """Net benefit of flagging everyone: ``prevalence - (1 - prevalence) t / (1 - t)``.

    Examples
    --------
    >>> treat_all_net_benefit(np.array([0, 1]), np.array([0.5])).tolist()
    [0.0]
    """
    ones = np.ones(np.asarray(y).shape)
    return net_benefit(y, ones, thresholds, w)


def capacity(
    y: np.ndarray,
    p: np.ndarray,
    fractions: np.ndarray,
    w: np.ndarray | None = None,
    *,
    n_children: float | None = None,
    tie_break: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Precision, recall and alerts per 100 children when the top ``k`` share of rows is flagged.

    Rows are ranked by ``p`` (highest first) and flagged a whole tie group at a time: a group
    of equal risks is flagged only when it fits, with every higher group, within ``k`` times
    the total weight. So at most the requested share is flagged, and rows that a rule could not
    tell apart (equal risks) are never split between flagged and not flagged; when the tie
    group at the cut does not fit, fewer than ``k`` are flagged (possibly none). With
    ``tie_break`` (the model's raw score, one per row) rows of equal risk are ranked by it and
    a tie group is rows equal in both, the decision rule of
    :func:`earlysignal.models.capacity_rule`: then the flagged set is that rule's. The same rule
    holds in every bootstrap replicate (weights are the draw counts). ``alerts_per_100`` counts
    flagged rows (all prediction times in the period) per 100 distinct children
    (``n_children``; the number of rows when not given).

    Examples
    --------
    >>> y = np.array([1, 0, 1, 0, 0]); p = np.array([0.9, 0.8, 0.7, 0.2, 0.1])
    >>> out = capacity(y, p, np.array([0.4]))
    >>> out["precision"].tolist(), out["recall"].tolist(), out["alerts_per_100"].tolist()
    ([0.5], [0.5], [40.0])
    """
    yv, pv, wv, single = _prep(y, p, w)
    tb = None if tie_break is None else np.asarray(tie_break, dtype=np.float64)
    order = np.argsort(pv, kind="stable")[::-1] if tb is None else np.lexsort((tb, pv))[::-1]
    children = float(yv.size) if n_children is None else n_children
    fr = np.asarray(fractions, float)
    ts = None if tb is None else tb[order]
    out = _capacity_sorted(wv[:, order], yv[order], fr, children, pv[order], ts=ts)
    return {key: _out(value, single) for key, value in out.items()}


def _capacity_sorted(
    ws: np.ndarray,
    ys: np.ndarray,
    fractions: np.ndarray,
    n_children: float | np.ndarray,
    ps: np.ndarray,
    *,
    ts: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Capacity metrics for weights ``ws`` (B, n) and risks ``ps`` ordered by decreasing risk
    (then by decreasing tie-break score ``ts`` when given).

    A row is flagged when the cumulative weight up to the *end of its tie group* is at most
    ``k`` times the total weight (see ``capacity``); a tie group is rows equal in risk (and in
    ``ts`` when given).
    """
    k = np.asarray(fractions, dtype=np.float64)
    if np.any((k <= 0) | (k > 1)):
        raise ValueError("capacity fractions must lie in (0, 1]")
    psv = np.asarray(ps, dtype=np.float64)
    change = psv[1:] != psv[:-1]
    if ts is not None:
        tsv = np.asarray(ts, dtype=np.float64)
        change = change | (tsv[1:] != tsv[:-1])
    last = np.flatnonzero(np.r_[change, True])  # last row of each tie group
    group_end = np.repeat(last, np.diff(np.r_[-1, last]))  # per row: its group's last row
    through_group = np.cumsum(ws, axis=1)[:, group_end]
    total = ws.sum(axis=1)
    children = np.broadcast_to(np.asarray(n_children, dtype=np.float64), (ws.shape[0],))
    precision = np.empty((ws.shape[0], k.size))
    recall = np.empty_like(precision)
    alerts = np.empty_like(precision)
    positives = ws @ ys
    for j, frac in enumerate(k):
        fw = np.where(through_group <= frac * total[:, None] * (1 + 1e-12), ws, 0.0)
        tp = fw @ ys
        n_flag = fw.sum(axis=1)
        precision[:, j] = _safe_div(tp, n_flag)
        recall[:, j] = _safe_div(tp, positives)
        alerts[:, j] = 100.0 * n_flag / children
    return {"precision": precision, "recall": recall, "alerts_per_100": alerts}
