"""Evaluation plots (matplotlib, imported lazily); each function returns a ``Figure``.

Figures are built with ``matplotlib.figure.Figure`` directly (no pyplot state), so they work in
scripts, notebooks, MLflow logging and headless CI alike. Every text in a figure is worded in
``lang`` (``"en"``, ``"nl"``) through the catalogue, and the axes' numbers are formatted for
it (``0,25``, ``25 %``; :mod:`earlysignal.i18n.figures`).

The card's figures are split in two: ``*_data`` computes the figure's aggregated, disclosure-safe
numbers (JSON-ready, stored in the card data), and ``draw_*`` draws them in a language, so a
card re-rendered in another language gets its figures in that language
(:mod:`earlysignal.card.figures`). ``plot_*`` does both. The reliability bins, the ROC and
precision-recall steps and the decision curve's flagged rows are cut from each model's ranking
only where at least 10 distinct children (``groups``) with the event and 10 without lie between
two cuts (:mod:`earlysignal.evaluate.slices`); rows are prediction times, so a slice of many
rows can be a few children.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from earlysignal.evaluate.core import reliability_table
from earlysignal.evaluate.rounded import rounded_counts, rounded_rate
from earlysignal.evaluate.slices import (
    MIN_CHILDREN,
    decision_cuts,
    reliability_bins,
    safe_cuts,
    thin_cuts,
)
from earlysignal.i18n import format_decimal, format_number, format_percent
from earlysignal.i18n.figures import figure_gettext, localize_axes

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "decision_curve_data",
    "draw_decision_curve",
    "draw_reliability",
    "draw_roc_pr",
    "plot_decision_curve",
    "plot_reliability",
    "plot_risk_distribution",
    "plot_roc_pr",
    "reliability_data",
    "roc_pr_data",
]

MAX_POINTS = 100
"""The ROC and precision-recall curves are stored as at most this many points, at cuts of the
ranking where each step between two points holds at least 10 children with the event and 10
without (:mod:`earlysignal.evaluate.slices`), so the stored curve is an aggregate, not the rows'
risks; no threshold (risk value) is stored."""


def _as_mapping(p: Any) -> Mapping[str, Any]:
    return p if isinstance(p, Mapping) else {"model": p}


def _floats(values: Any, digits: int = 6) -> list[float | None]:
    """JSON-ready numbers (NaN as ``None``), rounded so the card data stay small."""
    return [None if not np.isfinite(v) else round(float(v), digits) for v in np.asarray(values)]


def _array(values: Sequence[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _model_label(name: str, _: Callable[[str], str]) -> str:
    """The legend label of a curve: the two reference strategies are words, models are names."""
    return {"treat_all": _("treat all"), "treat_none": _("treat none")}.get(name, name)


# ------------------------------------------------------------------------- reliability


def reliability_data(
    y: Any,
    predictions: Any,
    groups: Any | None = None,
    *,
    n_bins: int = 10,
    n_boot: int = 200,
    seed: int = 0,
    min_children: int = MIN_CHILDREN,
) -> dict[str, Any]:
    """The reliability diagram's numbers: per model and bin, the mean predicted risk, the
    observed rate and its 95 % bootstrap band (clustered by ``groups``).

    The bins are about ``n_bins`` equal-mass bins, merged so that each holds at least
    ``min_children`` distinct children (``groups``; without them every row counts as a child)
    with an event row and as many without
    (:func:`earlysignal.evaluate.slices.reliability_bins`); a model for which all rows together
    fall short gets no bin. Each rate is computed from the bin's counts rounded to 5.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0, 0.5, 500); y = (rng.random(500) < p).astype(int)
    >>> d = reliability_data(y, {"model": p}, n_bins=5, n_boot=20)
    >>> d["kind"], len(d["series"][0]["observed"]), d["min_children"]  # lowest bins merged
    ('reliability', 4, 10)
    """
    series = []
    for name, p in _as_mapping(predictions).items():
        bins = reliability_bins(y, p, groups, n_bins=n_bins, min_children=min_children)
        if bins.size == 0 or bins.min() < 0:  # not even all rows hold enough children
            empty: list[float | None] = []
            series.append({"model": str(name), "mean_predicted": empty, "observed": empty,
                           "lower": empty, "upper": empty})  # fmt: skip
            continue
        table = reliability_table(y, p, groups, n_boot=n_boot, seed=seed, bins=bins)
        rows = table.get_column("rows").to_numpy()
        series.append(
            {
                "model": str(name),
                "mean_predicted": _floats(table.get_column("mean_predicted").to_numpy()),
                # rates from the bin's counts rounded to 5: no exact count of events comes back
                **{
                    c: _floats(rounded_rate(table.get_column(c).to_numpy() * rows, rows))
                    for c in ("observed", "lower", "upper")
                },
            }
        )
    return {"kind": "reliability", "n_bins": int(n_bins), "min_children": int(min_children),
            "level": 0.95, "series": series}  # fmt: skip


def draw_reliability(data: Mapping[str, Any], lang: str | None = None) -> Figure:
    """Draw :func:`reliability_data` in ``lang``.

    Examples
    --------
    >>> d = {"kind": "reliability", "n_bins": 2, "level": 0.95, "series": [{"model": "m",
    ...      "mean_predicted": [0.1, 0.3], "observed": [0.12, 0.28], "lower": [0.1, 0.2],
    ...      "upper": [0.15, 0.35]}]}
    >>> draw_reliability(d, "nl").axes[0].get_xlabel()
    'gemiddeld voorspeld risico (klasse)'
    """
    from matplotlib.figure import Figure

    _ = figure_gettext(lang)
    fig = Figure(figsize=(5, 5))
    ax = fig.add_subplot()
    top = 0.0
    for s in data["series"]:
        x, obs = _array(s["mean_predicted"]), _array(s["observed"])
        lower, upper = _array(s["lower"]), _array(s["upper"])
        (line,) = ax.plot(x, obs, marker="o", label=s["model"])
        ax.fill_between(x, lower, upper, color=line.get_color(), alpha=0.2, linewidth=0)
        top = max(top, float(np.nanmax(np.r_[x, upper, 0.0])))
    top = min(1.0, top * 1.05 + 0.01)
    ax.plot([0, top], [0, top], linestyle="--", color="grey", label=_("perfect calibration"))
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel(_("mean predicted risk (bin)"))
    ax.set_ylabel(_("observed event rate (bin)"))
    level = format_percent(data.get("level", 0.95), lang)
    if "min_children" in data:  # bins of at least min_children children of each outcome
        ax.set_title(
            _("Reliability, bins of at least %(children)s children with and without the event, "
              "%(level)s bands") % {"children": format_number(data["min_children"], lang),
                                    "level": level},
            wrap=True,
        )  # fmt: skip
    else:  # a card stored before the bins counted children
        ax.set_title(
            _("Reliability, %(bins)s equal-mass bins, %(level)s bands")
            % {"bins": format_number(data["n_bins"], lang), "level": level}
        )
    localize_axes(ax, lang, x="percent", y="percent")
    ax.legend(loc="upper left")
    return fig


def plot_reliability(
    y: Any,
    predictions: Any,
    groups: Any | None = None,
    *,
    n_bins: int = 10,
    n_boot: int = 200,
    seed: int = 0,
    lang: str | None = None,
) -> Figure:
    """Reliability diagram: observed rate against mean predicted risk per equal-mass bin.

    The shaded band is the 95 % bootstrap interval of the observed rate (clustered by
    ``groups``); the diagonal is perfect calibration. Texts and numbers in ``lang``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0, 0.5, 500); y = (rng.random(500) < p).astype(int)
    >>> fig = plot_reliability(y, {"model": p}, n_boot=20)
    >>> type(fig).__name__
    'Figure'
    """
    data = reliability_data(y, predictions, groups, n_bins=n_bins, n_boot=n_boot, seed=seed)
    return draw_reliability(data, lang)


# ---------------------------------------------------------------------- decision curve


def decision_curve_data(
    y: Any,
    predictions: Any,
    thresholds: Sequence[float] | np.ndarray | None = None,
    *,
    groups: Any | None = None,
    min_children: int = MIN_CHILDREN,
) -> dict[str, Any]:
    """The decision curve's numbers: net benefit per model and threshold, with treat-all and
    treat-none, and the prevalence (which sets the y range).

    The rows flagged at a threshold (``p >= t``) are snapped to the nearest safe cut of the
    model's ranking (:func:`earlysignal.evaluate.slices.safe_cuts`: every slice between two
    cuts holds at least ``min_children`` distinct children, ``groups``, with an event row and as
    many without; without ``groups`` every row counts as a child), and the net benefit is
    computed from those rows' true and false positives and the rows, rounded to 5. So no two
    thresholds differ by a slice of fewer children; a model without any safe cut gets no value.

    Examples
    --------
    >>> y = np.array([0, 1, 1, 0]); p = np.array([0.1, 0.9, 0.6, 0.4])
    >>> [s["model"] for s in decision_curve_data(y, p, [0.5])["series"]]
    ['model', 'treat_all', 'treat_none']
    """
    t = np.linspace(0.01, 0.6, 60) if thresholds is None else np.asarray(thresholds, float)
    if np.any((t <= 0) | (t >= 1)):
        raise ValueError("net benefit thresholds must lie strictly between 0 and 1")
    yv = np.asarray(y, dtype=float).ravel()
    curves = {name: np.asarray(p, dtype=float) for name, p in _as_mapping(predictions).items()}
    curves["treat_all"] = np.ones(yv.size)
    n = rounded_counts(yv.size)
    series = []
    for name, p in curves.items():  # net benefit from TP, FP and N rounded to 5
        flagged = decision_cuts(p, t, safe_cuts(yv, p, groups, min_children=min_children))
        tp = np.r_[0.0, np.cumsum(yv[np.argsort(-p, kind="stable")])][np.maximum(flagged, 0)]
        nb = np.full(t.size, np.nan)
        if n > 0:
            nb = (rounded_counts(tp) - rounded_counts(flagged - tp) * t / (1 - t)) / n
        nb[flagged < 0] = np.nan  # no safe cut at all: nothing published
        series.append({"model": str(name), "threshold": _floats(t), "net_benefit": _floats(nb)})
    series.append({"model": "treat_none", "threshold": _floats(t),
                   "net_benefit": _floats(np.zeros(t.size))})  # fmt: skip
    prevalence = float(rounded_rate(yv.sum(), yv.size)[0])
    return {"kind": "decision_curve", "prevalence": round(prevalence, 6),
            "min_children": int(min_children), "series": series}  # fmt: skip


def draw_decision_curve(data: Mapping[str, Any], lang: str | None = None) -> Figure:
    """Draw :func:`decision_curve_data` in ``lang``.

    Examples
    --------
    >>> d = {"kind": "decision_curve", "prevalence": 0.2, "series": [{"model": "treat_all",
    ...      "threshold": [0.1, 0.2], "net_benefit": [0.11, 0.0]}]}
    >>> [t.get_text() for t in draw_decision_curve(d, "nl").axes[0].get_legend().get_texts()]
    ['iedereen een signaal geven']
    """
    from matplotlib.figure import Figure

    _ = figure_gettext(lang)
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    prevalence = float(data["prevalence"])
    for s in data["series"]:
        style = {"treat_all": ":", "treat_none": "--"}.get(s["model"], "-")
        ax.plot(_array(s["threshold"]), _array(s["net_benefit"]), linestyle=style,
                label=_model_label(s["model"], _))  # fmt: skip
    ax.set_ylim(-0.05 * max(prevalence, 0.01), max(prevalence, 0.01) * 1.1)
    ax.set_xlabel(_("threshold probability"))
    ax.set_ylabel(_("net benefit"))
    ax.set_title(_("Decision curve"))
    localize_axes(ax, lang, x="percent", y="decimal")
    ax.legend()
    return fig


def plot_decision_curve(
    y: Any,
    predictions: Any,
    thresholds: Sequence[float] | np.ndarray | None = None,
    *,
    groups: Any | None = None,
    lang: str | None = None,
) -> Figure:
    """Decision curve: net benefit by threshold, against treat-all and treat-none.

    The values are those of :func:`decision_curve_data` (the flagged rows snapped to cuts of
    the ranking with at least 10 children, ``groups``, of each outcome between them).

    Examples
    --------
    >>> y = np.array([0, 1, 1, 0]); p = np.array([0.1, 0.9, 0.6, 0.4])
    >>> type(plot_decision_curve(y, p)).__name__
    'Figure'
    """
    return draw_decision_curve(decision_curve_data(y, predictions, thresholds, groups=groups), lang)


# ----------------------------------------------------------------------------- ROC, PR


def _curve_points(
    y: np.ndarray, p: np.ndarray, groups: Any | None, max_points: int, min_children: int
) -> dict[str, list[float | None]]:
    """ROC and precision-recall points at (at most ``max_points`` of) the safe cuts of the
    ranking (:func:`earlysignal.evaluate.slices.safe_cuts`), each rate computed from counts
    rounded to 5 (:mod:`earlysignal.evaluate.rounded`), so no exact count of flagged rows, with
    or without the event, can be read back from the card data. No point when all rows together
    hold fewer than ``min_children`` children of an outcome."""
    yv = np.asarray(y, dtype=float).ravel()
    pv = np.asarray(p, dtype=float).ravel()
    counts = thin_cuts(safe_cuts(yv, pv, groups, min_children=min_children), yv.size, max_points)
    if counts.size == 0:
        return {"fpr": [], "tpr": [], "recall": [], "precision": []}
    tp = np.cumsum(yv[np.argsort(-pv, kind="stable")])[counts - 1]
    positives = float(yv.sum())
    negatives = float(yv.size) - positives
    fp = counts - tp
    tpr, fpr = rounded_rate(tp, positives), rounded_rate(fp, negatives)
    return {
        "fpr": _floats(np.r_[0.0, fpr]),
        "tpr": _floats(np.r_[0.0, tpr]),
        "recall": _floats(tpr),
        "precision": _floats(rounded_rate(tp, counts)),
    }


def roc_pr_data(
    y: Any,
    predictions: Any,
    groups: Any | None = None,
    *,
    max_points: int = MAX_POINTS,
    min_children: int = MIN_CHILDREN,
) -> dict[str, Any]:
    """The ROC and precision-recall curves' numbers: per model at most ``max_points`` points
    at cuts of the ranking where each step between two points holds at least ``min_children``
    distinct children (``groups``; without them every row counts as a child) with an event row
    and as many without, with AUROC and AUPRC computed on all rows, and the prevalence.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(size=400); y = (rng.random(400) < p).astype(int)
    >>> s = roc_pr_data(y, p, np.arange(400) // 4)["series"][0]
    >>> len(s["fpr"]), s["fpr"][0], s["tpr"][-1]
    (9, 0.0, 1.0)
    """
    from earlysignal.evaluate.metrics import auroc, average_precision

    yv = np.asarray(y)
    series = []
    for name, p in _as_mapping(predictions).items():
        pv = np.asarray(p, dtype=float)
        series.append(
            {
                "model": str(name),
                "auroc": round(float(auroc(yv, pv)), 6),
                "auprc": round(float(average_precision(yv, pv)), 6),
                **_curve_points(yv, pv, groups, max_points, min_children),
            }
        )
    prevalence = float(rounded_rate(np.asarray(yv, dtype=float).sum(), yv.size)[0])
    return {"kind": "roc_pr", "prevalence": round(prevalence, 6),
            "min_children": int(min_children), "series": series}  # fmt: skip


def draw_roc_pr(data: Mapping[str, Any], lang: str | None = None) -> Figure:
    """Draw :func:`roc_pr_data` in ``lang``.

    Examples
    --------
    >>> d = {"kind": "roc_pr", "prevalence": 0.5, "series": [{"model": "m", "auroc": 0.75,
    ...      "auprc": 0.7, "fpr": [0, 0.5, 1], "tpr": [0, 0.8, 1], "recall": [0.8, 1],
    ...      "precision": [0.6, 0.5]}]}
    >>> draw_roc_pr(d, "nl").axes[0].get_legend().get_texts()[0].get_text()
    'm (AUROC 0,750)'
    """
    from matplotlib.figure import Figure

    _ = figure_gettext(lang)
    fig = Figure(figsize=(10, 4.5))
    roc_ax, pr_ax = fig.subplots(1, 2)
    for s in data["series"]:
        auroc, auprc = format_decimal(s["auroc"], 3, lang), format_decimal(s["auprc"], 3, lang)
        roc_ax.plot(_array(s["fpr"]), _array(s["tpr"]), label=f"{s['model']} (AUROC {auroc})")
        pr_ax.step(_array(s["recall"]), _array(s["precision"]), where="post",
                   label=f"{s['model']} (AUPRC {auprc})")  # fmt: skip
    roc_ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label=_("chance"))
    roc_ax.set_xlabel(_("false positive rate"))
    roc_ax.set_ylabel(_("true positive rate"))
    roc_ax.set_title("ROC")
    roc_ax.legend(loc="lower right")
    pr_ax.axhline(float(data["prevalence"]), linestyle="--", color="grey", label=_("prevalence"))
    pr_ax.set_xlabel(_("recall"))
    pr_ax.set_ylabel(_("precision"))
    pr_ax.set_title(_("Precision-recall"))
    pr_ax.legend(loc="upper right")
    for ax in (roc_ax, pr_ax):
        localize_axes(ax, lang)
    return fig


def plot_roc_pr(
    y: Any, predictions: Any, groups: Any | None = None, *, lang: str | None = None
) -> Figure:
    """ROC and precision-recall curves side by side, with AUROC and AUPRC in the legend.

    The points are those of :func:`roc_pr_data` (each step at least 10 children, ``groups``,
    of each outcome; without ``groups`` every row counts as a child).

    Examples
    --------
    >>> y = np.array([0, 1, 1, 0]); p = np.array([0.1, 0.9, 0.6, 0.4])
    >>> len(plot_roc_pr(y, p).axes)
    2
    """
    return draw_roc_pr(roc_pr_data(y, predictions, groups), lang)


# -------------------------------------------------------------------- risk distribution


def plot_risk_distribution(y: Any, p: Any, *, bins: int = 40, lang: str | None = None) -> Figure:
    """Histograms of predicted risk for rows with and without the outcome (densities).

    Examples
    --------
    >>> y = np.array([0, 1, 1, 0]); p = np.array([0.1, 0.9, 0.6, 0.4])
    >>> type(plot_risk_distribution(y, p)).__name__
    'Figure'
    """
    from matplotlib.figure import Figure

    _ = figure_gettext(lang)
    yv = np.asarray(y)
    pv = np.asarray(p, dtype=float)
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    edges = np.linspace(0, max(float(pv.max()), 1e-6), bins + 1).tolist()
    for value, label in ((0, _("no event (n=%(n)s)")), (1, _("event (n=%(n)s)"))):
        sel = pv[yv == value]
        if sel.size:
            n = format_number(int(sel.size), lang)
            ax.hist(sel, bins=edges, density=True, alpha=0.5, label=label % {"n": n})
    ax.set_xlabel(_("predicted risk"))
    ax.set_ylabel(_("density"))
    ax.set_title(_("Risk distribution by outcome"))
    localize_axes(ax, lang, x="percent", y="decimal")
    ax.legend()
    return fig
