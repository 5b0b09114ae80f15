"""Readability of texts for readers: Flesch-Douma (Dutch) and Flesch reading ease (English).

Why these measures (``docs/i18n.md`` has the full reasoning): the Dutch Algoritmeregister and
the issue ask for B1 Dutch; the usual, reproducible proxies for that level are short sentences
and short words. Flesch-Douma (Douma 1960) is Flesch's formula re-weighted for Dutch, and
Flesch reading ease (Flesch 1948) is its English original; both combine exactly those two
things. Syllables are counted from the hyphenation points of :mod:`pyphen` (Hunspell
dictionaries ``nl_NL`` and ``en_US``, offline), which follow syllables closely in Dutch and
slightly undercount in English. Sentences are split on ``.``, ``!``, ``?``, ``:`` and line
ends (list items and headings are sentences of their own).

Thresholds (:data:`THRESHOLDS`) are fixed from the literature, not from our texts: a Flesch
score of at least 60 is "plain" ("standard" in Flesch's table; Douma's Dutch scale uses the
same bands), an average sentence of at most 15 words (Dutch, the B1 guidance of Direct
Duidelijk / Stichting Makkelijk Lezen) or 20 words (English, the UK Government Digital
Service's plain-English guidance), no sentence over 25 (nl) or 30 (en) words, and at most 10 %
of words with four syllables or more.

Examples
--------
>>> r = readability("Het kind woont in een pleeggezin. Het gaat goed.", "nl")
>>> r.sentences, r.words, r.ok
(2, 9, True)
>>> readability("Notwithstanding considerable methodological heterogeneity, "
...             "interpretability deteriorates.", "en").ok
False
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

__all__ = ["THRESHOLDS", "Readability", "Thresholds", "readability"]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The limits a text for readers must meet in one language."""

    min_flesch: float
    max_mean_sentence_words: float
    max_sentence_words: int
    max_long_word_share: float
    long_word_syllables: int = 4


THRESHOLDS: dict[str, Thresholds] = {
    "nl": Thresholds(
        min_flesch=60.0, max_mean_sentence_words=15.0, max_sentence_words=25,
        max_long_word_share=0.10,
    ),
    "en": Thresholds(
        min_flesch=60.0, max_mean_sentence_words=20.0, max_sentence_words=30,
        max_long_word_share=0.10,
    ),
}  # fmt: skip
"""Per language; see the module docstring for their sources."""

_FLESCH = {"nl": (206.835, 0.93, 77.0), "en": (206.835, 1.015, 84.6)}
_DICTS = {"nl": "nl_NL", "en": "en_US"}
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:;]+(?=\s|$)|\n+")


@dataclass(frozen=True)
class Readability:
    """Figures of one text and whether they meet the language's thresholds."""

    lang: str
    sentences: int
    words: int
    syllables: int
    flesch: float
    mean_sentence_words: float
    longest_sentence_words: int
    long_word_share: float
    problems: tuple[str, ...] = field(default=())
    longest_sentence: str = ""

    @property
    def ok(self) -> bool:
        """True when no threshold is broken."""
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        """The figures as a JSON-ready dict."""
        return {
            "lang": self.lang,
            "sentences": self.sentences,
            "words": self.words,
            "flesch": round(self.flesch, 1),
            "mean_sentence_words": round(self.mean_sentence_words, 1),
            "longest_sentence_words": self.longest_sentence_words,
            "long_word_share": round(self.long_word_share, 3),
            "problems": list(self.problems),
        }


@cache
def _hyphenator(lang: str) -> Any:
    import pyphen

    return pyphen.Pyphen(lang=_DICTS[lang])


def syllables(word: str, lang: str) -> int:
    """Syllables of one word, from its hyphenation points (at least 1).

    Examples
    --------
    >>> syllables("betrouwbaarheidsinterval", "nl"), syllables("calibration", "en")
    (7, 4)
    """
    return sum(len(_hyphenator(lang).positions(part)) + 1 for part in re.split(r"[-'’]", word))


def readability(text: str, lang: str) -> Readability:
    """Measure a text and check it against :data:`THRESHOLDS` for ``lang``.

    Markdown markup (``#``, ``*``, ``|``, backticks, links) is stripped; numbers are not words.

    Examples
    --------
    >>> readability("Dit is kort. Dit ook.", "nl").mean_sentence_words
    2.5
    """
    from earlysignal.i18n import check_language

    code = check_language(lang)
    plain = re.sub(r"`[^`]*`|\[([^\]]*)\]\([^)]*\)|[#*_|>]", lambda m: m.group(1) or " ", text)
    counts: list[tuple[int, str]] = []
    total_syll = 0
    long_words = 0
    limits = THRESHOLDS[code]
    for part in _SENTENCE_END.split(plain):
        words = _WORD.findall(part)
        if not words:
            continue
        counts.append((len(words), part.strip()))
        for w in words:
            s = syllables(w.lower(), code)
            total_syll += s
            long_words += s >= limits.long_word_syllables
    n_sent = len(counts)
    n_words = sum(c for c, _ in counts)
    if n_words == 0:
        return Readability(code, 0, 0, 0, 100.0, 0.0, 0, 0.0)
    base, per_sentence, per_syllable = _FLESCH[code]
    mean_len = n_words / n_sent
    flesch = base - per_sentence * mean_len - per_syllable * (total_syll / n_words)
    longest, longest_text = max(counts)
    share = long_words / n_words
    problems = []
    if flesch < limits.min_flesch:
        problems.append(f"flesch {flesch:.1f} < {limits.min_flesch}")
    if mean_len > limits.max_mean_sentence_words:
        problems.append(f"mean sentence {mean_len:.1f} words > {limits.max_mean_sentence_words}")
    if longest > limits.max_sentence_words:
        problems.append(f"sentence of {longest} words > {limits.max_sentence_words}")
    if share > limits.max_long_word_share:
        problems.append(f"long words {share:.0%} > {limits.max_long_word_share:.0%}")
    return Readability(
        code, n_sent, n_words, total_syll, flesch, mean_len, longest, share,
        tuple(problems), longest_text,
    )  # fmt: skip
