"""The persona report opened in headless Chromium, in Dutch: sections render, figures embedded."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from earlysignal.personas.cluster import assign, fit_personas
from earlysignal.personas.describe import describe_personas
from earlysignal.personas.planted import planted_history
from earlysignal.personas.report import write_report
from earlysignal.personas.sequences import monthly_states
from earlysignal.personas.spec import PersonaSpec

pytestmark = pytest.mark.browser

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def _chromium() -> str:
    exe = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if exe is None:
        pytest.fail(
            "headless Chromium is required to check the persona report but /usr/bin/chromium "
            "is missing: install Debian's package with `apt-get install -y chromium`"
        )
    return exe


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_chromium(), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


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
    dom = _run(["--dump-dom", url], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert len(re.findall(r'<section class="persona" id="persona-\d+">', dom.stdout)) == 5
    assert dom.stdout.count('src="data:image/png;base64,') >= 5
    assert "Persona's: veel voorkomende routes door de jeugdhulp" in dom.stdout
    shot = tmp_path / "personas.png"
    done = _run([f"--screenshot={shot}", "--window-size=1100,2400", url], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    print(f"screenshot: {shot}")
