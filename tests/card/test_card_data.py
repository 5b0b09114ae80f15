"""Card data: schema validity, explicit unknown markers, standards mappings, atomic writes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from earlysignal.card import (
    SECTIONS,
    TO_BE_COMPLETED,
    CardValidationError,
    card_schema,
    compliance,
    new_card,
    render_html,
    render_markdown,
    schema_markdown,
    unknown,
    validate_card,
    write_card,
)
from earlysignal.card import render as render_module
from earlysignal.card.standards import AI_ACT, ALGORITMEREGISTER, IAMA, TRIPOD_AI

ROOT = Path(__file__).resolve().parents[2]


def _card() -> dict[str, Any]:
    return new_card(
        run_id="0123abcd", experiment="tests", run_name="card", outcome="breakdown",
        horizon_days=180,
    )  # fmt: skip


def test_skeleton_validates_and_marks_every_human_field() -> None:
    card = _card()
    validate_card(card)
    jsonschema.Draft202012Validator.check_schema(card_schema())
    for field in ("title", "owners", "contact", "class_imbalance"):
        assert card["model_details"][field] == {"status": TO_BE_COMPLETED}
    assert card["human_oversight"] == {"status": TO_BE_COMPLETED}
    assert card["legal"]["basis"] == {"status": TO_BE_COMPLETED}
    assert card["performance"]["oracle"]["status"] == "not measured by this run"


def test_schema_refuses_an_empty_string_for_a_human_field() -> None:
    card = _card()
    card["human_oversight"] = ""
    with pytest.raises(CardValidationError, match="human_oversight"):
        validate_card(card)


def test_schema_refuses_a_missing_section_and_unknown_fields() -> None:
    card = _card()
    del card["monitoring"]
    with pytest.raises(CardValidationError, match="monitoring"):
        validate_card(card)
    card = _card()
    card["model_details"]["accuracy_claim"] = "excellent"
    with pytest.raises(CardValidationError, match="accuracy_claim"):
        validate_card(card)


def test_schema_refuses_an_invented_status() -> None:
    card = _card()
    card["ethics"]["approval"] = {"status": "approved probably"}
    with pytest.raises(CardValidationError, match="approval"):
        validate_card(card)


def test_standards_are_complete() -> None:
    assert [m.item for m in TRIPOD_AI] == [str(i) for i in range(1, 28)]
    assert [m.item for m in AI_ACT][:7] == [f"Art. {i}" for i in range(9, 16)]
    assert len(IAMA) >= 8 and len(ALGORITMEREGISTER) >= 12
    section_ids = {s.id for s in SECTIONS}
    for m in (*TRIPOD_AI, *AI_ACT, *IAMA, *ALGORITMEREGISTER):
        assert m.section is None or m.section in section_ids, m


def test_compliance_follows_the_card_not_the_mapping() -> None:
    card = _card()
    before = {r["item"]: r["status"] for r in compliance(card)["algoritmeregister"]}
    assert before["naam"] == "for the organisation"
    card["model_details"]["title"] = "Early signal of placement breakdown"
    after = {r["item"]: r["status"] for r in compliance(card)["algoritmeregister"]}
    assert after["naam"] == "covered by this run"
    # items only the team can answer stay open whatever the run did
    rows = {r["item"]: r["status"] for r in compliance(card)["tripod_ai"]}
    assert rows["2"] == "for the organisation" and rows["17"] == "for the organisation"


def test_every_section_is_rendered_in_both_formats() -> None:
    card = _card()
    md, html = render_markdown(card), render_html(card)
    for s in SECTIONS:
        assert f"## {s.title}\n" in md
        assert f'<h2 id="{s.id}">{s.title}</h2>' in html.replace("&#39;", "'")


def test_html_escapes_text_from_the_config() -> None:
    card = _card()
    card["intended_use"]["primary"] = "<script>alert(1)</script>"
    html = render_html(card)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_written_json_validates_against_the_published_schema(tmp_path: Path) -> None:
    card = _card()
    card["model_details"]["owners"] = ["Study team"]
    out = write_card(card, tmp_path / "card")
    data = json.loads((out / "model_card.json").read_text())
    jsonschema.validate(data, card_schema())
    assert data["model_details"]["owners"] == ["Study team"]
    assert data["model_details"]["contact"] == unknown()


def test_failed_write_leaves_no_half_written_card(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(render_module, "render_html", boom)
    with pytest.raises(KeyboardInterrupt):
        write_card(_card(), tmp_path / "card")
    assert list(tmp_path.iterdir()) == []


def test_rewrite_replaces_a_card_only_when_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write_card(_card(), tmp_path / "card")
    original = (first / "model_card.json").read_text()
    monkeypatch.setattr(render_module, "render_markdown", lambda card: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        write_card(_card(), tmp_path / "card")
    assert (first / "model_card.json").read_text() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card"]


def test_published_schema_document_matches_the_package_schema() -> None:
    doc = (ROOT / "docs" / "model_card_schema.md").read_text()
    match = re.search(r"```json\n(.*?)\n```", doc, flags=re.DOTALL)
    assert match, "docs/model_card_schema.md must hold the schema in a ```json block"
    assert json.loads(match.group(1)) == card_schema()
    assert doc == schema_markdown(), (
        "docs/model_card_schema.md is stale: regenerate it with uv run python -c "
        "\"from earlysignal.card import schema_markdown; print(schema_markdown(), end='')\" "
        "> docs/model_card_schema.md"
    )
