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
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.scoring.model_ref import LoadedModel, ScoringError, load_scoring_model

__all__ = ["ScoreResult", "check_scope", "score", "score_frame"]


@dataclass(frozen=True)
class ScoreResult:
    """What a scoring wrote: the folder, the ranked table and the summary facts."""

    out: Path
    ranked: pl.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    run_id: str | None = None


def _event_kinds(specs: tuple[Any, ...]) -> set[str]:
    return {
        str(s.kind) for s in specs if hasattr(s, "kind") and type(s).__name__ != "StatusInForce"
    }


def _status_kinds(specs: tuple[Any, ...]) -> set[str]:
    return {str(s.kind) for s in specs if type(s).__name__ == "StatusInForce"}


def check_scope(
    loaded: LoadedModel, history: CareHistory, as_of: date, *, override: str | None = None
) -> list[str]:
    """Refuse data the model does not know or must not be used on; return the overridden rules.

    S04: a child attribute the specs need is missing. S05: event or status kinds the model never
    saw, or kinds its features count that the data never record. S06: records dated after
    ``as_of``. S07: data from another source than the model's training data. S05 and S07 can
    be overridden (``override`` gives the reason, recorded); S04 and S06 cannot.
    """
    for spec in loaded.specs:
        attribute = getattr(spec, "attribute", None)
        if attribute is not None and attribute not in history.children.columns:
            raise ScoringError(
                f"scoring rule S04 'model features present': the model's feature "
                f"{spec.name!r} needs children.{attribute}, which the data lack; supply that "
                "column or score with a model trained without it"
            )
    late = []
    for table, cols in (
        ("placements", ("start", "end")),
        ("events", ("date",)),
        ("statuses", ("start",)),
    ):
        frame = history.tables().get(table)
        if frame is None:
            continue
        for col in cols:
            if col in frame.columns and frame.height:
                rows = frame.with_row_index("row").filter(pl.col(col) > as_of)
                if rows.height:
                    r = rows.row(0, named=True)
                    late.append(
                        f"{table} row {r['row'] + 1} (child {r['child_id']}): {col} = "
                        f"{r[col]} ({rows.height} such rows)"
                    )
    if late:
        raise ScoringError(
            f"scoring rule S06 'nothing after --as-of': {late[0]} is after the as-of date "
            f"{as_of}; score as of a later date (the extraction date "
            f"{history.observed_until}) or remove the later records"
        )
    problems: list[tuple[str, str]] = []
    known_events = _event_kinds(loaded.specs)
    data_events = set(history.events["kind"].drop_nulls().unique().to_list())
    if new := sorted(data_events - known_events):
        problems.append(
            ("S05", f"event kinds {new} that the model never saw (it knows {sorted(known_events)})")
        )
    if gone := sorted(known_events - data_events):
        problems.append(
            (
                "S05",
                f"no record of event kinds {gone} that the model's features "
                "count (their features would all be 0)",
            )
        )
    statuses = history.tables().get("statuses")
    if statuses is not None and statuses.height:
        new_status = sorted(
            set(statuses["kind"].drop_nulls().unique().to_list()) - _status_kinds(loaded.specs)
        )
        if new_status and _status_kinds(loaded.specs):
            problems.append(("S05", f"status kinds {new_status} that the model never saw"))
    trained_on = loaded.metadata.get("data_source")
    source = history.meta.get("source")
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


def score_frame(loaded: LoadedModel, history: CareHistory, as_of: date) -> pl.DataFrame:
    """The children in placement on ``as_of`` with their features as of that date."""
    from earlysignal.cohort import attach_placement
    from earlysignal.features import build_features

    times = pl.DataFrame({"child_id": history.children["child_id"]}).with_columns(
        pl.lit(as_of).alias("prediction_time")
    )
    placed = attach_placement(history, times).filter(pl.col("placement_id").is_not_null())
    if placed.height == 0:
        raise ScoringError(
            f"scoring rule S08 'someone to score': no child is in a (non-temporary) placement "
            f"on {as_of}; check the as-of date (the data run to {history.observed_until})"
        )
    from earlysignal.features.specs import PersonaFeatureError

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


def _threshold(meta: Mapping[str, Any], risk: np.ndarray) -> tuple[float, str]:
    thr = meta.get("threshold")
    if thr is None:
        raise ScoringError("scoring rule S02: the model carries no decision threshold; re-run")
    capacity = meta.get("capacity")
    rule = "capacity" if capacity is not None else "threshold"
    return float(thr), rule


def _sheets(  # noqa: PLR0917
    loaded: LoadedModel,
    frame: pl.DataFrame,
    contrib: Any,
    risk: np.ndarray,
    interval: tuple[np.ndarray, np.ndarray] | None,
    rows: np.ndarray,
    n_factors: int,
) -> list[Any]:
    from earlysignal.explain.sheet import Factor, SignalSheet, _descriptions, phrase

    desc = _descriptions(list(loaded.specs))
    names = list(loaded.feature_names)
    ids = frame["child_id"].to_list()
    times = frame["prediction_time"].to_list()
    out = []
    for i in rows:
        now, values = contrib.values[i], contrib.data[i]
        up = [j for j in np.argsort(-now, kind="stable") if now[j] > 0][:n_factors]
        down = [j for j in np.argsort(now, kind="stable") if now[j] < 0][:n_factors]

        def factor(j: int, values: np.ndarray = values, now: np.ndarray = now) -> Factor:
            v = float(values[j])
            return Factor(names[j], v, phrase(names[j], v, desc), float(now[j]))

        out.append(
            SignalSheet(
                child_id=str(ids[i]),
                prediction_time=times[i],
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
            )
        )
    return out


