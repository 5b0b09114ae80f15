"""Stored English for code, worded in the card's language (earlysignal.card.stored_words)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.card.stored_words import (
    SOURCE_TEMPLATES,
    WORKLOAD_MEASURES,
    localized_source_definitions,
    source_description,
    source_text,
    workload_key,
    workload_rows,
)
from earlysignal.publish.facts import card_facts
from earlysignal.sources import cbs_codes, ijw

_NAMES = st.from_regex(r"[a-z0-9_]{1,12}(\.[a-z]{2,4})?", fullmatch=True)


@settings(max_examples=40)
@given(
    kind=st.sampled_from(sorted(SOURCE_TEMPLATES)),
    name=_NAMES,
    numbers=st.lists(st.integers(1, 100_000), min_size=4, max_size=4),
)
def test_every_source_is_worded_in_dutch_with_its_names_and_numbers(
    kind: str, name: str, numbers: list[int]
) -> None:
    children, years, seed, messages = numbers
    values = {"name": name, "children": children, "years": years, "seed": seed,
              "messages": messages}  # fmt: skip
    used = {k: v for k, v in values.items() if f"%({k})s" in SOURCE_TEMPLATES[kind]}
    english = source_description(kind, **used)
    dutch = source_text(english, "nl")
    assert dutch != english
    assert source_text(english, "en") == english
    words = dutch
    for value in used.values():
        assert str(value) in dutch
        words = words.replace(str(value), " ")
    assert not re.search(r"\b(by|years|children|imported|written|files)\b", words)


def test_a_source_someone_wrote_is_shown_as_written() -> None:
    assert source_text("Municipal extract, March 2025", "nl") == "Municipal extract, March 2025"
    assert source_text(None, "nl") is None


def test_workload_is_read_by_key_and_shown_in_the_language() -> None:
    rows = [
        {"measure": label, "metric": key, "flagged share": 0.1, "value": 0.2}
        for key, label in WORKLOAD_MEASURES.items()
    ]
    shown = workload_rows(rows, "nl")
    assert [r["measure"] for r in shown] == [
        "precisie (deel van de rijen met een signaal waarbij het gebeurt)",
        "gevonden deel (deel van de gebeurtenissen met een signaal)",
        "signalen per 100 kinderen in de testperiode",
    ]
    assert all("metric" not in r for r in shown)
    assert workload_rows(rows, "en")[0]["measure"] == rows[0]["measure"]
    # an older card without the key is read by its English label
    assert [workload_key({"measure": r["measure"]}) for r in rows] == list(WORKLOAD_MEASURES)
    # the exports read the key, never the (translatable) label
    from filled_cards import filled_card  # type: ignore[import-not-found]

    card = filled_card()
    card["decision"]["workload"] = [{**r, "measure": "renamed"} for r in rows]
    facts = card_facts(card)
    assert facts["recall"]["value"] == facts["alerts_per_100"]["value"] == 0.2


def test_source_definitions_have_dutch_beside_every_english_text() -> None:
    for sd in (cbs_codes.source_definitions(), ijw.source_definitions()):
        nl = sd["translations"]["nl"]
        assert len(nl["definitions"]) == len(sd["definitions"])
        assert len(nl["blind_spots"]) == len(sd["blind_spots"])
        shown = localized_source_definitions(sd, "nl")
        assert shown["blind_spots"] == nl["blind_spots"] and "translations" not in shown
        assert localized_source_definitions(sd, "en")["blind_spots"] == sd["blind_spots"]
        # an older card without translations is shown as stored
        old = {k: v for k, v in sd.items() if k != "translations"}
        assert localized_source_definitions(old, "nl") == old
