"""The persona report opened in headless Chromium, in Dutch: sections render, figures embedded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from chromium import run_chromium

from earlysignal.personas.cluster import assign, fit_personas
from earlysignal.personas.describe import describe_personas
from earlysignal.personas.planted import planted_history
from earlysignal.personas.report import write_report
from earlysignal.personas.sequences import monthly_states
from earlysignal.personas.spec import PersonaSpec

pytestmark = pytest.mark.browser


def test_persona_report_renders_in_chromium(tmp_path: Path) -> None:
    h, _ = planted_history(300, seed=2)
    spec = PersonaSpec(window=24, k=5)
    s = monthly_states(h, spec)
    model = fit_personas(s, spec)
    labels, _ = assign(model, s)
    html = write_report(describe_personas(s, model, labels), tmp_path / "rep", lang="nl")
    text = html.read_text()
    assert not re.search(r'(src|href)="(https?:)?//', text), "the report must be self-contained"
    url = html.resolve().as_uri()
    dom = run_chromium(["--dump-dom", url], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert len(re.findall(r'<section class="persona" id="persona-\d+">', dom.stdout)) == 5
    assert dom.stdout.count('src="data:image/png;base64,') >= 5
    assert "Persona's: veel voorkomende routes door de jeugdhulp" in dom.stdout
    shot = tmp_path / "personas.png"
    done = run_chromium([f"--screenshot={shot}", "--window-size=1100,2400", url], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    print(f"screenshot: {shot}")