@functools.cache
def _template(name: str) -> Any:
    """A compiled template (compiled once: thousands of sheets are rendered per scoring)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("earlysignal.scoring", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )
    if name == "sheet.html":  # the signal sheet's own page, from earlysignal.explain.sheet
        from earlysignal.explain.sheet import _HTML

        return Environment(autoescape=True).from_string(_HTML)
    return env.get_template(name)


def _render(name: str, **data: Any) -> str:
    return str(_template(name).render(**data))


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
) -> ScoreResult:
    """Score the children in placement on ``as_of`` and write the table, sheets and overview.

    Parameters
    ----------
    model
        A run id, a ``models:/`` or ``runs:/`` URI, a model folder, or a loaded model.
    data
        A care history or a canonical folder (validated strictly).
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

    Raises
    ------
    ScoringError
        Rules S01 to S09 (see the module docs).
    """
    from earlysignal.disclosure import round_count
    from earlysignal.explain import contributions

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
    clock = {"start": time.perf_counter()}
    history = _history(data)
    clock["validate"] = time.perf_counter()
    overridden = check_scope(loaded, history, as_of, override=override)
    frame = score_frame(loaded, history, as_of)
    clock["features"] = time.perf_counter()
    names = list(loaded.feature_names)
    x = frame.select(names)
    m = loaded.model
    risk = np.asarray(m.risk(x), dtype=np.float64)
    interval = None
    if getattr(m, "venn_abers_", None) is not None:
        lo, hi = m.predict_interval(x)
        interval = (np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64))
    threshold, rule = _threshold(loaded.metadata, risk)
    flagged = risk >= threshold
    clock["risk"] = time.perf_counter()
    contrib = contributions(m, x, feature_names=names)
    clock["contributions"] = time.perf_counter()
    order = np.argsort(-contrib.values, axis=1, kind="stable")[:, :n_factors]
    top: dict[str, Any] = {}
    for k in range(n_factors):
        idx = order[:, k]
        val = contrib.values[np.arange(len(risk)), idx]
        top[f"factor_{k + 1}"] = [
            names[j] if v > 0 else None for j, v in zip(idx, val, strict=True)
        ]
        top[f"factor_{k + 1}_contribution"] = np.where(val > 0, val, np.nan)
    ranked = pl.DataFrame(
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
    ranked = ranked.sort(["risk", "child_id"], descending=[True, False]).with_columns(
        pl.int_range(1, pl.len() + 1).alias("rank")
    )
    ranked = ranked.select("rank", *[c for c in ranked.columns if c != "rank"])
    flagged_rows = np.flatnonzero(flagged)
    sheets = _sheets(loaded, frame, contrib, risk, interval, flagged_rows, n_factors)
    clock["sheets"] = time.perf_counter()
    summary: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "model": loaded.reference,
        "model_version": loaded.version,
        "outcome": loaded.metadata.get("outcome"),
        "horizon_days": loaded.metadata.get("horizon_days"),
        "decision_rule": {
            "kind": rule,
            "threshold": threshold,
            "capacity": loaded.metadata.get("capacity"),
        },
        "children_scored": len(risk),
        "children_flagged": int(flagged.sum()),
        "risk_quantiles": {str(q): float(np.quantile(risk, q)) for q in (0.1, 0.5, 0.9)},
        "override": None if override is None else {"reason": override, "rules": overridden},
        "data_observed_until": history.observed_until.isoformat(),
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        ranked.write_csv(staged / "ranked.csv")
        ranked.write_parquet(staged / "ranked.parquet")
        (staged / "sheets").mkdir()
        for sheet in sheets:
            stem = _safe_name(sheet.child_id)
            (staged / "sheets" / f"{stem}.html").write_text(
                _render("sheet.html", sheet=sheet, change=None), encoding="utf-8"
            )
            (staged / "sheets" / f"{stem}.md").write_text(
                _render("sheet.md.j2", sheet=sheet, change=None), encoding="utf-8"
            )
        (staged / "scoring.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
        (staged / "overview.html").write_text(
            _render(
                "overview.html.j2",
                s=summary,
                top=[
                    {
                        **r,
                        "factors": [
                            r[f"factor_{k + 1}"] for k in range(n_factors) if r[f"factor_{k + 1}"]
                        ],
                    }
                    for r in ranked.head(50).to_dicts()
                ],
                sheets=[_safe_name(sh.child_id) for sh in sheets],
            ),
            encoding="utf-8",
        )
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
    report = history.validate()
    if not report.ok:
        first = report.errors.row(0, named=True)
        raise ScoringError(
            f"scoring rule S04 'valid data': the care history breaks {report.errors.height} "
            f"validation rule(s), first {first.get('rule')} {first.get('name', '')} "
            f"({first.get('table', '')} row {first.get('row', '?')}); run `earlysignal "
            "validate` on it and fix or repair the data"
        )
    return history


def _log_scoring(
    summary: Mapping[str, Any], loaded: LoadedModel, tracking_uri: str | None, round_count: Any
) -> str:
    import mlflow

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
                "threshold": summary["decision_rule"]["threshold"],
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
