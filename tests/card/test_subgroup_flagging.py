"""Who gets flagged, per group: four rates with intervals, and a gap test that tells "too few to
tell" from "no gap"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from earlysignal.card.blocks import card_blocks
from earlysignal.card.board import FLAG_METRICS, flagging_by_group


def _row(diff_lo: float | None, diff_hi: float | None, value: float | None = 0.1) -> dict[str, Any]:
    return {"attribute": "age_group", "group": "0-11", "metric": "tpr", "value": value,
            "lo": 0.05, "hi": 0.15, "reference": "12-15", "diff": -0.3, "diff_lo": diff_lo,
            "diff_hi": diff_hi}  # fmt: skip


@given(
    lo=st.floats(-1, 1, allow_nan=False),
    width=st.floats(0, 1, allow_nan=False),
    margin=st.floats(0.001, 0.2, allow_nan=False),
)
def test_verdict_follows_the_interval_of_the_difference(lo: float, width: float,
                                                         margin: float) -> None:  # fmt: skip
    hi = lo + width
    [r] = flagging_by_group([_row(lo, hi)], margin=margin)
    within = -margin <= lo and hi <= margin
    if (lo > 0 or hi < 0) and within:
        assert r["verdict"] == "small gap"
    elif lo > 0 or hi < 0:
        assert r["verdict"] == "gap"
    elif within:
        assert r["verdict"] == "no gap"
    else:
        assert r["verdict"] == "too few to tell"


def test_hidden_values_and_missing_intervals_are_too_few_to_tell() -> None:
    assert flagging_by_group([_row(None, None)])[0]["verdict"] == "too few to tell"
    assert flagging_by_group([_row(-0.5, -0.4, value=None)])[0]["verdict"] == "too few to tell"
    ref = {**_row(None, None), "group": "12-15"}
    assert flagging_by_group([ref])[0]["verdict"] == "reference"


@pytest.mark.slow
def test_demo_like_card_shows_every_rate_with_its_interval(
    demo_like: tuple[dict[str, Any], Path],
) -> None:
    card, _ = demo_like
    rows = card["subgroups"]["flagging"]
    assert {r["metric"] for r in rows} == set(FLAG_METRICS)
    for r in rows:
        if r["value"] is not None:
            assert r["lower"] is not None and r["upper"] is not None, r
            assert r["lower"] <= r["value"] <= r["upper"] or r["lower"] == r["upper"], r
        assert r["verdict"] in ("gap", "small gap", "no gap", "too few to tell", "reference")
    blocks = dict((s.id, b) for s, b in card_blocks(card))["subgroups"]
    table = next(b for b in blocks if b.kind == "table" and "who gets flagged" in b.caption)
    assert table.columns[:3] == ["attribute", "group", "compared with"]
    assert "gap test" in table.columns
    shown = [c.text for row in table.rows for c in row]
    assert any(" to " in t and t.endswith(")") for t in shown)
