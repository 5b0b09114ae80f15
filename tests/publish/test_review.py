"""The lived-experience review: the pack (simulated children only), reviews taken back."""

from __future__ import annotations

from pathlib import Path

import pytest

from earlysignal.card import new_card, validate_card
from earlysignal.i18n.glossary import english_terms_in
from earlysignal.publish.review import (
    QUESTION_IDS,
    ReviewPackError,
    apply_reviews,
    no_review,
    read_reviews,
    render_questions,
    render_summary,
    write_review_pack,
)


def test_a_card_says_when_no_review_took_place():
    card = new_card(run_id="r", experiment="e", run_name="n", outcome="breakdown",
                    horizon_days=180)  # fmt: skip
    card["lived_experience"] = no_review()
    validate_card(card)
    assert card["lived_experience"]["took_place"] is False


def test_names_only_with_consent(tmp_path):
    form = tmp_path / "answers.toml"
    form.write_text(
        """
[[reviewer]]
name = "Sam de Vries"
agreed_to_be_named = false
[reviewer.answers]
fair = "Niet helemaal."

[[reviewer]]
name = "Noor"
agreed_to_be_named = true
role = "ervaringsdeskundige"
[reviewer.answers]
understandable = "Ja."
harm = "Als het een label wordt."
""",
        encoding="utf-8",
    )
    base = new_card(run_id="r", experiment="e", run_name="n", outcome="breakdown",
                    horizon_days=180)  # fmt: skip
    card = apply_reviews(base, read_reviews(form))
    validate_card(card)
    section = card["lived_experience"]
    assert section["took_place"] is True
    assert [r["name"] for r in section["reviewers"]] == ["reviewer 1", "Noor"]
    assert "Sam de Vries" not in str(card)
    assert section["reviewers"][1]["answers"]["harm"] == "Als het een label wordt."
    assert card["ethics"]["lived_experience_involvement"].startswith("People with lived")


def test_markdown_reviews_and_clear_errors(tmp_path):
    md = tmp_path / "reviews.md"
    md.write_text("## Reviewer: Aya\nagreed to be named: no\n### missing\nDe school.\n")
    assert read_reviews(md)[0] == {
        "name": "Aya", "agreed_to_be_named": False, "role": "", "answers": {"missing": "De school."}
    }  # fmt: skip
    md.write_text("## Reviewer: Aya\n### missing\nDe school.\n")
    with pytest.raises(ReviewPackError, match=r"REVIEW-FILE.*agreed to be named"):
        read_reviews(md)
    md.write_text("## Reviewer: Aya\nnaam noemen: ja\n### colour\nblauw\n")
    with pytest.raises(ReviewPackError, match=r"REVIEW-FILE.*'colour'.*understandable"):
        read_reviews(md)
    with pytest.raises(ReviewPackError, match="does not exist"):
        read_reviews(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[reviewer]]\nname = 'x'\nagreed_to_be_named = 'ja'\n")
    with pytest.raises(ReviewPackError, match=r"agreed_to_be_named.*true or false"):
        read_reviews(bad)


def test_the_pack_refuses_without_a_model_that_can_score_simulated_children(card, tmp_path):
    with pytest.raises(ReviewPackError, match="REVIEW-MODEL"):
        write_review_pack(card, tmp_path / "pack", model_dir=None)
    with pytest.raises(ReviewPackError, match="REVIEW-MODEL"):
        write_review_pack(card, tmp_path / "pack", model_dir=tmp_path / "no-model")
    assert not (tmp_path / "pack").exists()


def test_question_list_and_summary_are_dutch_by_default(card):
    questions = render_questions()
    assert questions.startswith("# Vragen voor meelezers")
    assert questions.count("\n## ") == len(QUESTION_IDS)
    for text in (questions, render_summary(card)):
        assert not english_terms_in(text)


@pytest.mark.slow
def test_the_pack_writes_three_sheets_of_simulated_children(card, tmp_path, small_model_dir):
    files = write_review_pack(card, tmp_path / "pack", model_dir=small_model_dir, n_children=300)
    assert len(files.sheets) == 3
    names = sorted(p.name for p in files.folder.iterdir())
    assert names[:1] == ["1_samenvatting.md"] and "4_answers.toml" in names
    sheet = files.sheets[0].read_text(encoding="utf-8")
    assert "Dit kind bestaat niet" in sheet
    assert read_reviews(files.answer_form) == [
        {"name": "", "agreed_to_be_named": False, "role": "",
         "answers": dict.fromkeys(QUESTION_IDS, "")}
    ]  # fmt: skip


@pytest.fixture(scope="module")
def small_model_dir(tmp_path_factory) -> Path:
    """A small logistic model on simulated children, saved with its feature specs."""
    import numpy as np

    from earlysignal.cohort import prediction_times
    from earlysignal.features import build_features
    from earlysignal.features.specs import DaysInCurrentPlacement, MoveCount
    from earlysignal.models import LogisticRiskModel, save_model
    from earlysignal.synth import simulate

    specs = [MoveCount(window_days=365), DaysInCurrentPlacement()]
    sim = simulate(n_children=300, years=3, seed=3)
    frame = build_features(sim.history, prediction_times(sim.history), specs, outcomes=())
    names = [c for c in frame.columns if c not in {"child_id", "prediction_time"}
             and frame[c].dtype.is_numeric()]  # fmt: skip
    x = frame.select(names)
    rng = np.random.default_rng(0)
    model = LogisticRiskModel().fit(x, (rng.random(x.height) < 0.2).astype(int))
    folder = tmp_path_factory.mktemp("model") / "model"
    save_model(model, folder, feature_specs=specs)
    return folder
