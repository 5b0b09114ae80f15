"""The per-child signal sheet: a calibrated risk with its interval, the factors raising and lowering
it in plain language, what changed since the previous prediction time, and what it is not.

Only the pseudonymous ``child_id``, the prediction time and the model's feature values appear
on a sheet: no name, birth date or other identifying data.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from earlysignal.explain.contributions import contributions, model_feature_names
from earlysignal.explain.phrases import (
    format_feature_value,
    localized_descriptions,
    localized_missing,
    outcome_name,
)
from earlysignal.i18n import N_, check_language, gettext

__all__ = [
    "NOT_STATEMENTS",
    "SHEET_WORDS",
    "Change",
    "Factor",
    "SignalSheet",
    "phrase",
    "render_sheet",
    "signal_sheet",
]

NOT_STATEMENTS: tuple[str, ...] = (
    N_(
        "This is a signal for support, computed from what was recorded before the prediction "
        "date. It shows associations in past records, not causes."
    ),
    N_(
        "It is not a judgement about the child, the family or the carers, and not a decision: "
        "the team around the child decides, with professional judgement."
    ),
    N_(
        "Records can be incomplete or uneven (some things are recorded more often for some "
        "groups); a factor can reflect how things are recorded as well as what happened."
    ),
)
"""What every sheet says it is not (English message ids, translated when rendered)."""

SHEET_WORDS: dict[str, dict[str, str]] = {
    "strictly_increasing": {
        "raising": N_("What raises the estimate"),
        "lowering": N_("What lowers the estimate"),
        "note": N_(
            "The factors are contributions to the model's score before calibration "
            "(log-odds); the calibrated risk is a strictly increasing function of that score, "
            "so a factor that raises the score raises the risk."
        ),
    },
    "steps": {
        "raising": N_("What raises the model's score"),
        "lowering": N_("What lowers the model's score"),
        "note": N_(
            "The factors are contributions to the model's score before calibration "
            "(log-odds). The calibrated risk follows that score in steps: a higher score never "
            "gives a lower risk, but a factor can raise or lower the score without changing "
            "the risk shown above."
        ),
    },
    "not_increasing": {
        "raising": N_("What raises the model's score"),
        "lowering": N_("What lowers the model's score"),
        "note": N_(
            "The factors are contributions to the model's score before calibration "
            "(log-odds). The calibration learnt on this data does not increase with that "
            "score, so the factors do not say how the risk shown above would change: check the "
            "calibration before using this sheet."
        ),
    },
    "unknown": {
        "raising": N_("What raises the model's score"),
        "lowering": N_("What lowers the model's score"),
        "note": N_(
            "The factors are contributions to the model's score (log-odds). This model does "
            "not say how its risk follows that score, so a factor that raises the score need "
            "not raise the risk shown above."
        ),
    },
}
"""The sheet's words for each way the risk follows the score (``model.score_to_risk``):
headings of the factor lists and the note on what the factors explain (English message ids,
translated when rendered)."""

EXPLANATION_NOTE = SHEET_WORDS["strictly_increasing"]["note"]


@dataclass(frozen=True)
class Factor:
    """One feature's part in a child's score.

    Attributes
    ----------
    feature
        Column name.
    value
        The child's value (NaN when not recorded).
    text
        Plain-language phrase ("3 moves in the last 365 days").
    contribution
        Contribution to the log-odds (positive raises the risk).
    """

    feature: str
    value: float
    text: str
    contribution: float


@dataclass(frozen=True)
class Change:
    """A feature whose value changed since the previous prediction time."""

    feature: str
    before: str
    now: str
    contribution_change: float


@dataclass(frozen=True)
class SignalSheet:
    """Everything a signal sheet shows; render with :meth:`to_text` or :meth:`to_html`."""

    child_id: str
    prediction_time: date | None
    outcome: str
    horizon_days: int | None
    risk: float
    interval: tuple[float, float] | None
    raising: tuple[Factor, ...]
    lowering: tuple[Factor, ...]
    changes: tuple[Change, ...]
    previous_time: date | None
    previous_risk: float | None
    score_to_risk: str = "strictly_increasing"
    not_statements: tuple[str, ...] = field(default=NOT_STATEMENTS)
    lang: str = "en"

    @property
    def words(self) -> dict[str, str]:
        """Headings and note (English message ids) for how the risk follows the score."""
        return SHEET_WORDS[self.score_to_risk]

    @property
    def model_note(self) -> str:
        """What the factors explain, and whether they move the risk shown (in ``lang``)."""
        return gettext(self.words["note"], self.lang)

    @property
    def outcome_text(self) -> str:
        """The outcome in the sheet's language (:func:`.phrases.outcome_name`)."""
        return outcome_name(self.outcome, self.lang)

    def headline(self) -> str:
        """One sentence with the risk and its interval."""
        return str(_sentences(self)["headline"])

    def change_line(self) -> str | None:
        """How the risk moved since the previous prediction time, if there was one."""
        if self.previous_time is None or self.previous_risk is None:
            return None
        return str(_sentences(self)["change"])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "child_id": self.child_id,
            "prediction_time": None if self.prediction_time is None else str(self.prediction_time),
            "outcome": self.outcome,
            "horizon_days": self.horizon_days,
            "risk": self.risk,
            "interval": None if self.interval is None else list(self.interval),
            "raising": [f.__dict__ for f in self.raising],
            "lowering": [f.__dict__ for f in self.lowering],
            "changes": [c.__dict__ for c in self.changes],
            "previous_time": None if self.previous_time is None else str(self.previous_time),
            "previous_risk": self.previous_risk,
            "score_to_risk": self.score_to_risk,
            "model_note": self.model_note,
            "not_statements": [gettext(s, self.lang) for s in self.not_statements],
            "lang": self.lang,
        }

    def to_text(self) -> str:
        """Plain text, for a case file or an e-mail."""
        return render_sheet(self, "txt")

    def to_markdown(self) -> str:
        """Markdown (the ``.md`` sheet ``earlysignal score`` writes)."""
        return render_sheet(self, "md")

    def to_html(self) -> str:
        """One self-contained HTML page (inline style, no scripts, no external resources)."""
        return render_sheet(self, "html")


