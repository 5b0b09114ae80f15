"""A count shown alone on the card (outside a protected table) is rounded to 5 or hidden under
10, and a rate is computed from such counts (earlysignal.disclosure.published_count/_rate)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.disclosure import DisclosurePolicy, published_count, published_rate


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=100_000))
def test_a_published_count_is_hidden_or_a_rounded_multiple_of_5_of_at_least_10(n: int) -> None:
    shown = published_count(n)
    if n < 10:
        assert shown is None
    else:
        assert shown is not None and shown % 5 == 0 and shown >= 10 and abs(shown - n) <= 2


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=5000), st.integers(min_value=0, max_value=5000))
def test_a_published_rate_comes_from_the_published_counts(a: int, b: int) -> None:
    num, den = published_count(min(a, b)), published_count(max(a, b))
    rate = published_rate(num, den)
    if num is None or den is None:
        assert rate is None
    else:
        assert rate == round(num / den, 2)


def test_the_policy_sets_rounding_and_threshold() -> None:
    policy = DisclosurePolicy(min_count=20, rounding=10)
    assert published_count(19, policy) is None
    assert published_count(24, policy) == 20
    assert published_count(3) is None  # e.g. 3 purged rows of a period are not shown as 3
