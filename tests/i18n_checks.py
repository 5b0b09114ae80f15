"""Checks that a text rendered in Dutch holds no English left behind (the missing-translation
tests of the rendered outputs: sheets, overview, monitoring and indicator reports).

Two complementary checks:

- :func:`untranslated_msgids`: no English message id of the catalogue (with its placeholders as
  wildcards) appears in the Dutch text: catches a message rendered without translation;
- :func:`english_words`: no English function word ("the", "and", "with", ...) appears in the
  Dutch text outside ``<code>`` and backticks: catches English written in a template or in Python
  without going through the catalogue at all.
"""

from __future__ import annotations

import functools
import html
import re

from earlysignal.i18n import read_catalogue

ENGLISH = frozenset(
    [
        "the",
        "and",
        "with",
        "from",
        "this",
        "these",
        "what",
        "which",
        "not",
        "for",
        "to",
        "by",
        "are",
        "were",
        "has",
        "have",
        "when",
        "only",
        "there",
        "than",
        "within",
    ]
)
"""Frequent English words that are not Dutch words ("of", "was", "in" are both)."""


def visible_text(text: str) -> str:
    """The reader's text: code, tags, entities and Markdown code removed."""
    text = re.sub(r"<(code|style|title)[^>]*>.*?</\1>", " ", text, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"`[^`]*`", " ", text)
    return html.unescape(text)


def english_words(text: str) -> list[str]:
    """English function words left in a Dutch text (outside code)."""
    words = re.findall(r"[^\W\d_]+", visible_text(text).lower())
    return sorted({w for w in words if w in ENGLISH})


def untranslated_msgids(text: str, min_words: int = 2) -> list[str]:
    """English message ids (of at least ``min_words`` words) that appear in a Dutch text."""
    plain = visible_text(text)
    found = []
    for message in read_catalogue("nl"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for mid in ids:
            literal = re.sub(r"%\(\w+\)[sd]", " ", mid)  # the words, placeholders left out
            if mid in strings or len(literal.split()) < min_words:
                continue  # the same in both languages, or too short to tell
            parts = [re.escape(p) for p in re.split(r"%\(\w+\)[sd]", mid)]
            pattern = r"[^\n]{0,80}?".join(p for p in parts if p.strip())
            if pattern and re.search(pattern, plain):
                found.append(mid)
    return found


_NL_NUMBER = re.compile(r"[-\u2212]?\d{1,3}(?:\.\d{3})*(?:,\d+)?(?:\xa0%)?")


@functools.cache
def _msgstr_patterns() -> list[re.Pattern[str]]:
    patterns = []
    for message in read_catalogue("nl"):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for s in strings:
            raw = re.split(r"%\(\w+\)[sd]", s.replace("%%", "%")) if s else []
            if any(re.search(r"[^\W\d_]", p) for p in raw):  # some words besides placeholders
                patterns.append(re.compile(".+?".join(re.escape(p) for p in raw), re.S))
    return patterns


def not_dutch_figure_texts(texts: list[str], data: tuple[str, ...] = ()) -> list[str]:
    """The texts of a Dutch figure that are neither a Dutch catalogue text (a ``msgstr``, its
    placeholders filled in), nor a number in Dutch format (``0,25``, ``1.000``, ``25 %``), nor
    data (``data``: regular expressions for names, groups and feature labels).

    A message drawn untranslated (its English id) and English written without the catalogue
    are both caught; so is an English number format (``0.25`` is not a Dutch number).
    """
    patterns = _msgstr_patterns()
    extra = [re.compile(d) for d in data]
    bad = []
    for text in texts:
        t = text.strip()
        if _NL_NUMBER.fullmatch(t) or any(d.fullmatch(t) for d in extra):
            continue
        if not any(p.fullmatch(t) for p in patterns):
            bad.append(text)
    return bad
