"""Score today's children with a logged model: ranked table, signal sheets, overview page.

:func:`score` validates the care history, refuses data the model does not know (rules S04 to
S08 below), finds the children in placement on the as-of date (:mod:`earlysignal.cohort`),
builds their features as of that date with the model's own specs, and writes to ``out``:

- ``ranked.csv`` and ``ranked.parquet``: one row per child, highest risk first, with the
  Venn-ABERS interval, whether the card's decision rule flags the child, and the top
  contributions (feature and log-odds contribution);
- ``sheets/<child_id>.html`` and ``.md``: one signal sheet per flagged child
  (:mod:`earlysignal.explain.sheet`);
- ``overview.html`` and ``scoring.json``: what was scored, with which model, how many flagged.

A partitioned folder (:mod:`earlysignal.data.partitions`) is scored one partition of children
in memory at a time, with the same outputs (:mod:`earlysignal.scoring.partitioned`).

Everything is written to a staging folder first and moved into place at the end: an error
leaves nothing half written. The outputs stay on the user's disk; the MLflow run of a scoring
records counts (rounded to 5), the score distribution and the model version only.

Rules (each error names its id): S01 unknown model, S02 unknown feature specs, S03 model files
changed, S04 data invalid or lacking what the model's features need, S05 vocabulary unknown to
the model, S06 data dated after the as-of date, S07 data outside the model's scope (another
source) without ``override``, S08 nobody in placement on the as-of date, S09 output folder not
empty.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.data.partitions import ROW
from earlysignal.scoring.model_ref import LoadedModel, ScoringError, load_scoring_model

if TYPE_CHECKING:
    from earlysignal.data.validate import ValidationReport
    from earlysignal.scoring.vocabulary import ModelVocabulary

__all__ = ["ScoreResult", "check_scope", "score", "score_frame"]


@dataclass(frozen=True)
class ScoreResult:
    """What a scoring wrote: the folder, the ranked table and the summary facts."""

    out: Path
    ranked: pl.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    run_id: str | None = None


def check_scope(
    loaded: LoadedModel,
    history: CareHistory,
    as_of: date,
    *,
    override: str | None = None,
    vocabulary: pl.DataFrame | None = None,
) -> list[str]:
    """Refuse data the model does not know or must not be used on; return the overridden rules.

    S04: a child attribute or a table the specs need is missing. S05: event or status kinds
    outside the model's recorded vocabulary (:mod:`earlysignal.scoring.vocabulary`), or kinds
    its features count that the data never record; the message counts their records and
    children. S06: records dated after ``as_of``. S07: data from another source than the
    model's training data. S05 and S07 can be overridden (``override`` gives the reason,
    recorded); S04 and S06 cannot. ``vocabulary`` is the data's
    :func:`~earlysignal.scoring.vocabulary.vocabulary_report` when already computed.
    """
    from earlysignal.scoring.vocabulary import model_vocabulary, vocabulary_report

    _check_attributes(loaded, history.children.columns)
    _refuse_late(_late_rows(history.tables(), as_of), as_of, history.observed_until)
    known = model_vocabulary(loaded.specs, loaded.metadata)
    _check_statuses(known, has_statuses=history.statuses is not None)
    report = vocabulary if vocabulary is not None else vocabulary_report(history, known)
    return _scope_verdict(loaded, report, known, history.meta.get("source"), override)


def _check_attributes(loaded: LoadedModel, columns: Sequence[str]) -> None:
    """S04: every child attribute the model's specs read is a column of ``children``."""
    for spec in loaded.specs:
        attribute = getattr(spec, "attribute", None)
        if attribute is not None and attribute not in columns:
            raise ScoringError(
                f"scoring rule S04 'model features present': the model's feature "
                f"{spec.name!r} needs children.{attribute}, which the data lack; supply that "
                "column or score with a model trained without it"
            )


