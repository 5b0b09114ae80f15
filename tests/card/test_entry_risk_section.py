"""The entry study's ethics section: shown from the card data, absent on other cards."""

from __future__ import annotations

import polars as pl

from earlysignal.card.render import new_card, render_html, render_markdown
from earlysignal.experiment.entry_risk import entry_risk_ethics
from earlysignal.features.bounded import bounded_specs


def _card(with_section: bool) -> dict:  # type: ignore[type-arg]
    card = new_card(run_id="r", experiment="e", run_name="n", outcome="entry", horizon_days=180)
    if with_section:
        f = pl.DataFrame(
            {"child_id": [str(i) for i in range(300)], "origin": ["a", "b", "c"] * 100,
             "_flag": [i % 7 == 0 for i in range(300)]}
        )  # fmt: skip
        card["ethics"]["entry_risk"] = entry_risk_ethics(
            "offer support", "the ethics board", bounded_specs(), f, ["origin"], flag="_flag"
        )
    return card


def test_entry_section_rendered_with_its_facts() -> None:
    md = render_markdown(_card(True))
    assert "Risk for families at home" in md
    assert "never for investigation or removal" in md
    assert "looks back at most 365 days" in md
    assert "no socio-economic proxy was available" in md
    assert "| origin | a | 100 |" in md
    html = render_html(_card(True))
    assert "Risk for families at home" in html and "the ethics board" in html


def test_other_cards_have_no_entry_section() -> None:
    assert "Risk for families at home" not in render_markdown(_card(False))
    assert "Risk for families at home" not in render_html(_card(False))


def test_entry_section_in_dutch() -> None:
    md = render_markdown(_card(True), lang="nl")
    section = md.split("### Risico voor gezinnen thuis", 1)[1].split("<a id=", 1)[0]
    assert "nooit voor onderzoek of uithuisplaatsing" in section
    assert "kijkt hoogstens 365 dagen terug" in section
    assert "er was geen sociaaleconomische benadering in de gegevens" in section
    assert "Volg het aandeel met een signaal per groep en het aantal vastgelegde" in section
    assert "| kenmerk | groep | kinderen | vindbaar verschil |" in section
    assert "| origin | a | 100 |" in section
    assert "Risk for families" not in md and "never for" not in md
    html = render_html(_card(True), lang="nl")
    assert "<h3>Risico voor gezinnen thuis" in html and "the ethics board" in html
    assert "Feedback loop" not in html and ">Terugkoppeling</th>" in html
