"""A card built on simulated data says so first, in both formats; a card on real data does not."""

from __future__ import annotations

from earlysignal.card import new_card, render_html, render_markdown

BANNER = "DEMO: SIMULATED DATA, NOT FOR USE ON CHILDREN"


def _card(simulated: bool) -> dict[str, object]:
    card = new_card(run_id="r", experiment="e", run_name="n", outcome="breakdown",
                    horizon_days=180)  # fmt: skip
    card["data"]["simulated"] = simulated  # type: ignore[index]
    return card


def test_simulated_card_opens_with_the_banner() -> None:
    md, html = render_markdown(_card(True)), render_html(_card(True))
    assert md.startswith(f"> **{BANNER}")
    assert md.index(BANNER) < md.index("# Model card")
    assert html.index(BANNER) < html.index("<h1>") < html.index('<h2 id="summary">')
    assert 'class="banner" role="alert"' in html


def test_real_data_card_has_no_banner_and_says_the_simulator_does_not_apply() -> None:
    md, html = render_markdown(_card(False)), render_html(_card(False))
    assert BANNER not in md and BANNER not in html
    assert "Not applicable: the data are not simulated." in md


def test_summary_comes_first_and_says_what_it_must_not_be_used_for() -> None:
    md = render_markdown(_card(True))
    sections = [line for line in md.splitlines() if line.startswith("## ")]
    assert sections[0] == "## In short"
    summary = md.split("## In short", 1)[1].split("\n## ", 1)[0]
    assert "What it must not be used for" in summary
    assert "validation on that organisation's records that this run did not do" in summary