_DATED = (("placements", ("start", "end")), ("events", ("date",)), ("statuses", ("start",)))
"""The dated columns rule S06 reads, in the order it reports them."""


def _late_rows(
    tables: Mapping[str, pl.DataFrame], as_of: date
) -> list[tuple[str, str, int, Any, Any, int]]:
    """Rule S06's findings: per dated column with records after ``as_of``, its first such row.

    Each finding is ``(table, column, row, child_id, value, rows)``: the 1-based row (the
    cohort-wide ``__row`` of a partition, when the table carries it), and how many rows of
    the table are late in that column.
    """
    late = []
    for table, cols in _DATED:
        frame = tables.get(table)
        if frame is None:
            continue
        indexed = frame if ROW in frame.columns else frame.with_row_index(ROW, offset=1)
        for col in cols:
            if col in frame.columns and frame.height:
                rows = indexed.filter(pl.col(col) > as_of)
                if rows.height:
                    r = rows.row(int(rows[ROW].arg_min() or 0), named=True)
                    late.append((table, col, int(r[ROW]), r["child_id"], r[col], rows.height))
    return late


def _refuse_late(
    late: Sequence[tuple[str, str, int, Any, Any, int]], as_of: date, observed_until: date
) -> None:
    """Raise rule S06 on the first of :func:`_late_rows`' findings, if any."""
    if late:
        table, col, row, child, value, n = late[0]
        raise ScoringError(
            f"scoring rule S06 'nothing after --as-of': {table} row {row} (child {child}): "
            f"{col} = {value} ({n} such rows) is after the as-of date "
            f"{as_of}; score as of a later date (the extraction date "
            f"{observed_until}) or remove the later records"
        )


def _check_statuses(known: ModelVocabulary, *, has_statuses: bool) -> None:
    """S04: a model whose features read statuses needs a statuses table."""
    if known.statuses and not has_statuses:
        raise ScoringError(
            "scoring rule S04 'model features present': the model's features read the "
            f"statuses table (flags for status kinds {list(known.status_kinds)}), which the "
            "data lack; supply statuses.parquet (or .csv) or score with a model trained "
            "without statuses"
        )


def _scope_verdict(
    loaded: LoadedModel,
    report: pl.DataFrame,
    known: ModelVocabulary,
    source: Any,
    override: str | None,
) -> list[str]:
    """S05 (vocabulary ``report``) and S07 (data ``source``): refuse, or the overridden rules."""
    problems = [("S05", text) for text in _vocabulary_problems(report, known.event_kinds)]
    trained_on = loaded.metadata.get("data_source")
    if trained_on is not None and source != trained_on:
        problems.append(
            (
                "S07",
                f"data from source {source!r}, while the model card says the "
                f"model was trained on {trained_on!r} and not validated "
                "elsewhere",
            )
        )
    if problems and override is None:
        rule, text = problems[0]
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise ScoringError(
            f"scoring rule {rule} '{'vocabulary known' if rule == 'S05' else 'model in scope'}': "
            f"the data hold {text}{more}. Score with a model trained on such data, or, if you "
            "have checked that the model still applies, pass --override REASON (recorded)"
        )
    return [f"{rule}: {text}" for rule, text in problems]


def _vocabulary_problems(report: pl.DataFrame, known_events: tuple[str, ...]) -> list[str]:
    """The S05 findings of a vocabulary report, each with its records and children counted."""

    def listed(rows: pl.DataFrame) -> str:
        return ", ".join(
            f"{r['kind']!r} ({r['rows']} records, {r['children']} children)"
            for r in rows.iter_rows(named=True)
        )

    out = []
    for table, noun in (("events", "event kinds"), ("statuses", "status kinds")):
        mine = report.filter(pl.col("table") == table)
        unknown = mine.filter(pl.col("finding") == "unknown")
        if unknown.height:
            seen = f" (it knows {list(known_events)})" if table == "events" else ""
            out.append(f"{noun} the model never saw{seen}: {listed(unknown)}")
        absent = mine.filter(pl.col("finding") == "absent")
        if absent.height:
            out.append(
                f"no record of {noun} {absent['kind'].to_list()} that the model's features "
                "count (their features would all be 0 or 'never')"
            )
    return out


