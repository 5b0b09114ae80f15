"""The model steps of a run: fit, calibrate, the oracle, evaluate, board figures, save model.

Each step reads and fills the run's :class:`~earlysignal.experiment.state._State` and the card
data (metrics, thresholds, counts and keys of reader texts; never sentences). Saving the model
writes its folder and hands it to a ``log`` callback: the MLflow side is
:mod:`earlysignal.experiment.tracking_run`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from earlysignal.experiment.state import ExperimentError, _say, _State, _xy

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
    md["model_type"] = _say("model_type", kind=m.kind, rule_feature=RULE_FEATURE)
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
    from earlysignal.disclosure import published_count, published_rate  # no exact count

    pos, rows = published_count(int(np.sum(y))), published_count(len(y))
    md["class_imbalance"] = _say("class_imbalance", rate=published_rate(pos, rows))


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
    from earlysignal.disclosure import published_count  # rounded to 5, under 10 hidden

    md["calibration"] = _say("calibration_kind", method=m.calibration, rows=published_count(len(y)))
    md["intervals"] = _say(
        "intervals_kind",
        venn_abers=m.calibration != "none" and m.intervals == "venn_abers",
    )
    state.card["calibration"]["method"] = _say("calibration_method", method=m.calibration)
    # Decision rule: from the calibration period, never from the test period; ties in risk
    # broken by the raw score (earlysignal.models.decision).
    from earlysignal.models import CapacityRule, capacity_rule

    d = state.config.decision
    if d.threshold is not None:
        state.rule = CapacityRule(risk_threshold=float(d.threshold))
    else:
        assert d.capacity is not None
        state.rule = capacity_rule(state.model.risk(X), state.model.raw_score(X), d.capacity)
        if not state.rule.n_flagged_fitted:
            raise ExperimentError(
                f"decision rule 'capacity flags someone': a capacity of {d.capacity} flags none "
                f"of the {len(y)} calibration rows (fewer than one row, or one tie of risk and "
                "score at the top); raise [decision] capacity or use a longer calibration period"
            )
    state.threshold = state.rule.risk_threshold


ORACLE_OUTCOMES: tuple[str, ...] = ("breakdown", "carousel", "return_home")
"""Outcomes the simulator's oracle knows (``earlysignal.synth.oracle_risk``)."""


