"""The card's sections and how reporting standards map onto them.

Sections follow Mitchell et al. (2019) and the Hugging Face model-card template, extended with
what an ethics board in youth protection asks for (``docs/model_card.md``). Each item of
TRIPOD+AI (Collins et al., BMJ 2024, 27 items), EU AI Act articles 9-15 and the Dutch IAMA and
Algoritmeregister is mapped to the card field that answers it. Whether it is answered is decided
from the card data itself (:func:`compliance`): a field that is missing or marked unknown makes
the item "to be completed by the study team", so the table never claims more than the run holds.

Examples
--------
>>> len(TRIPOD_AI)
27
>>> [a.item for a in AI_ACT][:3]
['Art. 9', 'Art. 10', 'Art. 11']
>>> rows = compliance({"outcome": {"definition": "x"}})["tripod_ai"]
>>> [r["status"] for r in rows if r["item"] == "1"]
['to be completed by the study team']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "AI_ACT",
    "ALGORITMEREGISTER",
    "IAMA",
    "NOT_APPLICABLE",
    "NOT_MEASURED",
    "SECTIONS",
    "TO_BE_COMPLETED",
    "TRIPOD_AI",
    "Mapping",
    "Section",
    "compliance",
    "is_known",
    "unknown",
]

TO_BE_COMPLETED = "to be completed by the study team"
"""Status of a field only the study team can fill in (never invented by the library)."""
NOT_MEASURED = "not measured by this run"
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
    Section("model_details", "Model details", "Model details", "Model details"),
    Section("intended_use", "Intended use", "Intended use", "Uses: direct use"),
    Section("out_of_scope", "Out-of-scope use", "Intended use", "Uses: out-of-scope use"),
    Section("outcome", "Outcome definition and horizon", "Metrics", "Evaluation: testing data"),
    Section("censoring", "Censoring and competing events", "Evaluation data", "Evaluation"),
    Section("data", "Data and period", "Training data; evaluation data", "Training details"),
    Section(
        "predictors", "Predictors and excluded attributes", "Factors", "Training details: features"
    ),
    Section("validation", "Validation design", "Evaluation data", "Evaluation: testing data"),
    Section("performance", "Performance", "Quantitative analyses", "Evaluation: results"),
    Section("calibration", "Calibration", "Quantitative analyses", "Evaluation: results"),
    Section(
        "decision",
        "Decision curve and expected workload",
        "Metrics: decision thresholds",
        "Evaluation: metrics",
    ),
    Section("subgroups", "Subgroup results", "Factors; quantitative analyses", "Bias, risks"),
    Section("explanations", "Explanations and their limits", "Caveats", "Technical specifications"),
    Section("limitations", "Known limitations", "Caveats and recommendations", "Limitations"),
    Section(
        "ethics", "Ethical considerations", "Ethical considerations", "Bias, risks and limitations"
    ),
    Section("oversight", "Human oversight", "Intended use", "Recommendations"),
    Section(
        "monitoring", "Monitoring and review", "Caveats and recommendations", "Recommendations"
    ),
    Section(
        "provenance", "Provenance and environment", "Model details", "Technical specifications"
    ),
    Section("tripod_ai", "TRIPOD+AI checklist", "-", "-"),
    Section("eu_ai_act", "EU AI Act, articles 9-15", "-", "-"),
    Section("iama", "IAMA (Impact Assessment Mensenrechten en Algoritmes)", "-", "-"),
    Section("algoritmeregister", "Algoritmeregister", "-", "-"),
)
"""Every section of the card, in order; every one is rendered, even when its content is unknown."""


@dataclass(frozen=True, slots=True)
class Mapping:
    """One item of a reporting standard and the card fields that answer it.

    ``fields`` are dotted paths into the card data; the item is answered when every one is
    known (:func:`is_known`). An empty ``fields`` means only the study team can answer it.
    """

    item: str
    topic: str
    section: str | None
    fields: tuple[str, ...]
    note: str = ""


_T = TO_BE_COMPLETED

TRIPOD_AI: tuple[Mapping, ...] = (
    Mapping("1", "Title", "model_details", (), "the publication's title is written by the team"),
    Mapping("2", "Abstract", None, (), "TRIPOD+AI for Abstracts"),
    Mapping(
        "3", "Background: context, target population, known inequalities", "intended_use",
        ("intended_use.primary",),
        "the inequalities known in youth protection are in docs/fairness.md",
    ),
    Mapping("4", "Objectives (development and/or evaluation)", "model_details",
            ("model_details.description",)),
    Mapping("5", "Data: sources and dates", "data", ("data.source", "data.period")),
    Mapping("6", "Participants: setting, eligibility, treatments", "data",
            ("data.prediction_times",), "support given during care is not recorded"),
    Mapping("7", "Data preparation and quality checks", "data", ("data.validation",)),
    Mapping("8", "Outcome: definition, horizon, assessment", "outcome",
            ("outcome.definition", "outcome.horizon_days")),
    Mapping("9", "Predictors: choice, definition, timing", "predictors", ("predictors.features",)),
    Mapping("10", "Sample size", "validation", ("validation_design.periods",),
            "no formal sample-size calculation is made by the library"),
    Mapping("11", "Missing data", "predictors", ("predictors.missing_data",)),
    Mapping("12", "Analytical methods: model, tuning, performance measures", "validation",
            ("model_details.model_type", "validation_design.description")),
    Mapping("13", "Class imbalance", "model_details", ("model_details.class_imbalance",)),
    Mapping("14", "Fairness approaches", "subgroups", ("subgroups.method",)),
    Mapping("15", "Model output and thresholds", "decision", ("decision.rule",)),
    Mapping("16", "Differences between development and evaluation data", "validation",
            ("validation_design.periods",)),
    Mapping("17", "Ethical approval", "ethics", ("ethics.approval",)),
    Mapping("18", "Open science: funding, conflicts, protocol, registration, sharing",
            "provenance", ("ethics.funding",)),
    Mapping("19", "Patient and public involvement (people with lived experience)", "ethics",
            ("ethics.lived_experience_involvement",)),
    Mapping("20", "Participants: flow and characteristics", "validation",
            ("validation_design.periods", "outcome.censoring")),
    Mapping("21", "Model development: participants and events per analysis", "validation",
            ("validation_design.periods",)),
    Mapping("22", "Model specification and code", "provenance",
            ("provenance.model_artifact", "provenance.earlysignal_version")),
    Mapping("23", "Model performance with intervals, incl. subgroups", "performance",
            ("performance.metrics", "subgroups.table")),
    Mapping("24", "Model updating", "monitoring", ("monitoring.plan",)),
    Mapping("25", "Interpretation, incl. fairness", "performance",
            ("performance.summary", "ethics.interpretation")),
    Mapping("26", "Limitations", "limitations", ("limitations",)),
    Mapping("27", "Usability: input quality, user interaction, future research", "oversight",
            ("human_oversight", "ethics.usability")),
)  # fmt: skip
"""TRIPOD+AI's 27 items (Collins et al., BMJ 2024;385:e078378), each mapped to a card field."""

