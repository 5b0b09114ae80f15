"""Pictures of placement trajectories and stability indicators (matplotlib, imported lazily).

Every function returns a ``matplotlib.figure.Figure`` and never calls ``plt.show``. Privacy by
default: trajectories are drawn for a random sample of children, labelled ``child 1``,
``child 2``, ... (never by identifier) and aligned on each child's first recorded entry unless
calendar dates are asked for; distributions and indicators are drawn from disclosure-protected
tables, with hidden values marked ``c`` (as in DfE tables).

Texts are worded in ``lang`` (``"en"``, ``"nl"``) through the catalogue and the axes' numbers
and dates formatted for it (:mod:`earlysignal.i18n.figures`).

Examples
--------
>>> from datetime import date
>>> from earlysignal.data import example_history
>>> h = example_history(
...     {"start": [date(2020, 1, 1), date(2020, 6, 1)], "end": [date(2020, 6, 1), None],
...      "setting": ["foster", "residential"], "end_reason": ["breakdown", None]},
...     observed_until=date(2021, 1, 1))
>>> fig = plot_trajectories(h, n=1)
>>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
['child 1']
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.i18n import N_, format_date, format_number
from earlysignal.i18n.figures import figure_gettext, localize_axes
from earlysignal.schema import Setting

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "SETTING_COLORS",
    "plot_indicators_over_time",
    "plot_moves_distribution",
    "plot_trajectories",
]

SETTING_COLORS: dict[str, str] = {
    Setting.KINSHIP_FOSTER.value: "#1b9e77",
    Setting.FOSTER.value: "#66a61e",
    Setting.FAMILY_HOME.value: "#e6ab02",
    Setting.RESIDENTIAL.value: "#d95f02",
    Setting.SECURE.value: "#7570b3",
    Setting.INDEPENDENT.value: "#1f78b4",
    Setting.WITH_PARENTS.value: "#a6761d",
    Setting.OTHER.value: "#999999",
}
"""One colour per setting (colour-blind-safe Dark2-like palette)."""

DFE_REFERENCE: dict[str, tuple[float, float]] = {
    "three_plus_placements": (0.09, 0.11),
    "two_year_three_plus": (0.21, 0.23),
    "long_term_stability": (0.68, 0.71),
}
"""England 2021-2025 national ranges (DfE, ``../shared/data/dfe-stability/``)."""

SETTING_LABELS: dict[str, str] = {
    Setting.KINSHIP_FOSTER.value: N_("kinship foster"),
    Setting.FOSTER.value: N_("foster"),
    Setting.FAMILY_HOME.value: N_("family home"),
    Setting.RESIDENTIAL.value: N_("residential"),
    Setting.SECURE.value: N_("secure"),
    Setting.INDEPENDENT.value: N_("independent"),
    Setting.WITH_PARENTS.value: N_("with parents"),
    Setting.OTHER.value: N_("other"),
}
"""The settings' short names in a figure's legend."""

SHORT_LABELS: dict[str, str] = {
    "three_plus_placements": N_("three plus placements"),
    "two_year_three_plus": N_("two year three plus"),
    "long_term_stability": N_("long term stability"),
    "moves_per_child": N_("moves per child"),
    "moves_per_1000_days": N_("moves per 1000 days"),
}
"""The indicators' short names in a figure's legend (the report gives the full labels)."""


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        fig = ax.get_figure()
        assert fig is not None
        return fig, ax  # type: ignore[return-value]
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def plot_trajectories(
    history: CareHistory,
    children: Sequence[str] | None = None,
    *,
    n: int = 20,
    seed: int = 0,
    align: Literal["entry", "calendar"] = "entry",
    ax: Axes | None = None,
    lang: str | None = None,
) -> Figure:
    """Swimlanes of placement trajectories: one lane per child, settings as colours.

    Each non-temporary placement is a bar coloured by setting; temporary placements are thin
    hatched bars; moves are marked with a black tick at the new placement's start and
    breakdowns with a red cross at the placement's end; an open placement runs to
    ``observed_until``.

    Parameters
    ----------
    history
        A canonical care history.
    children
        Child ids to draw (in this order); default a random sample of ``n`` children with
        placements (``seed``).
    n, seed
        Sample size and seed when ``children`` is not given.
    align
        ``entry`` (default): days since each child's first recorded placement; ``calendar``:
        dates (more identifying: use only inside the data team).
    ax
        Draw into these axes instead of a new figure.
    lang
        Language of the texts and numbers (``"en"`` default, ``"nl"``).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    See the module docstring.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    _ = figure_gettext(lang)
    placements = history.placements
    if children is None:
        ids = placements["child_id"].unique().sort()
        chosen = ids.sample(n=min(n, ids.len()), seed=seed, shuffle=True).to_list()
    else:
        chosen = list(children)
        unknown = sorted(set(chosen) - set(placements["child_id"].to_list()))
        if unknown:
            raise ValueError(
                f"plot_trajectories: {len(unknown)} requested child(ren) have no placement "
                "in history.placements; pass child_id values present there"
            )
    lanes = {c: i for i, c in enumerate(chosen)}
    p = (
        placements.filter(pl.col("child_id").is_in(chosen))
        .with_columns(
            pl.col("temporary").fill_null(False),
            pl.coalesce(pl.col("end"), pl.lit(history.observed_until)).alias("_end"),
        )
        .sort("child_id", "start", "temporary")
    )
    first = p.group_by("child_id").agg(pl.col("start").min().alias("_first"))
    p = p.join(first, on="child_id", how="left")
    prev_end = pl.col("end").shift(1).over("child_id", order_by="start")
    nontemp = p.filter(~pl.col("temporary")).with_columns(
        ((pl.col("start") - prev_end).dt.total_days() <= 1).fill_null(False).alias("_move")
    )
    temp = p.filter(pl.col("temporary"))

    def x(col: str) -> pl.Expr:
        if align == "entry":
            return (pl.col(col) - pl.col("_first")).dt.total_days().cast(pl.Float64)
        return pl.col(col)

    fig, axes = _new_axes(ax, (9.0, max(2.0, 0.35 * len(chosen) + 1.2)))
    for row in nontemp.with_columns(x("start").alias("_x0"), x("_end").alias("_x1")).iter_rows(
        named=True
    ):
        y = lanes[row["child_id"]]
        x0, x1 = _num(row["_x0"]), _num(row["_x1"])
        axes.broken_barh(
            [(x0, max(x1 - x0, 0.5))],
            (y - 0.35, 0.7),
            facecolors=SETTING_COLORS.get(row["setting"], "#999999"),
            edgecolors="white",
            linewidth=0.5,
        )
        if row["_move"]:
            axes.plot([x0, x0], [y - 0.42, y + 0.42], color="black", linewidth=1.2)
        if row["end_reason"] == "breakdown" and row["end"] is not None:
            axes.plot([x1], [y], marker="x", color="#c00000", markersize=7, mew=2)
    for row in temp.with_columns(x("start").alias("_x0"), x("_end").alias("_x1")).iter_rows(
        named=True
    ):
        y = lanes[row["child_id"]]
        x0, x1 = _num(row["_x0"]), _num(row["_x1"])
        axes.broken_barh(
            [(x0, max(x1 - x0, 0.5))],
            (y - 0.12, 0.24),
            facecolors="white",
            edgecolors="black",
            hatch="////",
            linewidth=0.5,
        )
    lane = _("child %(n)s")
    axes.set_yticks(range(len(chosen)), [lane % {"n": i + 1} for i in range(len(chosen))])
    axes.set_ylim(len(chosen) - 0.5, -0.5)
    axes.set_xlabel(_("days since first recorded placement") if align == "entry" else _("date"))
    if align == "calendar":
        axes.xaxis_date()
        _date_ticks(axes, lang)
    else:
        localize_axes(axes, lang, x="decimal", y=None)
    handles: list[Any] = [
        Patch(facecolor=c, label=_(SETTING_LABELS.get(s, s))) for s, c in SETTING_COLORS.items()
    ]
    handles += [
        Line2D([], [], color="black", marker="|", linestyle="", markersize=10, label=_("move")),
        Line2D([], [], color="#c00000", marker="x", linestyle="", mew=2, label=_("breakdown")),
        Patch(facecolor="white", edgecolor="black", hatch="////", label=_("temporary")),
    ]
    axes.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False
    )
    axes.set_title(
        _("Placement trajectories of %(n)s children") % {"n": format_number(len(chosen), lang)}
    )
    return fig


