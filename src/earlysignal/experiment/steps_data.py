"""The data steps of a run: load, validate, prediction times, features and outcomes, split.

Each step reads and fills the run's :class:`~earlysignal.experiment.state._State` and the card
data (counts, ids, dates and keys of reader texts; never sentences).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from earlysignal.experiment.config import ExperimentConfig
from earlysignal.experiment.state import ExperimentError, _iso, _say, _State

if TYPE_CHECKING:
    from earlysignal.data.history import CareHistory


def _load(state: _State, history: CareHistory | None, simulation: Any) -> None:
    from earlysignal.card.stored_words import source_description as described

    cfg = state.config.data
    d = state.card["data"]
    if simulation is not None:
        state.simulation, state.history = simulation, simulation.history
        d["source"] = described("given_simulation")
    elif history is not None:
        state.history = history
        d["source"] = described("given_history")
    elif cfg.source == "simulated" and cfg.population == "at_home":
        from earlysignal.synth.at_home import simulate_at_home

        state.simulation = simulate_at_home(cfg.n_children, years=cfg.years, seed=cfg.sim_seed)
        state.history = state.simulation.history
        d["source"] = described(
            "simulated_at_home", children=cfg.n_children, years=cfg.years, seed=cfg.sim_seed
        )
    elif cfg.source == "simulated":
        from earlysignal.synth import simulate

        state.simulation = simulate(cfg.n_children, years=cfg.years, seed=cfg.sim_seed)
        state.history = state.simulation.history
        d["source"] = described(
            "simulated", children=cfg.n_children, years=cfg.years, seed=cfg.sim_seed
        )
    elif cfg.source == "canonical":
        from earlysignal.data.io import load_history

        assert cfg.path is not None
        state.history, report = load_history(cfg.path)
        state.card["data"]["validation"]["loaded"] = bool(report.ok)
        d["source"] = described("canonical", name=Path(cfg.path).name)
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
        d["source"] = described("ssda903", name=Path(cfg.path).name)
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
    from earlysignal.disclosure import published_count  # rounded to 5, under 10 hidden

    d["counts"] = {k: published_count(int(v)) for k, v in state.history.counts().items()}
    if d.get("import"):  # exact for the data team (the MLflow run), rounded on the card
        d["import"] = _published_report(state, "import_report.json", d["import"])


def _published_report(state: _State, name: str, report: dict[str, Any]) -> dict[str, Any]:
    """``report``'s counts as the card publishes them (rounded to 5, under 10 hidden); the
    exact report is written to the run's work folder as ``name``, which the run logs to MLflow
    under ``data/`` (the data team's internal record, docs/disclosure.md)."""
    import json

    from earlysignal.disclosure import published_counts

    (state.work / name).write_text(json.dumps(report, indent=2, sort_keys=True))
    out = published_counts(report)
    if isinstance(report.get("files"), int) and state.config.data.source != "ijw":
        out["files"] = report["files"]  # the files given (iJw: one per message, so rounded)
    return out


def _validate(state: _State) -> None:
    from earlysignal.data.validate import DataValidationError

    report = state.history.validate()
    by_rule = {
        f"{r['rule']} {r['name']}": int(r["n"])
        for r in report.counts_by_rule().iter_rows(named=True)
    }
    state.card["data"]["validation"] = _published_report(
        state, "validation_report.json",
        {"errors": report.errors.height, "warnings": report.warnings.height,
         "mode": state.config.data.validation, "by_rule": by_rule},
    )  # fmt: skip
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
    from earlysignal.disclosure import published_count

    times, report = prediction_times_with_report(state.history, _design(state.config))
    if times.height == 0:
        raise ExperimentError(
            f"step 'prediction times': the design {report.design} gives no prediction time on "
            "this history; fix [design] (period, every_days, year_end) or the data"
        )
    state.times = times
    state.card["data"]["prediction_times"] = {
        "design": report.design,
        "rows": published_count(report.rows),  # rounded to 5, under 10 hidden
        "children": published_count(report.children),
        "excluded": {k: published_count(int(v)) for k, v in report.dropped.items()},
    }
    sim = state.card["data"].get("simulator")
    if sim is not None:
        start = date.fromisoformat(sim["period_start"])
        sim["burn_in_prediction_times"] = published_count(
            int((times["prediction_time"] < start).sum())
        )
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
    from earlysignal.disclosure import published_count

    # published counts: rounded to 5, under 10 hidden (null), as every count on the card
    state.card["outcome"]["censoring"].update(
        {
            "rows": published_count(report.rows),
            "censored": published_count(report.censored),
            "labelled": published_count(report.positives + report.negatives),
            "not_at_risk": published_count(report.not_at_risk),
            "positives": published_count(report.positives),
            "competing": published_count(report.competing),
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
    from earlysignal.disclosure import published_count, published_rate

    periods, purged = [], 0
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
        # published: counts rounded to 5, under 10 hidden, the rate from the rounded counts
        kept, events = published_count(rows), published_count(pos)
        periods.append(
            {
                "period": r["part"],
                "from": _iso(r["start"]) or _say("start_of_data"),
                "until (exclusive)": _iso(r["end"]) or _say("end_of_data"),
                "rows in period": published_count(int(r["rows_in"])),
                "purged rows": published_count(int(r["purged"]) + int(r["censored"])),
                "of them censored rows (label missing)": published_count(missing),
                "kept rows": kept,
                "children": published_count(int(r["children"] or 0)),
                "events (rows)": events,
                "event rate": published_rate(events, kept),
            }
        )
        purged += int(r["purged"]) + int(r["censored"])
    v = state.card["validation_design"]
    v["periods"] = periods
    v["purged_rows"] = published_count(purged)
    v["bootstrap"] = int(state.config.evaluation.bootstrap)
    v["ci_level"] = float(state.config.evaluation.ci_level)
    v["clustered_by"] = _say("clustered_by_child")
    v["method"] = {
        "bootstrap": int(state.config.evaluation.bootstrap),
        "level": float(state.config.evaluation.ci_level),
    }
    v["description"] = _say(
        "validation_description",
        train_end=split.train_end.isoformat(),
        calibrate_end=split.calibrate_end.isoformat(),
        horizon=h,
    )
