"""A steering report's event counts are suppressed by the distinct children who had the event.

An event count (breakdowns, provider endings, moves, returns home, the carousel; the observed
count of a comparison) counts placements, and a child can have many. The house rule is "no
cell under 10 children": a unit where 3 children had 12 breakdowns must not publish "10"
(12 rounded), whatever the number of events. The count is published beside the children who
had the event, both rounded to 5, and both hidden when fewer than 10 children had it.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from steering_result import steering_result  # type: ignore[import-not-found]

from earlysignal.disclosure import DisclosurePolicy
from earlysignal.steering.publish import protect_comparison
from earlysignal.steering.report import _measures

EVENTS = ("breakdown", "provider_ended", "unplanned", "moves", "return_home", "carousel")


def _placements(units: dict[str, list[list[dict[str, int]]]]) -> pl.DataFrame:
    """Placements of units: per unit, per child, the child's placements with their events.

    Every child also has one placement without any event (so that it is placed in the unit).
    """
    rows: list[dict[str, Any]] = []
    for unit, kids in units.items():
        for c, placements in enumerate(kids):
            kid = f"{unit}-c{c}"
            for p, ev in enumerate([{}, *placements]):
                flags = {e: int(ev.get(e, 0)) for e in EVENTS}
                flags["unplanned"] = max(flags["breakdown"], flags["provider_ended"])
                rows.append(
                    {"unit": unit, "child_id": kid, "placement_id": f"{kid}-p{p}", "days": 200}
                    | flags
                )
    return pl.DataFrame(rows, schema_overrides={"carousel": pl.Int64})


def _true_children(placements: pl.DataFrame, event: str) -> dict[str, int]:
    t = placements.filter(pl.col(event) > 0).group_by("unit").agg(pl.col("child_id").n_unique())
    return dict(t.iter_rows())


def _comparison(placements: pl.DataFrame, event: str) -> pl.DataFrame:
    """A raw comparison of ``event`` per unit (what compare_units hands to the report)."""
    per = (
        placements.group_by("unit")
        .agg(
            pl.col("child_id").n_unique().cast(pl.Int64).alias("children"),
            pl.col(event).sum().cast(pl.Int64).alias("observed"),
            pl.col("child_id")
            .filter(pl.col(event) > 0)
            .n_unique()
            .cast(pl.Int64)
            .alias("children_event"),
        )
        .sort("unit")
    )
    fixed = {"flag": "within", "shrunk": 1.0, "shrunk_lo": 0.8, "shrunk_hi": 1.2, "rank_lo": 1,
             "rank_hi": 3, "limit_lo_95": 0.5, "limit_hi_95": 1.6, "limit_lo_998": 0.3,
             "limit_hi_998": 2.0}  # fmt: skip
    return per.with_columns(
        (pl.col("children") * 0.4).alias("expected"),
        *(pl.lit(v).alias(k) for k, v in fixed.items()),
    )


# provider a: 3 children with 12 breakdowns (4 each); b and c: many children, many events
FEW_CHILDREN_MANY_EVENTS = {
    "a": [[{"breakdown": 1, "moves": 1}] * 4] * 3 + [[]] * 27,
    "b": [[{"breakdown": 1, "moves": 1}]] * 25 + [[]] * 30,
    "c": [[{"breakdown": 1, "moves": 1}] * 2] * 18 + [[]] * 40,
}


def test_three_children_with_twelve_breakdowns_are_not_published() -> None:
    p = _placements(FEW_CHILDREN_MANY_EVENTS)
    assert _true_children(p, "breakdown")["a"] == 3  # the case of the issue: 3 children
    assert p.filter(pl.col("unit") == "a")["breakdown"].sum() == 12  # with 12 breakdowns
    out = _measures(steering_result(p), {u: u.upper() for u in "abc"}, DisclosurePolicy())
    a = out.row(0, named=True)
    assert a["label"] == "A"
    assert a["breakdown"] is None and a["moves"] is None, a
    assert a["children_breakdown"] is None and a["children_moves"] is None, a
    # c (18 children, 36 breakdowns) is the complementary cell; b (25 children with one
    # breakdown each) is published as placements with the event beside their children
    b, c = out.row(1, named=True), out.row(2, named=True)
    assert (b["breakdown"], b["children_breakdown"]) == (25, 25)
    assert c["breakdown"] is None and c["children_breakdown"] is None


def test_the_comparison_hides_an_observed_count_of_few_children() -> None:
    p = _placements(FEW_CHILDREN_MANY_EVENTS)
    comp = _comparison(p, "breakdown")
    out = protect_comparison(comp, {u: u.upper() for u in "abc"})
    a = out.row(0, named=True)
    assert a["observed"] is None and a["children_event"] is None and a["ratio"] is None, a
    b = out.row(1, named=True)
    assert (b["observed"], b["children_event"]) == (25, 25)


events = st.fixed_dictionaries(
    {
        "breakdown": st.integers(0, 1),
        "provider_ended": st.integers(0, 1),
        "moves": st.integers(0, 1),
        "return_home": st.integers(0, 1),
        "carousel": st.integers(0, 1),
    }
)
child = st.one_of(st.just([]), st.lists(events, min_size=1, max_size=6))
unit = st.lists(child, min_size=10, max_size=40)


@settings(max_examples=25, deadline=None)
@given(st.lists(unit, min_size=2, max_size=4))
def test_every_published_event_count_comes_from_10_or_more_children(
    kids: list[list[list[dict[str, int]]]],
) -> None:
    # Random units (10-40 children placed, each with 0-6 placements with random events, so
    # some units have a few children with many events): every event count the report
    # publishes, in the measures and in each comparison, comes from at least 10 distinct
    # children, and is published beside that children count, both rounded to 5.
    units = {f"u{i}": k for i, k in enumerate(kids)}
    p = _placements(units)
    labels = {u: u for u in units}
    out = _measures(steering_result(p), labels, DisclosurePolicy())
    for e in EVENTS:
        truth = _true_children(p, e)
        for r in out.iter_rows(named=True):
            if r[e] is not None:
                assert truth.get(r["label"], 0) >= 10, (e, r)
                k = r[f"children_{e}"]
                assert k is not None and k >= 10 and k % 5 == 0, (e, r)
                assert r[e] >= k  # events are at least their children (both rounded)
    for e in ("unplanned", "moves"):
        truth = _true_children(p, e)
        comp = protect_comparison(_comparison(p, e), labels)
        for r in comp.iter_rows(named=True):
            if r["observed"] is not None:
                assert truth.get(r["label"], 0) >= 10, (e, r)
                k = r["children_event"]
                assert k is not None and k >= 10 and k % 5 == 0, (e, r)