@functools.cache
def _env(lang: str, html: bool) -> Any:
    """The sheet templates' environment for a language (built once: thousands of sheets).

    Besides the filters of :func:`earlysignal.i18n.jinja_env` it has ``pct``: a risk as a
    percentage, whole (to one decimal below 1 %). Python rounds and the language's CLDR
    decimal sign and percent suffix are put in (as the card does): the same digits in every
    language, and about 30 times faster than formatting each risk with Babel. Dates are
    formatted once per day.
    """
    from jinja2 import PackageLoader

    from earlysignal.i18n import jinja_env

    env = jinja_env(lang, PackageLoader("earlysignal.explain", "templates"), autoescape=html)
    env.auto_reload = False  # package templates: no file check on every import
    env.filters["pct"] = _percent_formatter(lang)
    env.filters["date"] = functools.lru_cache(maxsize=4096)(env.filters["date"])  # same days
    return env


def _percent_formatter(lang: str) -> Any:
    from babel.numbers import get_decimal_symbol

    from earlysignal.i18n import format_percent

    decimal = get_decimal_symbol(lang)
    suffix = format_percent(0.0, lang).removeprefix("0")

    def pct(p: float) -> str:
        digits = 0 if p >= 0.01 else 1
        return f"{100 * p:.{digits}f}".replace(".", decimal) + suffix

    return pct


@functools.cache
def _static(lang: str, score_to_risk: str, html: bool) -> dict[str, Any]:
    """The texts every sheet of a language shares, rendered once (``_sheet_static.j2``)."""
    module = _env(lang, html).get_template("_sheet_static.j2").module
    words = SHEET_WORDS[score_to_risk]
    return {
        "meaning": module.meaning(),
        "about_children": module.about_children(),
        "nothing": module.nothing(),
        "changed": module.changed(),
        "none_changed": module.none_changed(),
        "not_heading": module.not_heading(),
        "raising": module.translate(words["raising"]),
        "lowering": module.translate(words["lowering"]),
        "note": module.translate(words["note"]),
        "not_statements": tuple(module.translate(s) for s in NOT_STATEMENTS),
    }


