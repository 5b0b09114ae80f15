"""The reader texts of the decision rule say how ties at the threshold are broken when the
rule has a score threshold (risk above r*, or risk equal to r* and raw score at least s*):
the card's summary, the fairness section's flagging sentence and the scoring overview."""

from __future__ import annotations

from typing import Any

import pytest
from filled_cards import filled_card

from earlysignal.card import render_markdown
from earlysignal.card.board import plain_summary
from earlysignal.card.texts import card_language, card_text

PEOPLE = {"share_flagged": 0.1, "precision": 0.2, "recall": 0.4, "per_run": 50, "runs": 10,
          "false_alarm_weight": 0.09}  # fmt: skip
TIES = {"en": "of the children with a risk of exactly", "nl": "met een risico van precies"}


def _card(score_threshold: float | None) -> dict[str, Any]:
    card = filled_card()
    card["decision"].update({"people": PEOPLE, "score_threshold": score_threshold})
    card["performance"]["primary_model"] = "lightgbm"
    card["summary"] = plain_summary(card)  # the run stores it once the decision is known
    return card


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_summary_says_how_ties_are_broken_only_with_a_score_threshold(lang: str) -> None:
    with_ties = render_markdown(_card(0.42), lang=lang)
    without = render_markdown(_card(None), lang=lang)
    assert TIES[lang] in with_ties and TIES[lang] not in without
    assert ("risk of at" if lang == "en" else "vanaf een risico van") in without
    old = _card(None)  # a card stored before the summary held the score threshold
    del old["summary"]["score_threshold"]
    assert TIES[lang] not in render_markdown(old, lang=lang)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_flagging_sentence_says_how_ties_are_broken(lang: str) -> None:
    with card_language(lang):
        ties = card_text("flagging_intro", 0.05, 0.081, ties=True)
        plain = card_text("flagging_intro", 0.05, 0.081)
    assert TIES[lang] in ties and TIES[lang] not in plain


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_scoring_overview_says_how_ties_are_broken(lang: str) -> None:
    import jinja2

    from earlysignal.i18n import jinja_env

    env = jinja_env(lang, loader=jinja2.PackageLoader("earlysignal.scoring", "templates"))
    row = env.from_string(
        "{% set s = {'decision_rule': rule} %}"
        + _decision_row(env.loader.get_source(env, "overview.html.j2")[0])  # type: ignore[union-attr]
    )
    rule = {"kind": "capacity", "capacity": 0.1, "threshold": 0.081}
    assert TIES[lang] in row.render(rule={**rule, "score_threshold": 0.4})
    assert TIES[lang] not in row.render(rule={**rule, "score_threshold": None})


def _decision_row(template: str) -> str:
    """The overview's decision-rule row (the whole overview needs a scored run)."""
    return next(line for line in template.splitlines() if "s.decision_rule.kind" in line)
