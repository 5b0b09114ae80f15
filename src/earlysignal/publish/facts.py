"""Facts of a run, read from its card data, for the exports (numbers and codes, never sentences).

The exports (:mod:`~earlysignal.publish.algoritmeregister`, :mod:`~earlysignal.publish.iama`,
:mod:`~earlysignal.publish.review`) say what the run knows through templates; this module
only picks the values out of the card. A value the card marks unknown is ``None`` here, so a
template can leave the answer to the organisation.

Examples
--------
>>> from earlysignal.card import new_card
>>> f = card_facts(new_card(run_id="r1", experiment="e", run_name="n", outcome="breakdown",
...                         horizon_days=180))
>>> f["outcome"], f["horizon_days"], f["auroc"], f["owners"]
('breakdown', 180, None, None)
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["card_facts", "model_kind"]

_KINDS = (("lightgbm", "lightgbm"), ("logistic", "logistic"), ("rule", "rule"))


def model_kind(model_type: str) -> str | None:
    """The model family from the card's ``model_type`` text (``None`` when none was fitted).

    Examples
    --------
    >>> model_kind("LightGBM gradient-boosted trees (binary log loss)")
    'lightgbm'
    """
    low = model_type.lower()
    for needle, kind in _KINDS:
        if needle in low:
            return kind
    return None


def _known(value: Any) -> Any:
    from earlysignal.card import is_known

    return value if is_known(value) else None


def _source_kind(source: str) -> str:
    low = source.lower()
    for needle, kind in (("simulated", "simulated"), ("ssda903", "ssda903"),
                         ("canonical folder", "folder"), ("in memory", "memory")):  # fmt: skip
        if needle in low:
            return kind
    return "other"


def _source_name(source: str) -> str | None:
    found = re.search(r"\(([^)]*)\)", source)
    return found.group(1) if found else None


def _text(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or None
    return value


def _metric(rows: Any, model: str, metric: str) -> dict[str, Any] | None:
    if not isinstance(rows, list):
        return None
    for r in rows:
        if r.get("model") == model and r.get("metric") == metric and r.get("value") is not None:
            return {"value": r["value"], "lower": r.get("lower"), "upper": r.get("upper")}
    return None


def _workload(rows: Any, key: str) -> dict[str, Any] | None:
    from earlysignal.card.stored_words import workload_key

    if not isinstance(rows, list):
        return None
    for r in rows:
        if workload_key(r) == key and r.get("value") is not None:
            return {"value": r["value"], "lower": r.get("lower"), "upper": r.get("upper")}
    return None


def _baseline_diffs(rows: Any, primary: str) -> list[dict[str, Any]]:
    out = []
    prefix = f"{primary} minus "
    for r in rows if isinstance(rows, list) else []:
        model = str(r.get("model", ""))
        if model.startswith(prefix) and r.get("metric") == "auroc" and r.get("value") is not None:
            out.append(
                {"baseline": model[len(prefix):], "value": r["value"], "lower": r.get("lower"),
                 "upper": r.get("upper")}
            )  # fmt: skip
    return out


def card_facts(card: dict[str, Any]) -> dict[str, Any]:
    """The run's facts the exports use, from card data that follows the card schema.

    Returns a flat dict: outcome, horizon, data (source, simulated, period, children, rows,
    counts), predictors (count, excluded and included sensitive attributes), model (kind,
    calibration method, Venn-ABERS), metrics (AUROC, Brier, ECE, calibration slope of the
    primary model, each ``{"value", "lower", "upper"}``), decision (threshold, capacity,
    precision and recall at the threshold, alerts per 100 children), fairness audit
    (attributes, minimum cell, suppressed cells) and the human-written fields (``None`` when
    the card marks them "to be completed").
    """
    out = card.get("outcome", {})
    data = card.get("data", {})
    period = data.get("period", {})
    pt = data.get("prediction_times", {})
    pred = card.get("predictors", {})
    perf = card.get("performance", {})
    primary = perf.get("primary_model", "none")
    cal = card.get("calibration", {})
    dec = card.get("decision", {})
    sg = card.get("subgroups", {})
    ex = card.get("explanations", {})
    md = card.get("model_details", {})
    ethics = card.get("ethics", {})
    legal = card.get("legal", {})
    monitoring = card.get("monitoring", {})
    from earlysignal.card.texts import is_reader_text

    method = cal.get("method", "none")
    if is_reader_text(method):  # stored as data: the method is its argument
        kind = method["args"].get("method")
        found_method = str(kind) if kind and kind != "none" else None
    else:
        found = re.search(r"by (\w+) calibration", str(method))
        found_method = found.group(1) if found else None
    intervals = md.get("intervals", "")
    model_type = md.get("model_type", "")
    if is_reader_text(model_type):  # stored as data: the model family is its argument
        model_type = str(model_type["args"].get("kind", ""))
    model_type = str(model_type)
    return {
        "run_id": card.get("run", {}).get("run_id"),
        "run_name": card.get("run", {}).get("run_name"),
        "generated": card.get("generated"),
        "outcome": out.get("name"),
        "horizon_days": out.get("horizon_days"),
        "min_moves": out.get("min_moves"),
        "censored": out.get("censoring", {}).get("censored", 0),
        "labelled": out.get("censoring", {}).get("labelled", 0),
        "simulated": bool(data.get("simulated", False)),
        "source": data.get("source"),
        "source_kind": _source_kind(str(data.get("source", ""))),
        "source_name": _source_name(str(data.get("source", ""))),
        "first_time": period.get("first_prediction_time"),
        "last_time": period.get("last_prediction_time"),
        "children": pt.get("children", 0),
        "rows": pt.get("rows", 0),
        "counts": data.get("counts", {}),
        "validation_errors": data.get("validation", {}).get("errors", 0),
        "validation_warnings": data.get("validation", {}).get("warnings", 0),
        "n_predictors": pred.get("count", 0),
        "excluded_attributes": list(pred.get("excluded_attributes", [])),
        "included_sensitive": list(pred.get("included_sensitive", [])),
        "model_kind": model_kind(model_type),
        "fitted": model_kind(model_type) is not None,
        "calibration": found_method,
        "venn_abers": (
            bool(intervals["args"].get("venn_abers"))
            if is_reader_text(intervals)
            else "Venn-ABERS" in str(intervals)
        ),
        "validation": card.get("validation_design", {}).get("kind"),
        "auroc": _metric(perf.get("metrics"), primary, "auroc"),
        "brier": _metric(perf.get("metrics"), primary, "brier"),
        "baselines": _baseline_diffs(perf.get("metrics"), primary),
        "ece": _metric(cal.get("metrics"), primary, "ece"),
        "calibration_slope": _metric(cal.get("metrics"), primary, "calibration_slope"),
        "prevalence": _metric(cal.get("metrics"), "observed", "prevalence"),
        "threshold": dec.get("threshold"),
        "capacity": dec.get("capacity"),
        "precision": _workload(dec.get("workload"), "precision_at_top"),
        "recall": _workload(dec.get("workload"), "recall_at_top"),
        "alerts_per_100": _workload(dec.get("workload"), "alerts_per_100_children"),
        "audited": sg.get("method", "not run") != "not run",
        "audit_attributes": list(sg.get("attributes", [])),
        "min_cell": sg.get("min_cell", 10),
        "suppressed_cells": sg.get("suppressed_cells", 0),
        "explained": ex.get("method", "not run") != "not run",
        "explained_rows": ex.get("explained_rows", 0),
        "title": _known(md.get("title")),
        "owners": _text(_known(md.get("owners"))),
        "contact": _known(md.get("contact")),
        "primary_use": _known(card.get("intended_use", {}).get("primary")),
        "human_oversight": _known(card.get("human_oversight")),
        "legal_basis": _known(legal.get("basis")),
        "objection_route": _known(legal.get("objection_route")),
        "status": _known(legal.get("status")),
        "public_values": _known(ethics.get("public_values")),
        "fundamental_rights": _known(ethics.get("fundamental_rights")),
        "risk_management": _known(ethics.get("risk_management")),
        "considerations": _known(ethics.get("considerations")),
        "monitoring_plan": _known(monitoring.get("plan")),
        "review_date": _known(monitoring.get("review_date")),
        "lived_experience": card.get("lived_experience"),
    }