def _words(sheet: SignalSheet, html: bool) -> dict[str, Any]:
    words = _static(sheet.lang, sheet.score_to_risk, html)
    if sheet.not_statements != NOT_STATEMENTS:  # a sheet with its own statements
        module = _env(sheet.lang, html).get_template("_sheet_static.j2").module
        words = {**words, "not_statements": [module.translate(s) for s in sheet.not_statements]}
    return words


@functools.cache
def _template(lang: str, fmt: str) -> Any:
    return _env(lang, fmt == "html").get_template(f"sheet.{fmt}.j2")


_CHILD = "\x00child\x00"
"""Stands for the child id while a title is rendered (one title per language and day)."""


@functools.lru_cache(maxsize=65536)
def _text(lang: str, name: str, *args: Any) -> str:
    """One sentence of ``_sheet_texts.j2`` (cached: most sentences repeat across sheets)."""
    macro = getattr(_env(lang, False).get_template("_sheet_texts.j2").module, name)
    return str(macro(*args))


@functools.lru_cache(maxsize=16)
def _sentences(sheet: SignalSheet) -> dict[str, Any]:
    """The sentences of one sheet, made once for all its forms.

    They are plain text; the HTML template escapes them like any other value.
    """
    code = check_language(sheet.lang)
    pct = _env(code, False).filters["pct"]
    outcome, days = sheet.outcome_text, sheet.horizon_days
    lower, upper = (pct(sheet.interval[0]), pct(sheet.interval[1])) if sheet.interval else ("", "")
    change = ""
    if sheet.previous_time is not None and sheet.previous_risk is not None:
        change = _text(code, "change_line", sheet.previous_time, pct(sheet.previous_risk))
    child = sheet.child_id
    return {
        "title": _text(code, "title", _CHILD, sheet.prediction_time).replace(_CHILD, child),
        "page_title": _text(code, "page_title", _CHILD).replace(_CHILD, child),
        "headline": _text(code, "headline", outcome, days, pct(sheet.risk), lower, upper),
        "change": change,
        "frequency": _text(code, "frequency", round(100 * sheet.risk), outcome, days),
        "uncertainty": _text(code, "uncertainty", lower, upper),
        "changes": [_text(code, "change_item", c.before, c.now) for c in sheet.changes],
    }


def render_sheet(sheet: SignalSheet, fmt: str = "html") -> str:
    """Render a sheet as ``"html"``, ``"md"`` or ``"txt"`` in its language (``sheet.lang``).

    The texts are the templates in ``explain/templates`` through the gettext catalogue
    (:mod:`earlysignal.i18n`); numbers, percentages and dates follow the language.

    Examples
    --------
    >>> s = SignalSheet("c1", None, "breakdown", 180, 0.27, (0.2, 0.33), (), (), (), None, None,
    ...                 lang="nl")
    >>> render_sheet(s, "txt").splitlines()[2]
    'Geschatte kans op voortijdige beëindiging van de plaatsing binnen 180 dagen: 27\xa0% \
(waarschijnlijk tussen 20\xa0% en 33\xa0%).'
    """
    if fmt not in ("html", "md", "txt"):
        raise ValueError(f"render_sheet: fmt must be 'html', 'md' or 'txt', not {fmt!r}")
    code = check_language(sheet.lang)
    html = fmt == "html"
    return str(_template(code, fmt).render(sheet=sheet, s=_sentences(sheet), w=_words(sheet, html)))


