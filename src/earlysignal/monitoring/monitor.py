"""``earlysignal monitor``: does a model still hold on a new extraction?

On a new extraction of the care histories, :func:`monitor` rebuilds the model's prediction
times (its own design) after the model's training data ended, scores them, and reports

- **drift** of every feature and of the score against the profile stored with the model
  (:mod:`earlysignal.monitoring.drift`);
- **performance** on the prediction times whose outcomes have matured (outcome delay, default
  the horizon): calibration-in-the-large, calibration slope, AUROC and observed/expected,
  each with a child-clustered bootstrap interval (:mod:`earlysignal.evaluate`'s metrics and
  bootstrap), on all children and on the unflagged;
- **subgroup observed/expected** for the model's audit attributes;
- **alert volume and flag rates** per period and group, in distinct children, disclosure
  controlled (:func:`earlysignal.disclosure.protect`: cells under 10 hidden, rounded to 5);
- a **verdict per stop rule** (:mod:`earlysignal.monitoring.rules`).

The HTML report (a jinja template) and ``monitoring.json`` go to ``out``; an MLflow run linked
to the model records the verdicts and summary metrics. :attr:`MonitorResult.exit_code` is 0
when no rule is breached and 1 when one is.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.monitoring.rules import (
    BREACHED,
    HOLDS,
    NOT_MEASURABLE,
    StopRule,
    judge,
    rules_from,
)
from earlysignal.scoring.model_ref import LoadedModel, ScoringError, load_scoring_model

__all__ = ["MonitorResult", "monitor"]

MIN_CHILDREN = 10
"""Groups with fewer distinct children get no published figure."""


@dataclass(frozen=True)
class MonitorResult:
    """Everything a monitoring found (tables are tidy polars frames)."""

    verdicts: pl.DataFrame
    drift: pl.DataFrame
    performance: pl.DataFrame
    subgroups: pl.DataFrame
    alerts: pl.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    out: Path | None = None
    run_id: str | None = None

    @property
    def breached(self) -> bool:
        """Whether any stop rule is breached."""
        return bool((self.verdicts["verdict"] == BREACHED).any())

    @property
    def exit_code(self) -> int:
        """0 when no rule is breached, 1 otherwise."""
        return 1 if self.breached else 0


def _design(meta: Mapping[str, Any], start: date) -> Any:
    from earlysignal.cohort import AfterPlacementStart, Schedule, YearEnds

    d = dict(meta.get("design") or {"kind": "schedule", "every_days": 91})
    kind = d.get("kind", "schedule")
    if kind == "schedule":
        return Schedule(every_days=int(d.get("every_days") or 91), start=start)
    if kind == "placement_anchored":
        return AfterPlacementStart(days=tuple(d.get("days_after_start") or (30, 91, 182)))
    month, day = (int(x) for x in str(d.get("year_end", "03-31")).split("-"))
    return YearEnds(month=month, day=day, first_year=start.year)


def _boot(  # noqa: PLR0917
    fn: Callable[..., Any],
    y: np.ndarray,
    p: np.ndarray,
    groups: np.ndarray,
    n_boot: int,
    seed: int,
    level: float = 0.95,
) -> tuple[float, float, float]:
    from earlysignal.evaluate.core import cluster_bootstrap_weights

    if y.size == 0 or y.min() == y.max():
        return float("nan"), float("nan"), float("nan")
    est = float(np.asarray(fn(y, p)).reshape(-1)[0])
    if n_boot == 0:
        return est, float("nan"), float("nan")
    reps = np.concatenate(
        [
            np.asarray(fn(y, p, w)).reshape(-1)
            for w in cluster_bootstrap_weights(groups, n_boot, seed=seed)
        ]
    )
    reps = reps[np.isfinite(reps)]
    a = (1 - level) / 2
    return est, float(np.quantile(reps, a)), float(np.quantile(reps, 1 - a))


def _oe(y: np.ndarray, p: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    if w is None:
        return np.asarray([y.sum() / p.sum()])
    return np.asarray((w @ y) / (w @ p))


def _metrics() -> dict[str, Callable[..., Any]]:
    from earlysignal.evaluate import metrics as m

    return {
        "calibration_in_the_large": m.calibration_intercept,
        "calibration_slope": m.calibration_slope,
        "auroc": m.auroc,
        "oe_ratio": _oe,
    }


def _attributes(history: CareHistory, frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    from earlysignal.cohort import age_group

    children = history.children
    cols = [c for c in names if c in children.columns and c != "age_group"]
    out = frame.join(children.select("child_id", "birth_date", *cols), on="child_id", how="left")
    if "age_group" in names:
        out = out.with_columns(age_group())
        cols.append("age_group")
    return out.with_columns(pl.col(c).cast(pl.String) for c in cols)


def monitor(
    model: str | Path | LoadedModel,
    data: CareHistory | str | Path,
    *,
    out: str | Path | None = None,
    since: date | None = None,
    tracking_uri: str | None = None,
    log_run: bool = True,
    n_boot: int = 200,
    seed: int = 0,
    rules: Sequence[StopRule] | None = None,
    lang: str | None = None,
) -> MonitorResult:
    """Monitor ``model`` on a new extraction ``data`` (see the module docs).

    Parameters
    ----------
    model
        A run id, a ``models:/`` URI, a model folder, or a loaded model.
    data
        The new extraction (care history or canonical folder).
    out
        Where the HTML report and ``monitoring.json`` go (new or empty folder); none: no files.
    since
        First monitored prediction time (default: the day after the model's training data
        ended).
    tracking_uri, log_run
        The MLflow run of the monitoring, linked to the model.
    n_boot, seed
        Bootstrap replicates (clustered by child) and seed for the intervals.
    rules
        Stop rules to judge instead of the model's own (its card's), e.g. to compare choices.
    lang
        Language of the HTML report (``"en"`` or ``"nl"``); by default the language of the
        study's model card (``[card] language``, saved with the model).
    """
    from earlysignal.cohort import prediction_times
    from earlysignal.features import build_features
    from earlysignal.monitoring.drift import drift_table
    from earlysignal.outcomes import label_name
    from earlysignal.scoring.score import _history, check_scope

    target = None if out is None else Path(out)
    if target is not None and target.exists() and any(target.iterdir()):
        raise ScoringError(
            f"monitoring rule S09 'empty output folder': {target} is not empty; give a new folder"
        )
    loaded = (
        model
        if isinstance(model, LoadedModel)
        else load_scoring_model(model, tracking_uri=tracking_uri)
    )
    meta = loaded.metadata
    from earlysignal.i18n import check_language

    lang = check_language(lang if lang is not None else meta.get("language"))
    history = _history(data)
    notes = check_scope(loaded, history, history.observed_until, override="monitoring")
    trained_until = date.fromisoformat(str(meta.get("observed_until", "1900-01-01")))
    start = since or trained_until + timedelta(days=1)
    times = prediction_times(history, _design(meta, start))
    times = times.filter(pl.col("prediction_time") >= start)
    if times.height == 0:
        raise ScoringError(
            f"monitoring rule M01 'new prediction times': the extraction (observed until "
            f"{history.observed_until}) has no prediction time from {start}; monitor a later "
            "extraction or pass an earlier --since"
        )
    outcome, horizon = str(meta.get("outcome", "breakdown")), int(meta.get("horizon_days", 180))
    k = int(meta.get("min_moves") or 2)
    label = label_name(outcome, horizon)
    from earlysignal.features.specs import PersonaFeatureError

    try:
        frame = build_features(history, times, list(loaded.specs), outcomes=[(outcome, horizon, k)])
    except PersonaFeatureError as err:  # persona features refit from these data (issue 19)
        raise ScoringError(f"monitoring rule S04 'model features present': {err}") from None
    names = list(loaded.feature_names)
    from earlysignal.models.decision import CapacityRule
    from earlysignal.scoring.compute import risk_interval_and_score

    risk, _, raw = risk_interval_and_score(loaded.model, frame.select(names))
    decision = CapacityRule.from_metadata(meta)  # ties in risk broken by the raw score
    frame = frame.with_columns(
        pl.Series("__risk__", risk), pl.Series("flagged", decision.flag(risk, raw))
    )

    drift = drift_table(meta.get("reference", {}), frame)
    attributes = [a for a in meta.get("fairness_attributes", []) if a]
    framed = _attributes(history, frame, attributes)
    attributes = [a for a in attributes if a in framed.columns]

    metrics = _metrics()
    perf_rows, sub_rows, verdict_rows = [], [], []
    rules = tuple(rules) if rules is not None else rules_from(meta.get("stop_rules"))
    delays = {r.outcome_delay_days or horizon for r in rules} | {horizon}
    for delay in sorted(delays):
        matured = framed.filter(
            pl.col(label).is_not_null()
            & (pl.col("prediction_time") + pl.duration(days=delay) <= history.observed_until)
        )
        for population in ("all", "unflagged"):
            part = matured if population == "all" else matured.filter(~pl.col("flagged"))
            y = part[label].cast(pl.Float64).to_numpy()
            p = part["__risk__"].to_numpy()
            g = part["child_id"].to_numpy()
            for metric, fn in metrics.items():
                est, lo, hi = _boot(fn, y, p, g, n_boot, seed)
                perf_rows.append(
                    {
                        "delay_days": delay,
                        "population": population,
                        "metric": metric,
                        "estimate": est,
                        "lower": lo,
                        "upper": hi,
                        "rows": part.height,
                        "children": part["child_id"].n_unique(),
                        "events": int(y.sum()),
                    }
                )
            for attr in attributes:
                for (value,), grp in part.group_by(attr, maintain_order=True):
                    if value is None:
                        continue
                    children = grp["child_id"].n_unique()
                    yy = grp[label].cast(pl.Float64).to_numpy()
                    if children < MIN_CHILDREN:
                        est = lo = hi = float("nan")
                    else:
                        est, lo, hi = _boot(
                            _oe,
                            yy,
                            grp["__risk__"].to_numpy(),
                            grp["child_id"].to_numpy(),
                            n_boot,
                            seed,
                        )
                    sub_rows.append(
                        {
                            "delay_days": delay,
                            "population": population,
                            "attribute": attr,
                            "group": str(value),
                            "children": children,
                            "events": int(yy.sum()),
                            "oe_ratio": est,
                            "lower": lo,
                            "upper": hi,
                        }
                    )
    performance = pl.DataFrame(perf_rows)
    subgroups = pl.DataFrame(
        sub_rows,
        schema={
            "delay_days": pl.Int64,
            "population": pl.String,
            "attribute": pl.String,
            "group": pl.String,
            "children": pl.Int64,
            "events": pl.Int64,
            "oe_ratio": pl.Float64,
            "lower": pl.Float64,
            "upper": pl.Float64,
        },
    )
    for i, rule in enumerate(rules):
        delay = rule.outcome_delay_days or horizon
        base = {
            "rule": i + 1,
            "metric": rule.metric,
            "lower_bound": rule.lower,
            "upper_bound": rule.upper,
            "decide_by": rule.decide_by,
            "judge_on": rule.judge_on,
            "min_events": rule.min_events,
            "delay_days": delay,
        }
        if rule.metric == "subgroup_oe":
            sub = subgroups.filter(
                (pl.col("delay_days") == delay) & (pl.col("population") == rule.judge_on)
            )
            for r in sub.iter_rows(named=True):
                v = (
                    judge(
                        rule,
                        estimate=r["oe_ratio"],
                        lower=r["lower"],
                        upper=r["upper"],
                        events=r["events"],
                    )
                    if r["children"] >= MIN_CHILDREN
                    else NOT_MEASURABLE
                )
                verdict_rows.append(
                    {
                        **base,
                        "group": f"{r['attribute']} = {r['group']}",
                        "estimate": r["oe_ratio"],
                        "lower": r["lower"],
                        "upper": r["upper"],
                        "events": r["events"],
                        "verdict": v,
                    }
                )
            if sub.height == 0:
                verdict_rows.append(
                    {
                        **base,
                        "group": "all",
                        "estimate": None,
                        "lower": None,
                        "upper": None,
                        "events": 0,
                        "verdict": NOT_MEASURABLE,
                    }
                )
            continue
        row = performance.filter(
            (pl.col("delay_days") == delay)
            & (pl.col("population") == rule.judge_on)
            & (pl.col("metric") == rule.metric)
        ).row(0, named=True)
        v = judge(
            rule,
            estimate=row["estimate"],
            lower=row["lower"],
            upper=row["upper"],
            events=row["events"],
        )
        verdict_rows.append(
            {
                **base,
                "group": "all",
                "estimate": row["estimate"],
                "lower": row["lower"],
                "upper": row["upper"],
                "events": row["events"],
                "verdict": v,
            }
        )
    verdicts = pl.DataFrame(verdict_rows, infer_schema_length=None)
    from earlysignal.ledger import current_ledger, ledger_for, use_ledger

    # the publication ledger in use, else one beside the report folder (docs/disclosure.md)
    ledger = current_ledger() or (ledger_for("auto", target.parent) if target else None)
    with use_ledger(ledger):
        alerts = _alerts(framed, attributes)
    order = {BREACHED: 2, HOLDS: 1, NOT_MEASURABLE: 0}
    by_rule: dict[int, str] = {}
    for r in verdicts.iter_rows(named=True):  # a rule is breached when any of its groups is
        prev = by_rule.get(r["rule"], NOT_MEASURABLE)
        by_rule[r["rule"]] = max(prev, r["verdict"], key=order.__getitem__)
    summary = {
        "model": loaded.reference,
        "model_version": loaded.version,
        "outcome": outcome,
        "horizon_days": horizon,
        "since": start.isoformat(),
        "observed_until": history.observed_until.isoformat(),
        "prediction_times": frame.height,
        "scope_notes": notes,
        "rules": [
            {"rule": i + 1, **r.to_dict(), "verdict": by_rule.get(i + 1, NOT_MEASURABLE)}
            for i, r in enumerate(rules)
        ],
        "major_drift": drift.filter(pl.col("level") == "major")["column"].to_list(),
        "language": lang,
    }
    result = MonitorResult(
        verdicts=verdicts,
        drift=drift,
        performance=performance,
        subgroups=subgroups,
        alerts=alerts,
        summary=summary,
    )
    if target is not None:
        _write(result, target, lang)
    run_id = _log(result, loaded, tracking_uri) if log_run else None
    return MonitorResult(**{**result.__dict__, "out": target, "run_id": run_id})


def _alerts(framed: pl.DataFrame, attributes: list[str]) -> pl.DataFrame:
    """Children scored and flagged per half-year and group, disclosure controlled.

    Counts are distinct children; each attribute's table (groups plus the period's margin) goes
    through :func:`earlysignal.disclosure.protect`; the flag rate is recomputed from the
    rounded counts, so it is never finer than they are.
    """
    from earlysignal.disclosure import protect
    from earlysignal.ledger import current_ledger

    keep = current_ledger() is not None  # the children of each count, for the ledger
    period = (
        pl.col("prediction_time").dt.year().cast(pl.String)
        + "-H"
        + ((pl.col("prediction_time").dt.month() - 1) // 6 + 1).cast(pl.String)
    )
    f = framed.with_columns(period.alias("period"))

    def counts(keys: list[str]) -> pl.DataFrame:
        ids = pl.col("child_id").cast(pl.String)
        lists = [
            ids.unique().alias("_m_children"),
            ids.filter(pl.col("flagged")).unique().alias("_m_flagged"),
        ]
        return f.group_by(keys).agg(
            pl.col("child_id").n_unique().alias("children"),
            pl.col("child_id").filter(pl.col("flagged")).n_unique().alias("flagged"),
            *(lists if keep else []),
        )

    margin = counts(["period"]).with_columns(pl.lit(None, pl.String).alias("group"))
    out = []
    for attr in ["all", *attributes]:
        t = margin
        if attr != "all":
            groups = (
                counts(["period", attr])
                .rename({attr: "group"})
                .filter(pl.col("group").is_not_null())
            )
            t = pl.concat([margin, groups.select(margin.columns)])
        t = t.with_columns(pl.lit(0.0).alias("flag_rate")).sort("period", "group", nulls_last=False)
        prot = protect(
            t,
            count_cols=["children", "flagged"],
            by=["group"],
            strata=["period"],
            members={"children": "_m_children", "flagged": "_m_flagged"} if keep else None,
            table=f"monitoring.alerts:{attr}",
        )
        out.append(
            prot.with_columns(
                pl.lit(attr).alias("attribute"),
                (pl.col("flagged") / pl.col("children")).alias("flag_rate"),
            ).select("period", "attribute", "group", "children", "flagged", "flag_rate")
        )
    return pl.concat(out)


def render_report(result: MonitorResult, lang: str = "en") -> str:
    """The monitoring report as one HTML page in ``lang`` (texts through the catalogue)."""
    from jinja2 import PackageLoader

    from earlysignal.explain.phrases import outcome_name
    from earlysignal.i18n import jinja_env

    env = jinja_env(lang, PackageLoader("earlysignal.monitoring", "templates"), autoescape=True)
    sub = result.subgroups.filter(pl.col("children") >= MIN_CHILDREN).drop("children", "events")
    return str(
        env.get_template("report.html.j2").render(
            s=result.summary,
            outcome=outcome_name(str(result.summary["outcome"]), lang),
            verdicts=result.verdicts.to_dicts(),
            drift=result.drift.to_dicts(),
            performance=result.performance.drop("rows", "children", "events").to_dicts(),
            subgroups=sub.to_dicts(),
            alerts=result.alerts.select(
                "period", "attribute", "group", "children", "flagged", "flag_rate"
            ).to_dicts(),
        )
    )


def _write(result: MonitorResult, target: Path, lang: str = "en") -> None:
    html = render_report(result, lang)
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        (staged / "monitoring.html").write_text(html, encoding="utf-8")
        (staged / "monitoring.json").write_text(
            json.dumps(result.summary, indent=1, default=str), encoding="utf-8"
        )
        if target.exists():
            target.rmdir()
        staged.replace(target)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise


def _log(result: MonitorResult, loaded: LoadedModel, tracking_uri: str | None) -> str:
    import mlflow

    from earlysignal.tracking import tracked_run

    v = loaded.version
    tags = {
        "earlysignal.kind": "monitoring",
        "earlysignal.model": loaded.reference,
        "earlysignal.verdict": "breached" if result.breached else "holds",
    }
    for key in ("run_id", "model_id"):
        if v.get(key):
            tags[f"earlysignal.model_{key}"] = str(v[key])
    with tracked_run(
        experiment="earlysignal-monitoring",
        run_name=f"monitor {result.summary['observed_until']}",
        uri=tracking_uri or v.get("tracking_uri"),
        tags=tags,
    ) as run:
        metrics = {}
        for r in result.performance.filter(pl.col("population") == "unflagged").iter_rows(
            named=True
        ):
            if r["estimate"] == r["estimate"]:
                metrics[f"unflagged.{r['metric']}_{r['delay_days']}d"] = float(r["estimate"])
        for r in result.drift.iter_rows(named=True):
            metrics[f"psi.{r['column']}"] = float(r["psi"])
        mlflow.log_metrics(metrics)
        mlflow.log_dict(result.summary, "monitoring.json")
        return str(run.info.run_id)
