"""The Dutch signal sheet opened in headless Chromium: Dutch texts render, self-contained."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from chromium import dom_and_screenshot  # type: ignore[import-not-found]

from earlysignal.explain.sheet import Change, Factor, SignalSheet

pytestmark = pytest.mark.browser


def test_dutch_sheet_renders_in_chromium(tmp_path: Path) -> None:
    from datetime import date

    sheet = SignalSheet(
        child_id="C0000042",
        prediction_time=date(2026, 12, 1),
        outcome="breakdown",
        horizon_days=180,
        risk=0.27,
        interval=(0.21, 0.33),
        raising=(Factor("moves_365d", 3.0, "3 keer verhuisd in de laatste 365 dagen", 0.4),),
        lowering=(Factor("age_years", 9.5, "9,5 jaar oud", -0.1),),
        changes=(Change("moves_365d", "1 keer verhuisd", "3 keer verhuisd", 0.3),),
        previous_time=date(2026, 9, 1),
        previous_risk=0.18,
        lang="nl",
    )
    page = tmp_path / "sheet.html"
    page.write_text(sheet.to_html(), encoding="utf-8")
    assert not re.search(r'(src|href)="(https?:)?//', page.read_text()), "self-contained"
    dom = dom_and_screenshot(page, tmp_path, "900,1300")
    assert '<html lang="nl">' in dom
    assert "Signaalblad voor kind C0000042 op 1 december 2026" in dom
    assert "27&nbsp;%" in dom and "waarschijnlijk tussen 21&nbsp;% en 33&nbsp;%" in dom
    assert "Wat het getal betekent" in dom and "Wat dit níet is" in dom
    assert "Op het vorige voorspelmoment (1 september 2026) was de schatting 18&nbsp;%." in dom