def phrase(
    name: str, value: float, descriptions: Mapping[str, Mapping[str, str]], lang: str = "en"
) -> str:
    """Plain-language text of a feature value, from its description's ``phrase`` template.

    ``descriptions`` should be in ``lang`` already (:func:`~earlysignal.explain.phrases.
    localized_descriptions`); values are formatted for the language.

    Examples
    --------
    >>> d = {"moves_365d": {"phrase": "{value} moves in the last 365 days", "unit": "moves",
    ...                     "description": "Placement moves in the 365 days before t"}}
    >>> phrase("moves_365d", 3.0, d)
    '3 moves in the last 365 days'
    >>> phrase("moves_365d", float("nan"), d)
    'Placement moves in the 365 days before t: not recorded'
    >>> from earlysignal.explain.phrases import localized_descriptions
    >>> phrase("moves_365d", 3.0, localized_descriptions(d, "nl"), "nl")
    '3 keer verhuisd in de laatste 365 dagen'
    """
    info = descriptions.get(name)
    if lang != "en" and (info is None or math.isnan(value)):
        return (
            localized_missing(name, lang)
            if math.isnan(value)
            else f"{name}: " + (format_feature_value(value, "", lang))
        )
    if info is None:
        shown = "not recorded" if math.isnan(value) else _number(value, "")
        return f"{name} = {shown}"
    if math.isnan(value):
        return f"{info.get('description', name)}: not recorded"
    template = info.get("phrase") or (info.get("description", name) + ": {value}")
    return template.replace("{value}", format_feature_value(value, info.get("unit", ""), lang))


def _number(value: float, unit: str) -> str:
    return format_feature_value(value, unit, "en")


def _descriptions(descriptions: Any, lang: str = "en") -> dict[str, dict[str, str]]:
    if descriptions is None:
        return {}
    if isinstance(descriptions, pl.DataFrame):
        frame = descriptions
    elif isinstance(descriptions, Mapping):
        return localized_descriptions({str(k): dict(v) for k, v in descriptions.items()}, lang)
    else:
        from earlysignal.features import describe

        frame = describe(list(descriptions))
    cols = [c for c in ("phrase", "unit", "description") if c in frame.columns]
    rows: dict[str, dict[str, str]] = {
        str(row["name"]): {c: str(row[c]) for c in cols} for row in frame.iter_rows(named=True)
    }
    return localized_descriptions(rows, lang)


def _risk(model: Any, x: Any) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    risk = np.asarray(model.risk(x)) if hasattr(model, "risk") else model.predict_proba(x)[:, 1]
    interval = None
    if hasattr(model, "predict_interval"):
        try:
            lo, hi = model.predict_interval(x)
            interval = (np.asarray(lo), np.asarray(hi))
        except ValueError:
            interval = None
    return np.asarray(risk, dtype=np.float64), interval


