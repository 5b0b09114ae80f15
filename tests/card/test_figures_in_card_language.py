"""The card's figures are drawn in the card's language from numbers stored in the card data:
a card re-rendered in another language gets its figures in that language (issue 17)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytest
from i18n_checks import not_dutch_figure_texts  # type: ignore[import-not-found]

from earlysignal.card import new_card, render_html, validate_card, write_card
from earlysignal.i18n.figures import figure_texts


def _data_patterns(card: dict[str, Any], labels: dict[str, str]) -> tuple[str, ...]:
    """Texts that are data: model names (with their AUROC/AUPRC) and feature labels."""
    names = {
        s["model"]
        for f in card["figures"]
        for s in (f.get("data") or {}).get("series", [])
        if s["model"] not in ("treat_all", "treat_none")
    }
    out = [re.escape(n) for n in names]
    out += [rf"{re.escape(n)} \(AU(ROC|PRC) \d,\d{{3}}\)" for n in names]
    out += [re.escape(v) for v in labels.values()] + ["ROC"]
    return tuple(out)


def _small_card() -> dict[str, Any]:
    import polars as pl

    from earlysignal.card.figures import add_figure
    from earlysignal.evaluate.plots import decision_curve_data, reliability_data, roc_pr_data
    from earlysignal.explain.plots import importance_data

    rng = np.random.default_rng(3)
    p = rng.uniform(0.02, 0.5, 500)
    y = (rng.random(500) < p).astype(int)
    preds = {"lightgbm": p, "prior_moves": np.clip(p + rng.normal(0, 0.1, 500), 0, 1)}
    card = new_card(run_id="r1", experiment="e", run_name="n", outcome="breakdown",
                    horizon_days=180)  # fmt: skip
    card["predictors"]["features"] = [{"name": "n_moves", "description": "number of moves"}]
    add_figure(card, reliability_data(y, preds, n_bins=5, n_boot=10), "reliability",
               "caption", "calibration")  # fmt: skip
    add_figure(card, roc_pr_data(y, preds), "roc_pr", "caption", "performance")
    add_figure(card, decision_curve_data(y, preds), "decision_curve", "caption", "decision")
    table = pl.DataFrame({"feature": ["n_moves"], "mean_abs": [0.3], "lo": [0.2], "hi": [0.4]})
    add_figure(card, importance_data(table), "importance", "caption", "explanations")
    return card


def test_a_card_draws_its_figures_in_the_language_it_is_rendered_in(tmp_path: Path) -> None:
    from earlysignal.card.figures import card_figure_pngs, draw_figure, feature_labels

    card = _small_card()
    validate_card(card)  # the numbers are part of the card data's schema
    nl = write_card(card, tmp_path / "nl", lang="nl")
    en = write_card(card, tmp_path / "en", lang="en")
    for f in card["figures"]:
        dutch, english = nl / "figures" / f["file"], en / "figures" / f["file"]
        assert dutch.read_bytes() != english.read_bytes(), f["id"]
    stored = json.loads((nl / "model_card.json").read_text())
    assert [f["data"] for f in stored["figures"]] == [f["data"] for f in card["figures"]]
    labels = feature_labels(card, "nl")
    for f in card["figures"]:
        fig = draw_figure(f, "nl", labels)
        texts = figure_texts(fig)
        plt.close(fig)
        assert not_dutch_figure_texts(texts, _data_patterns(card, labels)) == [], texts
    # the HTML card embeds the figures drawn in its own language
    import base64

    html = render_html(card, lang="nl")
    for png in card_figure_pngs(card, "nl").values():
        assert base64.b64encode(png).decode("ascii") in html


def test_a_figure_kept_as_an_image_is_copied_as_it_is(tmp_path: Path) -> None:
    card = new_card(run_id="r1", experiment="e", run_name="n", outcome="breakdown",
                    horizon_days=180)  # fmt: skip
    card["figures"] = [{"id": "beeswarm", "file": "beeswarm.png", "caption": "c",
                        "section": "explanations"}]  # fmt: skip
    figs = tmp_path / "figs"
    figs.mkdir()
    (figs / "beeswarm.png").write_bytes(b"\x89PNG stored")
    out = write_card(card, tmp_path / "card", figures_dir=figs, lang="nl")
    assert (out / "figures" / "beeswarm.png").read_bytes() == b"\x89PNG stored"


@pytest.mark.slow
def test_the_demo_like_card_rerendered_in_dutch_has_dutch_figures(
    demo_like: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    """Fails on the code before issue 17's figures: the run kept its figures as English
    images, so the Dutch card showed the English axis labels."""
    card, folder = demo_like
    nl = write_card(card, tmp_path / "nl", figures_dir=folder / "figures", lang="nl")
    en = write_card(card, tmp_path / "en", figures_dir=folder / "figures", lang="en")
    ids = {f["id"] for f in card["figures"]}
    assert {"reliability", "roc_pr", "decision_curve", "importance",
            "contribution_summary"} <= ids  # fmt: skip
    for f in card["figures"]:
        dutch, english = (nl / "figures" / f["file"]), (en / "figures" / f["file"])
        assert dutch.read_bytes() != english.read_bytes(), f"{f['id']}: the same image in nl/en"
    from earlysignal.card.figures import draw_figure, feature_labels

    labels = feature_labels(card, "nl")
    for f in card["figures"]:
        fig = draw_figure(f, "nl", labels)
        texts = figure_texts(fig)
        plt.close(fig)
        assert not_dutch_figure_texts(texts, _data_patterns(card, labels)) == [], (f["id"], texts)