AI_ACT: tuple[Mapping, ...] = (
    Mapping("Art. 9", "Risk management system", "limitations",
            ("limitations", "ethics.risk_management")),
    Mapping("Art. 10", "Data and data governance, incl. bias examination", "data",
            ("data.validation", "subgroups.table", "ethics.data_governance")),
    Mapping("Art. 11", "Technical documentation (Annex IV)", "provenance",
            ("provenance.packages", "model_details.model_type")),
    Mapping("Art. 12", "Record-keeping (logging)", "provenance", ("run.run_id",),
            "the MLflow run records this study; logging during use is the deployer's"),
    Mapping("Art. 13", "Transparency and instructions for use", "intended_use",
            ("intended_use.primary", "intended_use.out_of_scope")),
    Mapping("Art. 14", "Human oversight (override and stop)", "oversight", ("human_oversight",)),
    Mapping("Art. 15", "Accuracy, robustness and cybersecurity", "performance",
            ("performance.metrics", "ethics.cybersecurity")),
    Mapping("Art. 27", "Fundamental rights impact assessment (public bodies)", "iama",
            ("ethics.fria",)),
)  # fmt: skip
"""EU AI Act (Regulation (EU) 2024/1689) articles 9-15 for high-risk systems, plus art. 27."""

IAMA: tuple[Mapping, ...] = (
    Mapping("1 Waarom", "Purpose and reason (aanleiding, doel)", "intended_use",
            ("intended_use.primary",)),
    Mapping("1 Waarom", "Public values served (publieke waarden)", "ethics",
            ("ethics.public_values",)),
    Mapping("1 Waarom", "Legal basis (wettelijke grondslag)", "oversight", ("legal.basis",)),
    Mapping("1 Waarom", "Responsibilities (betrokkenen, verantwoordelijkheden)", "model_details",
            ("model_details.owners",)),
    Mapping("2 Wat: input", "Data: source, quality, bias (data)", "data",
            ("data.source", "data.validation", "subgroups.table")),
    Mapping("2 Wat: throughput", "Algorithm: type, explainability (algoritme)", "explanations",
            ("model_details.model_type", "explanations.method")),
    Mapping("2 Wat: output", "Output, accuracy and its use (output)", "decision",
            ("decision.rule", "performance.metrics")),
    Mapping("3 Hoe", "Implementation, human role, communication (implementatie)", "oversight",
            ("human_oversight",)),
    Mapping("3 Hoe", "Evaluation, monitoring, review (evaluatie)", "monitoring",
            ("monitoring.plan", "monitoring.review_date")),
    Mapping("4 Grondrechten", "Fundamental rights affected and mitigations", "ethics",
            ("ethics.fundamental_rights",)),
)  # fmt: skip
"""Impact Assessment Mensenrechten en Algoritmes (BZK 2021): its four parts, field by field."""

