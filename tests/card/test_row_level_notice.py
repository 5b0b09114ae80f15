"""The card records whether it holds row-level figures and says so on its first screen."""

from __future__ import annotations

from earlysignal.card import SECTIONS, new_card, render_html, render_markdown, validate_card
from earlysignal.experiment.config import ExperimentConfig, load_config

NOTICE = "Row-level figures: the study opted in"


def _card(opt_in: bool) -> dict[str, object]:
    card = new_card(
        run_id="0123abcd", experiment="tests", run_name="card", outcome="breakdown",
        horizon_days=180,
    )  # fmt: skip
    card["data_protection"] = {"row_level_figures": opt_in}
    validate_card(card)
    return card


def test_row_level_figures_are_off_by_default() -> None:
    assert load_config("breakdown_180d").explain.row_level_figures is False
    data = load_config("breakdown_180d").to_dict()
    data["explain"]["row_level_figures"] = True
    assert ExperimentConfig.from_dict(data).explain.row_level_figures is True
    card = new_card(run_id="x", experiment="t", run_name="r", outcome="breakdown", horizon_days=1)
    assert card["data_protection"] == {"row_level_figures": False}


def test_opt_in_is_stated_before_the_first_section() -> None:
    for render in (render_markdown, render_html):
        text = render(_card(True))
        first = SECTIONS[0]
        heading = f"## {first.title}" if render is render_markdown else f'<h2 id="{first.id}">'
        assert text.index(NOTICE) < text.index(heading)  # on the first screen
        assert NOTICE not in render(_card(False))
