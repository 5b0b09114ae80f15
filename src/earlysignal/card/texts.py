"""Reader texts of the card and the neutral blocks they become.

Every sentence a reader sees is a jinja2 macro in ``templates/texts.j2``; Python passes data
(numbers, keys, rows) and never words. :func:`say` turns a macro into blocks (paragraphs and
lists) for the card's sections, :func:`card_text` into one paragraph for a card-data field (the
runner stores a few such sentences, e.g. the decision rule), :func:`card_items` into list items.

Examples
--------
>>> [b.kind for b in say("harms")]
['text', 'list']
>>> card_text("decision_rule", None, 0.3, 0.05)
'Flag risks of at least 0.300 (set by the study); it flags 5.0% of test rows.'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from earlysignal.i18n import (
    N_,
    check_language,
)

__all__ = [
    "METRIC_NAMES",
    "Block",
    "Cell",
    "card_items",
    "card_language",
    "card_text",
    "current_language",
    "fmt_int",
    "fmt_num",
    "fmt_range",
    "say",
]

_LANGUAGE: ContextVar[str] = ContextVar("earlysignal_card_language", default="en")


def current_language() -> str:
    """The language the card's reader texts are rendered in (``"en"`` unless set).

    Examples
    --------
    >>> current_language()
    'en'
    """
    return _LANGUAGE.get()


@contextmanager
def card_language(lang: str | None) -> Iterator[str]:
    """Render the card's reader texts in ``lang`` inside the ``with`` block.

    The card's data stays language-neutral; the language is chosen only at render time, so
    the renderers set it here and :func:`say`/:func:`card_text` read it.

    Examples
    --------
    >>> with card_language("nl"):
    ...     current_language()
    'nl'
    >>> current_language()
    'en'
    """
    token = _LANGUAGE.set(check_language(lang))
    try:
        yield _LANGUAGE.get()
    finally:
        _LANGUAGE.reset(token)


METRIC_NAMES: dict[str, str] = {
    "selection_rate": N_("share flagged"),
    "tpr": N_("share of breakdowns caught (TPR)"),
    "fpr": N_("false-alarm rate (FPR)"),
    "ppv": N_("precision (PPV)"),
}
"""Reader names of the audit's rates at the decision rule."""


@dataclass(frozen=True, slots=True)
class Cell:
    """A formatted value; ``marked`` when it is an unknown marker (shown emphasised)."""

    text: str
    marked: bool = False


@dataclass(slots=True)
class Block:
    """One piece of a section: ``kind`` is text, kv, list, table or figure."""

    kind: str
    cells: list[Cell] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    caption: str = ""
    file: str = ""


def _localise(text: str, lang: str) -> str:
    """An English-formatted number in ``lang``'s separators (CLDR: ``1.234,5`` in Dutch).

    Rounding is Python's in both languages, so the two renderings always show the same
    digits (Babel rounds the decimal text half-even and can differ in the last digit).
    """
    if lang == "en":
        return text
    from babel.numbers import get_decimal_symbol, get_group_symbol

    dec, group = get_decimal_symbol(lang), get_group_symbol(lang)
    return "".join(dec if ch == "." else group if ch == "," else ch for ch in text)


def fmt_num(value: float, digits: int = 3) -> str:
    """A number with ``digits`` decimals in the card's current language.

    Examples
    --------
    >>> fmt_num(0.7123), fmt_num(1234.5, 0)
    ('0.712', '1,234')
    >>> with card_language("nl"):
    ...     fmt_num(0.7123), fmt_num(1234.5, 0)
    ('0,712', '1.234')
    """
    return _localise(f"{value:,.{digits}f}", current_language())


def fmt_int(value: int) -> str:
    """A whole number with the current language's group separator (``12,345``/``12.345``)."""
    return _localise(f"{value:,}", current_language())


def fmt_range(lower: float, upper: float, digits: int = 3) -> str:
    """Two numbers as a range in the current language (``0.690 to 0.735``/``0,690 tot 0,735``).

    Examples
    --------
    >>> fmt_range(0.69, 0.7345)
    '0.690 to 0.735'
    """
    from earlysignal.i18n import gettext

    return gettext("%(lower)s to %(upper)s", current_language()) % {
        "lower": fmt_num(lower, digits),
        "upper": fmt_num(upper, digits),
    }


def _pct(value: Any, digits: int = 0) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
        return "-"
    return f"{100 * value:.{digits}f}%"


def _fmt(spec: str) -> Any:
    def f(value: Any) -> str:
        if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
            return "-"
        return format(value, spec)

    return f