def _date_ticks(axes: Any, lang: str | None) -> None:
    """Dates on an axis written for the language (``1 jan. 2020``)."""
    from matplotlib.dates import num2date
    from matplotlib.ticker import FuncFormatter

    axes.xaxis.set_major_formatter(
        FuncFormatter(lambda v, pos=None: format_date(num2date(v).date(), lang, "medium"))  # type: ignore[no-untyped-call]
    )


def _num(v: Any) -> float:
    if isinstance(v, date):
        from matplotlib.dates import date2num

        return float(date2num(v))  # type: ignore[no-untyped-call]
    return float(v)


def plot_moves_distribution(
    history: CareHistory,
    year_end: date,
    *,
    top: int = 6,
    ax: Axes | None = None,
    lang: str | None = None,
) -> Figure:
    """Bar chart: children in care at the year end by number of moves so far (protected).

    Counts come from :func:`earlysignal.indicators.report.moves_distribution` with the
    library's disclosure control; hidden bars are drawn as empty outlines labelled ``c``.

    Examples
    --------
    >>> from datetime import date
    >>> from earlysignal.data import example_history
    >>> kids = [f"c{i}" for i in range(30)]
    >>> h = example_history({"child_id": kids, "start": date(2019, 1, 1)},
    ...     observed_until=date(2021, 3, 31))
    >>> fig = plot_moves_distribution(h, date(2021, 3, 31), top=2)
    >>> [t.get_text() for t in fig.axes[0].texts]  # zeros hidden, so the 30 is hidden too
    ['c', 'c', 'c']
    """
    from earlysignal.indicators.report import moves_distribution

    _ = figure_gettext(lang)
    table = moves_distribution(history, year_end, top=top)
    fig, axes = _new_axes(ax, (6.0, 3.5))
    labels = table["moves"].to_list()
    values = table["children"].to_list()
    ymax = max([v for v in values if v is not None] or [10])
    for i, v in enumerate(values):
        if v is None:
            axes.bar(i, ymax * 0.05, color="white", edgecolor="grey", hatch="..")
            axes.text(i, ymax * 0.06, "c", ha="center", va="bottom", color="grey")
        else:
            axes.bar(i, v, color="#1f78b4")
            axes.text(i, v, format_number(v, lang), ha="center", va="bottom", fontsize=8)
    axes.set_xticks(range(len(labels)), labels)
    axes.set_xlabel(_("moves in the recorded history"))
    axes.set_ylabel(_("children (rounded to 5)"))
    localize_axes(axes, lang, x=None, y="decimal")
    axes.set_title(
        _("Moves so far, children in care on %(date)s") % {"date": format_date(year_end, lang)}
    )
    return fig


