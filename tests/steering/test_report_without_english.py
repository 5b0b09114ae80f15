"""The Dutch steering report holds no English left behind (the missing-translation test of the
rendered report): indicator names and dates too."""

from __future__ import annotations

from pathlib import Path

from i18n_checks import english_words, untranslated_msgids  # type: ignore[import-not-found]

from earlysignal.steering.compare import compare_units
from earlysignal.steering.report import build_report, write_report
from earlysignal.steering.spec import SteeringSpec
from earlysignal.synth import Simulation


def test_dutch_steering_report_has_no_english_left(small_sim: Simulation, tmp_path: Path) -> None:
    result = compare_units(small_sim.history, SteeringSpec(by="provider", years=5), draws=100)
    rep = build_report(result, history=small_sim.history, key=b"k")
    write_report(rep, tmp_path, lang="nl")
    for name in ("steering.md", "steering.html"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert not untranslated_msgids(text), (name, untranslated_msgids(text))
        assert not english_words(text), (name, english_words(text))
    md = (tmp_path / "steering.md").read_text(encoding="utf-8")
    assert "moves_per_child" not in md and "Verhuizingen in het jaar per kind" in md
    assert " maart " in md  # year ends as Dutch dates
