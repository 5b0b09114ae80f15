"""A card built from a record source states the source's definitions and blind spots."""

from __future__ import annotations

import pytest

from earlysignal.card import (
    CardValidationError,
    new_card,
    render_html,
    render_markdown,
    validate_card,
)
from earlysignal.sources.cbs_codes import source_definitions


def _card() -> dict:
    card = new_card(
        run_id="0123abcd", experiment="tests", run_name="card", outcome="carousel",
        horizon_days=180,
    )  # fmt: skip
    card["data"]["source_definitions"] = source_definitions()
    return card


def test_cbs_definitions_and_blind_spots_are_rendered() -> None:
    card = _card()
    validate_card(card)
    md = render_markdown(card)
    assert "what the words mean in cbs data" in md
    assert "blind spots of cbs data" in md
    for d in card["data"]["source_definitions"]["definitions"]:
        assert d["term"] in md
    assert "Breakdown cannot be observed directly" in md
    html = render_html(card)
    assert "blind spots of cbs data" in html and "doorverhuizing" in html


def test_schema_refuses_a_definition_without_text() -> None:
    card = _card()
    card["data"]["source_definitions"]["definitions"].append({"term": "move"})
    with pytest.raises(CardValidationError, match="text"):
        validate_card(card)
