"""Compliance rows claim only what is there: three states, never "reported" for generic text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from earlysignal.card import SECTIONS, compliance, new_card
from earlysignal.card.standards import (
    AI_ACT,
    AVG,
    COVERED,
    FOR_ORGANISATION,
    PARTLY,
    STANDARDS,
    STATUSES,
    TRIPOD_AI,
)


def _card() -> dict[str, object]:
    return new_card(run_id="r", experiment="e", run_name="n", outcome="breakdown",
                    horizon_days=180)  # fmt: skip


def test_every_row_has_one_of_three_states_and_a_reason_when_not_covered() -> None:
    for name, rows in compliance(_card()).items():
        for r in rows:
            assert r["status"] in STATUSES, (name, r)
            assert r["status"] != "reported"
            if r["status"] != COVERED:
                assert r["note"], (name, r)


def test_an_item_needing_more_than_the_card_gives_is_never_covered() -> None:
    card = _card()
    # fill every field the mappings name with text: items with something missing stay partly
    for _, items in STANDARDS:
        for m in items:
            for path in m.fields:
                node = card
                *parents, leaf = path.split(".")
                for p in parents:
                    node = node.setdefault(p, {})  # type: ignore[assignment,union-attr]
                node[leaf] = "text"  # type: ignore[index]
    table = compliance(card)
    for name, items in STANDARDS:
        for m, row in zip(items, table[name], strict=True):
            assert row["topic"] == m.topic
            if not m.fields:
                assert row["status"] == FOR_ORGANISATION
            elif m.missing:
                assert row["status"] == PARTLY and m.missing in row["note"]
            else:
                assert row["status"] == COVERED


def test_covered_rows_point_to_a_card_section() -> None:
    ids = {s.id for s in SECTIONS}
    for _, items in STANDARDS:
        for m in items:
            assert m.section is None or m.section in ids, m


def test_the_missing_legal_items_are_there() -> None:
    ai = {m.item for m in AI_ACT}
    assert {"Art. 6(3)", "Art. 10(5)", "Art. 49", "Art. 72"} <= ai
    avg = {m.item: m for m in AVG}
    assert "art. 35" in avg and "DPIA" in avg["art. 35"].topic
    assert any("police" in m.topic.lower() for m in AVG)
    assert len(TRIPOD_AI) == 27


def test_generic_text_alone_does_not_make_tripod_items_covered() -> None:
    rows = {r["item"]: r for r in compliance(_card())["tripod_ai"]}
    # the skeleton's generic missing-data sentence is there, but the item is only partly covered
    assert rows["11"]["status"] in (PARTLY, FOR_ORGANISATION)
    art = {r["item"]: r for r in compliance(_card())["eu_ai_act"]}
    assert art["Art. 11"]["status"] != COVERED and art["Art. 12"]["status"] != COVERED


@pytest.mark.slow
def test_rights_in_the_config_reach_the_card(demo_like: tuple[dict[str, Any], Path]) -> None:
    card, folder = demo_like
    assert card["rights"]["informed"].startswith("A letter and a talk")
    assert card["rights"]["access"] == {"status": "to be completed by the study team"}
    rows = {r["item"]: r for r in card["compliance"]["avg"]}
    assert rows["arts. 13-15"]["status"] == PARTLY  # told, but access still open
    assert "rights.access" in rows["arts. 13-15"]["note"]
    assert "A letter and a talk" in (folder / "model_card.md").read_text()
