"""Texts for readers in English and Dutch: gettext catalogues read with Babel, locale formats.

Every text the library writes for a reader (cards, sheets, reports, exports) is written with an
English message id and translated through a gettext catalogue in the package,
``earlysignal/locale/<lang>/LC_MESSAGES/earlysignal.po``. The ``.po`` files are read at run
time with :func:`babel.messages.pofile.read_po` and turned into a
:class:`babel.support.Translations` in memory (cached per language): no compiled ``.mo`` file
is kept in git and no build or CI step has to compile one (see ``docs/i18n.md``).

Numbers, percentages and dates are formatted by :mod:`babel.numbers` and :mod:`babel.dates`
for the language: ``0,27``, ``27 %`` and ``1 december 2026`` in Dutch.

Examples
--------
>>> gettext("youth care", "nl")
'jeugdhulp'
>>> format_decimal(0.2712, 2, "nl"), format_percent(0.27, "nl"), format_percent(0.27, "en")
('0,27', '27\\xa0%', '27%')
>>> from datetime import date
>>> format_date(date(2026, 12, 1), "nl")
'1 december 2026'
>>> check_language("fr")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
earlysignal.i18n.UnsupportedLanguageError: language 'fr' is not supported (rule I18N-LANG): ...
"""

from __future__ import annotations

import io
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from babel.support import Translations
    from jinja2 import BaseLoader, Environment

__all__ = [
    "DEFAULT",
    "DOMAIN",
    "N_",
    "SUPPORTED",
    "UnsupportedLanguageError",
    "check_language",
    "format_date",
    "format_decimal",
    "format_interval",
    "format_number",
    "format_percent",
    "get_translations",
    "gettext",
    "jinja_env",
    "ngettext",
]

SUPPORTED: tuple[str, ...] = ("en", "nl")
"""Languages with a catalogue; English is the default and the language of the message ids."""
DEFAULT = "en"
DOMAIN = "earlysignal"
"""The gettext domain (the catalogue file name)."""

PERCENT_PATTERNS: dict[str, str] = {"nl": "#,##0\u00a0%"}
"""Percent patterns that differ from the CLDR locale data: Dutch texts of this project write a
(no-break) space before the percent sign, ``27 %``, as the issue and the sources it cites do."""


class UnsupportedLanguageError(ValueError):
    """A language without a catalogue was asked for (rule I18N-LANG)."""


def N_(message: str) -> str:
    """Mark a message for extraction without translating it now.

    Examples
    --------
    >>> N_("youth care")
    'youth care'
    """
    return message


def check_language(lang: str | None) -> str:
    """Return a supported language code (``None`` is the default), or raise.

    Raises
    ------
    UnsupportedLanguageError
        For any other code, naming the supported ones.

    Examples
    --------
    >>> check_language(None), check_language("NL")
    ('en', 'nl')
    """
    if lang is None:
        return DEFAULT
    code = str(lang).strip().lower()
    if code not in SUPPORTED:
        raise UnsupportedLanguageError(
            f"language {lang!r} is not supported (rule I18N-LANG): choose one of "
            f"{', '.join(SUPPORTED)}, e.g. --lang nl"
        )
    return code


def catalogue_text(lang: str) -> str:
    """The ``.po`` file of a language, as text (package data).

    Examples
    --------
    >>> 'msgid ""' in catalogue_text("nl")
    True
    """
    code = check_language(lang)
    ref = resources.files("earlysignal") / "locale" / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    return ref.read_text(encoding="utf-8")


@cache
def read_catalogue(lang: str) -> Any:
    """The language's catalogue as a :class:`babel.messages.catalog.Catalog` (cached).

    Examples
    --------
    >>> read_catalogue("nl").locale.language
    'nl'
    """
    from babel.messages.pofile import read_po

    code = check_language(lang)
    return read_po(io.StringIO(catalogue_text(code)), locale=code, domain=DOMAIN)


@cache
def get_translations(lang: str | None = None) -> Translations:
    """The :class:`babel.support.Translations` of a language, built from its ``.po`` (cached).

    The catalogue is compiled in memory with Babel's own ``write_mo``; fuzzy entries are left
    out, as ``msgfmt`` does, so an unreviewed translation falls back to English.

    Examples
    --------
    >>> get_translations("nl").gettext("youth care")
    'jeugdhulp'
    >>> get_translations("en").gettext("youth care")
    'youth care'
    """
    from babel.messages.mofile import write_mo
    from babel.support import Translations

    code = check_language(lang)
    buffer = io.BytesIO()
    write_mo(buffer, read_catalogue(code))
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def gettext(message: str, lang: str | None = None) -> str:
    """Translate one message into ``lang``.

    Examples
    --------
    >>> gettext("youth care", "nl"), gettext("youth care")
    ('jeugdhulp', 'youth care')
    """
    return get_translations(lang).gettext(message)


