# ruff: noqa: E501  (the IAMA question table reads best one question per line)
"""Export a run to the IAMA (Impact Assessment Mensenrechten en Algoritmes) questions.

The IAMA (BZK 2021) has four parts: 1 why (waarom), 2 what (wat: 2A input and data,
2B the algorithm), 3 how (hoe: decisions, people, effects, procedures, context,
communication, evaluation) and 4 fundamental rights (grondrechten). :data:`QUESTIONS` follows
the question numbering of IAMA 1.0 as published machine-readably in MinBZK/task-registry
(``instruments/iama.yaml``, commit ``040a0a68dae48a78c240bf07b05c51e393e20a6c``); the
question texts here are our own shortened wording (read the original for the full question).

Each question is answered from the run where the run knows the answer (data, model, metrics,
fairness audit, the organisation's own card fields, the lived-experience review) through
``templates/iama.j2``, and left to the organisation where it does not. Texts go through the
catalogue: Dutch by default, English on request.

Examples
--------
>>> from earlysignal.card import new_card
>>> card = new_card(run_id="r1", experiment="e", run_name="n", outcome="breakdown",
...                 horizon_days=180)
>>> answers = iama_answers(card)
>>> answers[0]["id"], answers[0]["answered_by"]
('1.1.1', 'organisation')
>>> sorted({a["part"] for a in answers})
['1', '2A', '2B', '3', '4']
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from earlysignal.i18n import N_

__all__ = ["PARTS", "QUESTIONS", "IamaQuestion", "iama_answers", "render_iama", "write_iama"]

SOURCE = (
    "IAMA 1.0 (Ministerie van BZK, 2021), numbering as in MinBZK/task-registry "
    "instruments/iama.yaml at commit 040a0a68dae48a78c240bf07b05c51e393e20a6c"
)


@dataclass(frozen=True, slots=True)
class IamaQuestion:
    """One IAMA question: its number, part, topic, our short wording, and how it is answered.

    ``answer`` names the macro in ``templates/iama.j2`` that answers it from the run, or is
    empty when only the organisation can answer; ``own_field`` names a card fact (see
    :func:`earlysignal.publish.facts.card_facts`) the organisation may have filled in.
    """

    id: str
    part: str
    topic: str
    question: str
    answer: str = ""
    own_field: str = ""


PARTS: dict[str, str] = {
    "1": N_("Part 1: Why? Purpose and reasons"),
    "2A": N_("Part 2A: What? Input and data"),
    "2B": N_("Part 2B: What? The algorithm"),
    "3": N_("Part 3: How? Use, people and effects"),
    "4": N_("Part 4: Fundamental rights"),
}

_Q = IamaQuestion
QUESTIONS: tuple[IamaQuestion, ...] = (
    _Q("1.1.1", "1", N_("Reason and problem"), N_("What is the proposal, what led to it, and which problem should the algorithm help solve?")),
    _Q("1.2.1", "1", N_("Goal"), N_("Which goal should the algorithm help reach? What is the main goal, and what are the sub-goals?"), "goal"),
    _Q("1.3.1", "1", N_("Public values"), N_("Which public values lead to using the algorithm, and in which order?"), "", "public_values"),
    _Q("1.3.2", "1", N_("Public values"), N_("Which public values could come under pressure from the algorithm?")),
    _Q("1.4.1", "1", N_("Legal basis"), N_("What is the legal basis for using the algorithm and for the decisions made with it?"), "", "legal_basis"),
    _Q("1.5.1", "1", N_("Parties and responsibilities"), N_("Which parties and people build, use and maintain the algorithm?"), "", "owners"),
    _Q("1.5.2", "1", N_("Parties and responsibilities"), N_("How are responsibilities arranged, also after the algorithm is finished?")),
    _Q("1.5.3", "1", N_("Parties and responsibilities"), N_("Who is finally responsible for the algorithm?")),
    _Q("2A.1.1", "2A", N_("Type of algorithm"), N_("What type of algorithm is used or will be built?"), "model_type"),
    _Q("2A.2.1", "2A", N_("Data sources and quality"), N_("What data are the input, and where do they come from?"), "data_sources"),
    _Q("2A.2.2", "2A", N_("Data sources and quality"), N_("Are the quality and reliability of the data good enough for this use? Explain."), "data_quality"),
    _Q("2A.3.1", "2A", N_("Bias and assumptions in the data"), N_("Which assumptions and bias are in the data, and how is their effect on the output corrected or limited?"), "bias"),
    _Q("2A.3.2", "2A", N_("Bias and assumptions in the data"), N_("If training data are used: do they represent the context where the algorithm will be used?"), "representative"),
    _Q("2A.4.1", "2A", N_("Security and archiving"), N_("Are the data secured well enough, both input and output?")),
    _Q("2A.4.2", "2A", N_("Security and archiving"), N_("Is access to the data controlled, both input and output?")),
    _Q("2A.4.3", "2A", N_("Security and archiving"), N_("How are the rules on archiving (Archiefwet) followed?")),
    _Q("2B.1.1", "2B", N_("Type of algorithm"), N_("What kind of algorithm is it and how does it work: rules set by people, or a model that learns from data?"), "how_it_works"),
    _Q("2B.1.2", "2B", N_("Type of algorithm"), N_("Why was this type of algorithm chosen?")),
    _Q("2B.1.3", "2B", N_("Type of algorithm"), N_("Why does this type suit the goals of question 1.2 best?")),
    _Q("2B.1.4", "2B", N_("Type of algorithm"), N_("Which alternatives are there, and why do they fit less well?"), "alternatives"),
    _Q("2B.2.1", "2B", N_("Ownership and control"), N_("If an outside party built the algorithm: what are the agreements on ownership and maintenance?")),
    _Q("2B.3.1", "2B", N_("Accuracy"), N_("How accurate is the algorithm, and by which criteria was that measured?"), "accuracy"),
    _Q("2B.3.2", "2B", N_("Accuracy"), N_("Is this accuracy acceptable for the way the algorithm will be used?")),
    _Q("2B.3.3", "2B", N_("Accuracy"), N_("How is the algorithm tested?"), "testing"),
    _Q("2B.3.4", "2B", N_("Accuracy"), N_("Which measures can prevent the algorithm from repeating or strengthening bias?"), "bias_measures"),
    _Q("2B.3.5", "2B", N_("Accuracy"), N_("Which assumptions lie behind the choice and weight of the indicators, and are they right?"), "indicators"),
    _Q("2B.3.6", "2B", N_("Accuracy"), N_("How often and how badly is the algorithm wrong?"), "errors"),
    _Q("2B.4.1", "2B", N_("Transparency and explainability"), N_("Is it clear what the algorithm does, how, and based on which data? Explain."), "explain"),
    _Q("2B.4.2", "2B", N_("Transparency and explainability"), N_("For whom, inside and outside the organisation, is the working made transparent, and how?")),
    _Q("2B.4.3", "2B", N_("Transparency and explainability"), N_("For which groups must the algorithm be explainable?")),
    _Q("2B.4.4", "2B", N_("Transparency and explainability"), N_("Can the working be explained clearly enough to those groups?")),
    _Q("3.1.1", "3", N_("Decisions based on the output"), N_("What happens with the output? Which decisions are based on it?"), "output_use"),
    _Q("3.2.1", "3", N_("The role of people"), N_("What role do people play in decisions based on the output, and how are they enabled to play it?"), "", "human_oversight"),
    _Q("3.2.2", "3", N_("The role of people"), N_("Are there, now and later, enough qualified staff to manage, review and change the algorithm?")),
    _Q("3.3.1", "3", N_("Effects"), N_("What will the effects be for citizens, and how is the human measure kept in decisions?")),
    _Q("3.3.2", "3", N_("Effects"), N_("Which risks of stigmatising, discriminating or other harmful effects are there, and how are they countered?"), "harm"),
    _Q("3.3.3", "3", N_("Effects"), N_("How will the effects help solve the problem of question 1.1 and reach the goals of question 1.2?")),
    _Q("3.3.4", "3", N_("Effects"), N_("How do the effects relate to the values of question 1.3, and which values may come under pressure?")),
    _Q("3.4.1", "3", N_("Procedures"), N_("Through which procedures will decisions based on the algorithm be made?")),
    _Q("3.4.2", "3", N_("Procedures"), N_("How are the people concerned (officials, politicians, citizens) involved in the decisions?"), "involvement"),
    _Q("3.4.3", "3", N_("Procedures"), N_("How do these procedures meet the demands of good governance and legal protection? Can citizens complain or object, and how?"), "", "objection_route"),
    _Q("3.5.1", "3", N_("Context"), N_("When will the algorithm be used, and for how long?")),
    _Q("3.5.2", "3", N_("Context"), N_("Where will it be used: in which area, for which group of people or files?")),
    _Q("3.5.3", "3", N_("Context"), N_("Can the algorithm still be used when the context changes, or in another context than it was built for?"), "context_change"),
    _Q("3.6.1", "3", N_("Communication"), N_("How open can you be about how the algorithm works, given its goals and context?")),
    _Q("3.6.2", "3", N_("Communication"), N_("How will you communicate about the use of the algorithm?")),
    _Q("3.6.3", "3", N_("Communication"), N_("Is the output shown in a table, chart or dashboard? Is that a correct and readable picture of the output?"), "visualisation"),
    _Q("3.7.1", "3", N_("Evaluation, auditing and assurance"), N_("Are there good instruments to evaluate, audit and secure the algorithm?"), "", "monitoring_plan"),
    _Q("3.7.2", "3", N_("Evaluation, auditing and assurance"), N_("Can the organisation account well enough for the algorithm?")),
    _Q("3.7.3", "3", N_("Evaluation, auditing and assurance"), N_("Which means do auditors and supervisors have to attach consequences to the use of the algorithm?")),
    _Q("4.1.1", "4", N_("Fundamental right"), N_("Does the algorithm touch a fundamental right?"), "", "fundamental_rights"),
    _Q("4.2.1", "4", N_("Specific laws and guidelines"), N_("Do specific laws or guidelines apply to this infringement of a fundamental right?")),
    _Q("4.3.1", "4", N_("Seriousness"), N_("How seriously does the algorithm touch a fundamental right?")),
    _Q("4.4.1", "4", N_("Goals"), N_("Which goals does the use of the algorithm serve? See question 1.2."), "goal"),
    _Q("4.5.1", "4", N_("Effectiveness"), N_("Is the algorithm an effective means to reach these goals? Explain."), "effectiveness"),
    _Q("4.6.1", "4", N_("Necessity and subsidiarity"), N_("Is this algorithm necessary for the goal, or are there other or milder means? Explain.")),
    _Q("4.7.1", "4", N_("Balance and proportionality"), N_("Is there a fair balance between the goals and the fundamental rights touched, and why?")),
)  # fmt: skip
"""The IAMA questions in IAMA 1.0 order (our wording; the numbering is the original's)."""


def _env(lang: str) -> Any:
    from jinja2 import PackageLoader

    from earlysignal.i18n import jinja_env

    return jinja_env(lang, PackageLoader("earlysignal.publish", "templates"))


def _clean(text: str) -> str:
    import re

    blocks = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(re.sub(r"[ \t\r\n]+", " ", b).strip() for b in blocks if b.strip())


def iama_answers(card: dict[str, Any], lang: str = "nl") -> list[dict[str, Any]]:
    """Every IAMA question with its answer from the run, or left to the organisation.

    Each row: ``id``, ``part``, ``part_title``, ``topic``, ``question``, ``answer`` (text, or
    the "to be completed by the organisation" marker), ``answered_by`` (``"run"``,
    ``"card"`` for the organisation's own card fields, or ``"organisation"``) and
    ``card_text``: the organisation's own card text for the question, if any. That text is the
    answer only when the card is written in ``lang`` (its ``language``, English by default) or
    the organisation translated it into ``lang`` (``[card.translations.<lang>]``); otherwise it
    is kept in ``card_text`` for the organisation to translate.
    """
    from earlysignal.card.translations import FIELD_PATHS, has_translation, localized_card
    from earlysignal.i18n import gettext
    from earlysignal.publish.algoritmeregister import OPEN
    from earlysignal.publish.facts import card_facts

    facts = card_facts(localized_card(card, lang))
    same_language = card.get("language", "en") == lang
    translated = {  # the organisation's text translated into lang ([card.translations])
        fact: has_translation(card, FIELD_PATHS[field], lang)
        for fact, field in (
            ("human_oversight", "human_oversight"), ("legal_basis", "legal_basis"),
            ("objection_route", "objection_route"), ("monitoring_plan", "monitoring"),
        )
    }  # fmt: skip
    module = _env(lang).get_template("iama.j2").module
    rows = []
    for q in QUESTIONS:
        answer, by = "", "organisation"
        own = facts.get(q.own_field) if q.own_field else None
        own_text = own.strip() if isinstance(own, str) and own.strip() else None
        if own_text and (same_language or translated.get(str(q.own_field))):
            answer, by = own_text, "card"
        elif q.answer:
            answer = _clean(str(getattr(module, q.answer)(facts)))
            by = "run" if answer else "organisation"
        rows.append(
            {
                "id": q.id,
                "part": q.part,
                "part_title": gettext(PARTS[q.part], lang),
                "topic": gettext(q.topic, lang),
                "question": gettext(q.question, lang),
                "answer": answer or gettext(OPEN, lang),
                "answered_by": by,
                "card_text": own_text,
            }
        )
    return rows


def render_iama(card: dict[str, Any], lang: str = "nl") -> str:
    """The IAMA answers as Markdown (``templates/iama.md.j2``).

    Examples
    --------
    >>> from earlysignal.card import new_card
    >>> card = new_card(run_id="r1", experiment="e", run_name="n", outcome="breakdown",
    ...                 horizon_days=180)
    >>> render_iama(card).splitlines()[0]
    '# Impact Assessment Mensenrechten en Algoritmes (IAMA)'
    """
    from earlysignal.publish.facts import card_facts

    rows = iama_answers(card, lang)
    counts = {k: sum(r["answered_by"] == k for r in rows) for k in ("run", "card", "organisation")}
    template = _env(lang).get_template("iama.md.j2")
    return str(template.render(rows=rows, f=card_facts(card), counts=counts, source=SOURCE))


def write_iama(card: dict[str, Any], path: str | Path, lang: str = "nl") -> tuple[Path, Path]:
    """Write the IAMA answers as Markdown (``path``) and JSON (beside it, ``.json``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from earlysignal.card import new_card
    >>> card = new_card(run_id="r1", experiment="e", run_name="n", outcome="breakdown",
    ...                 horizon_days=180)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     md, js = write_iama(card, pathlib.Path(d) / "iama.md")
    ...     len(json.loads(js.read_text(encoding="utf-8"))["questions"])
    57
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_iama(card, lang), encoding="utf-8")
    data = {
        "instrument": "Impact Assessment Mensenrechten en Algoritmes (IAMA)",
        "source": SOURCE,
        "language": lang,
        "run_id": card.get("run", {}).get("run_id"),
        "questions": iama_answers(card, lang),
    }
    js = target.with_suffix(".json")
    js.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target, js