def _oracle(state: _State, test: pl.DataFrame) -> tuple[Any, str]:
    """The true risk on ``test`` rows (simulated data), or ``None`` and the reason why not."""
    from earlysignal.card.stored_words import oracle_reason  # English, worded at render

    if state.simulation is None:
        return None, oracle_reason("real_data")
    o = state.config.outcome
    if o.name in {"entry", "stable_return"} and hasattr(state.simulation, "lookback_years"):
        from earlysignal.synth.at_home_oracle import at_home_oracle

        frame = at_home_oracle(
            state.simulation, test.select("child_id", "prediction_time"), outcome=o.name,
            horizon=o.horizon_days, n_draws=20, seed=state.seed,
        )  # fmt: skip
        risk = frame["risk"].to_numpy().astype(np.float64)
        if not np.all(np.isfinite(risk)):
            return None, oracle_reason("at_home_gaps")
        return risk, ""
    if o.name not in ORACLE_OUTCOMES:
        return None, oracle_reason("outcome", outcome=repr(o.name))
    from earlysignal.synth import oracle_risk

    times = test.select("child_id", "prediction_time")
    frame = oracle_risk(
        state.simulation, times, outcome=o.name, horizon=o.horizon_days, k=o.min_moves,
        seed=state.seed, definition=o.breakdown_definition,
    )  # fmt: skip
    risk = frame["risk"].to_numpy().astype(np.float64)  # one row per input row, in order
    bad = int(np.sum(~np.isfinite(risk) | (risk < 0) | (risk > 1)))
    if risk.shape[0] != test.height or bad:
        return None, oracle_reason(
            "not_probabilities", bad=bad, rows=test.height, returned=frame.height
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
    from earlysignal.card.figures import add_figure
    from earlysignal.evaluate import evaluate
    from earlysignal.evaluate.plots import decision_curve_data, reliability_data, roc_pr_data

    cfg = state.config
    name = cfg.model.kind
    test = state.split.part("test")
    X, y, groups = _xy(state, "test")
    p = state.model.risk(X)
    state.p_test = p
    state.score_test = state.model.raw_score(X)
    baselines = {k: m.risk(X) for k, m in state.baselines.items()}
    assert state.threshold is not None
    share = float(np.mean(state.rule.flag(p, state.score_test)))
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
        "compute": cfg.compute.spec(),  # where the bootstrap's blocks run
    }
    table = evaluate(
        y, p, groups, model=name, baselines=baselines, tie_break=state.score_test, **common
    )
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
        sub = evaluate(y[mask], p[mask], groups[mask], model=name, oracle=oracle,
                       tie_break=state.score_test[mask], **common)  # fmt: skip
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
        from earlysignal.disclosure import published_count as pc  # rounded to 5, under 10 hidden

        shown = {"rows": pc(int(mask.sum())), "test_rows": pc(test.height),
                 "children": pc(len(keep))}  # fmt: skip
        state.card["performance"]["oracle_sample"] = _say("oracle_sample", **shown)
        state.card["validation_design"].setdefault("method", {}).update(
            oracle_rows=shown["rows"], oracle_children=shown["children"],
            test_rows=shown["test_rows"],
        )  # fmt: skip
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
        summary.append(_say("perf_auroc", name=name, a=a))
        if a["lower"] is not None and a["lower"] <= 0.5:
            summary.append(_say("perf_chance"))
    for b in baselines:
        diff = _metric_rows(table, f"{name} - {b}", ("auroc",), "")
        if diff:
            d = diff[0]
            verdict = _interval_verdict(d, "higher")
            summary.append(
                _say(
                    "perf_baseline", baseline=b, d=d, verdict=verdict, small=abs(d["value"]) < 0.02
                )
            )
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
            summary.append(_say("perf_oracle", lift=lift[0]))
    else:
        from earlysignal.card import NOT_MEASURED, unknown

        perf["oracle"] = unknown(NOT_MEASURED, oracle_reason)
    perf["summary"] = summary
    cal = state.card["calibration"]
    from earlysignal.evaluate.rounded import published_prevalence  # rounded counts (issue 12)

    cal["metrics"] = _metric_rows(table, name, CALIBRATION_METRICS, name) + published_prevalence(
        _metric_rows(table, "data", ("prevalence",), "observed"), y
    )
    preds = {name: p, **baselines}
    cal["figure"] = add_figure(  # figures are stored as numbers, drawn in the card's language
        state.card,
        reliability_data(y, preds, groups, n_bins=cfg.evaluation.ece_bins,
                         n_boot=min(cfg.evaluation.bootstrap, 100), seed=state.seed,
                         min_children=cfg.fairness.min_cell),
        "reliability",
        _say("caption_reliability", min_cell=cfg.fairness.min_cell),
        "calibration",
    )  # fmt: skip
    add_figure(
        state.card, roc_pr_data(y, preds, groups, min_children=cfg.fairness.min_cell),
        "roc_pr", _say("caption_roc_pr", min_cell=cfg.fairness.min_cell),
        "performance",
    )  # fmt: skip
    # decision rule, workload and net benefit
    dec = state.card["decision"]
    d = cfg.decision
    thr = state.threshold
    dec["threshold"] = thr
    tie = state.rule.score_threshold  # between two rows' raw scores: 3 significant digits
    dec["score_threshold"] = None if tie is None else float(f"{tie:.3g}")  # exact: saved model
    dec["capacity"] = d.capacity
    dec["rule"] = _say("decision_rule", capacity=d.capacity, threshold=thr, share=share,
                       ties=state.rule.score_threshold is not None)  # fmt: skip
    at = min(capacity, 1.0)
    from earlysignal.card.stored_words import WORKLOAD_MEASURES

    workload = []
    for metric, label in WORKLOAD_MEASURES.items():  # English label; the card translates it
        hit = table.filter(
            (pl.col("model") == name) & (pl.col("metric") == metric) & (pl.col("at") == at)
        )
        if hit.height:
            r = hit.row(0, named=True)
            workload.append(
                {"measure": label, "metric": metric, "flagged share": at,
                 "value": r["estimate"], "lower": r["lower"], "upper": r["upper"]}
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
    dec["figure"] = add_figure(
        state.card,
        decision_curve_data(
            y,
            preds,
            np.linspace(0.01, min(0.6, max(0.2, 3 * thr)), 40),
            groups=groups,
            min_children=cfg.fairness.min_cell,
        ),
        "decision_curve",
        _say("caption_decision_curve", min_cell=cfg.fairness.min_cell),
        "decision",
    )
    from earlysignal.evaluate.rounded import published_rule  # issue 12: no finer than counts

    published_rule(card=state.card, min_cell=cfg.fairness.min_cell)


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
    flagged = state.rule.flag(p, state.score_test)
    people = decision_in_people(
        test["child_id"].to_numpy(), test["prediction_time"].to_numpy(), y, p, thr,
        caseload=cfg.decision.caseload, min_cell=f.min_cell, flagged=flagged,
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
        horizon_days=o.horizon_days, flagged=flagged, child_id=test["child_id"].to_numpy(),
    )  # fmt: skip
    events = people["per_run"].get("events") if people["runs"] else None
    card["monitoring"]["stop_rules"] = stop_rules(
        horizon_days=o.horizon_days, events_per_run=float(events) if events else None
    )
    # the rules as data, which `earlysignal monitor` judges ([monitoring] stop_rules)
    card["monitoring"]["stop_rules"]["rules"] = [
        r.model_dump(mode="json") for r in cfg.monitoring.stop_rules
    ]


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
            **state.rule.to_metadata(),  # threshold, score_threshold, capacity
            "study": state.config.study.name,
            "data_source": state.history.meta.get("source", state.card["data"]["source"]),
            "observed_until": state.history.observed_until.isoformat(),
            "design": state.config.design.model_dump(mode="json"),
            "min_moves": o.min_moves,
            "stop_rules": [r.model_dump(mode="json") for r in state.config.monitoring.stop_rules],
            "fairness_attributes": list(state.config.fairness.attributes),
            "reference": reference,
            "language": state.config.card.language,
        },
    )
    log(folder, "model")
    state.card["provenance"]["model_artifact"] = (
        "MLflow artifacts 'model/' of this run: text and JSON files with a SHA-256 manifest "
        "(earlysignal.models.load_model), no pickle"
    )
