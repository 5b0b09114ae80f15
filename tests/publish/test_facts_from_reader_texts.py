"""The exports read the model, calibration and intervals from reader texts stored as data."""

from __future__ import annotations

from typing import Any

import pytest

from earlysignal.card import validate_card
from earlysignal.card.texts import reader_text
from earlysignal.publish.facts import card_facts


@pytest.mark.parametrize(
    ("kind", "method", "venn_abers"),
    [("lightgbm", "isotonic", True), ("logistic", "sigmoid", False), ("rule", "none", False)],
)
def test_facts_from_reader_texts(
    card: dict[str, Any], kind: str, method: str, venn_abers: bool
) -> None:
    md = card["model_details"]
    md["model_type"] = reader_text("model_type", kind=kind, rule_feature="moves_365d")
    md["intervals"] = reader_text("intervals_kind", venn_abers=venn_abers)
    card["calibration"]["method"] = reader_text("calibration_method", method=method)
    validate_card(card)
    facts = card_facts(card)
    assert facts["model_kind"] == kind and facts["fitted"]
    assert facts["calibration"] == (None if method == "none" else method)
    assert facts["venn_abers"] is venn_abers


def test_facts_from_written_texts_of_older_cards(card: dict[str, Any]) -> None:
    facts = card_facts(card)  # the strings cards held before reader texts
    assert (facts["model_kind"], facts["calibration"], facts["venn_abers"]) == (
        "lightgbm",
        "isotonic",
        True,
    )
