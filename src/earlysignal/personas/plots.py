"""Figures of the personas, drawn from the protected description only (matplotlib, lazy).

No figure shows a child's sequence: the state distribution per month of a persona (a stacked
area of shares; cells under 10 children are left out and the gap is drawn as "hidden") and its
transition rates (a heat map). Labels come in already translated.

Examples
--------
>>> import polars as pl
>>> dist = pl.DataFrame({"persona": [1, 1], "month": [1, 2], "state": ["foster"] * 2,
...                      "share": [1.0, 0.9]})
>>> fig = plot_state_distribution(dist, 1, ("foster",), {"foster": "foster care"},
...                               {"month": "month", "share": "share", "hidden": "hidden"})
>>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
['foster care', 'hidden']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from earlysignal.i18n import format_decimal
from earlysignal.i18n.figures import localize_axes

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_state_distribution", "plot_transitions"]

COLOURS = (
    "#4e79a7", "#a0cbe8", "#59a14f", "#8cd17d", "#f28e2b",
    "#e15759", "#b07aa1", "#76b7b2", "#bab0ac", "#edc948",
)  # fmt: skip


def plot_state_distribution(
    distribution: pl.DataFrame,
    persona: int,
    alphabet: Sequence[str],
    labels: Mapping[str, str],
    words: Mapping[str, str],
    *,
    lang: str | None = None,
) -> Figure:
    """Stacked shares of the persona's children in each state, month by month (numbers on the
    axes formatted for ``lang``; the words are the caller's, in that language)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    d = distribution.filter(pl.col("persona") == persona)
    months = int(d["month"].to_numpy().max()) if d.height else 0
    x = np.arange(1, months + 1)
    fig = Figure(figsize=(7, 3.2), dpi=90)
    ax = fig.add_subplot()
    stack, names, colours = [], [], []
    for i, s in enumerate(alphabet):
        share = dict(d.filter(pl.col("state") == s).select("month", "share").iter_rows())
        if share:
            stack.append([share.get(int(m), 0.0) for m in x])
            names.append(labels.get(s, s))
            colours.append(COLOURS[i % len(COLOURS)])
    shown = np.sum(stack, axis=0) if stack else np.zeros(months)
    stack.append(list(np.clip(1.0 - shown, 0.0, 1.0)))
    names.append(words["hidden"])
    colours.append("#eeeeee")
    ax.stackplot(x, stack, labels=names, colors=colours)
    ax.set_xlim(1, max(months, 2))
    ax.set_ylim(0, 1)
    ax.set_xlabel(words["month"])
    ax.set_ylabel(words["share"])
    localize_axes(ax, lang, x="decimal", y="percent")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def plot_transitions(
    transitions: pl.DataFrame,
    persona: int,
    alphabet: Sequence[str],
    labels: Mapping[str, str],
    words: Mapping[str, str],
    *,
    lang: str | None = None,
) -> Figure:
    """Heat map of month-to-month transition rates (from-state rows; hidden cells blank; the
    rates written for ``lang``)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    t = transitions.filter(pl.col("persona") == persona)
    states = [s for s in alphabet if s in set(t["from_state"]) | set(t["to_state"])]
    pos = {s: i for i, s in enumerate(states)}
    m = np.full((len(states), len(states)), np.nan)
    for a, b, r in t.select("from_state", "to_state", "rate").iter_rows():
        m[pos[a], pos[b]] = r
    fig = Figure(figsize=(5.5, 4.5), dpi=90)
    ax = fig.add_subplot()
    ax.imshow(m, cmap="Blues", vmin=0, vmax=1)
    names = [labels.get(s, s) for s in states]
    ax.set_xticks(range(len(states)), names, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(states)), names, fontsize=8)
    for (i, j), v in np.ndenumerate(m):
        if not np.isnan(v):
            ax.text(j, i, format_decimal(v, 2, lang), ha="center", va="center", fontsize=7,
                    color="white" if v > 0.6 else "black")  # fmt: skip
    ax.set_xlabel(words["to"])
    ax.set_ylabel(words["from"])
    fig.tight_layout()
    return fig
