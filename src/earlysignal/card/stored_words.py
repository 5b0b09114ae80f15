"""Words the run stores in English for other code to read, shown in the card's language.

Some fields of the card data are read by code as well as by people: the data source
(``data.source``, parsed by :mod:`earlysignal.publish.facts` and saved with the model), the
workload table's measures (``decision.workload``, matched by the consistency check and the
exports), and the predictors' descriptions (``predictors.features``, from the feature specs).
They stay in the data as the run wrote them (language-neutral English, with a key where code
needs one); this module words them in the card's language when the card is rendered, so
``earlysignal card RUN --lang en`` and ``--lang nl`` show one set of data in either language.
The source definitions of an imported source (``data.source_definitions``) carry their own
Dutch texts from the adapter's resource file (``translations.nl``), chosen here.

Examples
--------
>>> source_text("SSDA903 returns (returns_2024) imported by earlysignal", "nl")
'SSDA903-aangiften (returns_2024), ingelezen door earlysignal'
>>> source_text("a folder I describe myself", "nl")
'a folder I describe myself'
>>> rows = [{"measure": "recall (share of events flagged)", "metric": "recall_at_top",
...          "value": 0.4}]
>>> workload_rows(rows, "nl")[0]["measure"]
'gevonden deel (deel van de gebeurtenissen met een signaal)'
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from earlysignal.i18n import N_, gettext

__all__ = [
    "ORACLE_REASONS",
    "SOURCE_TEMPLATES",
    "WORKLOAD_MEASURES",
    "described_rows",
    "localized_source_definitions",
    "oracle_reason",
    "reason_text",
    "source_description",
    "source_text",
    "workload_key",
    "workload_rows",
]

WORKLOAD_MEASURES: dict[str, str] = {
    "precision_at_top": N_("precision (share of flagged rows with the event)"),
    "recall_at_top": N_("recall (share of events flagged)"),
    "alerts_per_100_children": N_("alerts per 100 children over the test period"),
}
"""The workload table's measures: the language-independent key (``metric`` of a row, the
evaluation's metric name) and the English label the run stores as ``measure``."""

SOURCE_TEMPLATES: dict[str, str] = {
    "given_simulation": N_("simulated (given simulation)"),
    "given_history": N_("care history given in memory"),
    "simulated_at_home": N_(
        "simulated by earlysignal.synth.at_home: %(children)s children at home under a measure "
        "or in youth care over %(years)s years, seed %(seed)s"
    ),
    "simulated": N_(
        "simulated by earlysignal.synth: %(children)s children over %(years)s years, seed %(seed)s"
    ),
    "canonical": N_("canonical folder (%(name)s)"),
    "ssda903": N_("SSDA903 returns (%(name)s) imported by earlysignal"),
    "cbs": N_("CBS youth-care files (%(name)s) imported by earlysignal"),
    "cbs_simulated": N_(
        "simulated CBS youth-care files (earlysignal.synth: %(children)s children over "
        "%(years)s years, seed %(seed)s, written as yearly JGDHULP/JGDBESCHERM/GBAPERSOON .sav "
        "files) imported by earlysignal"
    ),
    "ijw": N_("iJw 3.2 archive (%(name)s) imported by earlysignal"),
    "ijw_simulated": N_(
        "simulated by earlysignal.synth (%(children)s children over %(years)s years, seed "
        "%(seed)s), written as %(messages)s iJw 3.2 messages and imported"
    ),
}
"""The data sources a run writes, as English message templates by kind of source: the data
step and the archives write ``data.source`` with :func:`source_description`; a stored source
that matches one is worded from the catalogue by :func:`source_text`, any other text (a source
someone wrote) is shown as written."""


def source_description(kind: str, **values: object) -> str:
    """The English ``data.source`` of a kind of source (stored; worded at render).

    Examples
    --------
    >>> source_description("canonical", name="history_2024")
    'canonical folder (history_2024)'
    """
    return SOURCE_TEMPLATES[kind] % values


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@cache
def _source_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    out = []
    for template in SOURCE_TEMPLATES.values():
        parts = _PLACEHOLDER.split(template)  # text, name, text, name, ..., text
        regex = "".join(
            re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)
        )
        out.append((re.compile(f"^{regex}$"), template))
    return tuple(out)