def plot_indicators_over_time(
    table: pl.DataFrame,
    indicators: Sequence[str] | None = None,
    *,
    group: str = "all",
    reference: bool = True,
    ax: Axes | None = None,
    lang: str | None = None,
) -> Figure:
    """Line chart of share indicators by year end, from :func:`stability_indicators` output.

    Parameters
    ----------
    table
        The (protected) output of ``stability_indicators``.
    indicators
        Indicators to draw; default every indicator with unit ``share`` in the table.
    group
        ``all`` for the overall line, or a grouping column: one line per group value (then
        only the first indicator is drawn).
    reference
        Shade the England national ranges of the DfE measures (2021-2025).
    ax
        Draw into these axes.
    lang
        Language of the texts and numbers (``"en"`` default, ``"nl"``).

    Examples
    --------
    >>> from datetime import date
    >>> import polars as pl
    >>> t = pl.DataFrame({"year_end": [date(2020, 3, 31), date(2021, 3, 31)],
    ...     "group": ["all", "all"], "group_value": [None, None],
    ...     "indicator": ["three_plus_placements"] * 2, "unit": ["share"] * 2,
    ...     "value": [0.12, None]})
    >>> fig = plot_indicators_over_time(t)
    >>> fig.axes[0].get_ylabel()
    'share of children'
    """
    _ = figure_gettext(lang)

    def short(name: str) -> str:
        if name.startswith("moved_more_than_"):
            return _("moved more than %(n)s times") % {"n": name.rsplit("_", 1)[1]}
        return _(SHORT_LABELS[name]) if name in SHORT_LABELS else name.replace("_", " ")

    shares = table.filter(pl.col("unit") == "share")
    names = (
        list(indicators)
        if indicators is not None
        else shares["indicator"].unique(maintain_order=True).to_list()
    )
    fig, axes = _new_axes(ax, (7.0, 3.8))
    if group == "all":
        series = [
            (name, shares.filter((pl.col("group") == "all") & (pl.col("indicator") == name)))
            for name in names
        ]
    else:
        first = names[0] if names else ""
        sub = shares.filter((pl.col("group") == group) & (pl.col("indicator") == first))
        series = [
            (f"{first}: {v}", sub.filter(pl.col("group_value") == v))
            for v in sub["group_value"].unique(maintain_order=True).to_list()
        ]
    for k, (label, unsorted) in enumerate(series):
        s = unsorted.sort("year_end")
        key, _sep, value = label.partition(": ")
        shown = f"{short(key)}: {value}" if _sep else short(key)
        line = axes.plot(s["year_end"].to_list(), s["value"].to_list(), marker="o", label=shown)
        hidden = s.filter(pl.col("value").is_null())
        for d in hidden["year_end"].to_list():
            axes.annotate(
                "c",
                (_num(d), 0.01 + 0.05 * k),  # one height per line, so marks never overlap
                color=line[0].get_color(),
                ha="center",
                xycoords=("data", "axes fraction"),
                va="bottom",
            )
        if reference and key in DFE_REFERENCE:
            lo, hi = DFE_REFERENCE[key]
            axes.axhspan(lo, hi, color=line[0].get_color(), alpha=0.12)
    ends = sorted(set(shares["year_end"].drop_nulls().to_list()))
    if ends:
        axes.set_xticks(
            [_num(d) for d in ends], [format_date(d, lang, "medium") for d in ends], fontsize=8
        )
    axes.set_ylim(0, 1)
    axes.set_ylabel(_("share of children"))
    axes.set_xlabel(_("year end"))
    localize_axes(axes, lang, x=None, y="percent")
    if series:
        axes.legend(fontsize=8, frameon=False)
    axes.set_title(_("Stability indicators (hidden values marked c; shaded: England 2021-25)"))
    return fig
