"""The catalogues: every message the package uses has a Dutch translation (the missing-translation
test); languages, formats and the jinja environment."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

import earlysignal
from earlysignal.i18n import (
    SUPPORTED,
    UnsupportedLanguageError,
    check_language,
    format_date,
    format_decimal,
    format_interval,
    format_percent,
    jinja_env,
    read_catalogue,
)

PACKAGE = Path(earlysignal.__file__).resolve().parent
METHOD_MAP = [("**.py", "python"), ("**/templates/**.j2", "jinja2.ext.babel_extract")]
OPTIONS = {"**/templates/**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def used_messages() -> set[str | tuple[str, str]]:
    """Every msgid in the package's code and templates, extracted with Babel's own API."""
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(PACKAGE), METHOD_MAP, OPTIONS, keywords=KEYWORDS
    ):
        if isinstance(message, tuple):
            if message[0]:
                found.add((message[0], message[1]))
        elif message:
            found.add(message)
    return found


def test_extraction_finds_the_messages_of_code_and_templates():
    used = used_messages()
    assert "to be completed by the organisation" in used  # Python, N_
    assert "Questions for reviewers" in used  # a template
    assert ("%(num)d reviewer", "%(num)d reviewers") in used  # ngettext in a template


def untranslated(messages, catalogue) -> list[str]:
    missing = []
    for message in sorted(messages, key=str):
        key = message[0] if isinstance(message, tuple) else message
        entry = catalogue.get(key)
        strings = [] if entry is None else (
            list(entry.string) if isinstance(entry.string, tuple) else [entry.string]
        )  # fmt: skip
        if entry is None or entry.fuzzy or not strings or not all(s.strip() for s in strings):
            missing.append(key)
    return missing


def test_the_missing_translation_check_can_fail():
    catalogue = read_catalogue("nl")
    assert untranslated({"A sentence nobody translated", "youth care"}, catalogue) == [
        "A sentence nobody translated"
    ]


def test_every_message_has_a_dutch_translation():
    missing = untranslated(used_messages(), read_catalogue("nl"))
    assert not missing, (
        f"{len(missing)} message(s) without a Dutch translation; update the catalogue "
        f"(docs/i18n.md): {missing[:10]}"
    )


def test_dutch_translations_keep_the_placeholders():
    for message in read_catalogue("nl"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        want = set(re.findall(r"%\((\w+)\)", ids[0]))
        for s in strings:
            assert set(re.findall(r"%\((\w+)\)", s)) == want, (ids[0], s)


def test_english_catalogue_is_identity():
    env = jinja_env("en")
    assert env.from_string("{{ _('youth care') }}").render() == "youth care"


def test_supported_languages_and_a_clear_error():
    assert SUPPORTED == ("en", "nl")
    assert check_language(None) == "en"
    with pytest.raises(UnsupportedLanguageError, match=r"'de'.*I18N-LANG.*en, nl"):
        check_language("de")
    with pytest.raises(UnsupportedLanguageError):
        jinja_env("fr")


def test_numbers_dates_and_percentages_follow_the_language():
    assert format_decimal(0.27, 2, "nl") == "0,27"
    assert format_decimal(0.27, 2, "en") == "0.27"
    assert format_percent(0.27, "nl") == "27\u00a0%"
    assert format_percent(0.27, "en") == "27%"
    assert format_date(date(2026, 12, 1), "nl") == "1 december 2026"
    assert format_date(date(2026, 12, 1), "en") == "December 1, 2026"
    assert format_interval(0.21, 0.33, "nl") == "0,21 tot 0,33"
    assert format_interval(date(2026, 1, 1), date(2026, 12, 1), "nl", kind="date") == (
        "1 jan\u2009–\u20091 dec 2026"
    )


def test_jinja_filters_and_glossary_terms():
    env = jinja_env("nl")
    out = env.from_string(
        "{{ 12345|number }} {{ 0.271|decimal(2) }} {{ 0.5|percent }} "
        "{{ '2026-12-01'|date }} {{ 0.1|interval(0.2, 1) }} {{ 'threshold'|term }}"
    ).render()
    assert out == "12.345 0,27 50\u00a0% 1 december 2026 0,1 tot 0,2 beslisdrempel"
