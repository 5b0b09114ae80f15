"""A rate of two counts repeats with its counts: the numerator goes through the ledger too.

``rate_of`` rates are computed from the published counts. When the numerator is not published
itself (persona report: the children who moved 3+ times), its children can be given as
``members`` so that the numerator repeats like a published count (docs/disclosure.md).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from earlysignal.disclosure import DisclosurePolicy, protect
from earlysignal.ledger import PublicationLedger


def _publish(extra: int, led: PublicationLedger, numerator: bool) -> list[float | None]:
    kids = {"a": [f"a{j}" for j in range(40)], "b": [f"b{j}" for j in range(50)]}
    pos = {"a": kids["a"][:17], "b": kids["b"][:20]}
    kids["a"] += [f"new{j}" for j in range(extra)]  # the new children had the event
    pos["a"] += [f"new{j}" for j in range(extra)]
    table = pl.DataFrame(
        {
            "g": ["a", "b"],
            "n": [len(kids[g]) for g in "ab"],
            "pos": [len(pos[g]) for g in "ab"],
            "neg": [len(kids[g]) - len(pos[g]) for g in "ab"],
            "rate": [0.0, 0.0],
            "m_n": [kids[g] for g in "ab"],
            "m_pos": [pos[g] for g in "ab"],
        }
    )
    members = {"n": "m_n", **({"pos": "m_pos"} if numerator else {})}
    table = table if numerator else table.drop("m_pos")
    out = protect(
        table, count_cols=["n"], by=["g"], rate_cols=["rate"],
        rate_support={"rate": ["pos", "neg"]}, rate_of={"rate": ("pos", "n")},
        members=members, table="rates", ledger=led, policy=DisclosurePolicy(),
    )  # fmt: skip
    assert "m_pos" not in out.columns and "pos" not in out.columns  # never published
    return out["rate"].to_list()


def test_the_rate_repeats_when_its_numerator_is_in_the_ledger(tmp_path: Path) -> None:
    # a: 17 of 40 (15/40 = 0.38), then 1 new child with the event: 18 of 41. The count
    # repeats 40; the numerator 18 would round to 20 (0.5) and place the new child.
    led = PublicationLedger(tmp_path / "ledger")
    assert _publish(0, led, True) == [0.38, 0.4]
    assert _publish(1, led, True) == [0.38, 0.4]
    assert _publish(10, led, True) == [0.5, 0.4]  # 10 more children: afresh (25/50)


def test_without_the_numerator_the_rate_places_the_new_child(tmp_path: Path) -> None:
    led = PublicationLedger(tmp_path / "ledger")
    assert _publish(0, led, False) == [0.38, 0.4]
    assert _publish(1, led, False) == [0.5, 0.4]  # the control: what the members prevent


def test_a_rate_hidden_before_stays_hidden(tmp_path: Path) -> None:
    # a rate hidden because its numerator was hidden stays hidden for nearly the same children
    led = PublicationLedger(tmp_path / "ledger")
    kids = [f"k{j}" for j in range(30)]

    def run(pos: list[str]) -> list[float | None]:
        table = pl.DataFrame(
            {"g": ["a"], "n": [30], "pos": [len(pos)], "neg": [30 - len(pos)], "rate": [0.0],
             "m_n": [kids], "m_pos": [pos]}
        )  # fmt: skip
        out = protect(
            table, count_cols=["n"], by=["g"], rate_cols=["rate"],
            rate_support={"rate": ["pos", "neg"]}, rate_of={"rate": ("pos", "n")},
            members={"n": "m_n", "pos": "m_pos"}, table="rates", ledger=led,
        )  # fmt: skip
        return out["rate"].to_list()

    assert run(kids[:9]) == [None]  # 9 with the event: hidden (support)
    assert run(kids[:12]) == [None]  # 12 (3 more): still hidden, as before
    assert run(kids[:19]) == [0.67]  # 19 (10 more than the first): afresh, 20/30
