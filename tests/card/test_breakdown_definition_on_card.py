"""The card states the breakdown definition, its source and the counts of each part."""

from __future__ import annotations

import pytest

from earlysignal.card import (
    CardValidationError,
    new_card,
    render_html,
    render_markdown,
    validate_card,
)


def _card(counts):
    card = new_card(run_id="0123abcd", experiment="tests", run_name="card", outcome="breakdown",
                    horizon_days=180)  # fmt: skip
    card["outcome"]["breakdown_definition"] = {
        "name": "child_side",
        "source": "DfE reasons for placement change",
        "end_reasons": ["breakdown"],
        "counts": counts,
        "counts_rounding": 5,
        "counts_min_children": 10,
    }
    return card


def test_definition_source_and_counts_are_rendered() -> None:
    card = _card({"breakdown": 235, "provider_ended": None})
    validate_card(card)
    md, html = render_markdown(card), render_html(card)
    for text in (md, html):
        assert "child_side" in text and "DfE reasons for placement change" in text
        assert "placements ended: breakdown" in text and "235" in text
        assert "placements ended: provider_ended" in text and "fewer than 10 children" in text


def test_schema_refuses_an_unknown_definition() -> None:
    card = _card({"breakdown": 10})
    card["outcome"]["breakdown_definition"]["name"] = "everything"
    with pytest.raises(CardValidationError):
        validate_card(card)
