"""Two steering reports on overlapping periods: event counts are guarded on children.

An event count (here breakdowns per provider) is keyed in the publication ledger by the
distinct children who had the event, not by the placements: a unit whose children with the
event changed by fewer than 10 repeats its earlier figures (events and children) or stays
hidden, however many events those children added. So subtracting the two reports describes no
group of fewer than 10 children: not the children who came or left, and not the few children
who had many more events.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from steering_result import steering_result  # type: ignore[import-not-found]
from two_run_lp import MIN, TwoRuns  # type: ignore[import-not-found]

from earlysignal.disclosure import DisclosurePolicy
from earlysignal.ledger import PublicationLedger, use_ledger
from earlysignal.steering.report import _measures

Unit = tuple[int, dict[str, int]]
"""A unit: its children without the event, and per child with the event its breakdowns."""


def _placements(units: dict[str, Unit]) -> pl.DataFrame:
    rows = []
    for unit, (quiet, events) in units.items():
        kids = {f"{unit}-q{j}": 0 for j in range(quiet)} | events
        for kid, n in kids.items():
            for p in range(n + 1):  # one placement without the event, n with it
                rows.append(
                    {
                        "unit": unit,
                        "child_id": kid,
                        "placement_id": f"{kid}-p{p}",
                        "days": 200,
                        "breakdown": int(p > 0),
                        "provider_ended": 0,
                        "unplanned": int(p > 0),
                        "moves": 0,
                        "return_home": 0,
                        "carousel": None,
                    }
                )
    return pl.DataFrame(rows, schema_overrides={"carousel": pl.Int64})


def _publish(units: dict[str, Unit]) -> pl.DataFrame:
    """The measures table of one report (through the ledger in use)."""
    p = _placements(units)
    return _measures(steering_result(p), {u: u for u in units}, DisclosurePolicy())


# a: 3 children with 12 breakdowns, then 15 (one more each). b: 15 children with 20
# breakdowns, then 3 of them have 12 more (32). c: a large unit, d: 10 children with one
# breakdown each (a's complementary cell), both unchanged.
B_EVENTS = {f"b{j}": 1 for j in range(15)} | {f"b{j}": 2 for j in range(5)}
FIRST: dict[str, Unit] = {
    "a": (27, {f"a{j}": 4 for j in range(3)}),
    "b": (30, B_EVENTS),
    "c": (40, {f"c{j}": 2 for j in range(30)}),
    "d": (30, {f"d{j}": 1 for j in range(10)}),
}
SECOND: dict[str, Unit] = FIRST | {
    "a": (27, {f"a{j}": 5 for j in range(3)}),
    "b": (30, B_EVENTS | {f"b{j}": 6 for j in range(3)}),
}


def _two_reports(folder: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    with use_ledger(PublicationLedger(folder)):
        return _publish(FIRST), _publish(SECOND)


def test_three_children_with_many_breakdowns_are_never_published(tmp_path: Path) -> None:
    one, two = _two_reports(tmp_path / "ledger")
    for out in (one, two):
        a = out.row(0, named=True)
        assert a["breakdown"] is None and a["children_breakdown"] is None, a


def test_more_breakdowns_of_the_same_children_repeat_the_figures(tmp_path: Path) -> None:
    # b's children with a breakdown are the same 15: report 2 repeats report 1. Keyed by
    # placements (12 new ones, 10 or more), b published 30 afresh, and the difference told
    # that a handful of b's children had about 10 more breakdowns.
    assert sum(B_EVENTS.values()) == 20 and sum(SECOND["b"][1].values()) == 32
    one, two = _two_reports(tmp_path / "ledger")
    assert (one["breakdown"][1], two["breakdown"][1]) == (20, 20)
    assert one["children_breakdown"][1] == 15
    assert one.drop("placement_days").equals(two.drop("placement_days"))


sizes = st.one_of(st.integers(0, 14), st.integers(8, 14), st.integers(10, 30))


@settings(max_examples=20, deadline=None)
@given(
    st.lists(sizes, min_size=2, max_size=4),
    st.integers(0, 9),
    st.integers(0, 9),
    st.integers(0, 12),
    st.randoms(use_true_random=False),
)
def test_two_overlapping_reports_reveal_no_group_under_10_children(
    with_event: list[int], n_add: int, n_remove: int, more: int, rnd: object
) -> None:
    # Units with 0-30 children who had 1-4 breakdowns each (many near the threshold and the
    # rounding boundaries) and 10-40 children without. Report 2: ``n_add`` children entered
    # (each with 1-4 breakdowns, in random units), ``n_remove`` children with breakdowns left,
    # fewer than 10 in all, and ``more`` extra breakdowns fell to a few children of report 1.
    # Both through one ledger. The attacker knows both reports (events, children with the
    # event, children placed), the total of children with the event (assumed published
    # elsewhere), the ledger's rule and how many children came and went (tests/two_run_lp.py).
    n_remove = min(n_remove, 9 - n_add, sum(with_event))
    assume(n_add + n_remove >= 1)
    r = rnd  # a random.Random
    units1: dict[str, Unit] = {
        f"u{i}": (r.randint(10, 40), {f"u{i}-e{j}": r.randint(1, 4) for j in range(n)})  # type: ignore[attr-defined]
        for i, n in enumerate(with_event)
    }
    units2 = {u: (q, dict(ev)) for u, (q, ev) in units1.items()}
    everyone = [(u, c) for u, (_, ev) in units1.items() for c in ev]
    for u, c in r.sample(everyone, n_remove):  # type: ignore[attr-defined]
        del units2[u][1][c]
    stayed = [(u, c) for u, (_, ev) in units2.items() for c in ev]
    for _ in range(more if stayed else 0):
        u, c = r.choice(stayed)  # type: ignore[attr-defined]
        units2[u][1][c] += 1
    names = list(units1)
    for j in range(n_add):
        units2[r.choice(names)][1][f"new{j}"] = r.randint(1, 4)  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as folder, use_ledger(PublicationLedger(folder)):
        pub1, pub2 = _publish(units1), _publish(units2)
    k = len(names)
    for c in ("breakdown", "children_breakdown"):
        for p1, p2 in zip(pub1[c], pub2[c], strict=True):
            assert p1 is None or p2 is None or p1 == p2, (c, p1, p2)
            assert p1 is not None or p2 is None, (c, "hidden, then shown")
    for units, pub in ((units1, pub1), (units2, pub2)):
        for i, u in enumerate(names):
            if pub["breakdown"][i] is not None:
                assert len(units[u][1]) >= MIN, "an event count of fewer than 10 children"

    def bounds(second: pl.DataFrame | None) -> dict[str, tuple[float, float]]:
        m = TwoRuns(k, n_add, n_remove)
        total = sum(len(ev) for _, ev in units1.values())
        m.within(m.coef([m.x(i) for i in range(k)]), total, total)
        for i in range(k):
            xs, ys = m.coef([m.x(i)]), m.coef([m.y(i)])
            kid2 = None if second is None else second["children_breakdown"][i]
            m.published(xs, ys, pub1["children_breakdown"][i], kid2)
            # the events and the children placed are upper bounds of the children with it
            for run, row, pub in ((xs, i, pub1), (ys, i, second)):
                for col in ("breakdown", "children"):
                    v = None if pub is None else pub[col][row]
                    if v is not None:
                        m.within(run, 0, v + 2)
        return m.bounds(
            (f"{n}{i}", [f(i)]) for n, f in (("x", m.x), ("y", m.y), ("a", m.a)) for i in range(k)
        )

    b, before = bounds(pub2), bounds(None)
    for i, u in enumerate(names):
        truth = {
            "x": len(units1[u][1]),
            "y": len(units2[u][1]),
            "a": sum(c.startswith("new") for c in units2[u][1]),
        }
        for name, value in truth.items():
            lo, hi = b[f"{name}{i}"]
            assert lo - 1e-6 <= value <= hi + 1e-6, "the attacker model is unsound"
        for name, pub in (("x", pub1), ("y", pub2)):
            if pub["children_breakdown"][i] is None:
                lo, hi = b[f"{name}{i}"]
                assert hi - lo >= 1 - 1e-6, f"hidden cell {name}{i} is pinned: {(lo, hi)}"
                if before[f"{name}{i}"][1] >= MIN - 1e-6:
                    assert hi >= MIN - 1e-6, f"hidden cell {name}{i} is shown under {MIN}: {hi}"
        assert b[f"a{i}"][0] <= 1e-6, f"an added child is placed in unit {i}"
        assert b[f"a{i}"][1] >= n_add - 1e-6, f"unit {i} is shown to have gained fewer"
