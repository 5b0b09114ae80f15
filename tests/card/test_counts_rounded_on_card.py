"""Counts the card shows outside its protected tables (temporal split periods, oracle sample,
censoring counts, observed prevalence) are published rounded to 5 with counts under 10 hidden,
rates come from the rounded counts, and the tie-break score is rounded (issue 12: no exact
count on the card)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

PERIOD_COUNTS = (
    "rows in period", "purged rows", "of them censored rows (label missing)", "kept rows",
    "children", "events (rows)",
)  # fmt: skip


def _published(value: Any) -> bool:
    return value is None or (isinstance(value, int) and value >= 10 and value % 5 == 0)


@pytest.mark.slow
def test_the_periods_publish_rounded_counts_and_rates_from_them(
    demo_like: tuple[dict[str, Any], Path],
) -> None:
    card, _ = demo_like
    v = card["validation_design"]
    for p in v["periods"]:
        for col in PERIOD_COUNTS:
            assert _published(p[col]), (p["period"], col, p[col])
        if p["events (rows)"] is not None and p["kept rows"]:
            assert p["event rate"] == round(p["events (rows)"] / p["kept rows"], 2)
    assert _published(v["purged_rows"])


@pytest.mark.slow
def test_the_oracle_sample_and_prevalence_are_published_rounded(
    demo_like: tuple[dict[str, Any], Path],
) -> None:
    card, _ = demo_like
    method = card["validation_design"]["method"]
    for key in ("oracle_rows", "oracle_children", "test_rows"):
        assert _published(method[key]), (key, method[key])
    args = card["performance"]["oracle_sample"]["args"]
    assert all(_published(args[k]) for k in ("rows", "test_rows", "children")), args
    prevalence = next(m for m in card["calibration"]["metrics"] if m["metric"] == "prevalence")
    for k in ("value", "lower", "upper"):
        assert prevalence[k] == round(prevalence[k], 2), prevalence


@pytest.mark.slow
def test_the_tie_break_score_is_shown_rounded(demo_like: tuple[dict[str, Any], Path]) -> None:
    card, _ = demo_like
    tie = card["decision"]["score_threshold"]
    assert tie is None or tie == float(f"{tie:.3g}")


@pytest.mark.slow
def test_the_censoring_counts_are_published_rounded(
    demo_like: tuple[dict[str, Any], Path],
) -> None:
    card, _ = demo_like
    c = card["outcome"]["censoring"]
    for key in ("rows", "censored", "labelled", "not_at_risk", "positives", "competing"):
        if key in c:
            assert _published(c[key]), (key, c[key])


@pytest.mark.slow
def test_counts_and_rates_in_the_cards_sentences_are_published_rounded(
    demo_like: tuple[dict[str, Any], Path],
) -> None:
    # the calibration period's rows, the audited test rows and the training event rate were
    # stored exactly: 16 digits of a rate give its exact fraction (events / rows) back
    card, _ = demo_like
    calibration = card["model_details"]["calibration"]["args"]
    assert _published(calibration["rows"]), calibration
    note = card["subgroups"]["note"]["args"]
    assert _published(note["rows"]) and _published(note["excluded"]), note
    rate = card["model_details"]["class_imbalance"]["args"]["rate"]
    assert rate is None or rate == round(rate, 2), rate


@pytest.mark.slow
def test_results_by_age_carry_children_and_coarse_rates(
    demo_like: tuple[dict[str, Any], Path],
) -> None:
    card, _ = demo_like
    rows = card["outcome"]["competing_by_age"]
    assert rows and all("n_children" in r for r in rows)
    for r in rows:
        for col in ("rows", "n_children", "events"):
            assert _published(r[col]), (r["age"], col, r[col])
        for col in ("event_rate", "competing_share", "turns_18_share", "mean_risk",
                    "share_flagged", "recall"):  # fmt: skip
            assert r[col] is None or r[col] == round(r[col], 2), (r["age"], col, r[col])


@pytest.mark.slow
def test_the_data_sections_counts_are_published_rounded(
    demo_like: tuple[dict[str, Any], Path],
) -> None:
    # the exact prediction-time rows beside the censoring section's rounded rows gave the
    # rounding away
    card, _ = demo_like
    d = card["data"]
    for table, n in d["counts"].items():
        assert _published(n), (table, n)
    pt = d["prediction_times"]
    assert _published(pt["rows"]) and _published(pt["children"]), pt
    assert all(_published(v) for v in pt["excluded"].values()), pt["excluded"]
    sim = d.get("simulator") or {}
    assert _published(sim.get("burn_in_prediction_times")), sim
