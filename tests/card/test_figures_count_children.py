"""The card's stored figures count children: the reliability bins, the ROC / precision-recall
steps and the decision curve's cuts are made for the study's smallest cell ([fairness]
min_cell), the curves stay readable (thinned, not blanked), and the captions state the rule
in both languages (docs/disclosure.md)."""

from __future__ import annotations

from typing import Any

from earlysignal.card.texts import card_language, render_text


def _figure(card: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(f for f in card["figures"] if (f.get("data") or {}).get("kind") == kind)


def test_the_evaluation_figures_hold_the_smallest_cell_of_children(
    demo_like: tuple[dict[str, Any], Any],
) -> None:
    card, _ = demo_like
    primary = card["performance"]["primary_model"]
    for kind in ("reliability", "roc_pr", "decision_curve"):
        entry = _figure(card, kind)
        assert entry["data"]["min_children"] == 10, kind  # the default [fairness] min_cell
        assert entry["caption"]["args"]["min_cell"] == 10, kind
    rel = next(s for s in _figure(card, "reliability")["data"]["series"] if s["model"] == primary)
    assert len(rel["observed"]) >= 2, "the reliability diagram is thinned, not blanked"
    roc = next(s for s in _figure(card, "roc_pr")["data"]["series"] if s["model"] == primary)
    assert len(roc["fpr"]) >= 3, "the ROC curve is thinned, not blanked"
    assert all(v > 0 for v in roc["fpr"][1:]) and all(v > 0 for v in roc["tpr"][1:])


def test_the_captions_state_the_rule_in_both_languages(
    demo_like: tuple[dict[str, Any], Any],
) -> None:
    card, _ = demo_like
    words = {"en": ("10 children with the event", "10 without"),
             "nl": ("10 kinderen met de gebeurtenis", "10 zonder")}  # fmt: skip
    for lang, expected in words.items():
        with card_language(lang):
            for kind in ("reliability", "roc_pr", "decision_curve"):
                text = render_text(_figure(card, kind)["caption"])
                assert all(w in text for w in expected), (lang, kind, text)