def ngettext(singular: str, plural: str, n: int, lang: str | None = None) -> str:
    """Translate a message with a count (the plural form follows the language's rule).

    Examples
    --------
    >>> ngettext("%(num)d reviewer", "%(num)d reviewers", 3, "nl") % {"num": 3}
    '3 meelezers'
    """
    return get_translations(lang).ngettext(singular, plural, n)


# ------------------------------------------------------------------------------ formats


def format_number(value: float | int, lang: str | None = None) -> str:
    """A number with the language's separators (``12.345`` in Dutch, ``12,345`` in English).

    Examples
    --------
    >>> format_number(12345, "nl"), format_number(12345, "en")
    ('12.345', '12,345')
    """
    from babel.numbers import format_decimal as _fd

    return _fd(value, locale=check_language(lang))


def format_decimal(value: float, digits: int = 2, lang: str | None = None) -> str:
    """A number with exactly ``digits`` decimals (``0,27`` in Dutch).

    Examples
    --------
    >>> format_decimal(0.27, 2, "nl"), format_decimal(1234.5, 1, "en")
    ('0,27', '1,234.5')
    """
    from babel.numbers import format_decimal as _fd

    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return _fd(value, format=pattern, locale=check_language(lang))


def format_percent(value: float, lang: str | None = None, digits: int = 0) -> str:
    """A share (0.27) as a percentage (``27 %`` in Dutch, ``27%`` in English).

    Examples
    --------
    >>> format_percent(0.2712, "nl", digits=1)
    '27,1\\xa0%'
    """
    from babel.numbers import format_percent as _fp

    code = check_language(lang)
    base = PERCENT_PATTERNS.get(code, "#,##0%")
    pattern = base.replace("#,##0", "#,##0." + "0" * digits, 1) if digits > 0 else base
    return _fp(value, format=pattern, locale=code)


def format_date(value: date | datetime | str, lang: str | None = None, form: str = "long") -> str:
    """A date in words (``1 december 2026``; ``December 1, 2026``); ISO strings are accepted.

    Examples
    --------
    >>> format_date("2026-12-01", "en")
    'December 1, 2026'
    """
    from babel.dates import format_date as _fd

    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return _fd(value, form, locale=check_language(lang))


def format_interval(
    lower: Any, upper: Any, lang: str | None = None, digits: int = 2, kind: str = "decimal"
) -> str:
    """An interval: two numbers (``0,21 tot 0,33``), two shares or two dates.

    ``kind`` is ``"decimal"``, ``"percent"`` or ``"date"`` (dates use
    :func:`babel.dates.format_interval`).

    Examples
    --------
    >>> format_interval(0.21, 0.334, "nl")
    '0,21 tot 0,33'
    >>> format_interval(0.21, 0.33, "en", kind="percent")
    '21% to 33%'
    """
    code = check_language(lang)
    if kind == "date":
        from babel.dates import format_interval as _fi

        lo = date.fromisoformat(lower[:10]) if isinstance(lower, str) else lower
        hi = date.fromisoformat(upper[:10]) if isinstance(upper, str) else upper
        return str(_fi(lo, hi, "yMMMd", locale=code))
    if kind == "percent":
        lo_s, hi_s = format_percent(lower, code, 0), format_percent(upper, code, 0)
    else:
        lo_s, hi_s = format_decimal(lower, digits, code), format_decimal(upper, digits, code)
    return gettext("%(lower)s to %(upper)s", code) % {"lower": lo_s, "upper": hi_s}


def jinja_env(
    lang: str | None = None, loader: BaseLoader | None = None, autoescape: bool = False
) -> Environment:
    """A jinja2 environment that speaks ``lang``.

    It installs :mod:`jinja2.ext.i18n` with the language's translations (new-style gettext:
    ``{{ _("%(n)s moves", n=3) }}`` and ``{% trans %}``) and adds the filters ``number``,
    ``decimal(n)``, ``percent(n)``, ``date`` and ``interval(upper, n, kind)`` formatted for
    the language, and ``term`` (a glossary id to the language's word); ``lang`` is a global.

    Examples
    --------
    >>> env = jinja_env("nl")
    >>> text = "{{ _('youth care') }}: {{ 0.27|percent }}, {{ 0.271|decimal(2) }}"
    >>> env.from_string(text).render()
    'jeugdhulp: 27\\xa0%, 0,27'
    """
    from jinja2 import Environment, StrictUndefined

    from earlysignal.i18n.glossary import term as _term

    code = check_language(lang)
    env = Environment(
        loader=loader,
        autoescape=autoescape,
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    translations = get_translations(code)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters["number"] = lambda v: format_number(v, code)
    env.filters["decimal"] = lambda v, n=2: format_decimal(v, n, code)
    env.filters["percent"] = lambda v, n=0: format_percent(v, code, n)
    env.filters["date"] = lambda v, form="long": format_date(v, code, form)
    env.filters["interval"] = lambda lo, hi, n=2, kind="decimal": format_interval(
        lo, hi, code, n, kind
    )
    env.filters["term"] = lambda term_id: _term(term_id, code)
    env.globals["lang"] = code
    return env
