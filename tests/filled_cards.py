"""Card data filled the way the runner fills it, without running a study (tests/publish, i18n)."""

from __future__ import annotations

from typing import Any

from earlysignal.card import new_card


def filled_card(outcome: str = "breakdown") -> dict[str, Any]:
    card = new_card(
        run_id="0123456789abcdef", experiment="e", run_name="demo", outcome=outcome,
        horizon_days=180 if outcome != "carousel" else 365,
        min_moves=2 if outcome == "carousel" else None,
    )  # fmt: skip
    card["data"].update(
        {
            "source": "simulated",
            "simulated": True,
            "period": {"first_prediction_time": "2018-01-01", "last_prediction_time": "2024-12-01"},
            "validation": {"errors": 0, "warnings": 3},
            "prediction_times": {"design": "every 91 days", "rows": 51234, "children": 4877},
        }
    )
    card["outcome"]["censoring"].update({"rows": 60000, "censored": 812, "labelled": 59188})
    card["predictors"].update({"count": 61, "excluded_attributes": ["origin", "sex", "religion"]})
    card["model_details"]["model_type"] = "LightGBM gradient-boosted trees (binary log loss)"
    card["model_details"]["intervals"] = "Venn-ABERS probability intervals per child"
    card["validation_design"].update(
        {"kind": "temporal", "description": "purged", "bootstrap": 200}
    )
    card["performance"]["primary_model"] = "lightgbm"
    card["performance"]["metrics"] = [
        {"model": "lightgbm", "metric": "auroc", "value": 0.701, "lower": 0.671, "upper": 0.724},
        {"model": "lightgbm", "metric": "brier", "value": 0.038, "lower": 0.035, "upper": 0.041},
        {"model": "lightgbm minus rule", "metric": "auroc", "value": 0.133, "lower": 0.1,
         "upper": 0.16},
    ]  # fmt: skip
    card["calibration"]["method"] = (
        "The model's scores are mapped to probabilities by isotonic calibration fitted on the "
        "calibration period only."
    )
    card["calibration"]["metrics"] = [
        {"model": "lightgbm", "metric": "ece", "value": 0.006, "lower": 0.004, "upper": 0.01},
        {"model": "observed", "metric": "prevalence", "value": 0.04, "lower": None, "upper": None},
    ]
    card["decision"].update({"rule": "top 10 %", "threshold": 0.081, "capacity": 0.1})
    card["decision"]["workload"] = [
        {"measure": "precision (share of flagged rows with the event)", "flagged share": 0.1,
         "value": 0.12, "lower": 0.1, "upper": 0.14},
        {"measure": "recall (share of events flagged)", "flagged share": 0.1, "value": 0.31,
         "lower": 0.27, "upper": 0.35},
        {"measure": "alerts per 100 children over the test period", "flagged share": 0.1,
         "value": 41.2, "lower": 38.0, "upper": 44.0},
    ]  # fmt: skip
    card["subgroups"].update(
        {"attributes": ["sex", "age_group", "origin"], "method": "audit", "min_cell": 10,
         "table": [], "suppressed_cells": 2}
    )  # fmt: skip
    card["explanations"].update({"method": "TreeSHAP", "explained_rows": 2000})
    card["human_oversight"] = "The score is shown to the caseworker and team leader."
    return card
