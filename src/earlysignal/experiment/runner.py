"""The experiment runner: one config in, one tracked MLflow run and one model card out.

:func:`run_experiment` runs every step of a study in order (load, validate, prediction times,
features and outcomes, split, fit, calibrate, evaluate, explain, audit, save the model, write
the card), with optional rich progress bars, inside an MLflow run (:mod:`earlysignal.tracking`).
What is logged: the config (as given and resolved), flattened parameters, metrics with
95 % intervals (``auroc``, ``auroc_lower``, ``auroc_upper``, ...), dataset sizes and digests
(never the data), figures, the disclosure-controlled fairness table, the saved model (text and
JSON files, no pickle), the environment and the model card (its JSON data is the single source
the card is rendered from; :func:`render_card_from_run` re-renders it).

A run that fails or is interrupted is marked FAILED in MLflow and leaves no card behind: the
card is assembled in a temporary folder and moved into place as the very last step.

Examples
--------
>>> from earlysignal.experiment.config import load_config
>>> STEPS[:3]
('load data', 'validate', 'prediction times')
>>> card_folder_name(load_config("breakdown_180d"), "0123456789abcdef")
'breakdown_180d-01234567'
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from earlysignal.experiment.config import ExperimentConfig, load_config

if TYPE_CHECKING:
    from earlysignal.data.history import CareHistory

__all__ = [
    "STEPS",
    "ExperimentError",
    "RunResult",
    "card_folder_name",
    "render_card_from_run",
    "run_experiment",
]

STEPS: tuple[str, ...] = (
    "load data",
    "validate",
    "prediction times",
    "features and outcomes",
    "split",
    "fit",
    "calibrate",
    "evaluate",
    "explain",
    "audit",
    "save model",
    "model card",
)
"""The steps of a run, in order (each is timed and shown as a progress bar)."""

PERFORMANCE_METRICS: tuple[str, ...] = ("auroc", "auprc", "brier", "log_loss")
CALIBRATION_METRICS: tuple[str, ...] = (
    "ece",
    "calibration_slope",
    "calibration_intercept",
    "mean_risk",
    "brier_reliability",
    "brier_resolution",
)
RULE_FEATURE = "moves_365d"
"""The feature of the rule baseline: "2 or more moves in the last 365 days"."""


class ExperimentError(RuntimeError):
    """A study that cannot run on its data (names the step, what was found and the fix)."""


@dataclass(frozen=True)
class RunResult:
    """What a finished run produced.

    Attributes
    ----------
    run_id, experiment, tracking_uri
        Where the run is in MLflow.
    card_dir
        Folder holding ``model_card.md``, ``model_card.html``, ``model_card.json`` and
        ``figures/``.
    card
        The card data (as in ``model_card.json``).
    metrics
        The tidy evaluation table (``earlysignal.evaluate.EVALUATION_SCHEMA``).
    durations
        Seconds per step.
    """

    run_id: str
    experiment: str
    tracking_uri: str
    card_dir: Path
    card: dict[str, Any]
    metrics: pl.DataFrame
    durations: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """Lines for the terminal: run id, card path and how to open the MLflow UI."""
        from earlysignal.tracking import ui_command

        return "\n".join(
            [
                f"MLflow run:    {self.run_id} (experiment {self.experiment!r})",
                f"model card:    {self.card_dir / 'model_card.html'}",
                f"               {self.card_dir / 'model_card.md'}",
                f"MLflow UI:     {ui_command(self.tracking_uri)}",
            ]
        )


def card_folder_name(config: ExperimentConfig, run_id: str) -> str:
    """Name of a run's card folder: the study name and the first 8 characters of the run id."""
    return f"{config.study.name}-{run_id[:8]}"


# ----------------------------------------------------------------------------- progress


