"""The card's sections and how reporting standards and laws map onto them.

Sections follow Mitchell et al. (2019) and the Hugging Face model-card template, extended with
what an ethics board in youth protection asks for (``docs/model_card.md``). Each item of
TRIPOD+AI (Collins et al., BMJ 2024, 27 items), the EU AI Act, the AVG (GDPR), the Dutch IAMA
and the Algoritmeregister is mapped to the card fields that cover it, and put in one of three
states decided from the card data itself (:func:`compliance`): "covered by this run" (the row
names the section), "partly covered" (the row says what is missing) or "for the organisation"
(only the organisation can answer it). The table never claims more than the run holds: an item
needing more than the card gives is at most partly covered, whatever text fills its fields.

Examples
--------
>>> len(TRIPOD_AI)
27
>>> [a.item for a in AI_ACT][:3]
['Art. 9', 'Art. 10', 'Art. 11']
>>> rows = compliance({"outcome": {"definition": "x"}})["tripod_ai"]
>>> [r["status"] for r in rows if r["item"] == "1"]
['for the organisation']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from earlysignal.i18n import N_

__all__ = [
    "AI_ACT",
    "ALGORITMEREGISTER",
    "AVG",
    "COVERED",
    "FOR_ORGANISATION",
    "IAMA",
    "NOT_APPLICABLE",
    "NOT_MEASURED",
    "PARTLY",
    "SECTIONS",
    "STANDARDS",
    "STATUSES",
    "TO_BE_COMPLETED",
    "TRIPOD_AI",
    "Mapping",
    "Section",
    "compliance",
    "is_known",
    "unknown",
]

TO_BE_COMPLETED = N_("to be completed by the study team")
"""Status of a field only the study team can fill in (never invented by the library)."""
NOT_MEASURED = N_("not measured by this run")
"""Status of a quantity the run could not measure (for example the oracle on real data)."""
NOT_APPLICABLE = "not applicable"


def unknown(status: str = TO_BE_COMPLETED, reason: str | None = None) -> dict[str, str]:
    """The explicit marker for a field the run cannot know.

    Examples
    --------
    >>> unknown()
    {'status': 'to be completed by the study team'}
    >>> unknown(NOT_MEASURED, "real data have no ground truth")["reason"]
    'real data have no ground truth'
    """
    out = {"status": status}
    if reason:
        out["reason"] = reason
    return out


def is_known(value: Any) -> bool:
    """Whether a card value is present and not an unknown marker.

    Examples
    --------
    >>> is_known("text"), is_known(unknown()), is_known([]), is_known(None)
    (True, False, False, False)
    """
    if value is None:
        return False
    if isinstance(value, dict) and set(value) <= {"status", "reason"} and "status" in value:
        return False
    return not (isinstance(value, str | list | dict) and len(value) == 0)


@dataclass(frozen=True, slots=True)
class Section:
    """One section of the card, with where it sits in Mitchell et al. and the HF template."""

    id: str
    title: str
    mitchell: str
    huggingface: str


SECTIONS: tuple[Section, ...] = (
    Section("summary", N_("In short"), "-", "Model summary"),
    Section("model_details", N_("Model details"), "Model details", "Model details"),
    Section("intended_use", N_("Intended use"), "Intended use", "Uses: direct use"),
    Section(
        "out_of_scope", N_("Out-of-scope use and misuse"), "Intended use", "Uses: out-of-scope use"
    ),
    Section("outcome", N_("Outcome definition and horizon"), "Metrics", "Evaluation: testing data"),
    Section("censoring", N_("Censoring and competing events"), "Evaluation data", "Evaluation"),
    Section("data", N_("Data and period"), "Training data; evaluation data", "Training details"),
    Section("simulator", N_("The simulator's assumptions"), "Training data", "Training details"),
    Section(
        "predictors",
        N_("Predictors and excluded attributes"),
        "Factors",
        "Training details: features",
    ),
    Section("validation", N_("Validation design"), "Evaluation data", "Evaluation: testing data"),
    Section("performance", N_("Performance"), "Quantitative analyses", "Evaluation: results"),
    Section("calibration", N_("Calibration"), "Quantitative analyses", "Evaluation: results"),
    Section(
        "decision",
        N_("Decision rule in children: workload, trade-off and net benefit"),
        "Metrics: decision thresholds",
        "Evaluation: metrics",
    ),
    Section("harms", N_("Harms the board must weigh"), "Ethical considerations", "Bias, risks"),
    Section(
        "subgroups",
        N_("Subgroup results: who gets flagged"),
        "Factors; quantitative analyses",
        "Bias, risks",
    ),
    Section(
        "explanations", N_("Explanations and their limits"), "Caveats", "Technical specifications"
    ),
    Section("limitations", N_("Known limitations"), "Caveats and recommendations", "Limitations"),
    Section(
        "ethics",
        N_("Ethical considerations"),
        "Ethical considerations",
        "Bias, risks and limitations",
    ),
    Section("oversight", N_("Human oversight"), "Intended use", "Recommendations"),
    Section(
        "rights", N_("The child's and family's rights"), "Ethical considerations", "Recommendations"
    ),
    Section(
        "monitoring", N_("Monitoring and review"), "Caveats and recommendations", "Recommendations"
    ),
    Section("glossary", N_("Glossary"), "-", "Glossary"),
    Section(
        "provenance", N_("Provenance and environment"), "Model details", "Technical specifications"
    ),
    Section("tripod_ai", N_("TRIPOD+AI checklist"), "-", "-"),
    Section("eu_ai_act", N_("EU AI Act"), "-", "-"),
    Section("avg", N_("AVG (GDPR): data protection"), "-", "-"),
    Section("iama", N_("IAMA (Impact Assessment Mensenrechten en Algoritmes)"), "-", "-"),
    Section("algoritmeregister", N_("Algoritmeregister"), "-", "-"),
)
"""Every section of the card, in order; every one is rendered, even when its content is unknown."""


@dataclass(frozen=True, slots=True)
class Mapping:
    """One item of a reporting standard or law and the card fields that cover it.

    ``fields`` are dotted paths into the card data. ``missing`` says what the card cannot
    give even when every field is known (so the item is at most "partly covered"). An empty
    ``fields`` means only the organisation can answer the item; ``note`` then says what it
    must provide.
    """

    item: str
    topic: str
    section: str | None
    fields: tuple[str, ...]
    note: str = ""
    missing: str = ""


COVERED = N_("covered by this run")
"""Status of an item the card's own sections answer in full (the row names the section)."""
PARTLY = N_("partly covered")
"""Status of an item the card answers in part (the row says what is missing)."""
FOR_ORGANISATION = N_("for the organisation")
"""Status of an item only the organisation (study team, owner, deployer) can answer."""
STATUSES: tuple[str, ...] = (COVERED, PARTLY, FOR_ORGANISATION)
"""The three states of a compliance row; never "reported" for generic text."""
ORGANISATION_WRITES = N_("to be written by the organisation: %(fields)s")
"""Note of an item whose card fields only the organisation can fill in."""
NOT_YET_ON_CARD = N_("not yet on the card: %(fields)s")
"""Note part naming the fields of an item that the card does not hold yet."""

