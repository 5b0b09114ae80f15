"""check_card compares the decision rule's published rates within the rounding they carry: a
rate is accepted where some true counts behind the published ones (each within 2 of its rounded
count) give it, to half its last decimal, and not beyond."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import numpy as np

from earlysignal.card import new_card
from earlysignal.card.board import decision_in_people
from earlysignal.card.consistency import check_card
from earlysignal.evaluate.rounded import published_rule


def _card() -> dict[str, Any]:
    card = new_card(run_id="r", experiment="e", run_name="n", outcome="breakdown",
                    horizon_days=180)  # fmt: skip
    counts = {"rows": 5830, "flagged": 597, "flagged_with_event": 73, "events": 223,
              "children": 739, "rows_children": 739, "flagged_children": 180,
              "flagged_with_event_children": 45, "events_children": 115}  # fmt: skip
    rule = published_rule(counts)  # precision 75/595 = 0.13; recall 75/225 = 0.33
    ids = np.array([f"c{i}" for i in range(40)])
    people = decision_in_people(ids, np.array([date(2024, 1, 1)] * 40), np.zeros(40),
                                np.linspace(0, 1, 40), 0.5)  # fmt: skip
    people.update(counts=rule["counts"], share_flagged=0.1, precision=rule["precision"],
                  recall=rule["recall"])  # fmt: skip
    card["decision"]["people"] = people
    card["decision"]["workload"] = [
        {"metric": "precision_at_top", "flagged share": 0.1, "value": rule["precision"],
         "lower": 0.09, "upper": 0.15},
    ]  # fmt: skip
    card["subgroups"]["table"] = [
        # the audit's own rounding of the same rates (rows 5831, flagged 597, events 223)
        {"attribute": "all", "group": "all", "n_rows": 5830, "selection_rate": 0.1,
         "ppv": 0.12, "tpr": 0.33},
    ]  # fmt: skip
    return card


def test_two_roundings_of_one_rate_agree() -> None:
    card = _card()
    assert card["decision"]["people"]["precision"] == 0.13  # the audit says 0.12: both fit
    assert [p for p in check_card(card) if p.startswith("one value")] == []


def test_a_rate_beyond_its_rounding_is_named() -> None:
    card = _card()
    # precision: published counts 75/595 allow 73/597 to 77/593, i.e. 0.122 to 0.130
    for ppv, bad in ((0.11, True), (0.12, False), (0.14, True)):
        c = copy.deepcopy(card)
        c["subgroups"]["table"][0]["ppv"] = ppv
        problems = [p for p in check_card(c) if p.startswith("one value: precision")]
        assert bool(problems) is bad, (ppv, problems)
    c = copy.deepcopy(card)
    c["decision"]["workload"][0]["value"] = 0.15
    assert any("(workload table), outside" in p for p in check_card(c))
