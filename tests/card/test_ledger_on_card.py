"""The card states the publication ledger's rule (or that none was used) in both languages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from earlysignal.card import new_card, render_markdown, validate_card
from earlysignal.ledger import ledger_card

ON = "Across runs: this run was checked against the publication ledger"
OFF = "Across runs: this run was not checked against a publication ledger"


def _card(on: bool) -> dict[str, Any]:
    card = new_card(run_id="x", experiment="t", run_name="r", outcome="breakdown", horizon_days=1)
    card["subgroups"]["ledger"] = ledger_card(object() if on else None)  # type: ignore[arg-type]
    validate_card(card)
    return card


def test_the_rule_is_stated_in_plain_words_in_both_languages() -> None:
    on, off = render_markdown(_card(True)), render_markdown(_card(False))
    assert ON in on and "by at most 11 children" in on and OFF not in on
    assert OFF in off and ON not in off
    nl = render_markdown(_card(True), lang="nl")
    assert "publicatielogboek" in nl and "hoogstens 11 kinderen" in nl and ON not in nl
    assert "niet vergeleken met een publicatielogboek" in render_markdown(_card(False), lang="nl")


def test_a_run_uses_the_ledger_beside_its_card_by_default(
    demo_like: tuple[dict[str, Any], Path],
) -> None:
    card, card_dir = demo_like
    assert card["subgroups"]["ledger"] == {"on": True, "min_cell": 10, "max_error": 11}
    ledger = card_dir.parent / "publication-ledger"
    assert (ledger / "ledger.key").is_file() and list(ledger.glob("entries-*.parquet"))
    assert not list(card_dir.rglob("*ledger*"))  # never inside the published card folder
    assert ON in (card_dir / "model_card.md").read_text()