_T = TO_BE_COMPLETED

TRIPOD_AI: tuple[Mapping, ...] = (
    Mapping("1", N_("Title"), "model_details", (),
            N_("the publication's title is written by the team")),
    Mapping("2", N_("Abstract"), None, (), N_("TRIPOD+AI for Abstracts")),
    Mapping(
        "3", N_("Background: context, target population, known inequalities"), "intended_use",
        ("intended_use.primary",),
        missing=N_("the known inequalities in youth protection are not described on the card "
        "(see docs/fairness.md); the health-care context is the team's to write"),
    ),
    Mapping("4", N_("Objectives (development and/or evaluation)"), "model_details",
            ("model_details.description",)),
    Mapping("5", N_("Data: sources and dates"), "data", ("data.source", "data.period")),
    Mapping("6", N_("Participants: setting, eligibility, treatments"), "data",
            ("data.prediction_times",),
            missing=N_("eligibility is the prediction-time design only; support given during "
            "care (the 'treatment') is not recorded")),
    Mapping("7", N_("Data preparation and quality checks"), "data", ("data.validation",)),
    Mapping("8", N_("Outcome: definition, horizon, assessment"), "outcome",
            ("outcome.definition", "outcome.horizon_days"),
            missing=N_("who recorded end reasons, and whether they knew the predictors, is for "
            "the organisation")),
    Mapping("9", N_("Predictors: choice, definition, timing"), "predictors",
            ("predictors.features",)),
    Mapping("10", N_("Sample size"), "validation", ("validation_design.periods",),
            missing=N_("no sample-size calculation was made; events per period are shown")),
    Mapping("11", N_("Missing data"), "predictors", ("predictors.missing_data",),
            missing=N_("a general description only; the share missing per predictor is not shown")),
    Mapping("12", N_("Analytical methods: model, tuning, performance measures"), "validation",
            ("model_details.model_type", "validation_design.description",
             "validation_design.method")),
    Mapping("13", N_("Class imbalance"), "model_details", ("model_details.class_imbalance",)),
    Mapping("14", N_("Fairness approaches"), "subgroups", ("subgroups.method",)),
    Mapping("15", N_("Model output and thresholds"), "decision",
            ("decision.rule", "decision.people")),
    Mapping("16", N_("Differences between development and evaluation data"), "validation",
            ("validation_design.periods",),
            missing=N_("periods are compared on size and event rate only, not on case mix")),
    Mapping("17", N_("Ethical approval"), "ethics", ("ethics.approval",)),
    Mapping("18", N_("Open science: funding, conflicts, protocol, registration, sharing"),
            "provenance", ("ethics.funding",),
            missing=N_("conflicts of interest, protocol and registration are not on the card")),
    Mapping("19", N_("Patient and public involvement (people with lived experience)"), "ethics",
            ("ethics.lived_experience_involvement",)),
    Mapping("20", N_("Participants: flow and characteristics"), "validation",
            ("validation_design.periods", "outcome.censoring"),
            missing=N_("the flow is shown; participants' characteristics per period are not "
            "tabulated")),
    Mapping("21", N_("Model development: participants and events per analysis"), "validation",
            ("validation_design.periods",)),
    Mapping("22", N_("Model specification and code"), "provenance",
            ("provenance.model_artifact", "provenance.earlysignal_version")),
    Mapping("23", N_("Model performance with intervals, incl. subgroups"), "performance",
            ("performance.metrics", "subgroups.table", "subgroups.flagging")),
    Mapping("24", N_("Model updating"), "monitoring", ("monitoring.plan",),
            missing=N_("no updating was done; the stop rules on the card are proposed, not "
            "adopted")),
    Mapping("25", N_("Interpretation, incl. fairness"), "summary",
            ("performance.summary", "ethics.interpretation")),
    Mapping("26", N_("Limitations"), "limitations", ("limitations",)),
    Mapping("27", N_("Usability: input quality, user interaction, future research"), "oversight",
            ("human_oversight", "ethics.usability"),
            missing=N_("input quality at use and how users interact with the score were not "
            "assessed")),
)  # fmt: skip
"""TRIPOD+AI's 27 items (Collins et al., BMJ 2024;385:e078378), each mapped to a card field."""

