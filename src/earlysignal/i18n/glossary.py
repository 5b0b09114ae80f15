"""The glossary: the field's terms fixed once, in English and Dutch (``glossary.toml``).

Texts for readers use the glossary's words (the ``term`` filter of
:func:`earlysignal.i18n.jinja_env`), ``docs/glossary.md`` is generated from it, and
:func:`english_terms_in` finds English domain words in a Dutch text, so a test can fail when a
Dutch catalogue entry or a Dutch rendering slips into English.

Examples
--------
>>> term("breakdown", "nl")
'voortijdige beëindiging'
>>> [hit.term_id for hit in english_terms_in("De plaatsing eindigt met een breakdown.")]
['breakdown']
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Term", "TermHit", "english_terms_in", "glossary", "glossary_markdown", "term"]


@dataclass(frozen=True, slots=True)
class Term:
    """One glossary entry."""

    id: str
    kind: str
    en: str
    nl: str
    definition_en: str
    definition_nl: str
    not_in_nl: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TermHit:
    """An English word found in a Dutch text, with the Dutch term to use instead."""

    term_id: str
    word: str
    use_instead: str
    position: int


@cache
def glossary() -> tuple[Term, ...]:
    """All glossary terms, in file order (package data ``glossary.toml``).

    Examples
    --------
    >>> {t.id for t in glossary()} >= {"placement", "calibration", "threshold"}
    True
    """
    ref = resources.files("earlysignal.i18n") / "glossary.toml"
    data = tomllib.loads(ref.read_text(encoding="utf-8"))
    terms = []
    for row in data["term"]:
        terms.append(
            Term(
                id=row["id"],
                kind=row["kind"],
                en=row["en"],
                nl=row["nl"],
                definition_en=row["definition_en"],
                definition_nl=row["definition_nl"],
                not_in_nl=tuple(row.get("not_in_nl", ())),
            )
        )
    return tuple(terms)


def term(term_id: str, lang: str = "en") -> str:
    """The glossary's word for ``term_id`` in ``lang``.

    Raises
    ------
    KeyError
        For an id the glossary does not hold (names the known ids).

    Examples
    --------
    >>> term("threshold", "nl"), term("threshold", "en")
    ('beslisdrempel', 'decision threshold')
    """
    from earlysignal.i18n import check_language

    code = check_language(lang)
    for t in glossary():
        if t.id == term_id:
            return t.nl if code == "nl" else t.en
    known = ", ".join(t.id for t in glossary())
    raise KeyError(f"no glossary term {term_id!r} (rule I18N-TERM); known terms: {known}")


@cache
def _patterns() -> tuple[tuple[Term, str, re.Pattern[str]], ...]:
    out = []
    for t in glossary():
        for word in t.not_in_nl:
            out.append((t, word, re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])", re.I)))
    return tuple(out)


def english_terms_in(text: str) -> list[TermHit]:
    """English domain words (the glossary's ``not_in_nl``) found in a Dutch ``text``.

    Matching ignores case and needs whole words (``risico`` does not match ``risk``).
    Text inside backticks (code names) and ``%(name)s`` placeholders are skipped.

    Examples
    --------
    >>> english_terms_in("Het risico is 27 %.")
    []
    >>> english_terms_in("De threshold is 0,3.")[0].use_instead
    'beslisdrempel'
    """
    clean = re.sub(r"`[^`]*`|%\(\w+\)[sdf]", lambda m: " " * len(m.group(0)), text)
    found = sorted(
        ((m.start(), -len(m.group(0)), t, m.group(0)) for t, _, p in _patterns()
         for m in p.finditer(clean)),
        key=lambda x: (x[0], x[1]),
    )  # fmt: skip
    hits: list[TermHit] = []
    end = -1
    for start, neg_len, t, word in found:
        if start >= end:  # the longest word at a place wins ("foster care", not also "foster")
            hits.append(TermHit(t.id, word, t.nl, start))
            end = start - neg_len
    return hits


def glossary_markdown() -> str:
    """``docs/glossary.md``, generated from ``glossary.toml`` (a test keeps them in sync).

    Examples
    --------
    >>> glossary_markdown().startswith("# Glossary")
    True
    """
    lines = [
        "# Glossary",
        "",
        "<!-- generated from src/earlysignal/i18n/glossary.toml by "
        "earlysignal.i18n.glossary.glossary_markdown(); do not edit by hand -->",
        "",
        "Every text earlysignal writes for a reader uses these words. A Dutch text never uses",
        "the English words in the last column: a test fails when it does ([i18n.md](i18n.md)).",
        "",
    ]
    for kind, title in (("domain", "Youth care"), ("model", "The model and its numbers")):
        lines += [
            f"## {title}",
            "",
            "| English | Nederlands | Definition | Definitie | not in Dutch texts |",
            "|---|---|---|---|---|",
        ]
        for t in glossary():
            if t.kind != kind:
                continue
            banned = ", ".join(f"`{w}`" for w in t.not_in_nl) or "-"
            lines.append(f"| {t.en} | {t.nl} | {t.definition_en} | {t.definition_nl} | {banned} |")
        lines.append("")
    return "\n".join(lines)
