"""Property: every published move rate has 10+ children who moved and 10+ who did not, and is
computed from the rounded counts."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from move_histories import YE, region_history  # type: ignore[import-not-found]

from earlysignal.indicators.report import moves_in_year, stability_indicators


def _round5(n: int) -> int:
    return 5 * ((n + 2) // 5)  # halves up, as earlysignal.disclosure.round_count


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["north", "south", "east"]),
        st.lists(st.sampled_from([0, 0, 0, 1, 2, 5]), min_size=1, max_size=40),
        min_size=1,
    )
)
def test_published_move_rates_are_backed_by_children(moves: dict[str, list[int]]) -> None:
    h = region_history(moves)
    table = stability_indicators(h, year_ends=[YE], by=["region"], dfe=False)
    per_child = moves_in_year(h, YE).with_columns(
        pl.col("child_id").str.replace(r"\d+$", "").alias("region")
    )
    rates = table.filter(pl.col("unit") != "share")
    for r in rates.iter_rows(named=True):
        cell = per_child if r["group"] == "all" else per_child.filter(
            pl.col("region") == r["group_value"]
        )  # fmt: skip
        movers = int((cell["moves"] > 0).sum())
        if r["value"] is None:
            assert r["value_flag"] == "suppressed"
            continue
        assert movers >= 10 and cell.height - movers >= 10
        assert r["count"] == _round5(movers) and r["children"] == _round5(cell.height)
        m = _round5(int(cell["moves"].sum()))
        if r["indicator"] == "moves_per_child":
            assert r["value"] == round(m / r["children"], 2)
        else:
            assert r["value"] == round(1000 * m / int(cell["days_in_care"].sum()), 1)
    # a cell where fewer than 10 children moved never publishes its rate
    small = [v for v, sub in per_child.group_by("region") if int((sub["moves"] > 0).sum()) < 10]
    hidden = rates.filter(pl.col("group_value").is_in([str(v[0]) for v in small]))
    assert hidden["value"].null_count() == hidden.height