ORACLE_REASONS: dict[str, str] = {
    "real_data": N_("real data have no ground truth; the oracle exists only in simulation"),
    "at_home_gaps": N_("the at-home oracle left rows without a risk (not in its risk set)"),
    "outcome": N_("the simulator's oracle does not cover the %(outcome)s outcome"),
    "not_probabilities": N_(
        "the oracle returned %(bad)s of %(rows)s values that are not probabilities (and "
        "%(returned)s rows); the oracle comparison was left out rather than computed on a subset"
    ),
}
"""Why a run has no oracle comparison (``performance.oracle.reason``): the English the run
stores, worded in the card's language at render (:func:`reason_text`)."""


def oracle_reason(kind: str, **values: object) -> str:
    """The English reason an oracle is missing (stored; worded at render).

    Examples
    --------
    >>> oracle_reason("outcome", outcome="'entry'")
    "the simulator's oracle does not cover the 'entry' outcome"
    """
    return ORACLE_REASONS[kind] % values


@cache
def _patterns(templates: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    out = []
    for template in templates:
        parts = _PLACEHOLDER.split(template)  # text, name, text, name, ..., text
        regex = "".join(
            re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)
        )
        out.append((re.compile(f"^{regex}$"), template))
    return tuple(out)


def reason_text(reason: str, lang: str) -> str:
    """A stored reason (why a value is missing) in ``lang``.

    A reason written from :data:`ORACLE_REASONS` is worded from the catalogue with the same
    values; another reason is looked up in the catalogue as it is (a message stays a message,
    any other text is shown as written).

    Examples
    --------
    >>> reason_text(oracle_reason("outcome", outcome="'entry'"), "en")
    "the simulator's oracle does not cover the 'entry' outcome"
    """
    for pattern, template in _patterns(tuple(ORACLE_REASONS.values())):
        if m := pattern.match(reason):
            return gettext(template, lang) % m.groupdict()
    return gettext(reason, lang)


def source_text(source: Any, lang: str) -> Any:
    """The stored data source (``card["data"]["source"]``) in ``lang``.

    A source the run wrote from one of :data:`SOURCE_TEMPLATES` is worded from the catalogue,
    with the same names and numbers; anything else is returned as it is.

    Examples
    --------
    >>> source_text("simulated by earlysignal.synth: 500 children over 6 years, seed 3", "nl")
    'gesimuleerd door earlysignal.synth: 500 kinderen over 6 jaar, seed 3'
    """
    if not isinstance(source, str):
        return source
    for pattern, template in _source_patterns():
        if m := pattern.match(source):
            return gettext(template, lang) % m.groupdict()
    return source


def workload_key(row: dict[str, Any]) -> str | None:
    """The language-independent key of a workload row (``metric``; older cards: the label).

    Examples
    --------
    >>> workload_key({"measure": "alerts per 100 children over the test period"})
    'alerts_per_100_children'
    """
    if row.get("metric") in WORKLOAD_MEASURES:
        return str(row["metric"])
    label = str(row.get("measure", ""))
    return next((k for k, v in WORKLOAD_MEASURES.items() if v == label), None)


def workload_rows(rows: Any, lang: str) -> Any:
    """The workload table for the card: each measure in ``lang``, the key column left out."""
    if not isinstance(rows, list):
        return rows
    out = []
    for r in rows:
        key = workload_key(r)
        shown = {k: v for k, v in r.items() if k != "metric"}
        if key is not None:
            shown["measure"] = gettext(WORKLOAD_MEASURES[key], lang)
        out.append(shown)
    return out


def described_rows(rows: Any, lang: str, name_key: str = "name") -> Any:
    """Rows with a ``description`` of a feature (named by ``name_key``) worded in ``lang``."""
    if not isinstance(rows, list):
        return rows
    from earlysignal.explain.descriptions import localized_description

    return [
        {**r, "description": localized_description(str(r[name_key]), lang, r.get("description"))}
        if isinstance(r, dict) and name_key in r and "description" in r
        else r
        for r in rows
    ]


def localized_source_definitions(sd: Any, lang: str) -> Any:
    """The source's definitions and blind spots in ``lang`` where the source gives them.

    ``sd["translations"][lang]`` (from the adapter's resource file) replaces the title, the
    terms and texts of the definitions, and the blind spots; a card without it (an older card,
    or a language the file does not give) is shown as stored.

    Examples
    --------
    >>> from earlysignal.sources.cbs_codes import source_definitions
    >>> localized_source_definitions(source_definitions(), "nl")["definitions"][0]["term"]
    'plaatsing'
    """
    if not isinstance(sd, dict):
        return sd
    given = (sd.get("translations") or {}).get(lang)
    out = {k: v for k, v in sd.items() if k != "translations"}
    if not isinstance(given, dict):
        return out
    for key in ("title", "definitions", "blind_spots"):
        if given.get(key):
            out[key] = given[key]
    return out
