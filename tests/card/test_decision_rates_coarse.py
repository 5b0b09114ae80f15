"""The decision section's rates of row counts (share flagged, precision, recall, alerts per 100
children) are published coarse: on the demo card before issue 12's fix they were 16-digit rates,
each the exact fraction of its counts (precision 0.11299344733898034 = 707/6257, recall
707/2144, share flagged 6257/66026)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def _coarse(v: Any) -> bool:
    return v is None or round(float(v), 2) == float(v)


@pytest.mark.slow
def test_the_decision_rules_rates_are_published_coarse(
    demo_like: tuple[dict[str, Any], Path],
) -> None:
    card, _ = demo_like
    people = card["decision"]["people"]
    for key in ("share_flagged", "precision", "recall"):
        assert _coarse(people[key]), (key, people[key])
    for row in card["decision"]["workload"]:
        for key in ("flagged share", "value", "lower", "upper"):
            assert _coarse(row[key]), (row["metric"], key, row[key])
