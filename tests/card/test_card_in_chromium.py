"""The HTML card opened in headless Chromium: every section renders, figures are embedded."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from earlysignal.card import SECTIONS, new_card, write_card

pytestmark = pytest.mark.browser

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
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
            "headless Chromium is required to check the HTML model card but /usr/bin/chromium "
            "is missing: install Debian's package with `apt-get install -y chromium` "
            "(.ci/run does this)"
        )
    return exe


def _card_with_figure(folder: Path) -> tuple[dict[str, Any], Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figs = folder / "figs"
    figs.mkdir()
    fig, ax = plt.subplots(figsize=(3, 3), dpi=60)
    ax.plot([0, 1], [0, 1], color="k")
    ax.set_title("reliability")
    fig.savefig(figs / "reliability.png")
    plt.close(fig)
    card = new_card(
        run_id="f00d", experiment="tests", run_name="browser", outcome="carousel",
        horizon_days=365, min_moves=2,
    )  # fmt: skip
    card["figures"] = [
        {"id": "reliability", "file": "reliability.png", "caption": "Reliability diagram",
         "section": "calibration"},
    ]  # fmt: skip
    card["calibration"]["figure"] = "reliability"
    card["performance"]["metrics"] = [
        {"model": "lightgbm", "metric": "auroc", "value": 0.71, "lower": 0.69, "upper": 0.73}
    ]
    return card, figs


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_html_card_renders_every_section_in_chromium(tmp_path: Path) -> None:
    card, figs = _card_with_figure(tmp_path)
    out = write_card(card, tmp_path / "card", figures_dir=figs)
    html = out / "model_card.html"
    text = html.read_text()
    assert "data:image/png;base64," in text
    assert not re.search(r'(src|href)="(https?:)?//', text), "the card must be self-contained"
    url = html.resolve().as_uri()

    dom = _run(["--dump-dom", url], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    headings = re.findall(r'<h2 id="([a-z_]+)">', dom.stdout)
    assert headings == [s.id for s in SECTIONS]
    assert dom.stdout.count('<img alt="Reliability diagram" src="data:image/png;base64,') == 1
    assert "to be completed by the study team" in dom.stdout

    shot = tmp_path / "card.png"
    done = _run([f"--screenshot={shot}", "--window-size=1280,2400", url], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 20_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_demo_like_card_in_chromium_with_a_screenshot(
    demo_like: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    """The demo-like card opens with its banner and summary; a screenshot is kept as output.

    The screenshot is written to the test's temporary folder (printed with ``-s``) and, when
    ``EARLYSIGNAL_TEST_ARTIFACTS`` names a folder, copied there.
    """
    import os

    _, folder = demo_like
    url = (folder / "model_card.html").resolve().as_uri()
    dom = _run(["--dump-dom", url], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    headings = re.findall(r'<h2 id="([a-z_]+)">', dom.stdout)
    assert headings == [s.id for s in SECTIONS]
    assert dom.stdout.index("DEMO: SIMULATED DATA, NOT FOR USE ON CHILDREN") < dom.stdout.index(
        '<h2 id="summary">'
    )
    for text in ("Most flagged children will not break down", "who gets flagged",
                 "treats one false alarm as", "Glossary", "for the organisation"):  # fmt: skip
        assert text in dom.stdout, text
    shot = tmp_path / "demo_like_card.png"
    done = _run([f"--screenshot={shot}", "--window-size=1280,3000", url], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 50_000
    print(f"screenshot of the demo-like card: {shot}")
    keep = os.environ.get("EARLYSIGNAL_TEST_ARTIFACTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy2(shot, Path(keep) / shot.name)


HARMS = {
    "nl": "Vragen die de commissie vóór elk gebruik moet beantwoorden",
    "en": "Questions the board must answer before any use",
}
NO_REVIEW = {
    "nl": "Voor deze run heeft nog niemand met eigen ervaring in de jeugdhulp meegelezen.",
    "en": "No one with lived experience of care has read along for this run.",
}


@pytest.mark.parametrize(
    ("lang", "heading", "marker"),
    [
        ("nl", "In het kort", "in te vullen door het onderzoeksteam"),
        ("en", "In short", "to be completed by the study team"),
    ],
)
def test_html_card_in_each_language_in_chromium(
    lang: str, heading: str, marker: str, tmp_path: Path
) -> None:
    """Dutch and English cards open in Chromium; the screenshots are kept as test output.

    The screenshot is written to the test's temporary folder (printed with ``-s``) and, when
    ``EARLYSIGNAL_TEST_ARTIFACTS`` names a folder, copied there.
    """
    import os

    card, figs = _card_with_figure(tmp_path)
    out = write_card(card, tmp_path / "card", figures_dir=figs, lang=lang)
    url = (out / "model_card.html").resolve().as_uri()
    dom = _run(["--dump-dom", url], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert f'<html lang="{lang}">' in dom.stdout
    assert re.findall(r'<h2 id="([a-z_]+)">', dom.stdout) == [s.id for s in SECTIONS]
    assert f'<h2 id="summary">{heading}</h2>' in dom.stdout
    assert marker in dom.stdout
    assert ("0,71" in dom.stdout) == (lang == "nl")
    other = "en" if lang == "nl" else "nl"
    for texts in (HARMS, NO_REVIEW):  # the card's own sentences are in the card's language
        assert texts[lang] in dom.stdout and texts[other] not in dom.stdout
    assert ("Doorverhuizen" in dom.stdout or "overplaatsingen" in dom.stdout) == (lang == "nl")
    shot = tmp_path / f"card_{lang}.png"
    done = _run([f"--screenshot={shot}", "--window-size=1280,2400", url], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 20_000
    print(f"screenshot of the {lang} card: {shot}")
    keep = os.environ.get("EARLYSIGNAL_TEST_ARTIFACTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy2(shot, Path(keep) / shot.name)


@pytest.mark.slow
def test_demo_like_card_in_dutch_in_chromium_with_a_screenshot(
    demo_like: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    """The demo-like card re-rendered in Dutch opens in Chromium with its Dutch texts and
    figures; the screenshot is kept as test output like the English one."""
    import os

    card, folder = demo_like
    out = write_card(card, tmp_path / "nl", figures_dir=folder / "figures", lang="nl")
    url = (out / "model_card.html").resolve().as_uri()
    dom = _run(["--dump-dom", url], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert '<html lang="nl">' in dom.stdout
    assert re.findall(r'<h2 id="([a-z_]+)">', dom.stdout) == [s.id for s in SECTIONS]
    assert dom.stdout.index("DEMO: GESIMULEERDE GEGEVENS") < dom.stdout.index('<h2 id="summary">')
    for text in ("Bij de meeste kinderen met een signaal eindigt de plaatsing niet voortijdig",
                 "weegt één vals alarm als", HARMS["nl"], NO_REVIEW["nl"], "Woordenlijst",
                 "voor de organisatie"):  # fmt: skip
        assert text in dom.stdout, text
    for text in ("Most flagged children will not break down", HARMS["en"], "Glossary"):
        assert text not in dom.stdout, text
    assert dom.stdout.count("data:image/png;base64,") == len(card["figures"]) > 0
    shot = tmp_path / "demo_like_card_nl.png"
    done = _run([f"--screenshot={shot}", "--window-size=1280,3000", url], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 50_000
    print(f"screenshot of the demo-like card in Dutch: {shot}")
    keep = os.environ.get("EARLYSIGNAL_TEST_ARTIFACTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy2(shot, Path(keep) / shot.name)