def _placed_on(history: CareHistory, as_of: date) -> pl.DataFrame:
    """The children in a (non-temporary) placement on ``as_of``, with that placement."""
    from earlysignal.cohort import attach_placement

    times = pl.DataFrame({"child_id": history.children["child_id"]}).with_columns(
        pl.lit(as_of).alias("prediction_time")
    )
    return attach_placement(history, times).filter(pl.col("placement_id").is_not_null())


def _nobody_placed(as_of: date, observed_until: date) -> ScoringError:
    return ScoringError(
        f"scoring rule S08 'someone to score': no child is in a (non-temporary) placement "
        f"on {as_of}; check the as-of date (the data run to {observed_until})"
    )


def score_frame(
    loaded: LoadedModel, history: CareHistory, as_of: date, *, placed: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The children in placement on ``as_of`` with their features as of that date.

    ``placed``: the children in placement on ``as_of`` with their placement, when already
    computed.
    """
    from earlysignal.features import build_features

    if placed is None:
        placed = _placed_on(history, as_of)
    if placed.height == 0:
        raise _nobody_placed(as_of, history.observed_until)
    # a child's features read only that child's records: build them from the children scored
    # (the same values, for half the work when half the children have left care)
    # (not for persona features: their personas are refitted from every child's pathway)
    from earlysignal.features.specs import PersonaFeatureError, PersonaMembership

    personas = any(isinstance(s, PersonaMembership) for s in loaded.specs)
    if placed.height < history.children.height and not personas:
        history = history.subset(placed["child_id"])

    try:
        frame = build_features(
            history, placed.select("child_id", "prediction_time"), list(loaded.specs), outcomes=()
        )
    except PersonaFeatureError as err:  # persona features refit from these data (issue 19)
        raise ScoringError(f"scoring rule S04 'model features present': {err}") from None
    missing = [n for n in loaded.feature_names if n not in frame.columns]
    if missing:
        raise ScoringError(
            f"scoring rule S04 'model features present': the model's features {missing[:5]} "
            "cannot be built from these data and specs; score with the matching model"
        )
    return frame


def _threshold(meta: Mapping[str, Any], risk: np.ndarray) -> tuple[Any, str]:
    """The saved decision rule (``CapacityRule``; a model saved before the score threshold
    existed flags ``risk >= threshold``) and its kind."""
    from earlysignal.models.decision import CapacityRule

    if meta.get("threshold") is None:
        raise ScoringError("scoring rule S02: the model carries no decision threshold; re-run")
    rule = CapacityRule.from_metadata(meta)
    return rule, "capacity" if rule.capacity is not None else "threshold"


def _sheets(  # noqa: PLR0917
    loaded: LoadedModel,
    frame: pl.DataFrame,
    contrib: Any,
    risk: np.ndarray,
    interval: tuple[np.ndarray, np.ndarray] | None,
    rows: np.ndarray,
    n_factors: int,
    lang: str = "en",
) -> list[Any]:
    from earlysignal.explain.sheet import Factor, SignalSheet, _descriptions, phrase
    from earlysignal.scoring.compute import sheet_factors

    desc = _descriptions(list(loaded.specs), lang)
    names = list(loaded.feature_names)
    ids = frame["child_id"].gather(rows).to_list()
    times = frame["prediction_time"].gather(rows).to_list()
    ups, downs = sheet_factors(contrib.values[rows], n_factors)
    texts: dict[tuple[int, float], str] = {}  # many children share a value: phrase it once
    out = []
    for r, i in enumerate(rows):
        now, values = contrib.values[i], contrib.data[i]
        up, down = ups[r], downs[r]

        def factor(j: int, values: np.ndarray = values, now: np.ndarray = now) -> Factor:
            v = float(values[j])
            key = (j, v)
            text = texts.get(key)
            if text is None:
                text = texts[key] = phrase(names[j], v, desc, lang)
            return Factor(names[j], v, text, float(now[j]))

        out.append(
            SignalSheet(
                child_id=str(ids[r]),
                prediction_time=times[r],
                outcome=str(loaded.metadata.get("outcome", "breakdown")).replace("_", " "),
                horizon_days=loaded.metadata.get("horizon_days"),
                risk=float(risk[i]),
                interval=None
                if interval is None
                else (float(interval[0][i]), float(interval[1][i])),
                raising=tuple(factor(j) for j in up),
                lowering=tuple(factor(j) for j in down),
                changes=(),
                previous_time=None,
                previous_risk=None,
                lang=lang,
            )
        )
    return out


@functools.cache
def _template(name: str, lang: str = "en") -> Any:
    """A compiled template in ``lang`` (compiled once: thousands of sheets per scoring).

    The overview page is in ``scoring/templates`` and speaks the language through
    :func:`earlysignal.i18n.jinja_env`.
    """
    from jinja2 import PackageLoader

    from earlysignal.i18n import jinja_env

    loader = PackageLoader("earlysignal.scoring", "templates")
    return jinja_env(lang, loader, autoescape=name.endswith(".html.j2")).get_template(name)


def _render(name: str, lang: str = "en", **data: Any) -> str:
    if name in ("sheet.html", "sheet.md"):  # the sheet's own templates, in the sheet's language
        from earlysignal.explain.sheet import render_sheet

        return render_sheet(data["sheet"], name.removeprefix("sheet."))
    return str(_template(name, lang).render(**data))


def _stage_and_move(staged: Path, target: Path) -> None:
    if target.exists():
        os.rmdir(target)  # empty (checked before)
    os.replace(staged, target)


def score(
    model: str | Path | LoadedModel,
    data: CareHistory | str | Path,
    *,
    as_of: date,
    out: str | Path,
    override: str | None = None,
    tracking_uri: str | None = None,
    log_run: bool = True,
    n_factors: int = 3,
    lang: str | None = None,
) -> ScoreResult:
    """Score the children in placement on ``as_of`` and write the table, sheets and overview.

    Parameters
    ----------
    model
        A run id, a ``models:/`` or ``runs:/`` URI, a model folder, or a loaded model.
    data
        A care history or a canonical folder (validated strictly), or a partitioned folder
        (:mod:`earlysignal.data.partitions`), scored one partition in memory at a time with
        the same outputs (:func:`earlysignal.scoring.partitioned.score_partitioned`).
    as_of
        The scoring date: features use only facts dated strictly before it.
    out
        The output folder (new or empty); written only when everything succeeded.
    override
        The reason for using the model outside its card's scope (recorded); ``None`` refuses.
    tracking_uri, log_run
        Where the scoring run is logged (counts, score distribution, model version).
    n_factors
        Contributions listed per child and direction.
    lang
        Language of the sheets and the overview page (``"en"`` or ``"nl"``); by default the
        language of the study's model card (``[card] language``, saved with the model).

    Raises
    ------
    ScoringError
        Rules S01 to S09 (see the module docs).
    """
    from earlysignal.disclosure import round_count
    from earlysignal.scoring.vocabulary import model_vocabulary, vocabulary_report

    target, loaded, lang = _open_scoring(model, out, tracking_uri, lang)
    if not isinstance(data, CareHistory):
        from earlysignal.data.partitions import is_partitioned

        if is_partitioned(data):  # one partition of children in memory at a time
            from earlysignal.scoring.partitioned import score_partitioned

            return score_partitioned(
                loaded,
                data,
                as_of=as_of,
                out=target,
                override=override,
                tracking_uri=tracking_uri,
                log_run=log_run,
                n_factors=n_factors,
                lang=lang,
            )
    clock = {"start": time.perf_counter()}
    history = _history(data)
    clock["validate"] = time.perf_counter()
    known = model_vocabulary(loaded.specs, loaded.metadata)
    findings = vocabulary_report(history, known)
    overridden = check_scope(loaded, history, as_of, override=override, vocabulary=findings)
    frame = score_frame(loaded, history, as_of)
    clock["features"] = time.perf_counter()
    rows = _score_rows(
        loaded, frame, n_factors, lang, tick=lambda step: clock.update({step: time.perf_counter()})
    )
    ranked = _rank(rows.table.lazy()).collect()
    summary = _scoring_summary(
        loaded,
        as_of=as_of,
        decision_rule=rows.decision_rule,
        risk=rows.risk,
        flagged=rows.flagged,
        override=override,
        overridden=overridden,
        known=known,
        findings=findings,
        observed_until=history.observed_until,
        lang=lang,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        ranked.write_csv(staged / "ranked.csv")
        ranked.write_parquet(staged / "ranked.parquet")
        (staged / "sheets").mkdir()
        names = _write_sheets(staged / "sheets", rows.sheets, lang)
        _write_overview(staged, summary, as_of, lang, ranked.head(50), n_factors, names)
        _stage_and_move(staged, target)
        clock["write"] = time.perf_counter()
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    steps = list(clock)
    summary["durations_s"] = {b: clock[b] - clock[a] for a, b in itertools.pairwise(steps)}
    run_id = None
    if log_run:
        run_id = _log_scoring(summary, loaded, tracking_uri, round_count)
    return ScoreResult(out=target, ranked=ranked, summary=summary, run_id=run_id)


def _open_scoring(
    model: str | Path | LoadedModel, out: str | Path, tracking_uri: str | None, lang: str | None
) -> tuple[Path, LoadedModel, str]:
    """Refuse a used output folder (S09), load the model, settle the language."""
    target = Path(out)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScoringError(
            f"scoring rule S09 'empty output folder': {target} exists and is not empty; give "
            "a new folder so that no earlier scoring is mixed with this one"
        )
    loaded = (
        model
        if isinstance(model, LoadedModel)
        else load_scoring_model(model, tracking_uri=tracking_uri)
    )
    return target, loaded, _language(lang, loaded)


SCORE_COLUMN = "__score__"
"""The model's raw score in a scored frame: ranks equal risks, never written out."""


@dataclass(frozen=True)
class _ScoredRows:
    """The numbers of a frame of children (a cohort, or one partition of it).

    ``table`` holds the ranked table's columns but ``rank``, in the frame's order, plus the raw
    score (``SCORE_COLUMN``, which ranks ties and is not written); ``sheets``
    the signal sheets of the flagged; ``risk`` every child's risk (for the quantiles).
    """

    table: pl.DataFrame
    sheets: list[Any]
    risk: np.ndarray
    flagged: int
    decision_rule: dict[str, Any]


def _score_rows(
    loaded: LoadedModel,
    frame: pl.DataFrame,
    n_factors: int,
    lang: str,
    *,
    tick: Callable[[str], None] = lambda step: None,
) -> _ScoredRows:
    """Risk, interval, flag, contributions and sheets of every child of ``frame``.

    Each child's numbers read only that child's row (and the model), so a cohort scored in
    parts gets the same numbers. ``tick(step)`` is called after ``risk``, ``contributions``
    and ``sheets``.
    """
    from earlysignal.explain import contributions
    from earlysignal.explain.contributions import feature_matrix
    from earlysignal.scoring.compute import (
        SCORING_MAX_UNIQUE_DEPTH,
        risk_interval_and_score,
        top_factors,
    )

    names = list(loaded.feature_names)
    m = loaded.model
    risk, interval, raw = risk_interval_and_score(m, frame.select(names))
    decision, rule = _threshold(loaded.metadata, risk)
    flagged = decision.flag(risk, raw)  # ties in risk broken by the raw score
    threshold = decision.risk_threshold
    tick("risk")
    x, _ = feature_matrix(frame, names)
    contrib = contributions(m, x, feature_names=names, max_unique_depth=SCORING_MAX_UNIQUE_DEPTH)
    tick("contributions")
    top = top_factors(contrib.values, names, n_factors)
    table = pl.DataFrame(
        {
            "child_id": frame["child_id"],
            "as_of": frame["prediction_time"],
            "placement_id": frame["placement_id"],
            "setting": frame["setting"],
            "risk": risk,
            "risk_lower": interval[0] if interval else np.full(len(risk), np.nan),
            "risk_upper": interval[1] if interval else np.full(len(risk), np.nan),
            "flagged": flagged,
            **top,
        }
    ).with_columns(pl.col(f"factor_{k + 1}_contribution").fill_nan(None) for k in range(n_factors))
    table = table.with_columns(pl.Series(SCORE_COLUMN, raw))  # ranks ties; dropped by _rank
    flagged_rows = np.flatnonzero(flagged)
    sheets = _sheets(loaded, frame, contrib, risk, interval, flagged_rows, n_factors, lang)
    tick("sheets")
    decision_rule = {
        "kind": rule,
        "threshold": threshold,
        "score_threshold": decision.score_threshold,
        "capacity": loaded.metadata.get("capacity"),
    }
    return _ScoredRows(table, sheets, risk, int(flagged.sum()), decision_rule)


def _rank(table: pl.LazyFrame) -> pl.LazyFrame:
    """The ranked table: highest risk first, equal risks by the raw score as the decision rule
    flags them (then ``child_id``), ``rank`` from 1; the raw score column is dropped."""
    ranked = (
        table.sort(["risk", SCORE_COLUMN, "child_id"], descending=[True, True, False])
        .drop(SCORE_COLUMN)
        .with_columns(pl.int_range(1, pl.len() + 1).alias("rank"))
    )
    columns = ranked.collect_schema().names()
    return ranked.select("rank", *[c for c in columns if c != "rank"])


def _scoring_summary(
    loaded: LoadedModel,
    *,
    as_of: date,
    decision_rule: Mapping[str, Any],
    risk: np.ndarray,
    flagged: int,
    override: str | None,
    overridden: list[str],
    known: ModelVocabulary,
    findings: pl.DataFrame,
    observed_until: date,
    lang: str,
) -> dict[str, Any]:
    """What ``scoring.json`` says (and, aggregated and rounded, the scoring run)."""
    return {
        "as_of": as_of.isoformat(),
        "model": loaded.reference,
        "model_version": loaded.version,
        "outcome": loaded.metadata.get("outcome"),
        "horizon_days": loaded.metadata.get("horizon_days"),
        "decision_rule": dict(decision_rule),
        "children_scored": len(risk),
        "children_flagged": flagged,
        "risk_quantiles": {str(q): float(np.quantile(risk, q)) for q in (0.1, 0.5, 0.9)},
        "override": None if override is None else {"reason": override, "rules": overridden},
        # kinds and values outside the model's vocabulary, in records and children (this
        # file stays on the user's disk; the scoring run logs none of it)
        "vocabulary": {**known.to_dict(), "findings": findings.to_dicts()},
        "data_observed_until": observed_until.isoformat(),
        "language": lang,
    }


def _write_sheets(folder: Path, sheets: Sequence[Any], lang: str) -> list[str]:
    """Write each sheet as HTML and Markdown into ``folder``; return their file stems."""
    stems = []
    for sheet in sheets:
        stem = _safe_name(sheet.child_id)
        (folder / f"{stem}.html").write_text(
            _render("sheet.html", lang, sheet=sheet), encoding="utf-8"
        )
        (folder / f"{stem}.md").write_text(_render("sheet.md", lang, sheet=sheet), encoding="utf-8")
        stems.append(stem)
    return stems


def _write_overview(  # noqa: PLR0917
    folder: Path,
    summary: Mapping[str, Any],
    as_of: date,
    lang: str,
    top: pl.DataFrame,
    n_factors: int,
    sheets: Sequence[str],
) -> None:
    """Write ``scoring.json`` and ``overview.html`` (``top``: the first ranked rows)."""
    (folder / "scoring.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    (folder / "overview.html").write_text(
        _render(
            "overview.html.j2",
            lang,
            s=summary,
            as_of=as_of,
            outcome=_outcome_text(summary["outcome"], lang),
            top=[
                {
                    **r,
                    "factors": [
                        r[f"factor_{k + 1}"] for k in range(n_factors) if r[f"factor_{k + 1}"]
                    ],
                }
                for r in top.to_dicts()
            ],
            sheets=list(sheets),
        ),
        encoding="utf-8",
    )


def _language(lang: str | None, loaded: LoadedModel) -> str:
    """``lang``, else the model card's language saved with the model, else English."""
    from earlysignal.i18n import check_language

    return check_language(lang if lang is not None else loaded.metadata.get("language"))


def _outcome_text(outcome: Any, lang: str) -> str:
    from earlysignal.explain.phrases import outcome_name

    return outcome_name(str(outcome or "breakdown"), lang)


def _safe_name(child_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in child_id)


def _history(data: CareHistory | str | Path) -> CareHistory:
    if isinstance(data, CareHistory):
        history = data
    else:
        from earlysignal.data.io import load_history

        path = Path(data)
        if not path.is_dir():
            raise ScoringError(
                f"scoring rule S04 'data folder': {path} is not a folder; give a canonical "
                "folder (Parquet or CSV with meta.json)"
            )
        history, _ = load_history(path)
    _refuse_invalid(history.validate())
    return history


def _refuse_invalid(report: ValidationReport) -> None:
    """Rule S04 'valid data' when the validation ``report`` has errors."""
    if not report.ok:
        first = report.errors.row(0, named=True)
        raise ScoringError(
            f"scoring rule S04 'valid data': the care history breaks {report.errors.height} "
            f"validation rule(s), first {first.get('rule')} {first.get('name', '')} "
            f"({first.get('table', '')} row {first.get('row', '?')}); run `earlysignal "
            "validate` on it and fix or repair the data"
        )


def _log_scoring(
    summary: Mapping[str, Any], loaded: LoadedModel, tracking_uri: str | None, round_count: Any
) -> str:
    import mlflow

    from earlysignal.models.decision import shown_threshold
    from earlysignal.tracking import tracked_run

    version = loaded.version
    tags = {"earlysignal.kind": "scoring", "earlysignal.model": loaded.reference}
    if version.get("run_id"):
        tags["earlysignal.model_run_id"] = str(version["run_id"])
    if version.get("model_id"):
        tags["earlysignal.model_id"] = str(version["model_id"])
    if summary["override"]:
        tags["earlysignal.override"] = str(summary["override"]["reason"])[:500]
    with tracked_run(
        experiment="earlysignal-scoring",
        run_name=f"score {summary['as_of']}",
        uri=tracking_uri or version.get("tracking_uri"),
        tags=tags,
    ) as run:
        mlflow.log_params(
            {
                "as_of": summary["as_of"],
                "model": loaded.reference[:250],
                "registered_version": version.get("registered_version"),
                "threshold": shown_threshold(summary["decision_rule"]["threshold"]),
            }
        )
        n = int(summary["children_scored"])
        metrics = {
            "children_scored": float(round_count(n)),
            "children_flagged": float(round_count(int(summary["children_flagged"]))),
        }
        if n >= 10:  # a distribution of fewer than 10 children is not published
            metrics.update({f"risk_q{float(q):g}": v for q, v in summary["risk_quantiles"].items()})
        mlflow.log_metrics(metrics)
        return str(run.info.run_id)