class _Steps:
    """Times each step; shows a rich progress bar when asked."""

    def __init__(self, show: bool) -> None:
        self.durations: dict[str, float] = {}
        self._progress: Any = None
        self._task: Any = None
        if show:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn("[bold blue]{task.description:<24}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )

    def __enter__(self) -> _Steps:
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task("starting", total=len(STEPS))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        if name not in STEPS:  # pragma: no cover - programming error
            raise ValueError(f"unknown step {name!r}")
        if self._progress is not None:
            self._progress.update(self._task, description=name)
        start = time.perf_counter()
        yield
        self.durations[name] = round(time.perf_counter() - start, 3)
        if self._progress is not None:
            self._progress.advance(self._task)


# ----------------------------------------------------------------------------- context


@dataclass
class _State:
    """Everything the steps pass on to each other (never logged as such)."""

    config: ExperimentConfig
    seed: int
    work: Path
    figures: Path
    card: dict[str, Any]
    history: Any = None
    simulation: Any = None
    times: Any = None
    frame: Any = None
    specs: tuple[Any, ...] = ()
    features: list[str] = field(default_factory=list)
    label: str = ""
    split: Any = None
    base: Any = None
    model: Any = None
    baselines: dict[str, Any] = field(default_factory=dict)
    metrics: Any = None
    threshold: float | None = None
    p_test: Any = None
    audit_published: list[dict[str, Any]] = field(default_factory=list)


def _say(name: str, *args: Any) -> str:
    """A reader text of the card (``earlysignal/card/templates/texts.j2``) for a card field."""
    from earlysignal.card.texts import card_text

    return card_text(name, *args)


def _iso(d: Any) -> str | None:
    return d.isoformat() if isinstance(d, date) else None


def _save_figure(state: _State, fig: Any, fig_id: str, caption: str, section: str) -> str:
    fig.savefig(state.figures / f"{fig_id}.png", dpi=90, bbox_inches="tight")
    try:
        import matplotlib.pyplot as plt

        plt.close(fig)
    except Exception:  # pragma: no cover - figures built without pyplot
        pass
    state.card["figures"].append(
        {"id": fig_id, "file": f"{fig_id}.png", "caption": caption, "section": section}
    )
    return fig_id


# ----------------------------------------------------------------------------- steps


def _load(state: _State, history: CareHistory | None, simulation: Any) -> None:
    cfg = state.config.data
    d = state.card["data"]
    if simulation is not None:
        state.simulation, state.history = simulation, simulation.history
        d["source"] = "simulated (given simulation)"
    elif history is not None:
        state.history = history
        d["source"] = "care history given in memory"
    elif cfg.source == "simulated" and cfg.population == "at_home":
        from earlysignal.synth.at_home import simulate_at_home

        state.simulation = simulate_at_home(cfg.n_children, years=cfg.years, seed=cfg.sim_seed)
        state.history = state.simulation.history
        d["source"] = (
            f"simulated by earlysignal.synth.at_home: {cfg.n_children} children at home under "
            f"a measure or in youth care over {cfg.years} years, seed {cfg.sim_seed}"
        )
    elif cfg.source == "simulated":
        from earlysignal.synth import simulate

        state.simulation = simulate(cfg.n_children, years=cfg.years, seed=cfg.sim_seed)
        state.history = state.simulation.history
        d["source"] = (
            f"simulated by earlysignal.synth: {cfg.n_children} children over {cfg.years} "
            f"years, seed {cfg.sim_seed}"
        )
    elif cfg.source == "canonical":
        from earlysignal.data.io import load_history

        assert cfg.path is not None
        state.history, report = load_history(cfg.path)
        state.card["data"]["validation"]["loaded"] = bool(report.ok)
        d["source"] = f"canonical folder ({Path(cfg.path).name})"
    elif cfg.source == "cbs":
        from earlysignal.experiment.cbs_archive import load_cbs

        state.history, items = load_cbs(cfg)
        d.update(items)
    elif cfg.source == "ijw":
        from earlysignal.experiment.archives import load_ijw
        from earlysignal.sources.ijw import source_definitions

        state.history, ijw_report, d["source"] = load_ijw(cfg)
        acc = ijw_report.message_accounting()
        d["import"] = {
            "errors": cfg.import_errors,
            "files": acc["read"],
            "rows_read": {"messages": acc["read"]},
            "duplicates_merged": {"messages": acc["duplicates_merged"]},
            "excluded": {"messages": acc["excluded"] + acc["not_read"]},
            "kept": {"messages": acc["kept"]},
            "issues": ijw_report.summary()["issues"],
        }
        d["source_definitions"] = source_definitions()
    else:
        from earlysignal.sources.ssda903 import import_ssda903

        assert cfg.path is not None
        state.history, imported = import_ssda903(cfg.path, errors=cfg.import_errors, validate=False)
        d["source"] = f"SSDA903 returns ({Path(cfg.path).name}) imported by earlysignal"
        summary = imported.summary()
        d["import"] = {
            "errors": cfg.import_errors,
            "files": len(summary["files"]),
            "rows_read": summary["rows_read"],
            "duplicates_merged": summary["duplicates_merged"],
            "excluded": summary["excluded"],
            "kept": summary["kept"],
            "issues": summary["issues"],
        }
    # an iJw archive simulated for the run (no [data] path) is simulated data too
    ijw_sim = cfg.source == "ijw" and not cfg.path and history is None and simulation is None
    d["simulated"] = state.simulation is not None or ijw_sim
    if state.simulation is not None:
        sim = state.simulation
        d["simulator"] = {
            "period_start": sim.start.isoformat(),
            "years": round((state.history.observed_until - sim.start).days / 365.25),
            # the at-home simulation has a look-back period instead of a burn-in
            "burn_in_years": int(
                getattr(sim.params, "burn_in_years", getattr(sim, "lookback_years", 0))
            ),
            "children": int(state.history.children.height),
            "seed": int(sim.seed),
            "scenario": (sim.scenario.name if getattr(sim, "scenario", None) is not None else None),
        }
    d["observed_until"] = state.history.observed_until.isoformat()
    d["counts"] = {k: int(v) for k, v in state.history.counts().items()}


def _validate(state: _State) -> None:
    from earlysignal.data.validate import DataValidationError

    report = state.history.validate()
    by_rule = {
        f"{r['rule']} {r['name']}": int(r["n"])
        for r in report.counts_by_rule().iter_rows(named=True)
    }
    state.card["data"]["validation"] = {
        "errors": report.errors.height,
        "warnings": report.warnings.height,
        "mode": state.config.data.validation,
        "by_rule": by_rule,
    }
    if not report.ok and state.config.data.validation == "strict":
        raise DataValidationError(report)


def _design(config: ExperimentConfig) -> Any:
    from earlysignal.cohort import AfterPlacementStart, Schedule, YearEnds

    d = config.design
    if d.kind == "at_home":
        from earlysignal.cohort_home import AtHomeSchedule

        return AtHomeSchedule(every_days=d.every_days, start=d.start, end=d.end)
    if d.kind == "schedule":
        return Schedule(every_days=d.every_days, start=d.start, end=d.end)
    if d.kind == "placement_anchored":
        return AfterPlacementStart(days=tuple(d.days_after_start))
    month, day = (int(x) for x in d.year_end.split("-"))
    return YearEnds(
        month=month,
        day=day,
        first_year=d.start.year if d.start else None,
        last_year=d.end.year if d.end else None,
    )


def _prediction_times(state: _State) -> None:
    from earlysignal.cohort import prediction_times_with_report

    times, report = prediction_times_with_report(state.history, _design(state.config))
    if times.height == 0:
        raise ExperimentError(
            f"step 'prediction times': the design {report.design} gives no prediction time on "
            "this history; fix [design] (period, every_days, year_end) or the data"
        )
    state.times = times
    state.card["data"]["prediction_times"] = {
        "design": report.design,
        "rows": report.rows,
        "children": report.children,
        "excluded": {k: int(v) for k, v in report.dropped.items()},
    }
    sim = state.card["data"].get("simulator")
    if sim is not None:
        start = date.fromisoformat(sim["period_start"])
        sim["burn_in_prediction_times"] = int((times["prediction_time"] < start).sum())
    state.card["data"]["period"] = {
        "first_prediction_time": _iso(times["prediction_time"].min()),
        "last_prediction_time": _iso(times["prediction_time"].max()),
        "observed_until": state.history.observed_until.isoformat(),
    }


def _sensitive_specs(state: _State) -> list[Any]:
    from earlysignal.features import ChildAttribute

    specs: list[Any] = []
    children = state.history.children
    for name in state.config.features.include_sensitive:
        if name not in children.columns:
            raise ExperimentError(
                f"[features] include_sensitive names {name!r}, but the children table has no "
                f"such column; columns: {', '.join(children.columns)}"
            )
        column = children[name]
        if column.dtype == pl.String:
            for value in sorted(column.drop_nulls().unique().to_list()):
                specs.append(ChildAttribute(name, value=value, opt_in_sensitive=True))
        else:
            specs.append(ChildAttribute(name, opt_in_sensitive=True))
    return specs


def _features(state: _State) -> None:
    from earlysignal.features import build_features, default_specs, describe, feature_vocabulary
    from earlysignal.outcomes import label_name, label_with_report
    from earlysignal.schema import SENSITIVE_ATTRIBUTES
    from earlysignal.split import fraction_boundaries

    cfg = state.config
    o = cfg.outcome
    k = o.min_moves
    # the vocabulary (event kinds, top statuses) from facts before the training period's end
    train_end = cfg.split.calibrate_from or fraction_boundaries(state.times, cfg.split.fractions)[0]
    vocabulary = feature_vocabulary(state.history, before=train_end)
    state.specs = (*default_specs(state.history, before=train_end), *_sensitive_specs(state))
    if o.name == "entry":  # no "ever" feature for families at home (features.bounded)
        from earlysignal.features.bounded import bounded_specs

        state.specs = (*bounded_specs(state.history, before=train_end), *_sensitive_specs(state))
    if cfg.features.personas:  # persona membership as of t, fitted before train_end (issue 19)
        from earlysignal.features.personas import PersonaFeatureError, persona_feature

        f = cfg.features
        try:
            spec, fit = persona_feature(
                state.history, fit_before=train_end, window=f.persona_window, k=f.persona_k,
                min_months=f.persona_min_months, seed=state.seed,
            )  # fmt: skip
        except PersonaFeatureError as err:
            raise ExperimentError(f"step 'features and outcomes': {err}") from None
        state.specs = (*state.specs, spec)
        state.card["predictors"]["personas"] = fit.summary()
    table = describe(state.specs)
    names = table["name"].to_list()
    unknown = [x for x in cfg.features.exclude if x not in names]
    if unknown:
        raise ExperimentError(
            f"[features] exclude names unknown feature(s) {unknown}; allowed values are the "
            f"default feature names: {', '.join(names)}"
        )
    state.features = [n for n in names if n not in cfg.features.exclude]
    definition = o.breakdown_definition
    state.label = label_name(o.name, o.horizon_days, definition)
    state.frame = build_features(
        state.history,
        state.times,
        state.specs,
        outcomes=[(o.name, o.horizon_days, k, definition)],
    )
    _, report = label_with_report(
        state.history, state.times, o.name, o.horizon_days, k=k, definition=definition
    )
    if o.name == "breakdown":
        from earlysignal.outcomes import breakdown_definition_summary

        state.card["outcome"]["breakdown_definition"] = breakdown_definition_summary(
            state.history, definition
        )
    state.card["outcome"]["censoring"].update(
        {
            "rows": report.rows,
            "censored": report.censored,
            "labelled": report.positives + report.negatives,
            "not_at_risk": report.not_at_risk,
            "positives": report.positives,
            "competing": report.competing,
        }
    )
    described = {r["name"]: r["description"] for r in table.iter_rows(named=True)}
    p = state.card["predictors"]
    p["count"] = len(state.features)
    p["vocabulary"] = vocabulary
    p["features"] = [{"name": n, "description": described[n]} for n in state.features]
    p["excluded_attributes"] = sorted(SENSITIVE_ATTRIBUTES - set(cfg.features.include_sensitive))
    p["included_sensitive"] = list(cfg.features.include_sensitive)
    if cfg.features.exclude:
        p["excluded_features"] = list(cfg.features.exclude)
    p["missing_data"] = _say("missing_data")


def _split(state: _State) -> None:
    from earlysignal.split import temporal_split, temporal_split_by_fraction

    s = state.config.split
    h = state.config.outcome.horizon_days
    if s.calibrate_from is not None and s.test_from is not None:
        split = temporal_split(
            state.frame,
            train_end=s.calibrate_from,
            calibrate_end=s.test_from,
            horizon=h,
            label=state.label,
            observed_until=state.history.observed_until,
        )
    else:
        split = temporal_split_by_fraction(
            state.frame,
            fractions=s.fractions,
            horizon=h,
            label=state.label,
            observed_until=state.history.observed_until,
        )
    for part in ("train", "calibrate", "test"):
        frame = split.part(part)
        n_pos = int(frame[state.label].cast(pl.Int64).sum()) if frame.height else 0
        if frame.height == 0 or n_pos in (0, frame.height):
            raise ExperimentError(
                f"step 'split': the {part} period has {frame.height} labelled rows and {n_pos} "
                "events; a model needs both events and non-events in every period. Use more "
                "children or years ([data]), a longer period, or other [split] fractions"
            )
    state.split = split
    periods = []
    t = pl.col("prediction_time")
    for r in split.summary.iter_rows(named=True):
        rows = int(r["rows"])
        pos = int(r["positives"] or 0)
        in_period = pl.lit(True)
        if r["start"] is not None:
            in_period = in_period & (t >= r["start"])
        if r["end"] is not None:
            in_period = in_period & (t < r["end"])
        # label missing (censored or not at risk) among the period's rows, whether purged or not
        missing = int(state.frame.filter(in_period & pl.col(state.label).is_null()).height)
        periods.append(
            {
                "period": r["part"],
                "from": _iso(r["start"]) or "start of data",
                "until (exclusive)": _iso(r["end"]) or "end of data",
                "rows in period": int(r["rows_in"]),
                "purged rows": int(r["purged"]) + int(r["censored"]),
                "of them censored rows (label missing)": missing,
                "kept rows": rows,
                "children": int(r["children"] or 0),
                "events (rows)": pos,
                "event rate": pos / rows if rows else None,
            }
        )
    v = state.card["validation_design"]
    v["periods"] = periods
    v["purged_rows"] = sum(int(p["purged rows"]) for p in periods)
    v["bootstrap"] = int(state.config.evaluation.bootstrap)
    v["ci_level"] = float(state.config.evaluation.ci_level)
    v["clustered_by"] = "child (all rows of a child are resampled together)"
    v["method"] = {
        "bootstrap": int(state.config.evaluation.bootstrap),
        "level": float(state.config.evaluation.ci_level),
    }
    v["description"] = _say(
        "validation_description", split.train_end.isoformat(), split.calibrate_end.isoformat(), h
    )


def _xy(state: _State, part: str) -> tuple[pl.DataFrame, Any, Any]:
    """Feature columns (a named frame, so models keep feature names), labels, child ids."""
    from earlysignal.models import to_xy

    frame = state.split.part(part)
    _, y, groups = to_xy(frame, state.features, state.label)
    return frame.select(state.features), y, groups


def _make(kind: str, state: _State) -> Any:
    from earlysignal.models import LightGBMRiskModel, LogisticRiskModel, RuleBaseline

    m = state.config.model
    if kind == "lightgbm":
        return LightGBMRiskModel(
            n_estimators=m.n_estimators,
            learning_rate=m.learning_rate,
            num_leaves=m.num_leaves,
            min_child_samples=m.min_child_samples,
            colsample_bytree=m.colsample_bytree,
            reg_lambda=m.reg_lambda,
            early_stopping_rounds=m.early_stopping_rounds,
            random_state=state.seed,
            n_jobs=m.n_jobs,
        )
    if kind == "logistic":
        return LogisticRiskModel()
    if RULE_FEATURE not in state.features:
        raise ExperimentError(
            f"the rule baseline uses feature {RULE_FEATURE!r}, which [features] exclude "
            "removed; keep it or drop 'rule' from model.baselines"
        )
    return RuleBaseline(feature=RULE_FEATURE, cutpoints=(2.0,))


_MODEL_TYPES = {
    "lightgbm": "LightGBM gradient-boosted trees (binary log loss)",
    "logistic": "L2-regularised logistic regression with imputation and standardisation",
    "rule": f"rule baseline: event rate of '{RULE_FEATURE} >= 2' cells, shrunk to the base rate",
}


def _fit(state: _State) -> None:
    X, y, groups = _xy(state, "train")
    m = state.config.model
    kinds = [m.kind, *(b for b in m.baselines if b != m.kind)]
    tuning: dict[str, Any] = {}
    for kind in kinds:
        est = _make(kind, state)
        if kind == "lightgbm":
            est.fit(X, y, groups=groups)
        elif kind == "logistic":
            # Tuned on LightGBM's early-stopping hold-out of training children (same seed).
            from earlysignal.models import tune_logistic

            search = tune_logistic(X, y, groups, random_state=state.seed)
            est, tuning["logistic"] = search.model, search.summary()
        else:
            est.fit(X, y)
        if kind == m.kind:
            state.base = est
        else:
            state.baselines[kind] = est
    md = state.card["model_details"]
    md["model_kind"] = m.kind
    md["model_type"] = _MODEL_TYPES[m.kind]
    md["hyperparameters"] = (
        {
            "n_estimators": m.n_estimators,
            "learning_rate": m.learning_rate,
            "num_leaves": m.num_leaves,
            "min_child_samples": m.min_child_samples,
            "colsample_bytree": m.colsample_bytree,
            "reg_lambda": m.reg_lambda,
            "early_stopping_rounds": m.early_stopping_rounds,
            "trees_fitted": int(state.base.n_trees_),
        }
        if m.kind == "lightgbm"
        else {}
    )
    if m.kind == "lightgbm" and m.early_stopping_rounds is not None:
        state.card["validation_design"].setdefault("method", {})["early_stopping"] = {
            "share": float(state.base.validation_fraction),
            "rounds": int(m.early_stopping_rounds),
            "trees": int(state.base.n_trees_),
        }
    if tuning:
        md["hyperparameters"]["logistic_tuning"] = tuning["logistic"]
    md["class_imbalance"] = _say("class_imbalance", float(np.mean(y)))


def _calibrate(state: _State) -> None:
    from earlysignal.models import CalibratedRiskModel

    m = state.config.model
    X, y, _ = _xy(state, "calibrate")
    md = state.card["model_details"]

    def calibrated(base: Any) -> Any:
        if m.calibration == "none":
            return base
        return CalibratedRiskModel(
            base, method=m.calibration, intervals=m.intervals == "venn_abers"
        ).fit(X, y)

    state.model = calibrated(state.base)
    state.baselines = {k: calibrated(v) for k, v in state.baselines.items()}
    md["calibration"] = (
        "none (raw model probabilities)"
        if m.calibration == "none"
        else f"{m.calibration} on the calibration period ({len(y)} rows)"
    )
    md["intervals"] = (
        "Venn-ABERS probability intervals per child"
        if m.calibration != "none" and m.intervals == "venn_abers"
        else "none"
    )
    state.card["calibration"]["method"] = _say("calibration_method", m.calibration)
    # Decision threshold: from the calibration period, never from the test period.
    d = state.config.decision
    if d.threshold is not None:
        state.threshold = d.threshold
    else:
        assert d.capacity is not None
        p_cal = state.model.risk(X)
        state.threshold = float(np.quantile(p_cal, 1.0 - d.capacity))


ORACLE_OUTCOMES: tuple[str, ...] = ("breakdown", "carousel", "return_home")
"""Outcomes the simulator's oracle knows (``earlysignal.synth.oracle_risk``)."""


def _oracle(state: _State, test: pl.DataFrame) -> tuple[Any, str]:
    """The true risk on ``test`` rows (simulated data), or ``None`` and the reason why not."""
    if state.simulation is None:
        return None, "real data have no ground truth; the oracle exists only in simulation"
    o = state.config.outcome
    if o.name in {"entry", "stable_return"} and hasattr(state.simulation, "lookback_years"):
        from earlysignal.synth.at_home_oracle import at_home_oracle

        frame = at_home_oracle(
            state.simulation, test.select("child_id", "prediction_time"), outcome=o.name,
            horizon=o.horizon_days, n_draws=20, seed=state.seed,
        )  # fmt: skip
        risk = frame["risk"].to_numpy().astype(np.float64)
        if not np.all(np.isfinite(risk)):
            return None, "the at-home oracle left rows without a risk (not in its risk set)"
        return risk, ""
    if o.name not in ORACLE_OUTCOMES:
        return None, f"the simulator's oracle does not cover the {o.name!r} outcome"
    from earlysignal.synth import oracle_risk

    times = test.select("child_id", "prediction_time")
    frame = oracle_risk(
        state.simulation, times, outcome=o.name, horizon=o.horizon_days, k=o.min_moves,
        seed=state.seed, definition=o.breakdown_definition,
    )  # fmt: skip
    risk = frame["risk"].to_numpy().astype(np.float64)  # one row per input row, in order
    bad = int(np.sum(~np.isfinite(risk) | (risk < 0) | (risk > 1)))
    if risk.shape[0] != test.height or bad:
        return None, (
            f"the oracle returned {bad} of {test.height} values that are not probabilities "
            f"(and {frame.height} rows); the oracle comparison was left out rather than "
            "computed on a subset"
        )
    return risk, ""


def _metric_rows(table: pl.DataFrame, model: str, names: tuple[str, ...], label: str) -> list[Any]:
    rows = []
    for metric in names:
        hit = table.filter((pl.col("model") == model) & (pl.col("metric") == metric))
        if hit.height:
            r = hit.row(0, named=True)
            rows.append(
                {
                    "model": label,
                    "metric": metric,
                    "value": r["estimate"],
                    "lower": r["lower"],
                    "upper": r["upper"],
                }
            )
    return rows


def _interval_verdict(diff: dict[str, Any], better_if: str) -> str:
    """``better``, ``worse``, ``same`` (interval includes zero) or ``none`` (no interval)."""
    lo, hi = diff.get("lower"), diff.get("upper")
    if lo is None or hi is None:
        return "none"
    if (lo > 0 and better_if == "higher") or (hi < 0 and better_if == "lower"):
        return "better"
    if (hi < 0 and better_if == "higher") or (lo > 0 and better_if == "lower"):
        return "worse"
    return "same"


def _evaluate(state: _State) -> None:
    from earlysignal.evaluate import evaluate, plot_decision_curve, plot_reliability, plot_roc_pr

    cfg = state.config
    name = cfg.model.kind
    test = state.split.part("test")
    X, y, groups = _xy(state, "test")
    p = state.model.risk(X)
    state.p_test = p
    baselines = {k: m.risk(X) for k, m in state.baselines.items()}
    assert state.threshold is not None
    share = float(np.mean(p >= state.threshold))
    # Workload is measured at the share the rule actually flags on the test period (not at the
    # configured capacity), so the workload table and the rule's figures are one set of numbers.
    capacity = max(share, 1e-3)
    thresholds = sorted({0.05, 0.1, 0.2, 0.3, round(state.threshold, 6)})
    common: dict[str, Any] = {
        "thresholds": thresholds,
        "capacity": (min(capacity, 1.0),),
        "n_bins": cfg.evaluation.ece_bins,
        "n_boot": cfg.evaluation.bootstrap,
        "seed": state.seed,
        "level": cfg.evaluation.ci_level,
    }
    table = evaluate(y, p, groups, model=name, baselines=baselines, **common)
    # The oracle (forward simulation) is costly: compare on a random sample of test children.
    limit = cfg.evaluation.oracle_rows
    ids = test["child_id"].unique(maintain_order=True)
    rng = np.random.default_rng(state.seed)
    keep = set(ids.to_list())
    if test.height > limit > 0:
        order = rng.permutation(ids.len())
        per_child = test.group_by("child_id", maintain_order=True).len()["len"].to_numpy()
        cum = np.cumsum(per_child[order])
        keep = set(ids.gather(order[: max(1, int(np.searchsorted(cum, limit)))]).to_list())
    mask = test["child_id"].is_in(pl.Series(list(keep), dtype=pl.String).implode()).to_numpy()
    oracle, oracle_reason = (None, "evaluation.oracle_rows = 0") if limit == 0 else (
        _oracle(state, test.filter(pl.Series(mask)))
    )  # fmt: skip
    if oracle is not None:
        sub = evaluate(y[mask], p[mask], groups[mask], model=name, oracle=oracle, **common)
        extra = sub.filter(
            pl.col("model").is_in(["oracle", f"{name} - oracle", f"{name} / oracle"])
            | ((pl.col("model") == name) & (pl.col("metric") == "auroc"))
        ).with_columns(
            pl.when(pl.col("model") == name)
            .then(pl.lit(f"{name} (oracle sample)"))
            .otherwise(pl.col("model"))
            .alias("model")
        )
        table = pl.concat([table, extra])
        state.card["performance"]["oracle_sample"] = _say(
            "oracle_sample", int(mask.sum()), test.height, len(keep)
        )
        state.card["validation_design"].setdefault("method", {}).update(
            oracle_rows=int(mask.sum()), oracle_children=len(keep), test_rows=test.height
        )
    state.metrics = table
    personas = state.card["predictors"].get("personas") or {}
    drop = [c for c in personas.get("columns", []) if c in state.features]
    if drop:  # the same model without the persona columns, on the same rows (issue 19)
        from earlysignal.evaluate.added_value import compare_predictions, refit_without

        Xc, yc, _ = _xy(state, "calibrate")
        without = refit_without(state.base, drop, train=_xy(state, "train"), calibrate=(Xc, yc),
                                calibration=cfg.model.calibration)  # fmt: skip
        p0 = without.risk(X.select([c for c in state.features if c not in drop]))
        state.card["performance"]["personas"] = compare_predictions(
            y, p, p0, groups, n_boot=cfg.evaluation.bootstrap, seed=state.seed,
            level=cfg.evaluation.ci_level,
        )  # fmt: skip
    perf = state.card["performance"]
    perf["primary_model"] = name
    metrics = _metric_rows(table, name, PERFORMANCE_METRICS, name)
    for b in baselines:
        metrics += _metric_rows(table, b, PERFORMANCE_METRICS, f"{b} (baseline)")
        metrics += _metric_rows(table, f"{name} - {b}", ("auroc", "brier"), f"{name} minus {b}")
    perf["metrics"] = metrics
    summary = []
    auroc = _metric_rows(table, name, ("auroc",), name)
    if auroc:
        a = auroc[0]
        summary.append(_say("perf_auroc", name, a))
        if a["lower"] is not None and a["lower"] <= 0.5:
            summary.append(_say("perf_chance"))
    for b in baselines:
        diff = _metric_rows(table, f"{name} - {b}", ("auroc",), "")
        if diff:
            d = diff[0]
            verdict = _interval_verdict(d, "higher")
            summary.append(_say("perf_baseline", b, d, verdict, abs(d["value"]) < 0.02))
    if oracle is not None:
        perf["oracle"] = (
            _metric_rows(table, f"{name} (oracle sample)", ("auroc",), f"{name}, same rows")
            + _metric_rows(table, "oracle", PERFORMANCE_METRICS, "oracle (true risk)")
            + _metric_rows(table, f"{name} - oracle", ("auroc",), f"{name} minus oracle")
            + _metric_rows(table, f"{name} / oracle", ("auroc_lift",), f"{name} / oracle")
        )
        from earlysignal.evaluate.worlds import oracle_worlds

        worlds = oracle_worlds(cfg.outcome.name, cfg.outcome.horizon_days)
        if worlds is not None:  # recorded benchmark figures, stated as such on the card
            perf["oracle_worlds"] = worlds
        lift = _metric_rows(table, f"{name} / oracle", ("auroc_lift",), "")
        if lift:
            summary.append(_say("perf_oracle", lift[0]))
    else:
        from earlysignal.card import NOT_MEASURED, unknown

        perf["oracle"] = unknown(NOT_MEASURED, oracle_reason)
    perf["summary"] = summary
    cal = state.card["calibration"]
    cal["metrics"] = _metric_rows(table, name, CALIBRATION_METRICS, name) + _metric_rows(
        table, "data", ("prevalence",), "observed"
    )
    preds = {name: p, **baselines}
    cal["figure"] = _save_figure(
        state,
        plot_reliability(y, preds, groups, n_bins=cfg.evaluation.ece_bins,
                         n_boot=min(cfg.evaluation.bootstrap, 100), seed=state.seed),
        "reliability",
        "Reliability diagram on the test period (equal-mass bins, 95% bands).",
        "calibration",
    )  # fmt: skip
    _save_figure(
        state, plot_roc_pr(y, preds), "roc_pr", "ROC and precision-recall curves (test period).",
        "performance",
    )  # fmt: skip
    # decision rule, workload and net benefit
    dec = state.card["decision"]
    d = cfg.decision
    thr = state.threshold
    dec["threshold"] = thr
    dec["capacity"] = d.capacity
    dec["rule"] = _say("decision_rule", d.capacity, thr, share)
    at = min(capacity, 1.0)
    workload = []
    for metric, label in (
        ("precision_at_top", "precision (share of flagged rows with the event)"),
        ("recall_at_top", "recall (share of events flagged)"),
        ("alerts_per_100_children", "alerts per 100 children over the test period"),
    ):
        hit = table.filter(
            (pl.col("model") == name) & (pl.col("metric") == metric) & (pl.col("at") == at)
        )
        if hit.height:
            r = hit.row(0, named=True)
            workload.append(
                {"measure": label, "flagged share": at, "value": r["estimate"],
                 "lower": r["lower"], "upper": r["upper"]}
            )  # fmt: skip
    dec["workload"] = workload
    nb = []
    for m_name in (name, *baselines, "treat_all", "treat_none"):
        for r in table.filter(
            (pl.col("model") == m_name) & (pl.col("metric") == "net_benefit")
        ).iter_rows(named=True):
            nb.append(
                {"model": m_name, "threshold": r["at"], "net benefit": r["estimate"],
                 "lower": r["lower"], "upper": r["upper"]}
            )  # fmt: skip
    dec["net_benefit"] = nb
    _board_figures(state, test, y, p)
    dec["figure"] = _save_figure(
        state,
        plot_decision_curve(y, preds, np.linspace(0.01, min(0.6, max(0.2, 3 * thr)), 40)),
        "decision_curve",
        "Decision curve on the test period: net benefit against treat-all and treat-none.",
        "decision",
    )


def _board_figures(state: _State, test: pl.DataFrame, y: Any, p: Any) -> None:
    """The decision rule in children, effect sizes, results by age and stop rules (card)."""
    from earlysignal.card.board import (
        competing_by_age,
        decision_in_people,
        effect_sizes,
        stop_rules,
    )
    from earlysignal.outcomes import _status_frame

    cfg = state.config
    card = state.card
    thr = float(state.threshold or 0.0)
    f = cfg.fairness
    people = decision_in_people(
        test["child_id"].to_numpy(), test["prediction_time"].to_numpy(), y, p, thr,
        caseload=cfg.decision.caseload, min_cell=f.min_cell,
    )  # fmt: skip
    card["decision"]["people"] = people
    card["decision"]["caseload"] = cfg.decision.caseload
    perf = card["performance"]
    perf["effects"] = effect_sizes(
        perf["metrics"], card["decision"]["net_benefit"], cfg.model.kind, thr
    )
    o = cfg.outcome
    keys = test.select("child_id", "prediction_time")
    status = _status_frame(
        state.history, keys, o.name, o.horizon_days, o.min_moves or 2,
        "window", o.breakdown_definition,
    )  # fmt: skip
    ages = keys.join(
        state.history.children.select("child_id", "birth_date"), on="child_id", how="left"
    ).select(
        ((pl.col("prediction_time") - pl.col("birth_date")).dt.total_days() / 365.25).alias("a")
    )
    card["outcome"]["competing_by_age"] = competing_by_age(
        ages["a"].to_numpy(), status["_status"].to_numpy(), y, p, thr, min_cell=f.min_cell,
        horizon_days=o.horizon_days,
    )  # fmt: skip
    events = people["per_run"].get("events") if people["runs"] else None
    card["monitoring"]["stop_rules"] = stop_rules(
        horizon_days=o.horizon_days, events_per_run=float(events) if events else None
    )
    # the rules as data, which `earlysignal monitor` judges ([monitoring] stop_rules)
    card["monitoring"]["stop_rules"]["rules"] = [
        r.model_dump(mode="json") for r in cfg.monitoring.stop_rules
    ]


def _described_ticks(fig: Any, described: dict[str, str]) -> Any:
    """Label a figure's feature axis with the features' descriptions (readers, not code)."""
    for ax in fig.axes:
        labels = [t.get_text() for t in ax.get_yticklabels()]
        if labels and any(x in described for x in labels):
            ax.set_yticks(ax.get_yticks(), [described.get(x, x) for x in labels])
    return fig


def _explain(state: _State) -> None:
    from earlysignal.explain import (
        beeswarm,
        contribution_bins,
        contribution_summary_plot,
        contributions,
        global_importance,
        importance_plot,
    )

    cfg = state.config
    test = state.split.part("test")
    n = min(cfg.explain.sample, test.height)
    sample = test.sample(n=n, seed=state.seed) if n < test.height else test
    contrib = contributions(state.model, sample.select(state.features))
    table = global_importance(
        contrib,
        n_boot=min(cfg.evaluation.bootstrap, 200),
        groups=sample["child_id"].to_numpy(),
        level=cfg.evaluation.ci_level,
        seed=state.seed,
    )
    described = {f["name"]: f["description"] for f in state.card["predictors"]["features"]}
    ex = state.card["explanations"]
    ex["explained_rows"] = int(n)
    ex["top_features"] = [
        {
            "rank": r["rank"],
            "feature": r["feature"],
            "description": described.get(r["feature"], ""),
            "mean |contribution|": r["mean_abs"],
            "lower": r["lo"],
            "upper": r["hi"],
            "share": r["share"],
        }
        for r in table.head(cfg.explain.top).iter_rows(named=True)
    ]
    from earlysignal.card.texts import card_items

    ex["method"] = _say(
        "explain_method", str(contrib.implementation), cfg.model.kind == "lightgbm", int(n)
    )
    ex["limits"] = card_items("explain_limits")
    ex["figure"] = _save_figure(
        state,
        _described_ticks(
            importance_plot(table, max_display=min(15, cfg.explain.top + 5)), described
        ),
        "importance",
        f"Global importance: mean |contribution| on {n} test rows, 95% bootstrap intervals.",
        "explanations",
    )
    state.card["data_protection"] = {"row_level_figures": cfg.explain.row_level_figures}
    _save_figure(
        state,
        _described_ticks(
            contribution_summary_plot(
                contribution_bins(
                    contrib,
                    sample["child_id"].to_numpy(),
                    min_children=cfg.fairness.min_cell,
                    max_display=min(12, cfg.explain.top + 2),
                )
            ),
            described,
        ),
        "contribution_summary",
        "Contributions by feature value: quartiles per bin of the feature's value, each bin "
        f"at least {cfg.fairness.min_cell} children (uncalibrated log-odds).",
        "explanations",
    )
    if cfg.explain.row_level_figures:  # opted in: row-level, and the card says so up front
        _save_figure(
            state,
            _described_ticks(
                beeswarm(contrib, max_display=min(12, cfg.explain.top + 2)), described
            ),
            "beeswarm",
            "Contributions per row and feature (colour: feature value), uncalibrated log-odds.",
            "explanations",
        )


AUDIT_COLUMNS: tuple[str, ...] = (
    "attribute", "group", "n_children", "n_children_pos", "n_rows", "base_rate", "mean_risk",
    "oe_ratio", "oe_ratio_lo",
    "oe_ratio_hi", "ece", "auroc", "selection_rate", "tpr", "fpr", "ppv", "gap_flag",
    "suppressed",
)  # fmt: skip
"""Columns of the audit shown on the card (the full published table is logged)."""

GAP_MARGIN = 0.05
"""Equivalence margin of the card's "no gap" verdict for rates at the decision rule."""


def _audit(state: _State) -> None:
    from earlysignal.disclosure import DisclosurePolicy, assert_safe
    from earlysignal.fairness import COUNTS, ROW_COUNTS, AuditSpec, audit

    cfg = state.config
    f = cfg.fairness
    test = state.split.part("test")
    _, y, _ = _xy(state, "test")
    attrs = _audit_attributes(state, test)
    frame = attrs.with_columns(
        pl.Series("child_id", test["child_id"].to_list(), dtype=pl.String),
        pl.Series("_label", y),
        pl.Series("_risk", state.p_test),
    )
    spec = AuditSpec(
        attributes=tuple(attrs.columns),
        intersections=tuple(tuple(x) for x in f.intersections),
        threshold=state.threshold,
        n_boot=f.bootstrap,
        seed=state.seed,
    )
    policy = DisclosurePolicy(min_count=f.min_cell, min_class=f.min_cell)
    result = audit(frame, spec, label="_label", risk="_risk", policy=policy)
    groups = result.groups
    assert_safe(
        groups,
        count_cols=[*COUNTS, *ROW_COUNTS],
        by=list(attrs.columns),
        row_sums={
            "n_children": ["n_children_pos", "n_children_neg"],
            "n_rows": ["n_rows_pos", "n_rows_neg"],
        },
        policy=policy,
        table="fairness audit",
    )
    assert_safe(result.metrics, policy=policy, table="fairness audit (long)")
    flags = [c for c in groups.columns if c.endswith("_flag") and c != "gap_flag"]
    suppressed = int(sum(int((groups[c] == "suppressed").sum()) for c in flags))
    sg = state.card["subgroups"]
    sg["attributes"] = list(attrs.columns)
    sg["min_cell"] = f.min_cell
    sg["suppressed_cells"] = suppressed
    sg["table"] = groups.select([c for c in AUDIT_COLUMNS if c in groups.columns]).to_dicts()
    # one value per metric on the card: the overall ECE is the calibration section's
    sg["table"] = [{k: v for k, v in r.items() if k != "ece"} for r in sg["table"]]
    from earlysignal.card.board import flagging_by_group

    sg["gap_margin"] = GAP_MARGIN
    sg["flagging"] = flagging_by_group(result.metrics.to_dicts(), margin=GAP_MARGIN)
    sg["method"] = (
        "Fairness audit on the test period (earlysignal.fairness, on fairlearn's MetricFrame): "
        "per group, calibration (observed/expected), AUROC and error rates at the "
        f"decision threshold {result.threshold:.3f}, with {f.bootstrap} child-clustered "
        "bootstrap replicates; a calibration-gap test flags groups (gap_flag). Disclosure "
        f"control: counts rounded to 5, no cell under {f.min_cell} children, complementary "
        f"suppression, rates hidden when a group has under {f.min_cell} children with or "
        "without the outcome (shown as '-'). Cells count distinct children; row counts are "
        "prediction times."
    )
    sg["note"] = (
        f"{result.n_rows} test rows audited; {result.n_excluded} excluded (label missing). "
        "Calibration and error-rate balance cannot all hold when base rates differ "
        "(Chouldechova 2017): both are shown side by side."
    )
    state.audit_published = groups.to_dicts()
    if cfg.outcome.name == "entry":  # the entry study's own ethics section (issue 20)
        from earlysignal.experiment.entry_risk import entry_risk_ethics

        state.card["ethics"]["entry_risk"] = entry_risk_ethics(
            cfg.study.purpose, cfg.study.oversight, state.specs,
            frame.with_columns((pl.col("_risk") >= state.threshold).alias("_flag")),
            list(attrs.columns), flag="_flag", min_cell=f.min_cell,
        )  # fmt: skip


def _audit_attributes(state: _State, test: pl.DataFrame) -> pl.DataFrame:
    children = state.history.children
    keep = [a for a in state.config.fairness.attributes if a in children.columns]
    frame = test.select("child_id", "prediction_time").join(
        children.select("child_id", "birth_date", *keep), on="child_id", how="left"
    )
    age = (pl.col("prediction_time") - pl.col("birth_date")).dt.total_days() / 365.25
    frame = frame.with_columns(
        pl.when(age < 12)
        .then(pl.lit("0-11"))
        .when(age < 16)
        .then(pl.lit("12-15"))
        .otherwise(pl.lit("16+"))
        .alias("age_group")
    )
    cols = [a for a in state.config.fairness.attributes if a in frame.columns]
    return frame.select([pl.col(c).cast(pl.String) for c in cols])


def _save_model(state: _State, log: Callable[[Path, str], None]) -> None:
    from earlysignal.models import save_model
    from earlysignal.monitoring.drift import profile, profiles

    folder = state.work / "model"
    o = state.config.outcome
    cal, _, _ = _xy(state, "calibrate")  # the reference for drift: aggregated bins, no rows
    reference = {**profiles(cal, state.features), "__risk__": profile(state.model.risk(cal))}
    save_model(
        state.model,
        folder,
        feature_specs=state.specs,
        metadata={
            "outcome": o.name,
            "horizon_days": o.horizon_days,
            "label": state.label,
            "train_end": state.split.train_end.isoformat(),
            "calibrate_end": state.split.calibrate_end.isoformat(),
            "feature_vocabulary": state.card["predictors"].get("vocabulary"),
            "threshold": state.threshold,
            "capacity": state.config.decision.capacity,
            "study": state.config.study.name,
            "data_source": state.history.meta.get("source", state.card["data"]["source"]),
            "observed_until": state.history.observed_until.isoformat(),
            "design": state.config.design.model_dump(mode="json"),
            "min_moves": o.min_moves,
            "stop_rules": [r.model_dump(mode="json") for r in state.config.monitoring.stop_rules],
            "fairness_attributes": list(state.config.fairness.attributes),
            "reference": reference,
        },
    )
    log(folder, "model")
    state.card["provenance"]["model_artifact"] = (
        "MLflow artifacts 'model/' of this run: text and JSON files with a SHA-256 manifest "
        "(earlysignal.models.load_model), no pickle"
    )


# ----------------------------------------------------------------------------- the card


def _fill_human_fields(card: dict[str, Any], config: ExperimentConfig) -> None:
    from earlysignal.card import unknown

    c = config.card

    def text(value: str) -> Any:
        return value if value.strip() else unknown()

    md = card["model_details"]
    md["title"] = text(c.title)
    md["description"] = text(config.study.description)
    md["owners"] = list(c.owners) if c.owners else unknown()
    md["contact"] = text(c.contact)
    card["intended_use"] = {
        "primary": text(c.intended_use),
        "out_of_scope": list(c.out_of_scope_use) if c.out_of_scope_use else unknown(),
    }
    card["human_oversight"] = text(c.human_oversight)
    card["legal"]["basis"] = text(c.legal_basis)
    card["legal"]["objection_route"] = text(c.objection_route)
    card["monitoring"] = {
        "plan": text(c.monitoring),
        "review_date": c.review_date.isoformat() if c.review_date else unknown(),
    }
    card["ethics"]["considerations"] = text(c.ethical_considerations)
    card["ethics"]["funding"] = text(c.funding)
    card["ethics"]["lived_experience_involvement"] = text(c.lived_experience_involvement)
    from earlysignal.publish.review import no_review

    card["lived_experience"] = no_review()  # until `earlysignal card RUN --reviews FILE`
    card["rights"] = {
        "informed": text(c.rights_informed),
        "access": text(c.rights_access),
        "correction": text(c.rights_correction),
        "contact": text(c.rights_contact),
    }
    card["limitations"] = [*c.known_limitations, _say("limitation_one_split")]


def _finish_limitations(state: _State) -> None:
    card = state.card
    lim = card["limitations"]
    if card["data"]["simulated"]:
        lim.append(_say("limitation_simulated"))
    c = card["outcome"]["censoring"]
    if c.get("rows"):
        lim.append(_say("limitation_censored", c["censored"], c["rows"]))
    if not isinstance(card["subgroups"]["table"], list):
        lim.append(_say("limitation_no_audit"))


def _environment_card(state: _State, env: dict[str, Any], config_sha: str) -> None:
    from earlysignal.card import NOT_MEASURED, unknown

    pv = state.card["provenance"]
    pv["python"] = str(env["python"])
    pv["platform"] = str(env["platform"])
    pv["packages"] = dict(env["packages"])
    pv["git_commit"] = env["git_commit"] or unknown(NOT_MEASURED, "no git repository found")
    pv["uv_lock_sha256"] = env["uv_lock_sha256"] or unknown(NOT_MEASURED, "no uv.lock found")
    pv["config_sha256"] = config_sha
    pv["seed"] = state.seed


# ----------------------------------------------------------------------------- entry points


def run_experiment(
    config: ExperimentConfig | str | Path,
    *,
    tracking_uri: str | None = None,
    output_dir: str | Path | None = None,
    history: CareHistory | None = None,
    simulation: Any = None,
    progress: bool = False,
    config_text: str | None = None,
) -> RunResult:
    """Run a whole study and return where its run and card are.

    Parameters
    ----------
    config
        An :class:`~earlysignal.experiment.config.ExperimentConfig`, a TOML path, or the name
        of a shipped config (``"breakdown_180d"``).
    tracking_uri
        MLflow tracking URI; default ``MLFLOW_TRACKING_URI`` or ``sqlite:///mlruns.db``.
    output_dir
        Where the card folder goes; default the config's ``tracking.output_dir``.
    history, simulation
        Use this care history (or simulation, which also gives the oracle) instead of the
        config's ``[data]`` source.
    progress
        Show rich progress bars.
    config_text
        The config's original text, logged as ``config.toml`` (read from the file when
        ``config`` is a path).

    Returns
    -------
    RunResult
        The run id, the card folder, the card data and the metrics.

    Raises
    ------
    ConfigError, DataValidationError, ExperimentError
        Before or during the run; a started run is then marked FAILED in MLflow and no card
        is left behind.
    """
    import mlflow

    from earlysignal.card import new_card, write_card
    from earlysignal.scoring.mlflow_model import log_model_of_run
    from earlysignal.tracking import (
        environment_info,
        flatten_params,
        log_datasets,
        log_environment,
        log_json,
        log_metrics_with_intervals,
        log_params,
        resolve_tracking_uri,
        set_run_description,
        tracked_run,
    )

    if not isinstance(config, ExperimentConfig):
        path = config
        config = load_config(path)
        if config_text is None and Path(path).is_file():
            config_text = Path(path).read_text(encoding="utf-8")
    config_text = config_text or config.to_toml()
    uri = resolve_tracking_uri(tracking_uri)
    out_root = Path(output_dir or config.tracking.output_dir)
    config_sha = hashlib.sha256(config_text.encode("utf-8")).hexdigest()
    env = environment_info()
    steps = _Steps(progress)
    with (
        tempfile.TemporaryDirectory(prefix="earlysignal-run-") as tmp,
        tracked_run(
            experiment=config.tracking.experiment,
            run_name=config.study.name,
            uri=uri,
            tags={"earlysignal.study": config.study.name, "earlysignal.config_sha256": config_sha},
        ) as run,
        steps,
    ):
        run_id = run.info.run_id
        work = Path(tmp)
        figures = work / "figures"
        figures.mkdir()
        o = config.outcome
        card = new_card(
            run_id=run_id,
            experiment=config.tracking.experiment,
            run_name=config.study.name,
            outcome=o.name,
            horizon_days=o.horizon_days,
            min_moves=o.min_moves,
        )
        card["run"]["started"] = datetime.now(UTC).isoformat(timespec="seconds")
        card["model_details"]["version"] = env["packages"].get("earlysignal", "")
        card["model_details"]["date"] = date.today().isoformat()
        state = _State(config, config.study.seed, work, figures, card)
        _fill_human_fields(card, config)
        _environment_card(state, env, config_sha)
        mlflow.log_text(config_text, "config.toml")
        log_json(config.to_dict(), "config.json")
        log_params(flatten_params(config.to_dict()))
        log_environment(env)

        with steps.step("load data"):
            _load(state, history, simulation)
        with steps.step("validate"):
            _validate(state)
        with steps.step("prediction times"):
            _prediction_times(state)
        with steps.step("features and outcomes"):
            _features(state)
        log_json(card["predictors"]["vocabulary"], "feature_vocabulary.json")
        if "personas" in card["predictors"]:  # the persona fit: settings, quality, digest
            log_json(card["predictors"]["personas"], "persona_fit.json")
        tables = dict(state.history.tables())
        tables["features"] = state.frame
        card["data"]["digests"] = {k: v["sha256"] for k, v in log_datasets(tables).items()}
        with steps.step("split"):
            _split(state)
        with steps.step("fit"):
            _fit(state)
        with steps.step("calibrate"):
            _calibrate(state)
        with steps.step("evaluate"):
            _evaluate(state)
            log_metrics_with_intervals(
                _mlflow_metric_rows(state.metrics, config.model.kind), primary=config.model.kind
            )
            log_json(state.metrics.to_dicts(), "evaluation/metrics.json")
        with steps.step("explain"):
            _explain(state)
        with steps.step("audit"):
            _audit(state)
            log_json(state.audit_published, "fairness/audit_published.json")
        with steps.step("save model"):
            _save_model(state, lambda folder, name: mlflow.log_artifacts(str(folder), name))
            logged = log_model_of_run(state.work / "model", run_id, config.tracking.register_as)
            card["provenance"]["logged_model"] = logged
        with steps.step("model card"):
            _finish_limitations(state)
            card["provenance"]["durations_s"] = dict(steps.durations)
            mlflow.log_artifacts(str(figures), "figures")
            staged = write_card(card, work / "card", figures_dir=figures, lang=config.card.language)
            card = json.loads((staged / "model_card.json").read_text(encoding="utf-8"))
            mlflow.log_artifacts(str(staged), "model_card")
            set_run_description(card)
            target = out_root / card_folder_name(config, run_id)
            out_root.mkdir(parents=True, exist_ok=True)
            _move_into_place(staged, target)
    return RunResult(
        run_id=run_id,
        experiment=config.tracking.experiment,
        tracking_uri=uri,
        card_dir=target,
        card=card,
        metrics=state.metrics,
        durations=dict(steps.durations),
    )


def _move_into_place(staged: Path, target: Path) -> None:
    """Move a complete card folder to ``target`` (replacing an older one only at the end)."""
    landing = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        shutil.copytree(staged, landing, dirs_exist_ok=True)
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
            os.replace(landing, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(landing, target)
    except BaseException:
        shutil.rmtree(landing, ignore_errors=True)
        raise


def _mlflow_metric_rows(table: pl.DataFrame, primary: str) -> list[dict[str, Any]]:
    """Evaluation rows renamed for MLflow: plain for the model, prefixed for the others."""
    rename = {
        f"{primary} - oracle": "gap_oracle",
        f"{primary} / oracle": "oracle_share",
    }
    rows = []
    for r in table.iter_rows(named=True):
        model = str(r["model"])
        if model.startswith(f"{primary} - ") and model not in rename:
            model = "gap_" + model.removeprefix(f"{primary} - ")
        model = rename.get(model, model)
        metric = str(r["metric"])
        if r["at"] is not None:
            metric = f"{metric}_at_{r['at']:g}"
        rows.append(
            {"model": model, "metric": metric, "value": r["estimate"], "lower": r["lower"],
             "upper": r["upper"]}
        )  # fmt: skip
    return rows


def render_card_from_run(
    run_id: str,
    *,
    tracking_uri: str | None = None,
    output_dir: str | Path = "earlysignal-output",
    lang: str | None = None,
) -> Path:
    """Re-render a run's model card from its logged card data (the single source).

    ``lang`` ("en", "nl") renders it in that language; by default in the language the run
    logged (``card["language"]``).

    Downloads ``model_card/model_card.json`` and the figures of the run, validates the data
    against the schema and writes Markdown, HTML and JSON to
    ``output_dir/<run name>-<run id[:8]>``. Nothing is recomputed, so the card says exactly
    what the run measured.

    Raises
    ------
    ExperimentError
        When the run has no card data (for example a FAILED run).
    """
    import mlflow

    from earlysignal.card import validate_card, write_card
    from earlysignal.tracking import resolve_tracking_uri

    uri = resolve_tracking_uri(tracking_uri)
    client = mlflow.MlflowClient(uri)
    run = client.get_run(run_id)
    with tempfile.TemporaryDirectory(prefix="earlysignal-card-") as tmp:
        try:
            local = mlflow.artifacts.download_artifacts(
                run_id=run_id, artifact_path="model_card", dst_path=tmp, tracking_uri=uri
            )
        except Exception as exc:
            raise ExperimentError(
                f"run {run_id} (status {run.info.status}) has no model card data "
                "('model_card/model_card.json'): only finished runs have a card; re-run the "
                "experiment"
            ) from exc
        folder = Path(local)
        data_file = folder / "model_card.json"
        if not data_file.is_file():
            raise ExperimentError(
                f"run {run_id} (status {run.info.status}) has no 'model_card/model_card.json'"
            )
        card = json.loads(data_file.read_text(encoding="utf-8"))
        validate_card(card)
        name = f"{card['run']['run_name']}-{run_id[:8]}"
        return write_card(card, Path(output_dir) / name, figures_dir=folder / "figures", lang=lang)
