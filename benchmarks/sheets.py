"""Benchmark: rendering signal sheets (HTML and Markdown) in English and Dutch.

``earlysignal score`` writes one sheet per flagged child in two forms, through the gettext
catalogue (``earlysignal.explain.sheet.render_sheet``). This times ``N`` distinct sheets (each
its own child, risk and interval; three raising and two lowering factors), rendered as HTML and
Markdown, per language, and prints milliseconds per sheet, after one warm-up sheet per language
(imports, template compilation). Sheet building (contributions, phrases) is not timed: it is
part of ``benchmarks/scoring.py``.

Run: ``uv run python benchmarks/sheets.py`` (``--sheets N``, default 5,000).
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from earlysignal.explain.sheet import Factor, SignalSheet, render_sheet


def _sheets(n: int, lang: str) -> list[SignalSheet]:
    up = (
        Factor("moves_365d", 3.0, "3 moves in the last 365 days", 0.4),
        Factor(
            "days_since_last_police_contact", 11.0, "11 days since the last police contact", 0.2
        ),
        Factor("events_incident_90d", 2.0, "2 incidents in the last 90 days", 0.1),
    )
    down = (Factor("age_years", 9.5, "aged 9.5", -0.2), Factor("x", 1.0, "settled", -0.1))
    return [
        SignalSheet(
            f"C{i:07d}", date(2026, 12, 1), "breakdown", 180, 0.08 + 0.5 * i / n,
            (0.05 + 0.4 * i / n, 0.12 + 0.5 * i / n), up, down, (), None, None, lang=lang,
        )
        for i in range(n)
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=5000)
    n = parser.parse_args().sheets
    for lang in ("en", "nl"):  # imports and template compilation, not timed
        warm = _sheets(2, lang)[0]
        render_sheet(warm, "html"), render_sheet(warm, "md")
    for lang in ("en", "nl"):
        sheets = _sheets(n, lang)
        start = time.perf_counter()
        chars = sum(len(render_sheet(s, "html")) + len(render_sheet(s, "md")) for s in sheets)
        took = time.perf_counter() - start
        print(
            f"{lang}: {n:,} sheets (HTML + Markdown, {chars / n / 1000:.1f} kB each) in "
            f"{took:.2f} s = {1000 * took / n:.2f} ms per sheet"
        )


if __name__ == "__main__":
    main()
