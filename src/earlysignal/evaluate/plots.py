"""Evaluation plots (matplotlib, imported lazily); each function returns a ``Figure``.

Figures are built with ``matplotlib.figure.Figure`` directly (no pyplot state), so they work in
scripts, notebooks, MLflow logging and headless CI alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from earlysignal.evaluate.core import decision_curve, reliability_table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "plot_decision_curve",
    "plot_reliability",
    "plot_risk_distribution",
    "plot_roc_pr",
]


def _as_mapping(p: Any) -> Mapping[str, Any]:
    return p if isinstance(p, Mapping) else {"model": p}


def plot_reliability(
    y: Any,
    predictions: Any,
    groups: Any | None = None,
    *,
    n_bins: int = 10,
    n_boot: int = 200,
    seed: int = 0,
) -> Figure:
    """Reliability diagram: observed rate against mean predicted risk per equal-mass bin.

    The shaded band is the 95 % bootstrap interval of the observed rate (clustered by
    ``groups``); the diagonal is perfect calibration.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0, 0.5, 500); y = (rng.random(500) < p).astype(int)
    >>> fig = plot_reliability(y, {"model": p}, n_boot=20)
    >>> type(fig).__name__
    'Figure'
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 5))
    ax = fig.add_subplot()
    top = 0.0
    for name, p in _as_mapping(predictions).items():
        table = reliability_table(y, p, groups, n_bins=n_bins, n_boot=n_boot, seed=seed)
        x = table.get_column("mean_predicted").to_numpy()
        obs = table.get_column("observed").to_numpy()
        (line,) = ax.plot(x, obs, marker="o", label=name)
        ax.fill_between(
            x,
            table.get_column("lower").to_numpy(),
            table.get_column("upper").to_numpy(),
            color=line.get_color(),
            alpha=0.2,
            linewidth=0,
        )
        top = max(top, float(np.nanmax(np.r_[x, table.get_column("upper").to_numpy()])))
    top = min(1.0, top * 1.05 + 0.01)
    ax.plot([0, top], [0, top], linestyle="--", color="grey", label="perfect calibration")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("mean predicted risk (bin)")
    ax.set_ylabel("observed event rate (bin)")
    ax.set_title(f"Reliability, {n_bins} equal-mass bins, 95 % bands")
    ax.legend(loc="upper left")
    return fig


def plot_decision_curve(
    y: Any,
    predictions: Any,
    thresholds: Sequence[float] | np.ndarray | None = None,
) -> Figure:
    """Decision curve: net benefit by threshold, against treat-all and treat-none.

    Examples
    --------
    >>> y = np.array([0, 1, 1, 0]); p = np.array([0.1, 0.9, 0.6, 0.4])
    >>> type(plot_decision_curve(y, p)).__name__
    'Figure'
    """
    from matplotlib.figure import Figure

    curve = decision_curve(y, _as_mapping(predictions), thresholds)
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    prevalence = float(np.mean(np.asarray(y, dtype=float)))
    for name in curve.get_column("model").unique(maintain_order=True).to_list():
        part = curve.filter(model=name)
        style = {"treat_all": ":", "treat_none": "--"}.get(name, "-")
        ax.plot(
            part.get_column("threshold").to_numpy(),
            part.get_column("net_benefit").to_numpy(),
            linestyle=style,
            label=name,
        )
    ax.set_ylim(-0.05 * max(prevalence, 0.01), max(prevalence, 0.01) * 1.1)
    ax.set_xlabel("threshold probability")
    ax.set_ylabel("net benefit")
    ax.set_title("Decision curve")
    ax.legend()
    return fig


def plot_roc_pr(y: Any, predictions: Any) -> Figure:
    """ROC and precision-recall curves side by side, with AUROC and AUPRC in the legend.

    Examples
    --------
    >>> y = np.array([0, 1, 1, 0]); p = np.array([0.1, 0.9, 0.6, 0.4])
    >>> len(plot_roc_pr(y, p).axes)
    2
    """
    from matplotlib.figure import Figure
    from sklearn.metrics import precision_recall_curve, roc_curve

    from earlysignal.evaluate.metrics import auroc, average_precision

    yv = np.asarray(y)
    fig = Figure(figsize=(10, 4.5))
    roc_ax, pr_ax = fig.subplots(1, 2)
    for name, p in _as_mapping(predictions).items():
        pv = np.asarray(p, dtype=float)
        fpr, tpr, _ = roc_curve(yv, pv)
        roc_ax.plot(fpr, tpr, label=f"{name} (AUROC {float(auroc(yv, pv)):.3f})")
        precision, recall, _ = precision_recall_curve(yv, pv)
        pr_ax.step(
            recall,
            precision,
            where="post",
            label=f"{name} (AUPRC {float(average_precision(yv, pv)):.3f})",
        )
    roc_ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="chance")
    roc_ax.set_xlabel("false positive rate")
    roc_ax.set_ylabel("true positive rate")
    roc_ax.set_title("ROC")
    roc_ax.legend(loc="lower right")
    pr_ax.axhline(float(yv.mean()), linestyle="--", color="grey", label="prevalence")
    pr_ax.set_xlabel("recall")
    pr_ax.set_ylabel("precision")
    pr_ax.set_title("Precision-recall")
    pr_ax.legend(loc="upper right")
    return fig


def plot_risk_distribution(y: Any, p: Any, *, bins: int = 40) -> Figure:
    """Histograms of predicted risk for rows with and without the outcome (densities).

    Examples
    --------
    >>> y = np.array([0, 1, 1, 0]); p = np.array([0.1, 0.9, 0.6, 0.4])
    >>> type(plot_risk_distribution(y, p)).__name__
    'Figure'
    """
    from matplotlib.figure import Figure

    yv = np.asarray(y)
    pv = np.asarray(p, dtype=float)
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    edges = np.linspace(0, max(float(pv.max()), 1e-6), bins + 1).tolist()
    for value, label in ((0, "no event"), (1, "event")):
        sel = pv[yv == value]
        if sel.size:
            ax.hist(sel, bins=edges, density=True, alpha=0.5, label=f"{label} (n={sel.size})")
    ax.set_xlabel("predicted risk")
    ax.set_ylabel("density")
    ax.set_title("Risk distribution by outcome")
    ax.legend()
    return fig
