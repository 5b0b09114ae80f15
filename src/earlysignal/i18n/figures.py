"""Figure texts and axis numbers in the reader's language (matplotlib is imported lazily).

Every plotting function of the library takes ``lang=`` and words its titles, axis labels,
legends and annotations with :func:`figure_gettext` (message ids in the plotting modules, as
the card's ``blocks.py`` does; extracted by Babel like every ``_()`` call). The numbers on the
axes are written by :func:`tick_formatter`, a matplotlib formatter built on the Babel formats
of :mod:`earlysignal.i18n`: ``0,25`` and ``25 %`` in Dutch, ``0.25`` and ``25%`` in English.
:func:`figure_texts` collects every text of a drawn figure (what the tests check).

Examples
--------
>>> _ = figure_gettext("nl")
>>> _("observed event rate (bin)")
'waargenomen aandeel met de gebeurtenis (klasse)'
>>> tick_formatter("nl", "percent").format_ticks([0.0, 0.1, 0.2])
['0\\xa0%', '10\\xa0%', '20\\xa0%']
>>> tick_formatter("nl", "percent").format_ticks([0.0, 0.125, 0.25])
['0,0\\xa0%', '12,5\\xa0%', '25,0\\xa0%']
>>> tick_formatter("en").format_ticks([-0.5, 0.0, 0.5, 1.0])
['-0.5', '0.0', '0.5', '1.0']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from earlysignal.i18n import check_language, format_decimal, format_percent, get_translations

__all__ = ["figure_gettext", "figure_texts", "localize_axes", "tick_formatter"]

MAX_DIGITS = 4
"""The most decimals a tick label gets (matplotlib's own ticks never need more here)."""


def figure_gettext(lang: str | None = None) -> Callable[[str], str]:
    """The ``gettext`` of a language, to word a figure's texts (``_ = figure_gettext(lang)``).

    Examples
    --------
    >>> figure_gettext("en")("net benefit")
    'net benefit'
    """
    return get_translations(check_language(lang)).gettext


def _digits(values: Iterable[float]) -> int:
    """The fewest decimals that write every value exactly (at most :data:`MAX_DIGITS`)."""
    finite = [abs(float(v)) for v in values if math.isfinite(float(v))]
    for d in range(MAX_DIGITS + 1):
        if all(abs(round(v, d) - v) <= 1e-9 * max(1.0, v) for v in finite):
            return d
    return MAX_DIGITS


def tick_formatter(lang: str | None = None, kind: str = "decimal") -> Any:
    """A matplotlib tick formatter writing numbers in the language's format.

    ``kind`` is ``"decimal"`` (``0,25``) or ``"percent"`` (a share as ``25 %``). All ticks of
    an axis get the same number of decimals, the fewest that write each tick exactly (as
    matplotlib's own formatter does).

    Examples
    --------
    >>> tick_formatter("nl").format_ticks([0.0, 0.05, 0.1])
    ['0,00', '0,05', '0,10']
    >>> tick_formatter("nl").format_ticks([0, 5000, 10000])
    ['0', '5.000', '10.000']
    >>> tick_formatter("en", "percent")(0.3)
    '30%'
    """
    from matplotlib.ticker import Formatter

    code = check_language(lang)
    if kind not in ("decimal", "percent"):
        raise ValueError(f"tick_formatter: kind {kind!r}; choose 'decimal' or 'percent'")

    def write(value: float, digits: int) -> str:
        v = 0.0 if abs(value) < 1e-12 else float(value)  # never "-0"
        if kind == "percent":
            return format_percent(v, code, digits)
        return format_decimal(v, digits, code)

    def digits_of(values: Iterable[float]) -> int:
        vals = [float(v) for v in values]
        return _digits(v * 100 for v in vals) if kind == "percent" else _digits(vals)

    class BabelFormatter(Formatter):  # type: ignore[misc]
        def __call__(self, x: float, pos: int | None = None) -> str:
            return write(x, digits_of([x]))

        def format_ticks(self, values: Any) -> list[str]:
            d = digits_of(values)
            return [write(v, d) for v in values]

    return BabelFormatter()


def localize_axes(ax: Any, lang: str | None = None, x: str | None = "decimal",
                  y: str | None = "decimal") -> None:  # fmt: skip
    """Put the language's number format on an axes' x and y ticks (``None``: leave the axis,
    for example one with category labels).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> localize_axes(ax, "nl", x="percent", y=None)
    >>> ax.xaxis.get_major_formatter().format_ticks([0.5])
    ['50\\xa0%']
    """
    if x is not None:
        ax.xaxis.set_major_formatter(tick_formatter(lang, x))
    if y is not None:
        ax.yaxis.set_major_formatter(tick_formatter(lang, y))


def figure_texts(fig: Any) -> list[str]:
    """Every non-empty text a reader sees in a figure: the figure's and the axes' titles and
    texts, axis labels, tick labels and legend entries (the figure is laid out first, so tick
    labels are filled).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(); ax = fig.add_subplot(); _ = ax.set_xlabel("risk")
    >>> "risk" in figure_texts(fig)
    True
    """
    fig.draw_without_rendering()
    texts: list[Any] = list(fig.texts)
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None:
        texts.append(suptitle)
    for ax in fig.axes:
        texts += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label]
        texts += list(ax.texts)
        texts += list(ax.get_xticklabels()) + list(ax.get_yticklabels())
        legend = ax.get_legend()
        if legend is not None:
            texts += list(legend.get_texts())
            if legend.get_title() is not None:
                texts.append(legend.get_title())
    for legend in getattr(fig, "legends", []):
        texts += list(legend.get_texts())
    return [t.get_text() for t in texts if t is not None and t.get_text().strip()]
