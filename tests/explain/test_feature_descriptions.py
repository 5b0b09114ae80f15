"""Feature descriptions in the reader's language (earlysignal.explain.descriptions).

Every description a default, bounded, persona or status spec writes has a Dutch wording from a
template; English keeps the spec's own words; a study's own feature keeps its text.
"""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.explain.descriptions import STATUS_KINDS, STATUS_VALUES, localized_description
from earlysignal.explain.phrases import CARE_EVENTS, EVENT_NOUNS, event_noun
from earlysignal.features.bounded import bounded_specs
from earlysignal.features.defaults import default_specs, describe
from earlysignal.features.specs import (
    ChildAttribute,
    EventCount,
    EventTrend,
    PersonaMembership,
    StatusInForce,
)
from earlysignal.i18n import gettext
from earlysignal.i18n.glossary import english_terms_in

_ENGLISH = re.compile(r"\b(the|before|since|in force|events?|placements?|moves?|days)\b", re.I)


def _specs() -> list[object]:
    statuses = [StatusInForce(k, v) for k in STATUS_KINDS for v in list(STATUS_VALUES)[:3]]
    return [
        *default_specs(),
        *bounded_specs(),
        EventCount("support", 365),
        *(EventCount(kind, 90) for kind in CARE_EVENTS),  # care recorded by CBS and iJw imports
        EventCount("incident"),
        EventTrend("support"),
        *statuses,
        PersonaMembership(fit_before=date(2020, 1, 1), k=3, window=36),
        ChildAttribute("origin", value="migrant", opt_in_sensitive=True),
        ChildAttribute("care_leaver", value="yes"),
    ]


def test_every_spec_description_has_a_dutch_wording_without_english() -> None:
    table = describe(_specs())  # type: ignore[arg-type]
    for row in table.iter_rows(named=True):
        name, stored = row["name"], row["description"]
        nl = localized_description(name, "nl", stored)
        assert nl != stored, name
        assert "%(" not in nl and "{" not in nl, (name, nl)
        words = re.sub(r"\w*_\w*", " ", nl)  # a column name or raw data key is a name
        if not name.startswith(("child_", "sensitive_")):  # the attribute is data
            assert not _ENGLISH.search(words), (name, nl)
        assert english_terms_in(words) == [], (name, nl)
        assert localized_description(name, "en", stored) == stored


def test_status_kinds_and_values_use_the_glossary_words() -> None:
    nl = localized_description(
        "status_protection_measure_guardianship_provisional",
        "nl",
        "Status protection_measure = guardianship_provisional in force at t",
    )
    assert nl == "Geldt op het voorspelmoment: jeugdbeschermingsmaatregel, voorlopige voogdij"
    stored = "Status legal_status = C2 in force at t"
    code = localized_description("status_legal_status_c2", "nl", stored)
    assert code.endswith("juridische status, C2")  # a code stays a code


def test_a_study_feature_keeps_its_own_words() -> None:
    assert localized_description("my_score", "nl", "My own score") == "My own score"
    assert localized_description("my_score", "nl") == "my_score"


@settings(max_examples=30)
@given(
    kind=st.sampled_from([*EVENT_NOUNS, *CARE_EVENTS, "home_visit", "x"]),
    days=st.integers(1, 5000),
)
def test_event_counts_name_the_window_and_the_kind_in_dutch(kind: str, days: int) -> None:
    spec = EventCount(kind, days)
    nl = localized_description(spec.name, "nl", spec.description)
    assert f" {days} dagen vóór het voorspelmoment" in nl
    assert event_noun(kind, "nl", True) in nl
    if kind in EVENT_NOUNS:
        assert gettext(EVENT_NOUNS[kind][1], "nl") in nl
    elif kind not in CARE_EVENTS:
        assert kind.replace("_", " ") in nl  # an unknown kind is shown as its name
