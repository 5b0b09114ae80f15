"""The steps of a run store data in the card, never sentences (issue 16).

The steps run on a small simulated study (without MLflow). Every string the steps wrote into
the card data is checked: none may be prose, except in the few fields listed in
``STILL_WORDED`` (English stored for code or older cards, worded in the card's language at
render; docs/i18n.md). Reader texts are stored as data (a macro key and its
numbers) and worded only when the card is rendered, in the card's language.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest

from earlysignal.card import new_card, render_markdown
from earlysignal.card.texts import card_language, is_reader_text, render_items, render_text
from earlysignal.experiment.config import ExperimentConfig, load_config
from earlysignal.experiment.state import _State
from earlysignal.experiment.steps_data import (
    _features,
    _load,
    _prediction_times,
    _split,
    _validate,
)
from earlysignal.experiment.steps_model import _calibrate, _evaluate, _fit
from earlysignal.experiment.steps_report import (
    _audit,
    _explain,
    _fill_human_fields,
    _finish_limitations,
)

PROSE = re.compile(r"[A-Za-z]+(?:[ ,;:()'-]+[a-z]+){3,}")
"""Four or more words in a row: a sentence or a phrase, not an id, name, key or path."""

STILL_WORDED: frozenset[str] = frozenset(
    {
        # stored in English for code to read and worded in the card's language at render
        # (earlysignal.card.stored_words, earlysignal.explain.descriptions):
        "data.source",  # the source's description; publish.facts parses it
        "decision.workload[].measure",  # the English label beside the row's key (metric)
        "predictors.features[].description",  # the feature specs' own descriptions
        "explanations.top_features[].description",
        "performance.oracle.reason",  # why the oracle is missing (stored_words.ORACLE_REASONS)
        "outcome.breakdown_definition.source",  # the definition's source (earlysignal.outcomes)
    }
)
"""Fields the steps fill with English words that are worded in the card's language when it is
rendered (messages of the catalogue, matched by their English)."""

KEYS: frozenset[str] = frozenset({"subgroups.flagging[].verdict"})
"""Fields holding a key of a closed vocabulary ("too few to tell"), worded by the templates."""


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string value with its path (list indices written ``[]``)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, f"{path}[]")


def _reader_texts(value: Any) -> Iterator[dict[str, Any]]:
    if is_reader_text(value):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _reader_texts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _reader_texts(v)


@pytest.fixture(scope="module")
def stepped(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    """The card before the steps (skeleton and the study team's texts) and after them."""
    data = load_config("breakdown_180d").to_dict()
    data["data"].update(n_children=500, years=6, sim_seed=5)
    data["model"].update(n_estimators=30, min_child_samples=40, baselines=["rule"])
    data["evaluation"].update(bootstrap=10, oracle_rows=150)
    data["explain"]["sample"] = 100
    data["fairness"]["bootstrap"] = 10
    cfg = ExperimentConfig.from_dict(data)
    work = tmp_path_factory.mktemp("steps")
    (work / "figures").mkdir()
    card = new_card(run_id="r", experiment="e", run_name="n", outcome="breakdown",
                    horizon_days=180)  # fmt: skip
    _fill_human_fields(card, cfg)
    before = copy.deepcopy(card)
    state = _State(cfg, 0, work, work / "figures", card)
    _load(state, None, None)
    for step in (_validate, _prediction_times, _features, _split, _fit, _calibrate,
                 _evaluate, _explain, _audit, _finish_limitations):  # fmt: skip
        step(state)
    return before, state.card


def test_no_step_stores_a_sentence(stepped: tuple[dict[str, Any], dict[str, Any]]) -> None:
    before, after = stepped
    given = set(_strings(before))  # the skeleton's and the study team's texts, as given
    prose = [
        (path, text)
        for path, text in _strings(after)
        if (path, text) not in given and path not in STILL_WORDED | KEYS and PROSE.search(text)
    ]
    assert not prose, prose


def test_reader_texts_are_stored_as_keys_and_data(
    stepped: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, card = stepped
    assert is_reader_text(card["decision"]["rule"])
    assert card["decision"]["rule"]["args"]["threshold"] == card["decision"]["threshold"]
    assert all(is_reader_text(x) for x in card["performance"]["summary"])
    assert all(is_reader_text(f["caption"]) for f in card["figures"])
    keys = {t["text"] for t in _reader_texts(card)}
    assert {"decision_rule", "perf_auroc", "calibration_method", "explain_method",
            "validation_description", "audit_method", "limitation_one_split"} <= keys  # fmt: skip


def _numbers(text: str, lang: str) -> list[float]:
    """The numbers in a text, read with the language's separators."""
    if lang == "en":
        found = re.findall(
            r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.,])\d+(?:\.\d+)?", text
        )
        return sorted(float(t.replace(",", "")) for t in found)
    found = re.findall(r"(?<![\w.,])\d{1,3}(?:\.\d{3})+(?:,\d+)?|(?<![\w.,])\d+(?:,\d+)?", text)
    return sorted(float(t.replace(".", "").replace(",", ".")) for t in found)


def test_dutch_rendering_words_the_stored_texts_in_dutch_number_formats(
    stepped: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, card = stepped
    nl = render_markdown(card, lang="nl")
    en = render_markdown(card, lang="en")
    texts = list(_reader_texts(card))
    assert len(texts) >= 15
    for text in texts:
        with card_language("en"):
            worded_en = render_items(text) or [render_text(text)]  # a list text: its items
        with card_language("nl"):
            worded_nl = render_items(text) or [render_text(text)]
        for w_en, w_nl in zip(worded_en, worded_nl, strict=True):
            assert w_en in en, text  # the English card shows it
            assert w_nl in nl, text  # the Dutch card shows its own wording
            # the same numbers, each in the language's own format (0.300 / 0,300)
            assert _numbers(w_en, "en") == _numbers(w_nl, "nl"), (w_en, w_nl)
    rule = card["decision"]["rule"]
    with card_language("nl"):
        assert f"{card['decision']['threshold']:.3f}".replace(".", ",") in render_text(rule)
