"""Looking along with lived experience: the review pack and taking the reviews back.

:func:`write_review_pack` writes what people with lived experience of care need to review a
run: a plain-language summary of the card, three signal sheets of **simulated** children
(never real ones: a small cohort is simulated and scored with the run's own model; when that
model cannot score simulated data the pack is refused with :class:`ReviewPackError`), a
question list and an answer form, in B1 Dutch by default (texts in ``templates/review/``,
through the catalogue).

:func:`read_reviews` reads the answers back (the TOML answer form, or Markdown with one
``## Reviewer`` section per person) and :func:`lived_experience_section` turns them into the
card's ``lived_experience`` data: a reviewer's name is kept only when that reviewer agreed to
be named; otherwise the reviewer is "reviewer 1", "reviewer 2", ... . :func:`no_review` is
the section of a card for which no review took place.

Examples
--------
>>> no_review()["took_place"]
False
>>> section = lived_experience_section([
...     {"name": "Sam", "agreed_to_be_named": False, "answers": {"fair": "Ja"}},
...     {"name": "Noor", "agreed_to_be_named": True, "answers": {"fair": "Nee"}}])
>>> [r["name"] for r in section["reviewers"]]
['reviewer 1', 'Noor']
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from earlysignal.i18n import N_

__all__ = [
    "QUESTION_IDS",
    "ReviewPackError",
    "ReviewPackFiles",
    "apply_reviews",
    "involvement_text",
    "lived_experience_section",
    "no_review",
    "read_reviews",
    "render_questions",
    "render_summary",
    "write_review_pack",
]

QUESTION_IDS: tuple[str, ...] = ("understandable", "fair", "missing", "harm", "use", "other")
"""The review questions, in order (texts in ``templates/review/questions.md.j2``)."""

NO_REVIEW = N_("no review by people with lived experience took place for this run")


class ReviewPackError(RuntimeError):
    """The review pack cannot be made (names the rule, the cause and the fix)."""


@dataclass(frozen=True, slots=True)
class ReviewPackFiles:
    """The files of a review pack."""

    folder: Path
    summary: Path
    questions: Path
    answer_form: Path
    sheets: tuple[Path, ...]


def no_review() -> dict[str, Any]:
    """The card's ``lived_experience`` section when no review took place.

    Examples
    --------
    >>> no_review()["status"]
    'no review by people with lived experience took place for this run'
    """
    return {"took_place": False, "status": NO_REVIEW, "reviewers": []}


def _env(lang: str) -> Any:
    from jinja2 import PackageLoader

    from earlysignal.i18n import jinja_env

    return jinja_env(lang, PackageLoader("earlysignal.publish", "templates"))


def render_summary(card: dict[str, Any], lang: str = "nl") -> str:
    """The card's plain-language summary (B1) for reviewers.

    Examples
    --------
    >>> from earlysignal.card import new_card
    >>> card = new_card(run_id="r1", experiment="e", run_name="n", outcome="breakdown",
    ...                 horizon_days=180)
    >>> render_summary(card, "nl").splitlines()[0]
    '# Wat doet dit model?'
    """
    from earlysignal.publish.facts import card_facts

    return str(_env(lang).get_template("review/summary.md.j2").render(f=card_facts(card)))


def render_questions(lang: str = "nl") -> str:
    """The question list for reviewers (B1).

    Examples
    --------
    >>> render_questions("en").splitlines()[0]
    '# Questions for reviewers'
    """
    return str(_env(lang).get_template("review/questions.md.j2").render(ids=QUESTION_IDS))


def _decode_specs(data: list[Any], model_dir: Path) -> list[Any]:
    """Feature specs from their saved JSON form (``{"__spec__": class name, fields...}``)."""
    from earlysignal.features import specs as spec_module

    out = []
    for item in data:
        if not isinstance(item, dict):
            out.append(item)
            continue
        name = str(item.get("__spec__", ""))
        cls = getattr(spec_module, name, None)
        if not isinstance(cls, type):
            raise ReviewPackError(
                f"rule REVIEW-SPECS: the run's model in {model_dir} uses a feature spec "
                f"{name!r} this version of earlysignal does not know; use the earlysignal "
                "version that ran the study."
            )
        fields = {k: tuple(v) if isinstance(v, list) else v for k, v in item.items()}
        fields.pop("__spec__")
        try:
            out.append(cls(**fields))
        except (TypeError, ValueError) as exc:
            raise ReviewPackError(
                f"rule REVIEW-SPECS: the feature spec {name} of the run's model could not be "
                f"rebuilt ({exc}); use the earlysignal version that ran the study."
            ) from exc
    return out


def _simulated_sheets(
    model_dir: Path, card: dict[str, Any], n_children: int, seed: int, lang: str = "nl"
) -> list[Any]:
    import numpy as np
    import polars as pl

    from earlysignal.cohort import prediction_times
    from earlysignal.explain import signal_sheet
    from earlysignal.features import build_features
    from earlysignal.features.defaults import describe
    from earlysignal.models import load_model
    from earlysignal.models.persistence import load_feature_specs
    from earlysignal.synth import simulate

    try:
        model = load_model(model_dir)
        specs = load_feature_specs(model_dir)
    except Exception as exc:
        raise ReviewPackError(
            f"rule REVIEW-MODEL: the run's model in {model_dir} could not be loaded ({exc}); "
            "the review pack needs the run's model to score simulated children. Use a run "
            "that finished and logged its model."
        ) from exc
    specs = _decode_specs(specs or [], model_dir)
    if not specs:
        raise ReviewPackError(
            f"rule REVIEW-SPECS: the run's model in {model_dir} has no feature specs, so it "
            "cannot score simulated children. Re-run the study with this version of "
            "earlysignal, which saves the specs beside the model."
        )
    names = [str(n) for n in getattr(model, "feature_names_in_", [])]
    sim = simulate(n_children=n_children, years=4, seed=seed)
    times = prediction_times(sim.history)
    frame = build_features(sim.history, times, specs, outcomes=())
    missing = [n for n in names if n not in frame.columns]
    if missing or not names:
        raise ReviewPackError(
            "rule REVIEW-FEATURES: the run's model uses inputs the simulator cannot provide "
            f"({', '.join(missing[:5]) or 'unknown inputs'}); a review pack of simulated "
            "children cannot be made for this model. Share the card summary and questions only."
        )
    last = frame.group_by("child_id").agg(pl.col("prediction_time").max())
    rows = frame.join(last, on=["child_id", "prediction_time"])
    risk = np.asarray(model.predict_proba(rows.select(names)))[:, 1]
    order = np.argsort(risk, kind="stable")
    picks = [order[int(q * (len(order) - 1))] for q in (0.5, 0.9, 0.99)]
    descriptions = describe(specs)
    out = card.get("outcome", {})
    sheets = []
    for i in picks:
        child = rows["child_id"][int(i)]
        sheets.append(
            signal_sheet(
                model, frame, child, prediction_time=rows["prediction_time"][int(i)],
                descriptions=descriptions, outcome=str(out.get("name", "breakdown")),
                horizon_days=out.get("horizon_days"), lang=lang,
            )
        )  # fmt: skip
    return sheets


def write_review_pack(
    card: dict[str, Any],
    folder: str | Path,
    *,
    model_dir: str | Path | None,
    lang: str = "nl",
    n_children: int = 600,
    seed: int = 17,
) -> ReviewPackFiles:
    """Write the review pack: summary, three sheets of simulated children, questions, form.

    Raises
    ------
    ReviewPackError
        When the run's model cannot be loaded or cannot score simulated children: no sheet of
        a real child is ever written instead.
    """
    from earlysignal.i18n import check_language

    code = check_language(lang)
    if model_dir is None:
        raise ReviewPackError(
            "rule REVIEW-MODEL: this run has no logged model, so no simulated child can be "
            "scored; run the study to the end (it logs 'model/') and try again."
        )
    sheets = _simulated_sheets(Path(model_dir), card, n_children, seed, code)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    env = _env(code)
    summary = out / "1_samenvatting.md" if code == "nl" else out / "1_summary.md"
    summary.write_text(render_summary(card, code), encoding="utf-8")
    paths = []
    for k, sheet in enumerate(sheets, start=1):
        text = env.get_template("review/sheet.md.j2").render(number=k, sheet=sheet.to_markdown())
        p = out / f"2_simulated_sheet_{k}.md"
        p.write_text(text, encoding="utf-8")
        (out / f"2_simulated_sheet_{k}.html").write_text(sheet.to_html(), encoding="utf-8")
        paths.append(p)
    questions = out / "3_questions.md"
    questions.write_text(render_questions(code), encoding="utf-8")
    form = out / "4_answers.toml"
    form.write_text(
        env.get_template("review/answers.toml.j2").render(ids=QUESTION_IDS), encoding="utf-8"
    )
    return ReviewPackFiles(out, summary, questions, form, tuple(paths))


# ------------------------------------------------------------------------- reviews back


def _bad(path: Path, where: str, value: Any, fix: str) -> ReviewPackError:
    return ReviewPackError(f"rule REVIEW-FILE: {path} {where}: {value!r}; {fix}")


def read_reviews(path: str | Path) -> list[dict[str, Any]]:
    """Read reviewers' answers from the TOML answer form or from Markdown.

    TOML: one ``[[reviewer]]`` table per person with ``name``, ``agreed_to_be_named``
    (true/false), ``role`` and ``[reviewer.answers]`` keyed by :data:`QUESTION_IDS`.
    Markdown: one ``## Reviewer: NAME`` section per person, a line
    ``agreed to be named: yes|no`` (or ``naam noemen: ja|nee``), and one ``### <question id>``
    heading per answer.

    Raises
    ------
    ReviewPackError
        For an unreadable file, an unknown question id or a missing consent line (rule
        REVIEW-FILE, naming the file, the place, the value and the fix).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.md"
    >>> _ = p.write_text("## Reviewer: Noor\\nnaam noemen: ja\\n### fair\\nJa, redelijk.\\n")
    >>> read_reviews(p)[0]["answers"]
    {'fair': 'Ja, redelijk.'}
    """
    p = Path(path)
    if not p.is_file():
        raise _bad(p, "does not exist", str(p), "give the answers file the reviewers filled in")
    text = p.read_text(encoding="utf-8")
    reviewers: list[dict[str, Any]] = []
    if p.suffix.lower() == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise _bad(p, "is not valid TOML", str(exc), "fix the line named") from exc
        for i, r in enumerate(data.get("reviewer", []), start=1):
            if not isinstance(r.get("agreed_to_be_named"), bool):
                raise _bad(p, f"reviewer {i}: agreed_to_be_named", r.get("agreed_to_be_named"),
                           "write true or false")  # fmt: skip
            reviewers.append(
                {"name": str(r.get("name", "")), "agreed_to_be_named": r["agreed_to_be_named"],
                 "role": str(r.get("role", "")), "answers": dict(r.get("answers", {}))}
            )  # fmt: skip
    else:
        for i, block in enumerate(re.split(r"(?m)^##\s+", text)[1:], start=1):
            head, _, body = block.partition("\n")
            name = head.split(":", 1)[1].strip() if ":" in head else ""
            consent = re.search(r"(?im)^(?:agreed to be named|naam noemen)\s*:\s*(\w+)", body)
            if consent is None:
                raise _bad(p, f"reviewer {i}", head.strip(),
                           "add a line 'agreed to be named: yes' or 'no'")  # fmt: skip
            answers = {}
            for part in re.split(r"(?m)^###\s+", body)[1:]:
                qid, _, answer = part.partition("\n")
                answers[qid.strip()] = re.sub(r"[ \t\r\n]+", " ", answer).strip()
            reviewers.append(
                {"name": name, "agreed_to_be_named": consent.group(1).lower() in {"yes", "ja"},
                 "role": "", "answers": answers}
            )  # fmt: skip
    for i, r in enumerate(reviewers, start=1):
        for qid in r["answers"]:
            if qid not in QUESTION_IDS:
                raise _bad(p, f"reviewer {i}: question", qid,
                           f"use one of {', '.join(QUESTION_IDS)}")  # fmt: skip
    if not reviewers:
        raise _bad(
            p, "holds no reviewer", "", "add one [[reviewer]] table or '## Reviewer:' section"
        )
    return reviewers


def lived_experience_section(
    reviewers: list[dict[str, Any]], *, date: str | None = None
) -> dict[str, Any]:
    """The card's ``lived_experience`` data from reviewers' answers (names only with consent)."""
    out = []
    for i, r in enumerate(reviewers, start=1):
        named = bool(r.get("agreed_to_be_named")) and bool(str(r.get("name", "")).strip())
        out.append(
            {
                "name": str(r["name"]).strip() if named else f"reviewer {i}",
                "named": named,
                "role": r.get("role", ""),
                "answers": {k: str(v) for k, v in r.get("answers", {}).items() if str(v).strip()},
            }
        )
    return {"took_place": True, "date": date, "reviewers": out, "questions": list(QUESTION_IDS)}


def involvement_text(section: dict[str, Any], lang: str = "en") -> str:
    """TRIPOD+AI item 19 (involvement of people with lived experience) for a review section.

    The card data store the English text; the card shows it in its own language.

    Examples
    --------
    >>> s = lived_experience_section([{"name": "Noor", "agreed_to_be_named": True}])
    >>> involvement_text(s, "en")[:20]
    'People with lived ex'
    """
    text = _env(lang).get_template("review/involvement.txt.j2").render(s=section)
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def apply_reviews(
    card: dict[str, Any], reviewers: list[dict[str, Any]], *, date: str | None = None
) -> dict[str, Any]:
    """A copy of the card with the review in ``lived_experience`` and TRIPOD+AI item 19 answered.

    Examples
    --------
    >>> from earlysignal.card import new_card, validate_card
    >>> card = new_card(run_id="r1", experiment="e", run_name="n", outcome="breakdown",
    ...                 horizon_days=180)
    >>> new = apply_reviews(card, [{"name": "Noor", "agreed_to_be_named": True,
    ...                             "answers": {"fair": "Ja"}}])
    >>> validate_card(new)
    >>> new["ethics"]["lived_experience_involvement"][:20]
    'People with lived ex'
    """
    new = dict(card)
    section = lived_experience_section(reviewers, date=date)
    new["lived_experience"] = section
    ethics = dict(new.get("ethics", {}))
    ethics["lived_experience_involvement"] = involvement_text(section, "en")
    new["ethics"] = ethics
    path = "ethics.lived_experience_involvement"  # the review's text replaces the organisation's
    if any(path in t for t in (new.get("translations") or {}).values()):
        kept = {
            lang: {p: v for p, v in texts.items() if p != path}
            for lang, texts in new["translations"].items()
        }
        new["translations"] = {lang: texts for lang, texts in kept.items() if texts}
    return new