AI_ACT: tuple[Mapping, ...] = (
    Mapping("Art. 9", N_("Risk management system"), "harms",
            ("limitations", "ethics.risk_management"),
            missing=N_("the card lists limitations and harms; a risk-management system over the "
            "whole lifecycle is the provider's")),
    Mapping("Art. 10", N_("Data and data governance, incl. bias examination"), "data",
            ("data.validation", "subgroups.table", "ethics.data_governance"),
            missing=N_("bias is examined on the test period only; collection, preparation and "
            "the assumptions behind the data are the organisation's")),
    Mapping("Art. 11", N_("Technical documentation (Annex IV)"), "provenance",
            ("provenance.packages", "model_details.model_type"),
            missing=N_("the card holds versions and the environment, not the Annex IV "
            "documentation (design choices, architecture, risk management, changes, standards)")),
    Mapping("Art. 12", N_("Record-keeping (automatic logging during use)"), "provenance",
            ("run.run_id",),
            missing=N_("the MLflow run records this study only; no logging during use exists "
            "(the deployer's system must provide it)")),
    Mapping("Art. 13", N_("Transparency and instructions for use"), "intended_use",
            ("intended_use.primary", "intended_use.out_of_scope"),
            missing=N_("instructions for use for deployers are not written")),
    Mapping("Art. 14", N_("Human oversight (override and stop)"), "oversight", ("human_oversight",),
            missing=N_("measures against automation bias, and who can stop use, are the "
            "deployer's to put in place")),
    Mapping("Art. 15", N_("Accuracy, robustness and cybersecurity"), "performance",
            ("performance.metrics", "ethics.cybersecurity"),
            missing=N_("accuracy is measured; robustness to drift and cybersecurity were not "
            "assessed")),
    Mapping("Art. 27", N_("Fundamental rights impact assessment (public bodies)"), "iama",
            ("ethics.fria",)),
    Mapping("Art. 6(3)", N_("No exemption from high risk: the system profiles children"), "ethics",
            (), N_("an Annex III system that profiles natural persons is always high-risk: the "
            "art. 6(3) exemption cannot be claimed")),
    Mapping("Art. 10(5)", N_("Basis for processing special categories (origin, disability) in "
            "the bias audit"), "subgroups", (),
            N_("strict necessity, safeguards and deletion of the special-category data used for "
            "the audit must be documented")),
    Mapping("Art. 49", N_("Registration in the EU database before use"), "ethics", (),
            N_("registration by the provider and, for public bodies, by the deployer")),
    Mapping("Art. 72", N_("Post-market monitoring"), "monitoring", ("monitoring.plan",),
            missing=N_("stop rules are proposed on the card; a post-market monitoring system "
            "and plan are not in place")),
)  # fmt: skip
"""EU AI Act (Regulation (EU) 2024/1689): articles 9-15 for high-risk systems, then art. 27,
6(3), 10(5), 49 and 72."""

