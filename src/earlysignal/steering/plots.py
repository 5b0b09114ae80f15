"""Figures of a steering report, drawn from *published* tables only (matplotlib, lazy import).

Texts are worded in ``lang`` (``"en"``, ``"nl"``) through the catalogue and the axes' numbers
formatted for it (:mod:`earlysignal.i18n.figures`); the title is the caller's (the report
passes the outcome's name in the report's language).

Examples
--------
>>> import polars as pl
>>> from earlysignal.steering.funnel import funnel_limits
>>> t = pl.DataFrame({"label": ["A", "B"], "expected": [10.0, 40.0], "ratio": [1.2, None],
...                   "flag": ["within", "above"], "shrunk": [1.1, None],
...                   "shrunk_lo": [0.8, None], "shrunk_hi": [1.4, None]})
>>> fig = plot_funnel(t, phi=1.0, applied=False, title="unplanned endings")
>>> fig.axes[0].get_xlabel()
'expected count (case mix)'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from earlysignal.i18n import N_, format_percent
from earlysignal.i18n.figures import figure_gettext, localize_axes
from earlysignal.steering.funnel import Dispersion, funnel_limits

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_funnel", "plot_shrunken"]

COLOURS = {
    "above": "#b2182b",
    "warning_above": "#ef8a62",
    "within": "#4d4d4d",
    "warning_below": "#67a9cf",
    "below": "#2166ac",
}

FLAG_LABELS: dict[str, str] = {
    "above": N_("above"),
    "warning_above": N_("warning above"),
    "within": N_("within"),
    "warning_below": N_("warning below"),
    "below": N_("below"),
}
"""The funnel plot's flags in the legend."""


def plot_funnel(
    table: pl.DataFrame, *, phi: float, applied: bool, title: str, lang: str | None = None
) -> Figure:
    """Funnel plot: O/E against the expected count, 95 % and 99.8 % limits around 1.

    Units whose ratio is hidden (disclosure control) are not drawn; the caller says how many.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _ = figure_gettext(lang)
    fig, ax = plt.subplots(figsize=(7.0, 4.2), dpi=100)
    shown = table.filter(pl.col("ratio").is_not_null())
    e_max = float(table["expected"].max() or 10.0) * 1.15  # type: ignore[arg-type]
    grid = np.linspace(max(0.5, float(table["expected"].min() or 1.0) * 0.8), e_max, 200)  # type: ignore[arg-type]
    disp = Dispersion(phi=phi, tau2=0.0, applied=applied, units=table.height)
    for level, style in ((0.95, "--"), (0.998, "-")):
        lo, hi = funnel_limits(grid, level, disp)
        digits = 0 if round(level * 100, 6).is_integer() else 1
        lab = _("%(level)s limits") % {"level": format_percent(level, lang, digits)}
        ax.plot(grid, hi, style, color="#888888", lw=1, label=lab)
        ax.plot(grid, lo, style, color="#888888", lw=1)
    ax.axhline(1.0, color="#222222", lw=0.8)
    for flag, colour in COLOURS.items():
        sub = shown.filter(pl.col("flag") == flag)
        if sub.height:
            ax.scatter(
                sub["expected"], sub["ratio"], s=22, color=colour, label=_(FLAG_LABELS[flag])
            )
    ax.set_xlabel(_("expected count (case mix)"))
    ax.set_ylabel(_("observed / expected"))
    localize_axes(ax, lang)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, frameon=False, loc="upper right")
    fig.tight_layout()
    return fig


def plot_shrunken(table: pl.DataFrame, *, title: str, lang: str | None = None) -> Figure:
    """Shrunken estimates with their intervals, one line per shown unit, sorted."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _ = figure_gettext(lang)
    shown = table.filter(pl.col("shrunk").is_not_null()).sort("shrunk")
    height = max(2.5, 0.22 * shown.height + 1.2)
    fig, ax = plt.subplots(figsize=(7.0, min(height, 14.0)), dpi=100)
    y = np.arange(shown.height)
    s = shown["shrunk"].to_numpy()
    ax.errorbar(
        s,
        y,
        xerr=[s - shown["shrunk_lo"].to_numpy(), shown["shrunk_hi"].to_numpy() - s],
        fmt="o",
        ms=3,
        color="#333333",
        ecolor="#999999",
    )
    ax.axvline(1.0, color="#b2182b", lw=0.8)
    ax.set_yticks(y, shown["label"].to_list(), fontsize=7)
    ax.set_xlabel(
        _("shrunken observed / expected (%(level)s interval)")
        % {"level": format_percent(0.95, lang)}
    )
    localize_axes(ax, lang, x="decimal", y=None)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig
