"""The persona report reads at B1 level in Dutch (plain in English) and uses Dutch terms."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from earlysignal.i18n.glossary import english_terms_in
from earlysignal.i18n.readability import readability
from earlysignal.personas.cluster import assign, fit_personas
from earlysignal.personas.describe import describe_personas
from earlysignal.personas.planted import planted_history
from earlysignal.personas.report import write_report
from earlysignal.personas.sequences import monthly_states
from earlysignal.personas.spec import PersonaSpec


def _text(path: Path) -> str:
    t = path.read_text()
    t = re.sub(r"<(style|table)\b.*?</\1>", " ", t, flags=re.DOTALL)
    t = re.sub(r'alt="[^"]*"', " ", t)
    return html.unescape(re.sub(r"<[^>]+>", " ", t))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_report_text_is_readable(lang: str, tmp_path: Path) -> None:
    h, _ = planted_history(300, seed=6)
    spec = PersonaSpec(window=24, k=5)
    s = monthly_states(h, spec)
    model = fit_personas(s, spec)
    labels, _ = assign(model, s)
    text = _text(write_report(describe_personas(s, model, labels), tmp_path, lang=lang))
    result = readability(text, lang)
    assert result.problems == (), result
    if lang == "nl":
        assert english_terms_in(text) == []
