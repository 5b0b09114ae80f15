"""Plots of contributions: an aggregated summary (the card's default), shap's beeswarm and
dependence plots (one dot per row: row-level, drawn on the card only on opt-in), and importance
with intervals.

Every function returns a matplotlib ``Figure`` (nothing is shown or saved). Texts are worded
in ``lang`` (``"en"``, ``"nl"``) and the axes' numbers formatted for it
(:mod:`earlysignal.i18n.figures`); ``labels`` maps feature names to the words shown on the
feature axis (the features' descriptions on the card).

The card's two aggregated figures are also split into their numbers (``*_data``: JSON-ready,
stored in the card data) and their drawing, so a card re-rendered in another language redraws
them in it (:mod:`earlysignal.card.figures`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl

from earlysignal.explain.contributions import Contributions
from earlysignal.i18n import format_percent
from earlysignal.i18n.figures import figure_gettext, localize_axes

__all__ = [
    "beeswarm",
    "bin_range_label",
    "contribution_summary_data",
    "contribution_summary_plot",
    "dependence",
    "importance_data",
    "importance_plot",
]

SUMMARY_COLUMNS: tuple[str, ...] = (
    "feature", "rank", "bin", "value_lo", "value_hi", "missing", "q25", "median", "q75",
)  # fmt: skip
"""The columns of the contribution bins the summary figure is drawn from (no row-level value:
every bin summarises at least ``min_children`` children, and its edges are coarse cut points
between rows' values, open at both ends)."""


def _number(value: float, lang: str | None) -> str:
    """A cut point in the language's format, with the decimals it has (``0,25``, ``5.200``)."""
    from earlysignal.i18n import format_decimal

    text = np.format_float_positional(value, trim="-")
    return format_decimal(value, len(text.partition(".")[2]), lang)


def bin_range_label(lo: float | None, hi: float | None, lang: str | None = None) -> str:
    """The words for a bin ``lo <= x < hi`` of a feature's value (``None``: an open end).

    Examples
    --------
    >>> bin_range_label(None, 3.0), bin_range_label(3.0, 6.0), bin_range_label(0.25, None, "nl")
    ('below 3', '3 to below 6', '0,25 en hoger')
    """
    _ = figure_gettext(lang)
    if hi is None:
        return _("all values") if lo is None else _("%(lo)s and above") % {"lo": _number(lo, lang)}
    if lo is None:
        return _("below %(hi)s") % {"hi": _number(hi, lang)}
    return _("%(lo)s to below %(hi)s") % {"lo": _number(lo, lang), "hi": _number(hi, lang)}


def _label(labels: Mapping[str, str] | None, name: str) -> str:
    return (labels or {}).get(name, name)


def contribution_summary_data(bins: pl.DataFrame) -> dict[str, Any]:
    """The numbers of :func:`contribution_summary_plot`, JSON-ready (for the card data).

    Examples
    --------
    >>> t = pl.DataFrame({"feature": ["a"], "rank": [1], "bin": [0], "value_lo": [None],
    ...                   "value_hi": [3.0], "missing": [False], "q25": [-0.1], "median": [0.0],
    ...                   "q75": [0.2], "n_children": [12]})
    >>> row = contribution_summary_data(t)["rows"][0]
    >>> row["q75"], row["value_lo"], row["value_hi"], "n_children" in row
    (0.2, None, 3.0, False)
    """
    quartiles = ("q25", "median", "q75")
    rows = [
        {k: (round(v, 6) if k in quartiles and isinstance(v, float) else v) for k, v in r.items()}
        for r in bins.select(SUMMARY_COLUMNS).iter_rows(named=True)
    ]
    return {"kind": "contribution_summary", "rows": rows}


def contribution_summary_plot(
    bins: pl.DataFrame, *, lang: str | None = None, labels: Mapping[str, str] | None = None
) -> Any:
    """Per feature and bin of its value: the contribution's interquartile range and median.

    The aggregated counterpart of the beeswarm, drawn from
    :func:`earlysignal.explain.aggregate.contribution_bins` (every mark summarises at least
    ``min_children`` children). Bins run from low (light) to high (dark) feature values;
    missing values are grey. Each bin is labelled with its range of values (its coarse cut
    points, :func:`bin_range_label`) when ``bins`` has ``value_lo`` and ``value_hi`` (card data
    stored before they were published has not: no labels then).

    Examples
    --------
    >>> import numpy as np, matplotlib
    >>> matplotlib.use("Agg")
    >>> from earlysignal.explain.aggregate import contribution_bins
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(100, 2))
    >>> c = Contributions(x, np.zeros(100), x, ("a", "b"), "linear")
    >>> fig = contribution_summary_plot(contribution_bins(c, np.arange(100)))
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    import matplotlib.pyplot as plt

    _ = figure_gettext(lang)
    features = bins.select("feature", "rank").unique().sort("rank")["feature"].to_list()
    fig, ax = plt.subplots(figsize=(7, 0.5 * max(1, len(features)) + 1.5))
    cmap = plt.get_cmap("viridis")  # 0.95: light (low values) ... 0.15: dark (high values)
    ranges = {"value_lo", "value_hi"} <= set(bins.columns)
    for i, feature in enumerate(reversed(features)):
        sub = bins.filter(pl.col("feature") == feature).sort("bin")
        shown = sub.filter(~pl.col("missing"))
        k = max(1, shown.height)
        for r in sub.iter_rows(named=True):
            offset = (r["bin"] - (sub.height - 1) / 2) * 0.7 / max(1, sub.height)
            colour = "grey" if r["missing"] else cmap(0.95 - 0.8 * r["bin"] / max(1, k - 1))
            ax.hlines(i + offset, r["q25"], r["q75"], color=colour, linewidth=3)
            ax.plot([r["median"]], [i + offset], marker="|", color="black", markersize=8)
            if ranges:
                words = (
                    _("missing")
                    if r["missing"]
                    else bin_range_label(r["value_lo"], r["value_hi"], lang)
                )
                ax.annotate(words, (r["q75"], i + offset), xytext=(4, 0),
                            textcoords="offset points", va="center", fontsize=6)  # fmt: skip
    ax.axvline(0.0, color="grey", linewidth=0.8)
    if ranges:
        ax.set_xlim(right=ax.get_xlim()[1] + 0.2 * (ax.get_xlim()[1] - ax.get_xlim()[0]))
    ax.set_yticks(range(len(features)), [_label(labels, f) for f in reversed(features)])
    ax.set_xlabel(
        _("contribution to the log-odds (uncalibrated): quartiles per bin of the feature's value")
    )
    ax.set_title(_("Contributions by feature value (light: low, dark: high, grey: missing)"))
    localize_axes(ax, lang, x="decimal", y=None)
    fig.tight_layout()
    return fig


def beeswarm(contrib: Contributions, *, max_display: int = 12, lang: str | None = None) -> Any:
    """shap's beeswarm of the contributions (log-odds, uncalibrated).

    Examples
    --------
    >>> import numpy as np, matplotlib
    >>> matplotlib.use("Agg")
    >>> rng = np.random.default_rng(0)
    >>> c = Contributions(rng.normal(size=(50, 2)), np.zeros(50), rng.normal(size=(50, 2)),
    ...                   ("a", "b"), "linear")
    >>> fig = beeswarm(c)
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    import matplotlib.pyplot as plt
    import shap

    fig = plt.figure(figsize=(7, 0.45 * min(max_display, len(contrib.feature_names)) + 1.5))
    shap.plots.beeswarm(contrib.to_shap(), max_display=max_display, show=False, plot_size=None)
    _ = figure_gettext(lang)
    fig.axes[0].set_xlabel(_("contribution to the log-odds (uncalibrated)"))
    localize_axes(fig.axes[0], lang, x="decimal", y=None)
    for ax in fig.axes[1:]:  # shap's colour bar: "Feature value", "Low", "High"
        ax.set_ylabel(_("feature value"))
        ticks = ax.get_yticks()
        if len(ticks) == 2:
            ax.set_yticks(ticks, [_("low"), _("high")])
    return fig


def dependence(
    contrib: Contributions, feature: str, *, color: str | None = None, lang: str | None = None
) -> Any:
    """shap's dependence (scatter) plot of one feature's contribution against its value.

    Examples
    --------
    >>> import numpy as np, matplotlib
    >>> matplotlib.use("Agg")
    >>> rng = np.random.default_rng(0)
    >>> c = Contributions(rng.normal(size=(50, 2)), np.zeros(50), rng.normal(size=(50, 2)),
    ...                   ("a", "b"), "linear")
    >>> fig = dependence(c, "a")
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    import matplotlib.pyplot as plt
    import shap

    if feature not in contrib.feature_names:
        raise KeyError(f"dependence: unknown feature {feature!r}; choose one of the model's")
    expl = contrib.to_shap()
    j = contrib.feature_names.index(feature)
    fig, ax = plt.subplots(figsize=(6, 4))
    colour = expl[:, contrib.feature_names.index(color)] if color is not None else None
    if colour is not None:
        shap.plots.scatter(expl[:, j], color=colour, ax=ax, show=False)
    else:
        shap.plots.scatter(expl[:, j], ax=ax, show=False)
    _ = figure_gettext(lang)
    ax.set_ylabel(_("contribution of %(feature)s (log-odds)") % {"feature": feature})
    localize_axes(ax, lang, x="decimal", y="decimal")
    return fig


def importance_data(importance: pl.DataFrame, *, max_display: int = 15) -> dict[str, Any]:
    """The numbers of :func:`importance_plot` (the top ``max_display`` features), JSON-ready.

    Examples
    --------
    >>> t = pl.DataFrame({"feature": ["a"], "mean_abs": [0.3], "lo": [0.2], "hi": [0.4]})
    >>> importance_data(t)["rows"]
    [{'feature': 'a', 'mean_abs': 0.3, 'lo': 0.2, 'hi': 0.4}]
    """
    rows = [
        {k: (round(v, 6) if isinstance(v, float) else v) for k, v in r.items()}
        for r in importance.head(max_display)
        .select("feature", "mean_abs", "lo", "hi")
        .iter_rows(named=True)
    ]
    return {"kind": "importance", "level": 0.95, "rows": rows}


def importance_plot(
    importance: pl.DataFrame,
    *,
    max_display: int = 15,
    lang: str | None = None,
    labels: Mapping[str, str] | None = None,
    level: float = 0.95,
) -> Any:
    """Horizontal bars of mean absolute contribution with bootstrap intervals.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pl.DataFrame({"feature": ["a"], "mean_abs": [0.3], "lo": [0.2], "hi": [0.4]})
    >>> fig = importance_plot(t)
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    import matplotlib.pyplot as plt
    import numpy as np

    _ = figure_gettext(lang)
    top = importance.head(max_display).reverse()
    fig, ax = plt.subplots(figsize=(7, 0.35 * top.height + 1.2))
    y = np.arange(top.height)
    mean = top["mean_abs"].to_numpy()
    ax.barh(y, mean, color="#4c72b0")
    if top["lo"].null_count() == 0:
        err = np.vstack([mean - top["lo"].to_numpy(), top["hi"].to_numpy() - mean])
        ax.errorbar(mean, y, xerr=err, fmt="none", ecolor="black", capsize=2)
    ax.set_yticks(y, [_label(labels, f) for f in top["feature"].to_list()])
    ax.set_xlabel(
        _("mean |contribution| to the log-odds (%(level)s bootstrap interval)")
        % {"level": format_percent(level, lang)}
    )
    localize_axes(ax, lang, x="decimal", y=None)
    fig.tight_layout()
    return fig
