"""The same sheet in Dutch and English shows the same numbers (property test)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from earlysignal.explain.sheet import SignalSheet, render_sheet

RISK = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


def _numbers(text: str) -> list[str]:
    return [n.replace(",", ".") for n in re.findall(r"\d+(?:[.,]\d+)?", text)]


@given(RISK, RISK, RISK, st.sampled_from([None, 90, 180, 365]))
def test_dutch_and_english_sheets_show_the_same_numbers(risk, a, b, days) -> None:  # type: ignore[no-untyped-def]
    lo, hi = sorted((a, b))
    sheets = {
        lang: SignalSheet("C1", None, "breakdown", days, risk, (lo, hi), (), (), (), None, None,
                          lang=lang)
        for lang in ("en", "nl")
    }  # fmt: skip
    nl, en = (render_sheet(sheets[lang], "md") for lang in ("nl", "en"))
    assert _numbers(nl) == _numbers(en)
    n = round(100 * risk)
    if n >= 1:  # the natural frequency adds up to 100
        assert f"Bij ongeveer {n} van hen" in nl and f"Bij de andere {100 - n} niet" in nl
    shown = float(_numbers(sheets["en"].headline())[0 if days is None else 1])
    assert abs(shown - 100 * risk) <= (0.05 if risk < 0.01 else 0.5) + 1e-9