def _count(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "fewer than 10"
    return f"{int(value):,}"


def _ci(row: Any) -> str:
    lo = row.get("lower") if isinstance(row, dict) else None
    hi = row.get("upper") if isinstance(row, dict) else None
    if lo is None or hi is None:
        return "no interval"
    return f"{lo:.3f} to {hi:.3f}"


def _is_num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and not math.isnan(value)


def _lang_filters(lang: str) -> dict[str, Any]:
    """Number filters formatted with Babel (CLDR) for a language other than English."""
    from earlysignal.i18n import gettext

    def dec(digits: int, signed: bool = False) -> Any:
        def f(value: Any) -> str:
            if not _is_num(value):
                return "-"
            return _localise(format(value, f"{'+' if signed else ''}.{digits}f"), lang)

        return f

    def count(value: Any) -> str:
        if not _is_num(value):
            return gettext("fewer than 10", lang)
        return _localise(f"{int(value):,}", lang)

    def pct(value: Any, digits: int = 0) -> str:
        if not _is_num(value):
            return "-"
        return _localise(f"{100 * value:.{digits}f}", lang) + "\u00a0%"

    def ci(row: Any) -> str:
        lo = row.get("lower") if isinstance(row, dict) else None
        hi = row.get("upper") if isinstance(row, dict) else None
        if lo is None or hi is None:
            return gettext("no interval", lang)
        return gettext("%(lower)s to %(upper)s", lang) % {
            "lower": _localise(f"{lo:.3f}", lang),
            "upper": _localise(f"{hi:.3f}", lang),
        }

    return {
        "pct": pct,
        "num": dec(3),
        "num1": dec(1),
        "num2": dec(2),
        "num4": dec(4),
        "signed": dec(3, signed=True),
        "signed4": dec(4, signed=True),
        "count": count,
        "about": lambda v: (
            gettext("about %(n)s", lang) % {"n": count(v)} if _is_num(v) else count(v)
        ),
        "ci": ci,
    }


def _add_filters(env: Any, lang: str = "en") -> Any:
    from earlysignal.i18n import gettext

    env.filters.update(
        pct=_pct,
        num=_fmt(".3f"),
        num1=_fmt(".1f"),
        num2=_fmt(".2f"),
        num4=_fmt(".4f"),
        signed=_fmt("+.3f"),
        signed4=_fmt("+.4f"),
        count=_count,
        about=lambda v: f"about {_count(v)}" if isinstance(v, int | float) else _count(v),
        ci=_ci,
        metric_name=lambda m: gettext(METRIC_NAMES.get(str(m), str(m)), lang),
    )
    if lang != "en":
        env.filters.update(_lang_filters(lang))
    return env


@cache
def _texts_in(lang: str) -> Any:
    import jinja2

    from earlysignal.i18n import jinja_env

    env = jinja_env(lang, loader=jinja2.PackageLoader("earlysignal.card", "templates"))
    env.undefined = jinja2.ChainableUndefined
    env.trim_blocks = False  # a tag ending a line keeps the line break: paragraphs stay apart
    env.keep_trailing_newline = False
    return _add_filters(env, lang).get_template("texts.j2").module


def _texts() -> Any:
    return _texts_in(current_language())


def say(name: str, *args: Any) -> list[Block]:
    """Blocks of one reader text of ``templates/texts.j2`` (a macro), given its data.

    Paragraphs become text blocks; lines starting with ``- `` become a list.

    Examples
    --------
    >>> [b.kind for b in say("harms")]
    ['text', 'list']
    """
    raw = str(getattr(_texts(), name)(*args))
    blocks: list[Block] = []
    for para in re.split(r"\n\s*\n", raw.strip()):
        text: list[str] = []
        items: list[list[str]] = []
        for line in (ln.strip() for ln in para.splitlines()):
            if not line:
                continue
            if line.startswith("- "):
                items.append([line[2:]])
            elif items:
                items[-1].append(line)
            else:
                text.append(line)
        if text:
            blocks.append(Block("text", cells=[Cell(" ".join(text))]))
        if items and not text and blocks and blocks[-1].kind == "list":
            blocks[-1].cells += [Cell(" ".join(i)) for i in items]  # one list, split by tags
        elif items:
            blocks.append(Block("list", cells=[Cell(" ".join(i)) for i in items]))
    return blocks


def card_text(name: str, *args: Any) -> str:
    """One reader text of ``templates/texts.j2`` as a single paragraph (for card fields).

    Examples
    --------
    >>> card_text("decision_rule", 0.1, 0.088, 0.096)[:40]
    'Flag the 10% highest risks: on the calib'
    """
    return " ".join(str(getattr(_texts(), name)(*args)).split())


def card_items(name: str, *args: Any) -> list[str]:
    """A reader text of ``templates/texts.j2`` that is a list, as its items.

    Examples
    --------
    >>> len(card_items("explain_limits"))
    4
    """
    return [c.text for b in say(name, *args) if b.kind == "list" for c in b.cells]
