"""Groups whose labels are not stable between runs (personas found by clustering).

With ``ledger_by_group=False`` a cell is matched to the nearest earlier cell of the same column
whatever its label, so nearly the same children repeat their figure under a new label.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from earlysignal.disclosure import protect
from earlysignal.ledger import PublicationLedger


def _publish(groups: dict[str, list[str]], led: PublicationLedger, by_group: bool) -> list[int]:
    table = pl.DataFrame(
        {"g": list(groups), "n": [len(v) for v in groups.values()], "m": list(groups.values())},
        schema={"g": pl.String, "n": pl.Int64, "m": pl.List(pl.String)},
    )
    out = protect(
        table, count_cols=["n"], by=["g"], members={"n": "m"}, table="t", ledger=led,
        ledger_by_group=by_group,
    )  # fmt: skip
    return out["n"].to_list()


def _runs() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    big = [f"b{j}" for j in range(40)]
    small = [f"s{j}" for j in range(17)]
    other = [f"o{j}" for j in range(33)]
    # run 2: one child joins the 17 (15 -> 20 by rounding alone), and the labels swap
    return {"1": big, "2": small, "3": other}, {"1": [*small, "new"], "2": big, "3": other}


def test_a_swapped_label_repeats_the_figure_of_its_children(tmp_path: Path) -> None:
    run1, run2 = _runs()
    led = PublicationLedger(tmp_path / "ledger")
    assert _publish(run1, led, False) == [40, 15, 35]
    assert _publish(run2, led, False) == [15, 40, 35]


def test_matching_by_label_misses_a_swapped_label(tmp_path: Path) -> None:
    # the control: matched by label, the 18 children under label 1 are compared with the 40
    # of run 1 and published afresh (20): the new child is placed
    run1, run2 = _runs()
    led = PublicationLedger(tmp_path / "ledger")
    _publish(run1, led, True)
    assert _publish(run2, led, True) == [20, 40, 35]
