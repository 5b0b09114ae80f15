"""Two steering reports on overlapping periods, published through the publication ledger.

A provider whose children (or children with the event) changed by 1-9 between the two
reports repeats its earlier figures, or stays hidden: the two reports cannot be subtracted to
describe the few children who changed (docs/disclosure.md). Without the ledger they can.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from steering_result import steering_result  # type: ignore[import-not-found]

from earlysignal.disclosure import DisclosurePolicy
from earlysignal.ledger import PublicationLedger, use_ledger
from earlysignal.steering.publish import ledger_table, protect_comparison
from earlysignal.steering.report import _measures
from earlysignal.steering.units import unit_measures, unit_members

COUNTS = ("children", "observed")


def _comparison(sizes: dict[str, tuple[int, int]], extra: int = 0) -> tuple[pl.DataFrame, ...]:
    """A raw comparison of units with (children, observed) and the ids each count counts.

    ``extra`` new children join unit ``a``, each with a placement that had the event.
    """
    rows, members = [], []
    for unit, (n, k) in sizes.items():
        kids = [f"{unit}-c{j}" for j in range(n)]
        events = [f"{unit}-p{j}" for j in range(k)]
        if unit == "a":
            kids += [f"new-c{j}" for j in range(extra)]
            events += [f"new-p{j}" for j in range(extra)]
        rows.append(
            {
                "unit": unit,
                "children": len(kids),
                "observed": len(events),
                "expected": len(kids) * 0.4,
                "children_event": len(events),
                "flag": "within",
                "shrunk": 1.0,
                "shrunk_lo": 0.8,
                "shrunk_hi": 1.2,
                "rank_lo": 1,
                "rank_hi": 3,
                "limit_lo_95": 0.5,
                "limit_hi_95": 1.6,
                "limit_lo_998": 0.3,
                "limit_hi_998": 2.0,
            }
        )
        members.append({"unit": unit, "_m_children": kids, "_m_observed": events})
    return pl.DataFrame(rows), pl.DataFrame(members)


def _publish(sizes: dict[str, tuple[int, int]], extra: int) -> pl.DataFrame:
    comp, members = _comparison(sizes, extra)
    labels = {u: u.upper() for u in sizes}
    return protect_comparison(
        comp, labels, members=members, table_name=ledger_table("provider", "unplanned")
    )


@settings(max_examples=15, deadline=None)
@given(
    st.integers(10, 40),
    st.integers(10, 30),
    st.integers(1, 9),
)
def test_a_provider_changed_by_a_few_children_repeats_its_figures(
    n: int, k: int, extra: int
) -> None:
    # Provider a gains 1-9 children (each with a placement that ended unplanned) between two
    # reports on overlapping periods; b and c are the same children. Through one ledger the
    # second report repeats a's figures or hides them: its published counts, ratio and
    # interval tell nothing about the children who came.
    sizes = {"a": (n, min(k, n)), "b": (55, 20), "c": (41, 17)}
    with tempfile.TemporaryDirectory() as folder, use_ledger(PublicationLedger(folder)):
        first = _publish(sizes, 0)
        second = _publish(sizes, extra)
    for r1, r2 in zip(first.iter_rows(named=True), second.iter_rows(named=True), strict=True):
        for c in (*COUNTS, "ratio", "ratio_lo", "ratio_hi"):
            if r1[c] is None or r2[c] is None:
                assert r1[c] is not None or r2[c] is None, f"{r1['label']}.{c} hidden, then shown"
            elif c in COUNTS:
                assert r2[c] == r1[c], f"{r1['label']}.{c}: {r1[c]} then {r2[c]}"
    # the observed count repeats, so the ratio differs only by the expected count (model output)
    a1, a2 = first.row(0, named=True), second.row(0, named=True)
    if a1["ratio"] is not None and a2["ratio"] is not None:
        assert a2["ratio"] * a2["expected"] == pytest.approx(a1["ratio"] * a1["expected"], abs=0.5)


def test_without_the_ledger_the_new_children_show() -> None:
    # The control: 17 children (15 published) gain 1 child with the event, 18 -> 20. Rounding
    # alone shows where the new child went and that it had the event (observed 15 -> 20).
    sizes = {"a": (17, 12), "b": (55, 20), "c": (41, 17)}
    with use_ledger(None):
        first, second = _publish(sizes, 0), _publish(sizes, 1)
    assert (first["children"][0], second["children"][0]) == (15, 20)
    assert (first["observed"][0], second["observed"][0]) == (10, 15)


def test_the_boundary_case_repeats_through_the_ledger(tmp_path: Path) -> None:
    sizes = {"a": (17, 12), "b": (55, 20), "c": (41, 17)}
    with use_ledger(PublicationLedger(tmp_path / "ledger")) as led:
        first, second = _publish(sizes, 0), _publish(sizes, 1)
        third = _publish(sizes, 10)  # 10 more children: a new figure, published afresh
    assert first.drop("expected", "ratio", "ratio_lo", "ratio_hi").equals(
        second.drop("expected", "ratio", "ratio_lo", "ratio_hi")
    )
    assert (second["children"][0], second["observed"][0]) == (15, 10)
    assert (third["children"][0], third["observed"][0]) == (25, 20)
    assert led is not None and led.stats.repeated[ledger_table("provider", "unplanned")] > 0


def _placements(sizes: dict[str, int], extra: int) -> pl.DataFrame:
    rows = []
    for unit, n in sizes.items():
        kids = [f"{unit}-c{j}" for j in range(n)]
        if unit == "a":
            kids += [f"new{j}" for j in range(extra)]
        for j, kid in enumerate(kids):
            moved = int(j % 3 == 0 or kid.startswith("new"))
            rows.append(
                {
                    "unit": unit,
                    "child_id": kid,
                    "placement_id": f"{unit}-{kid}",
                    "days": 300,
                    "breakdown": moved,
                    "provider_ended": 0,
                    "unplanned": moved,
                    "moves": moved,
                    "return_home": 0,
                    "carousel": None if j % 2 else moved,
                }
            )
    return pl.DataFrame(rows, schema_overrides={"carousel": pl.Int64})


@pytest.mark.parametrize("extra", [1, 4, 9])
def test_the_measures_table_repeats_or_hides_a_provider_changed_by_a_few(
    tmp_path: Path, extra: int
) -> None:
    # The report's measures per provider (children, breakdowns, moves, ...): provider a gains
    # 1-9 children who each moved; the second report repeats every figure of the first or
    # hides it (the moves per 1000 days, a rate of placement days, is not a count of children).
    sizes = {"a": 32, "b": 47, "c": 60}
    with use_ledger(PublicationLedger(tmp_path / "ledger")):
        first = _measures(
            steering_result(_placements(sizes, 0)), {u: u for u in sizes}, DisclosurePolicy()
        )
        second = _measures(
            steering_result(_placements(sizes, extra)), {u: u for u in sizes}, DisclosurePolicy()
        )
    counts = ["children", "breakdown", "unplanned", "moves", "carousel"]
    for c in counts:
        for v1, v2 in zip(first[c], second[c], strict=True):
            assert v2 is None or v1 == v2, f"{c}: {v1} then {v2}"
    assert first["children"][0] == second["children"][0] == 30
    without = _measures(
        steering_result(_placements(sizes, extra)), {u: u for u in sizes}, DisclosurePolicy()
    )
    assert extra < 4 or without["children"][0] != first["children"][0]  # the control


def test_unit_members_count_what_the_measures_count() -> None:
    p = _placements({"a": 12, "b": 20}, 3)
    m = unit_measures(p).join(unit_members(p, ["moves", "carousel"]), on="unit")
    for row in m.iter_rows(named=True):
        assert len(row["_m_children"]) == row["children"]
        # an event's members are the children who had it (its ledger key), not its placements
        assert len(row["_m_moves"]) == row["children_moves"]
        assert len(row["_m_carousel"]) == row["children_carousel"]
