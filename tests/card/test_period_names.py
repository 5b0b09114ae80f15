"""The temporal split's periods are named in the card's language, not by their stored codes."""

from __future__ import annotations

import pytest

from earlysignal.card.blocks import PERIOD_NAMES, _named_periods
from earlysignal.card.texts import card_language

ROWS = [{"period": p, "kept rows": 100} for p in ("train", "calibrate", "test")]


@pytest.mark.parametrize(
    ("lang", "names"),
    [("nl", ["ontwikkeling", "kalibratie", "test"]), ("en", ["training", "calibration", "test"])],
)
def test_periods_are_named_in_the_card_language(lang: str, names: list[str]) -> None:
    with card_language(lang):
        shown = _named_periods(ROWS)
    assert [r["period"] for r in shown] == names
    assert [r["kept rows"] for r in shown] == [100, 100, 100]
    assert set(PERIOD_NAMES) == {r["period"] for r in ROWS}


def test_an_unknown_period_is_shown_as_stored() -> None:
    with card_language("nl"):
        assert _named_periods([{"period": "extra"}]) == [{"period": "extra"}]
