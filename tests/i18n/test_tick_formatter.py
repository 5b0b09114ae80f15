"""Axis numbers in the language's format: every tick of an axis gets the same decimals, and the
Dutch label reads back as the tick's value (decimal comma, point between thousands)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.i18n.figures import tick_formatter


def _read_nl(label: str) -> float:
    text = label.replace("\xa0%", "").replace(".", "").replace(",", ".").replace("\u2212", "-")
    return float(text)


@settings(max_examples=40, deadline=None)
@given(
    start=st.integers(-20, 20),
    count=st.integers(2, 8),
    step=st.sampled_from([0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 1000]),
)
def test_dutch_ticks_read_back_as_their_values(start: int, count: int, step: float) -> None:
    values = [(start + i) * step for i in range(count)]
    labels = tick_formatter("nl").format_ticks(values)
    assert len({len(x.partition(",")[2]) for x in labels}) == 1  # the same decimals
    for v, label in zip(values, labels, strict=True):
        assert abs(_read_nl(label) - v) <= 1e-9 * max(1.0, abs(v))
        assert "." not in label or abs(v) >= 1000  # a point only between thousands
    shares = tick_formatter("nl", "percent").format_ticks(values)
    for v, label in zip(values, shares, strict=True):
        assert label.endswith("\xa0%")
        assert abs(_read_nl(label) / 100 - v) <= 1e-9 * max(1.0, abs(v))


def test_english_ticks_keep_the_decimal_point() -> None:
    assert tick_formatter("en").format_ticks([0.0, 0.25, 0.5]) == ["0.00", "0.25", "0.50"]
    assert tick_formatter("en", "percent").format_ticks([0.0, 0.5]) == ["0%", "50%"]
