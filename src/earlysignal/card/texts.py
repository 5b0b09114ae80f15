"""Reader texts of the card and the neutral blocks they become.

Every sentence a reader sees is a jinja2 macro in ``templates/texts.j2``; Python passes data
(numbers, keys, rows) and never words. :func:`say` turns a macro into blocks (paragraphs and
lists) for the card's sections, :func:`card_text` into one paragraph, :func:`card_items` into
list items.

The card data holds no sentences: where a step has a text for the reader (the decision rule,
the performance summary, the limitations...) it stores a *reader text* (:func:`reader_text`),
the macro's key and the numbers and ids it is worded from, e.g. ``{"text": "decision_rule",
"args": {"capacity": 0.1, ...}}``. The renderers word it in the card's language
(:func:`render_text`, :func:`render_items`), so a card re-rendered in another language shows
the same numbers in that language's words and formats.

Examples
--------
>>> [b.kind for b in say("harms")]
['text', 'list']
>>> card_text("decision_rule", None, 0.3, 0.05)
'Flag risks of at least 0.300 (set by the study); it flags 5% of test rows.'
>>> rule = reader_text("decision_rule", capacity=None, threshold=0.3, share=0.05)
>>> with card_language("nl"):
...     "0,300" in render_text(rule)
True
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
    "fmt_date",
    "fmt_int",
    "fmt_num",
    "fmt_range",
    "is_reader_text",
    "reader_text",
    "render_items",
    "render_text",
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

OUTCOME_NAMES: tuple[str, ...] = (
    N_("breakdown"), N_("carousel"), N_("return_home"), N_("reentry"), N_("entry"),
    N_("stable_return"),
)  # fmt: skip
"""The outcomes by their config names, marked for the catalogue: a Dutch card names them in
Dutch (``carousel`` is "doorverhuizen"), an English card by their config names."""


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


def fmt_date(value: Any) -> Any:
    """A date (or ISO date text) in words in the card's current language; anything else as is.

    Examples
    --------
    >>> fmt_date("2026-12-01"), fmt_date(None), fmt_date("not a date")
    ('December 1, 2026', None, 'not a date')
    >>> with card_language("nl"):
    ...     fmt_date("2026-12-01")
    '1 december 2026'
    """
    from datetime import date, datetime

    from earlysignal.i18n import format_date

    if isinstance(value, date | datetime):
        return format_date(value, current_language())
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return format_date(value, current_language())
    return value


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


def _day(value: Any, lang: str) -> Any:
    with card_language(lang):
        return fmt_date(value)


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
        outcome_name=lambda o: gettext(str(o), lang),
        day=lambda d: _day(d, lang),
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


def say(name: str, /, *args: Any, **kwargs: Any) -> list[Block]:
    """Blocks of one reader text of ``templates/texts.j2`` (a macro), given its data.

    Paragraphs become text blocks; lines starting with ``- `` become a list.

    Examples
    --------
    >>> [b.kind for b in say("harms")]
    ['text', 'list']
    """
    raw = str(getattr(_texts(), name)(*args, **kwargs))
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


def card_text(name: str, /, *args: Any, **kwargs: Any) -> str:
    """One reader text of ``templates/texts.j2`` as a single paragraph (for card fields).

    Examples
    --------
    >>> card_text("decision_rule", 0.1, 0.088, 0.096)[:40]
    'Flag the 10% highest risks: on the calib'
    """
    return " ".join(str(getattr(_texts(), name)(*args, **kwargs)).split())


def card_items(name: str, /, *args: Any, **kwargs: Any) -> list[str]:
    """A reader text of ``templates/texts.j2`` that is a list, as its items.

    Examples
    --------
    >>> len(card_items("explain_limits"))
    4
    """
    blocks = say(name, *args, **kwargs)
    return [c.text for b in blocks if b.kind == "list" for c in b.cells]


_JSON_SCALARS = (str, int, float, bool, type(None))


def _check_data(value: Any, where: str) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"reader text {where}: key {k!r} is not a string")
            _check_data(v, f"{where}.{k}")
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _check_data(v, f"{where}[{i}]")
    elif not isinstance(value, _JSON_SCALARS):
        raise TypeError(
            f"reader text {where}: {type(value).__name__} is not JSON data; pass numbers, "
            "strings, booleans, None, lists or dicts of them"
        )


def reader_text(name: str, /, **args: Any) -> dict[str, Any]:
    """A reader text as card data: the macro's key and the data it is worded from.

    The macro must exist in ``templates/texts.j2`` and the arguments must be JSON data
    (numbers, ids, keys, dates as ISO strings): the card stores no words, so it can be worded
    in any language at render time (:func:`render_text`).

    Examples
    --------
    >>> reader_text("class_imbalance", rate=0.04)
    {'text': 'class_imbalance', 'args': {'rate': 0.04}}
    """
    if not callable(getattr(_texts_in("en"), name, None)):
        raise KeyError(f"no reader text {name!r} in earlysignal/card/templates/texts.j2")
    _check_data(args, name)
    return {"text": name, "args": dict(args)}


def is_reader_text(value: Any) -> bool:
    """Whether ``value`` is a reader text stored as data (:func:`reader_text`).

    Examples
    --------
    >>> is_reader_text({"text": "perf_chance", "args": {}}), is_reader_text("words")
    (True, False)
    """
    return (
        isinstance(value, dict)
        and set(value) == {"text", "args"}
        and isinstance(value["text"], str)
        and isinstance(value["args"], dict)
    )


def render_text(value: Any) -> str:
    """A card field as one paragraph in the current language (strings are kept as written).

    Examples
    --------
    >>> render_text({"text": "limitation_censored", "args": {"censored": 1200, "rows": 9000}})[:40]
    '1,200 of 9,000 prediction times were cen'
    >>> render_text("written by the study team")
    'written by the study team'
    """
    if is_reader_text(value):
        return card_text(value["text"], **value["args"])
    return str(value)


def render_items(value: Any) -> list[str]:
    """A reader text that is a list (or a list of texts) as its items in the current language.

    Examples
    --------
    >>> len(render_items({"text": "explain_limits", "args": {}}))
    4
    """
    if is_reader_text(value):
        return card_items(value["text"], **value["args"])
    if isinstance(value, list):
        return [render_text(v) for v in value]
    return [render_text(value)]