ALGORITMEREGISTER: tuple[Mapping, ...] = (
    Mapping("naam", "Name", "model_details", ("model_details.title",)),
    Mapping("organisatie", "Organisation", "model_details", ("model_details.owners",)),
    Mapping("korte omschrijving", "Short description", "model_details",
            ("model_details.description",)),
    Mapping("doel en impact", "Purpose and impact", "intended_use", ("intended_use.primary",)),
    Mapping("afwegingen", "Considerations", "ethics", ("ethics.considerations",)),
    Mapping("menselijke tussenkomst", "Human intervention", "oversight", ("human_oversight",)),
    Mapping("risicobeheer", "Risk management", "limitations", ("ethics.risk_management",)),
    Mapping("wettelijke grondslag", "Legal basis", "oversight", ("legal.basis",)),
    Mapping("impacttoetsen", "Impact assessments (IAMA, DPIA)", "iama", ("ethics.fria",)),
    Mapping("procedure bezwaar", "Objection route", "oversight", ("legal.objection_route",)),
    Mapping("werking", "How it works", "model_details", ("model_details.model_type",)),
    Mapping("gebruikte data", "Data used", "data", ("data.source", "predictors.features")),
    Mapping("technische documentatie", "Technical documentation", "provenance", ("run.run_id",)),
    Mapping("risicocategorie", "Risk category (AI Act)", "ethics", ("ethics.risk_category",),
            "likely high-risk (AI Act Annex III 5(a)); the team must decide"),
    Mapping("status", "Status (in development, in use, retired)", "monitoring",
            ("legal.status",)),
    Mapping("contact", "Contact", "model_details", ("model_details.contact",)),
)  # fmt: skip
"""Fields of the Dutch government's Algoritmeregister publication standard."""


def _lookup(card: dict[str, Any], path: str) -> Any:
    value: Any = card
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def compliance(card: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Map every standard item to its card section and whether the card answers it.

    An item is ``"reported"`` only when every field it names is known in ``card``; otherwise
    it is "to be completed by the study team".

    Examples
    --------
    >>> rows = compliance({"human_oversight": "caseworker reviews"})["eu_ai_act"]
    >>> [r["status"] for r in rows if r["item"] == "Art. 14"]
    ['reported']
    """
    out: dict[str, list[dict[str, Any]]] = {}
    for name, items in (
        ("tripod_ai", TRIPOD_AI),
        ("eu_ai_act", AI_ACT),
        ("iama", IAMA),
        ("algoritmeregister", ALGORITMEREGISTER),
    ):
        rows = []
        for m in items:
            answered = bool(m.fields) and all(is_known(_lookup(card, f)) for f in m.fields)
            rows.append(
                {
                    "item": m.item,
                    "topic": m.topic,
                    "section": m.section if m.section is not None else _T,
                    "status": "reported" if answered else _T,
                    "note": m.note,
                }
            )
        out[name] = rows
    return out