AVG: tuple[Mapping, ...] = (
    Mapping("art. 35", N_("Data protection impact assessment (DPIA)"), "ethics", (),
            N_("a DPIA is required before processing: profiling of vulnerable children at scale")),
    Mapping("art. 22", N_("No decision based solely on automated processing"), "oversight",
            ("human_oversight",),
            missing=N_("the card states the score never decides; the organisation must make "
            "sure it does not in practice")),
    Mapping("art. 9", N_("Special categories (origin, disability) in the audit"), "subgroups", (),
            N_("the legal basis for processing them, and who may see the audit")),
    Mapping("art. 10 / UAVG art. 31-33", N_("Criminal-law data: police contacts"), "predictors", (),
            N_("police contacts used as a predictor may be criminal-law data: the basis for "
            "processing them, or leaving them out ([features] exclude)")),
    Mapping("arts. 13-15", N_("Informing the child and parents; access to the score and its "
            "reasons"), "rights", ("rights.informed", "rights.access"),),
    Mapping("art. 16", N_("Correcting wrongly recorded events"), "rights", ("rights.correction",)),
    Mapping("art. 21", N_("Objection"), "rights", ("legal.objection_route",)),
)  # fmt: skip
"""The AVG (GDPR) and UAVG items a deployment in youth protection must answer."""

IAMA: tuple[Mapping, ...] = (
    Mapping("1 Waarom", N_("Purpose and reason (aanleiding, doel)"), "intended_use",
            ("intended_use.primary",)),
    Mapping("1 Waarom", N_("Public values served (publieke waarden)"), "ethics",
            ("ethics.public_values",)),
    Mapping("1 Waarom", N_("Legal basis (wettelijke grondslag)"), "oversight", ("legal.basis",)),
    Mapping("1 Waarom", N_("Responsibilities (betrokkenen, verantwoordelijkheden)"),
            "model_details",
            ("model_details.owners",)),
    Mapping("2 Wat: input", N_("Data: source, quality, bias (data)"), "data",
            ("data.source", "data.validation", "subgroups.table"),
            missing=N_("bias in what gets recorded (recording practice) is not measured")),
    Mapping("2 Wat: throughput", N_("Algorithm: type, explainability (algoritme)"), "explanations",
            ("model_details.model_type", "explanations.method")),
    Mapping("2 Wat: output", N_("Output, accuracy and its use (output)"), "decision",
            ("decision.rule", "performance.metrics", "decision.people")),
    Mapping("3 Hoe", N_("Implementation, human role, communication (implementatie)"), "oversight",
            ("human_oversight",),
            missing=N_("how the score is communicated to professionals and families is not "
            "designed")),
    Mapping("3 Hoe", N_("Evaluation, monitoring, review (evaluatie)"), "monitoring",
            ("monitoring.plan", "monitoring.review_date")),
    Mapping("4 Grondrechten", N_("Fundamental rights affected and mitigations"), "harms",
            ("ethics.fundamental_rights",)),
)  # fmt: skip
"""Impact Assessment Mensenrechten en Algoritmes (BZK 2021): its four parts, field by field."""

