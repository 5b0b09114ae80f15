"""The Dutch persona report holds no English left behind (missing-translation test)."""

from __future__ import annotations

from pathlib import Path

from i18n_checks import english_words, untranslated_msgids  # type: ignore[import-not-found]

from earlysignal.personas.cluster import assign, fit_personas
from earlysignal.personas.describe import describe_personas
from earlysignal.personas.planted import planted_history
from earlysignal.personas.report import write_report
from earlysignal.personas.sequences import monthly_states
from earlysignal.personas.spec import PersonaSpec


def test_dutch_persona_report_has_no_english_left(tmp_path: Path) -> None:
    h, _ = planted_history(300, seed=2)
    spec = PersonaSpec(window=24, k=5)
    s = monthly_states(h, spec)
    model = fit_personas(s, spec)
    labels, _ = assign(model, s)
    text = write_report(describe_personas(s, model, labels), tmp_path, lang="nl").read_text()
    assert not untranslated_msgids(text), untranslated_msgids(text)
    assert not english_words(text), english_words(text)
