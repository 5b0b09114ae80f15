"""The Dutch indicator report opened in headless Chromium: tables per year, Dutch formats."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from chromium import dom_and_screenshot  # type: ignore[import-not-found]

from earlysignal.indicators.document import write_indicator_report
from earlysignal.indicators.report import stability_indicators

pytestmark = pytest.mark.browser


def test_dutch_indicator_report_renders_in_chromium(tmp_path: Path) -> None:
    from earlysignal.synth import simulate

    history = simulate(600, years=3, seed=4).history
    table = stability_indicators(history, by=["sex"])
    page = write_indicator_report(table, tmp_path / "rep", lang="nl")
    assert not re.search(r'(src|href)="(https?:)?//', page.read_text()), "self-contained"
    dom = dom_and_screenshot(page, tmp_path, "1100,1800")
    years = sorted(set(table["year_end"].to_list()))
    assert len(re.findall(r'<section class="year">', dom)) == len(years) >= 1
    assert "Stabiliteit van plaatsingen: cijfers per jaar" in dom
    assert "Jaar tot en met 31 maart" in dom and "Naar geslacht" in dom
    assert "&nbsp;%</td>" in dom  # Dutch percentages