def signal_sheet(
    model: Any,
    frame: pl.DataFrame,
    child_id: str,
    *,
    prediction_time: date | None = None,
    descriptions: pl.DataFrame | Sequence[Any] | Mapping[str, Mapping[str, str]] | None = None,
    n_factors: int = 3,
    outcome: str = "placement breakdown",
    horizon_days: int | None = None,
    id_col: str = "child_id",
    time_col: str = "prediction_time",
    lang: str = "en",
) -> SignalSheet:
    """Build the signal sheet of one child at one prediction time.

    Parameters
    ----------
    model
        A fitted risk model (ideally a ``CalibratedRiskModel``: its calibrated risk and
        Venn-ABERS interval are shown; the factors explain its base model's log-odds).
    frame
        Feature rows with ``id_col`` and ``time_col`` (e.g. from ``build_features``).
    child_id
        The pseudonymous id.
    prediction_time
        Which of the child's rows (default: the latest); the row before it is "previous".
    descriptions
        ``earlysignal.features.describe(specs)`` (or the specs, or a mapping name ->
        ``{"phrase", "unit", "description"}``) for the plain-language phrases.
    n_factors
        Factors listed in each direction.
    outcome, horizon_days
        Wording of the headline (an outcome name such as ``"breakdown"`` is shown in the
        sheet's language).
    lang
        The sheet's language (``"en"`` or ``"nl"``): its texts, phrases and number formats.

    Examples
    --------
    >>> import numpy as np, polars as pl
    >>> from datetime import date
    >>> from earlysignal.models import LogisticRiskModel
    >>> rng = np.random.default_rng(0)
    >>> X = rng.poisson(1.0, size=(300, 2)).astype(float)
    >>> y = (rng.random(300) < 1 / (1 + np.exp(-(X[:, 0] - 1)))).astype(int)
    >>> m = LogisticRiskModel().fit(pl.DataFrame(X, schema=["moves_365d", "reviews"]), y)
    >>> rows = pl.DataFrame({"child_id": ["c1", "c1"],
    ...                      "prediction_time": [date(2024, 1, 1), date(2024, 4, 1)],
    ...                      "moves_365d": [0.0, 3.0], "reviews": [1.0, 1.0]})
    >>> d = {"moves_365d": {"phrase": "{value} moves in the last 365 days", "unit": "moves"}}
    >>> sheet = signal_sheet(m, rows, "c1", descriptions=d)
    >>> sheet.raising[0].text
    '3 moves in the last 365 days'
    >>> "not a judgement" in sheet.to_text()
    True
    """
    lang = check_language(lang)
    rows = frame.filter(pl.col(id_col) == child_id)
    if rows.height == 0:
        raise KeyError(f"signal_sheet: child {child_id!r} has no rows in the features frame")
    if time_col in rows.columns:
        rows = rows.sort(time_col)
        times = rows.get_column(time_col).to_list()
        if prediction_time is None:
            pos = len(times) - 1
        elif prediction_time in times:
            pos = times.index(prediction_time)
        else:
            raise KeyError(
                f"signal_sheet: child {child_id!r} has no row at {prediction_time}; "
                f"its prediction times are {[str(t) for t in times[:10]]}"
            )
    else:
        times, pos = [None] * rows.height, rows.height - 1
    names = model_feature_names(model)
    if names is None:
        raise ValueError(
            "signal_sheet: the model does not know its feature names; fit it on a frame"
        )
    current = rows.slice(pos, 1)
    previous = rows.slice(pos - 1, 1) if pos > 0 else None
    both = current if previous is None else pl.concat([previous, current])
    contrib = contributions(model, both, feature_names=names)
    x = contrib.data
    risk, interval = _risk(model, both.select(names))
    desc = _descriptions(descriptions, lang)
    now = contrib.values[-1]
    values = x[-1]
    order_up = [j for j in np.argsort(-now, kind="stable") if now[j] > 0][:n_factors]
    order_down = [j for j in np.argsort(now, kind="stable") if now[j] < 0][:n_factors]

    def factor(j: int) -> Factor:
        return Factor(
            names[j],
            float(values[j]),
            phrase(names[j], float(values[j]), desc, lang),
            float(now[j]),
        )

    changes: list[Change] = []
    prev_time = prev_risk = None
    if previous is not None:
        prev_time = times[pos - 1]
        prev_risk = float(risk[0])
        before_vals = x[0]
        delta = now - contrib.values[0]
        changed = [
            j
            for j in range(len(names))
            if not (np.isnan(before_vals[j]) and np.isnan(values[j]))
            and before_vals[j] != values[j]
        ]
        changed.sort(key=lambda j: -abs(delta[j]))
        for j in changed[:n_factors]:
            changes.append(
                Change(
                    names[j],
                    phrase(names[j], float(before_vals[j]), desc, lang),
                    phrase(names[j], float(values[j]), desc, lang),
                    float(delta[j]),
                )
            )
    return SignalSheet(
        child_id=str(child_id),
        prediction_time=times[pos],
        outcome=outcome,
        horizon_days=horizon_days,
        risk=float(risk[-1]),
        interval=None if interval is None else (float(interval[0][-1]), float(interval[1][-1])),
        raising=tuple(factor(j) for j in order_up),
        lowering=tuple(factor(j) for j in order_down),
        changes=tuple(changes),
        previous_time=prev_time,
        previous_risk=prev_risk,
        score_to_risk=_score_to_risk(model),
        lang=lang,
    )


def _score_to_risk(model: Any) -> str:
    """How the model's risk follows its score; unknown models get the cautious words."""
    shape = getattr(model, "score_to_risk", None)
    return shape if shape in SHEET_WORDS else "unknown"
