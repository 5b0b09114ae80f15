"""The card agrees with itself: totals add up, one value per metric, intervals shown, counts
say what they count (earlysignal.card.consistency)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from earlysignal.card import new_card
from earlysignal.card.consistency import check_card

BEFORE = Path(__file__).parent / "fixtures" / "demo_card_before_issue_13.json"


@pytest.mark.slow
def test_demo_like_card_is_consistent(demo_like: tuple[dict[str, Any], Path]) -> None:
    card, _ = demo_like
    assert check_card(card) == []


@pytest.mark.slow
def test_demo_like_card_reconciles_across_sections(demo_like: tuple[dict[str, Any], Path]) -> None:
    card, _ = demo_like
    periods = card["validation_design"]["periods"]
    c = card["outcome"]["censoring"]

    # the periods publish counts rounded to 5 (within 2 of the truth) or hidden under 10 (null)
    def bounds(col: str) -> tuple[int, int]:
        values = [p[col] for p in periods]
        lo = sum(0 if v is None else v - 2 for v in values)
        return lo, sum(9 if v is None else v + 2 for v in values)

    lo, hi = bounds("rows in period")
    assert lo <= c["rows"] <= hi
    lo, hi = bounds("of them censored rows (label missing)")
    assert lo <= c["censored"] + (c["not_at_risk"] or 0) <= hi
    assert card["validation_design"]["bootstrap"] == 30
    people = card["decision"]["people"]
    workload = card["decision"]["workload"]
    assert workload[0]["flagged share"] == pytest.approx(people["share_flagged"], abs=5e-4)
    assert card["summary"]["auroc"] == next(
        m for m in card["performance"]["metrics"] if m["model"] == "lightgbm" and
        m["metric"] == "auroc"
    )  # fmt: skip
    assert all("ece" not in r for r in card["subgroups"]["table"])


def test_the_demo_card_before_the_fix_fails_the_check() -> None:
    """Every inconsistency the ethics board found in the old demo card is caught."""
    problems = "\n".join(check_card(json.loads(BEFORE.read_text())))
    assert "ECE 0.003 and 0.002" in problems
    assert "'bootstrap replicates 0' beside bootstrap intervals" in problems
    assert "share flagged at the decision rule is 0.100 (workload table), 0.096" in problems
    assert "censored rows over the periods 0 != censored + not at risk 8980" in problems
    assert "column 'purged' of a table in validation is a bare count" in problems


def test_each_kind_of_inconsistency_is_named() -> None:
    base = new_card(run_id="r", experiment="e", run_name="n", outcome="breakdown",
                    horizon_days=180)  # fmt: skip
    base["validation_design"]["bootstrap"] = 10
    base["performance"]["primary_model"] = "m"
    base["performance"]["metrics"] = [
        {"model": "m", "metric": "auroc", "value": 0.7, "lower": 0.68, "upper": 0.72}
    ]
    assert check_card(base) == []

    missing = copy.deepcopy(base)
    missing["performance"]["metrics"][0]["upper"] = None
    assert any(p.startswith("intervals:") for p in check_card(missing))

    two = copy.deepcopy(base)
    two["calibration"]["metrics"] = [
        {"model": "m", "metric": "ece", "value": 0.003, "lower": 0.002, "upper": 0.004}
    ]
    two["subgroups"]["table"] = [{"attribute": "all", "group": "all", "n": 100, "ece": 0.002}]
    assert any("ECE 0.003 and 0.002" in p for p in check_card(two))

    bare = copy.deepcopy(base)
    bare["decision"]["workload"] = [{"measure": "precision", "flagged": 120, "value": 0.1,
                                     "lower": 0.09, "upper": 0.11}]  # fmt: skip
    assert any("'flagged'" in p and "bare count" in p for p in check_card(bare))

    totals = copy.deepcopy(base)
    totals["outcome"]["censoring"].update(rows=100, censored=20, labelled=50, not_at_risk=0)
    assert any(p.startswith("totals:") for p in check_card(totals))


def _period(rows_in: int | None, purged: int | None, kept: int | None) -> dict[str, Any]:
    return {"period": "test", "rows in period": rows_in, "purged rows": purged,
            "of them censored rows (label missing)": None, "kept rows": kept}  # fmt: skip


def test_period_totals_are_checked_within_their_rounding() -> None:
    """Rounded to 5 on their own, rows in a period 1,003 = 12 purged + 991 kept show as
    1,005, 10 and 990; 3 purged rows are hidden (null): both agree within the rounding."""
    base = new_card(run_id="r", experiment="e", run_name="n", outcome="breakdown",
                    horizon_days=180)  # fmt: skip
    rounded = copy.deepcopy(base)
    rounded["validation_design"]["periods"] = [_period(1005, 10, 990)]
    rounded["validation_design"]["purged_rows"] = 10
    assert check_card(rounded) == []
    hidden = copy.deepcopy(base)
    hidden["validation_design"]["periods"] = [_period(1005, None, 1000)]
    hidden["validation_design"]["purged_rows"] = None
    assert check_card(hidden) == []
    wrong = copy.deepcopy(base)
    wrong["validation_design"]["periods"] = [_period(1005, 30, 990), _period(500, None, 500)]
    wrong["validation_design"]["purged_rows"] = 50
    problems = "\n".join(check_card(wrong))
    assert "period test: rows in period 1005 != purged 30 + kept 990" in problems
    assert "'rows purged (all periods)' is not the sum" in problems