ALGORITMEREGISTER: tuple[Mapping, ...] = (
    Mapping("naam", N_("Name"), "model_details", ("model_details.title",)),
    Mapping("organisatie", N_("Organisation"), "model_details", ("model_details.owners",)),
    Mapping("korte omschrijving", N_("Short description"), "model_details",
            ("model_details.description",)),
    Mapping("doel en impact", N_("Purpose and impact"), "intended_use", ("intended_use.primary",),
            missing=N_("the impact on children and families is not described by the team")),
    Mapping("afwegingen", N_("Considerations"), "ethics", ("ethics.considerations",)),
    Mapping("menselijke tussenkomst", N_("Human intervention"), "oversight", ("human_oversight",)),
    Mapping("risicobeheer", N_("Risk management"), "harms", ("ethics.risk_management",)),
    Mapping("wettelijke grondslag", N_("Legal basis"), "oversight", ("legal.basis",)),
    Mapping("impacttoetsen", N_("Impact assessments (IAMA, DPIA)"), "iama", ("ethics.fria",)),
    Mapping("procedure bezwaar", N_("Objection route"), "rights", ("legal.objection_route",)),
    Mapping("werking", N_("How it works"), "model_details", ("model_details.model_type",)),
    Mapping("gebruikte data", N_("Data used"), "data", ("data.source", "predictors.features")),
    Mapping("technische documentatie", N_("Technical documentation"), "provenance", ("run.run_id",),
            missing=N_("a link to public documentation is the organisation's")),
    Mapping("risicocategorie", N_("Risk category (AI Act)"), "ethics", ("ethics.risk_category",),
            N_("likely high-risk (AI Act Annex III 5(a)); the team must decide")),
    Mapping("status", N_("Status (in development, in use, retired)"), "monitoring",
            ("legal.status",)),
    Mapping("contact", N_("Contact"), "model_details", ("model_details.contact",)),
)  # fmt: skip
"""Fields of the Dutch government's Algoritmeregister publication standard."""

STANDARDS: tuple[tuple[str, tuple[Mapping, ...]], ...] = (
    ("tripod_ai", TRIPOD_AI),
    ("eu_ai_act", AI_ACT),
    ("avg", AVG),
    ("iama", IAMA),
    ("algoritmeregister", ALGORITMEREGISTER),
)
"""Every standard on the card, in order: its card key and its items."""


def _lookup(card: dict[str, Any], path: str) -> Any:
    value: Any = card
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def compliance(card: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Map every standard item to its card section and one of three states.

    - :data:`COVERED`: every field the item names is known on the card and nothing is known
      to be missing;
    - :data:`PARTLY`: some fields are known, or the item needs more than the card can give
      (the note says what is missing);
    - :data:`FOR_ORGANISATION`: only the organisation can answer it (no field, or none of its
      fields known); the note says what it must provide.

    Examples
    --------
    >>> rows = compliance({"human_oversight": "caseworker reviews"})["eu_ai_act"]
    >>> [r["status"] for r in rows if r["item"] == "Art. 14"]
    ['partly covered']
    >>> rows = compliance({"model_details": {"title": "T"}})["algoritmeregister"]
    >>> [r["status"] for r in rows if r["item"] == "naam"]
    ['covered by this run']
    """
    out: dict[str, list[dict[str, Any]]] = {}
    for name, items in STANDARDS:
        rows = []
        for m in items:
            known = [f for f in m.fields if is_known(_lookup(card, f))]
            unknown_fields = [f for f in m.fields if f not in known]
            if not known:
                status = FOR_ORGANISATION
                note = m.note or (
                    ORGANISATION_WRITES % {"fields": ", ".join(m.fields)} if m.fields else _T
                )
            elif unknown_fields or m.missing:
                status = PARTLY
                parts = [m.missing] if m.missing else []
                if unknown_fields:
                    parts.append(NOT_YET_ON_CARD % {"fields": ", ".join(unknown_fields)})
                note = "; ".join(parts)
            else:
                status, note = COVERED, m.note
            rows.append(
                {
                    "item": m.item,
                    "topic": m.topic,
                    "section": m.section if m.section is not None else _T,
                    "status": status,
                    "note": note,
                }
            )
        out[name] = rows
    return out
