"""The card's decision and performance numbers are published no finer than their rounded counts
(issue 12): every rate of counts at the decision rule is a whole percent of counts rounded to 5
(its exact fraction has a denominator of at most 100), alerts per 100 children a whole number,
and no other published number has more than 3 decimals (figure data aside: those are checked by
tests/evaluate/test_figure_data_rounded.py)."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

SETTINGS = {"threshold", "false_alarm_weight", "score_threshold"}
"""Keys holding a setting of the run, not a figure computed from the data: the decision rule's
risk threshold (fitted on the calibration period and needed to apply the rule; its raw-score
tie-break is rounded to 3 significant digits) and the weight the threshold implies. They are
not rates of counts."""


def _numbers(node: Any, path: str = "") -> Iterator[tuple[str, float]]:
    if isinstance(node, dict):
        for k, v in node.items():
            if path == "" and k == "figures":
                continue
            if k in SETTINGS:
                continue
            yield from _numbers(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _numbers(v, f"{path}[{i}]")
    elif isinstance(node, float):
        yield path, node


def _rates_of_counts(card: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    people = card["decision"]["people"]
    summary = card["summary"]
    for k in ("share_flagged", "precision", "recall"):
        yield f"decision.people.{k}", people[k]
        yield f"summary.{k}", summary[k]
    for r in card["decision"]["workload"]:
        if r["metric"] in ("precision_at_top", "recall_at_top"):
            yield f"decision.workload {r['metric']}", r["value"]
        yield f"decision.workload {r['metric']} flagged share", r["flagged share"]
    yield "decision.rule share", card["decision"]["rule"]["args"]["share"]


@pytest.mark.slow
def test_rates_of_counts_at_the_rule_are_whole_percents_of_rounded_counts(
    demo_like: tuple[dict[str, Any], Path],
) -> None:
    card, _ = demo_like
    rates = list(_rates_of_counts(card))
    assert any(v is not None for _, v in rates)
    for where, v in rates:
        if v is not None:
            exact = Fraction(v).limit_denominator(10**6)
            assert exact.denominator <= 100, (where, v, exact)
    people = card["decision"]["people"]
    counts = people["counts"]
    for k, n in counts.items():  # rows and children: rounded to 5, under 10 children hidden
        assert n is None or (isinstance(n, int) and n >= 10 and n % 5 == 0), (k, n)
    if counts["flagged"] and counts["flagged_with_event"] is not None:
        assert people["precision"] == round(counts["flagged_with_event"] / counts["flagged"], 2)
    alerts = [r for r in card["decision"]["workload"] if r["metric"] == "alerts_per_100_children"]
    for r in alerts:
        for k in ("value", "lower", "upper"):
            assert r[k] is None or isinstance(r[k], int), (k, r)


@pytest.mark.slow
def test_no_published_number_has_more_than_three_decimals(
    demo_like: tuple[dict[str, Any], Path],
) -> None:
    card, _ = demo_like
    fine = [(where, v) for where, v in _numbers(card) if round(v, 3) != v]
    assert not fine, fine[:10]
    assert card["performance"]["metrics"], "the card has metrics to check"


@pytest.mark.slow
def test_the_validation_counts_are_published_rounded(
    demo_like: tuple[dict[str, Any], Path],
) -> None:
    card, _ = demo_like
    v = card["data"]["validation"]
    for n in (v["errors"], v["warnings"], *v.get("by_rule", {}).values()):
        assert n is None or (isinstance(n, int) and n >= 10 and n % 5 == 0), v
