"""A differencing attack between two runs on overlapping periods.

Run 2 holds the children of run 1 plus ``delta`` (1-4) children who entered care in the extra
month. Both tables are protected with the default policy; every published count, totals
included, is rounded to 5. The attacker knows both publications, the rounding rule (a published
``P`` means a true count in ``[P - 2, P + 2]``), that run 2 only adds children, and exactly how
many: ``delta``. Linear programming over both runs' exact cells must not let them

* recover any hidden cell exactly, nor prove that it is under the threshold (its upper bound
  stays at 10 or more), in either run, when both runs hide the same cells;
* recover the number of added children from the totals alone (the classic attack, which with
  exact totals gives ``delta`` back, e.g. the single child of a small group).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import polars as pl
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from two_run_lp import MIN, TwoRuns  # type: ignore[import-not-found]

from earlysignal.cellkey import cell_key, perturb, record_keys
from earlysignal.disclosure import check_table, protect, round_count
from earlysignal.ledger import PublicationLedger


def _publish(counts: np.ndarray) -> list[int | None]:
    table = pl.DataFrame({"g": [f"g{i}" for i in range(counts.size)], "n": counts.tolist()})
    return protect(table, count_cols=["n"], by=["g"])["n"].to_list()


def _bounds(
    pub1: list[int | None],
    pub2: list[int | None],
    t1: int,
    t2: int,
    delta: int,
    *,
    half: int = 2,
    floor: int = 0,
) -> dict[str, tuple[float, float]]:
    """Attacker's bounds on x (run 1), y (run 2) and d = y - x, per cell.

    A published ``P`` means a true count in ``[max(P - half, floor), P + half]``: ``half`` is 2
    for rounding to 5, 7 with cell-key perturbation (rounding plus one step of 5); ``floor`` is
    what the attacker knows of a published cell (10: published cells are never small).
    """
    k = len(pub1)
    # variables: x_0..x_{k-1}, y_0..y_{k-1}
    a_ub, b_ub, a_eq, b_eq = [], [], [], []

    def interval(coef: np.ndarray, published: int) -> None:
        a_ub.append(coef)
        b_ub.append(published + half)
        a_ub.append(-coef)
        b_ub.append(-max(published - half, floor))

    for run, pub in ((0, pub1), (1, pub2)):
        for i, p in enumerate(pub):
            if p is not None:
                coef = np.zeros(2 * k)
                coef[run * k + i] = 1
                interval(coef, p)
    for run, total in ((0, t1), (1, t2)):
        coef = np.zeros(2 * k)
        coef[run * k : (run + 1) * k] = 1
        interval(coef, total)
    for i in range(k):  # y_i >= x_i
        coef = np.zeros(2 * k)
        coef[i], coef[k + i] = 1, -1
        a_ub.append(coef)
        b_ub.append(0)
    coef = np.r_[-np.ones(k), np.ones(k)]
    a_eq.append(coef)
    b_eq.append(delta)
    out = {}
    for name, c in [
        *((f"x{i}", np.eye(2 * k)[i]) for i in range(k)),
        *((f"y{i}", np.eye(2 * k)[k + i]) for i in range(k)),
        ("total_difference", np.r_[-np.ones(k), np.ones(k)]),
    ]:
        kw = {"A_ub": np.array(a_ub), "b_ub": b_ub, "A_eq": np.array(a_eq), "b_eq": b_eq}
        lo = linprog(c, bounds=(0, None), method="highs", **kw)
        hi = linprog(-c, bounds=(0, None), method="highs", **kw)
        assert lo.status == 0 and hi.status == 0  # the truth is feasible
        out[name] = (lo.fun, -hi.fun)
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.integers(0, 12), st.integers(10, 120)), min_size=2, max_size=6),
    st.integers(1, 4),
    st.randoms(use_true_random=False),
)
def test_two_overlapping_runs_do_not_reveal_hidden_or_small_cells(
    run1: list[int], delta: int, rnd: object
) -> None:
    counts1 = np.array(run1)
    counts2 = counts1.copy()
    for _ in range(delta):  # the new children join random groups
        counts2[rnd.randrange(counts1.size)] += 1  # type: ignore[attr-defined]
    pub1, pub2 = _publish(counts1), _publish(counts2)
    t1, t2 = round_count(int(counts1.sum())), round_count(int(counts2.sum()))
    if min(counts1.sum(), counts2.sum()) < MIN:
        return  # totals under 10 are not published
    # The defence holds when both runs hide the same cells (complementary cells are chosen by
    # rounded value, so they do unless a cell crosses a rounding boundary). When the pattern
    # changes, it does not: see test_a_pattern_change_at_a_rounding_boundary_is_not_defended.
    assume([p is None for p in pub1] == [p is None for p in pub2])
    bounds = _bounds(pub1, pub2, t1, t2, delta)
    for run, pub, counts in (("x", pub1, counts1), ("y", pub2, counts2)):
        for i, p in enumerate(pub):
            lo, hi = bounds[f"{run}{i}"]
            assert lo - 1e-6 <= counts[i] <= hi + 1e-6
            if p is None:
                assert hi - lo >= 1, "a hidden cell is recovered exactly"
                assert hi >= MIN - 1e-6, "a hidden cell is shown to be under the threshold"
    lo, hi = bounds["total_difference"]
    assert lo == hi == delta  # the attacker was told delta: sanity of the model


def test_rounded_totals_do_not_give_the_difference_back() -> None:
    # Run 2 leaves out the 3 children of a small group. Exact totals would give 3 back.
    counts1 = np.array([120, 57, 3, 40])
    counts2 = np.array([120, 57, 0, 40])
    t1, t2 = round_count(int(counts1.sum())), round_count(int(counts2.sum()))
    assert (t1, t2) == (220, 215)
    # the totals alone leave the difference anywhere in [1, 9]: not pinned, not shown small
    candidates = {
        a - b
        for a in range(t1 - 2, t1 + 3)
        for b in range(t2 - 2, t2 + 3)
        if a - b >= 0 and round_count(a) == t1 and round_count(b) == t2
    }
    assert len(candidates) >= 5 and max(candidates) >= 9
    assert _publish(counts1)[2] is None and _publish(counts2)[2] is None


def test_without_a_ledger_a_pattern_change_at_a_rounding_boundary_leaks() -> None:
    # What the publication ledger is for (the control of the tests below): one child joins the
    # first group, 17 -> 18 crosses the rounding boundary (15 -> 20), the complementary cell
    # moves from the first group to the third, and the two tables together show the hidden 0
    # to be at most 2. This is what rounding and suppression alone publish.
    counts1 = np.array([17, 0, 13])
    counts2 = np.array([18, 0, 13])
    pub1, pub2 = _publish(counts1), _publish(counts2)
    assert [p is None for p in pub1] != [p is None for p in pub2]
    t1, t2 = round_count(int(counts1.sum())), round_count(int(counts2.sum()))
    _lo, hi = _bounds(pub1, pub2, t1, t2, 1)["x1"]
    assert hi < MIN
    _lo, hi = _bounds(pub1, pub2, t1, t2, 1, floor=MIN)["x1"]
    assert hi < MIN


# --- the defence: a publication ledger (earlysignal.ledger) ------------------------------------


def _publish_run(groups: list[list[str]], ledger: PublicationLedger) -> list[int | None]:
    """Publish one run (the groups and their total, one table) through the ledger.

    Returns the published counts: the groups, then the total (last).
    """
    table = pl.DataFrame(
        {
            "g": [f"g{i}" for i in range(len(groups))] + [None],
            "n": [len(g) for g in groups] + [sum(len(g) for g in groups)],
            "children": [*groups, [c for g in groups for c in g]],
        },
        schema={"g": pl.String, "n": pl.Int64, "children": pl.List(pl.String)},
    )
    out = protect(
        table, count_cols=["n"], by=["g"], members={"n": "children"}, table="t", ledger=ledger
    )
    assert check_table(out, by=["g"]) == []  # each run is safe on its own
    return out["n"].to_list()


def _two_run_bounds(
    pub1: list[int | None],
    pub2: list[int | None],
    added: int,
    removed: int,
    *,
    published_in_run_2: tuple[int, ...] = (),
) -> dict[str, tuple[float, float]]:
    """The attacker's bounds on every cell of both runs and on where the changes went.

    Variables per group i: x_i (run 1), y_i (run 2), a_i (added children who joined i) and r_i
    (children of i in run 1 who are not in run 2), with y_i = x_i + a_i - r_i, r_i <= x_i.
    The attacker knows both publications, the policy, the rule of the ledger, and exactly how
    many children were added and removed (more than a real attacker knows). A published ``P``
    in run 1 means a count in ``[max(P - 2, 10), P + 2]``; in run 2 a figure that differs from
    run 1's was published afresh (the same bounds), while one equal to run 1's may repeat it
    (then the count is only known to be at least 10: the hull of both cases). The last
    entry of a publication is the total, the sum of the groups. ``published_in_run_2``: cells
    known to be published in run 2 (so at least 10) without their figures.
    """
    k = len(pub1) - 1
    m = TwoRuns(k, added, removed)
    for j in range(k + 1):
        xs = m.coef([m.x(j)] if j < k else [m.x(i) for i in range(k)])
        ys = m.coef([m.y(j)] if j < k else [m.y(i) for i in range(k)])
        if pub2[j] is None and j in published_in_run_2:
            m.within(ys, MIN, None)
        m.published(xs, ys, pub1[j], pub2[j])
    return m.bounds(
        (f"{n}{i}", [f(i)])
        for n, f in (("x", m.x), ("y", m.y), ("a", m.a), ("r", m.r))
        for i in range(k)
    )


sizes = st.one_of(st.integers(0, 14), st.integers(8, 14), st.integers(10, 80))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(sizes, min_size=2, max_size=5),
    st.integers(0, 9),
    st.integers(0, 9),
    st.randoms(use_true_random=False),
)
def test_two_overlapping_runs_through_the_ledger_reveal_no_group_under_10(
    run1_sizes: list[int], n_add: int, n_remove: int, rnd: object
) -> None:
    # Run 2 is run 1 one period later: ``n_add`` children entered (joining random groups) and
    # ``n_remove`` left, fewer than 10 changes in all, so every cell differs by fewer than 10
    # children; many examples put a cell at a rounding boundary (12/13, 17/18) or at the
    # threshold (10 -> 9). The attacker of _two_run_bounds, who knows both publications and
    # how many children came and went, can learn no group of fewer than 10 children:
    # * no hidden cell of either run is pinned (exact count) or shown under 10 (unless run 1
    #   and the attacker's knowledge already show it, without run 2);
    # * no cell is shown to have gained a child (the added children, a group under 10, cannot
    #   be placed in any cell: lower bound 0), nor to have gained none (upper bound n_add).
    n_remove = min(n_remove, 9 - n_add, sum(run1_sizes))
    assume(n_add + n_remove >= 1)
    run1 = [[f"g{g}c{j}" for j in range(n)] for g, n in enumerate(run1_sizes)]
    run2 = [list(g) for g in run1]
    everyone = [(g, c) for g, members in enumerate(run1) for c in members]
    for g, c in rnd.sample(everyone, n_remove):  # type: ignore[attr-defined]
        run2[g].remove(c)
    for j in range(n_add):
        run2[rnd.randrange(len(run2))].append(f"new{j}")  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as folder:
        ledger = PublicationLedger(folder)
        pub1 = _publish_run(run1, ledger)
        pub2 = _publish_run(run2, ledger)
    # the ledger's two guarantees: a figure published in both runs is the same figure, and a
    # cell hidden in run 1 stays hidden (run 2 can only hide more: a cell fell under 10, or
    # the hidden cells of a line came to hold fewer than 10 children)
    for p1, p2 in zip(pub1, pub2, strict=True):
        assert p1 is None or p2 is None or p1 == p2
        assert p1 is not None or p2 is None
    b = _two_run_bounds(pub1, pub2, n_add, n_remove)
    # what run 1 and the attacker's knowledge alone tell (run 2 publishing nothing): when 3
    # children leave a total of 10-12, every cell of run 2 is under 10 whatever run 2 publishes
    before = _two_run_bounds(pub1, [None] * len(pub2), n_add, n_remove)
    k = len(run1)
    for i in range(k):
        truth = {
            "x": len(run1[i]),
            "y": len(run2[i]),
            "a": sum(c.startswith("new") for c in run2[i]),
            "r": len(set(run1[i]) - set(run2[i])),
        }
        for name, value in truth.items():
            lo, hi = b[f"{name}{i}"]
            assert lo - 1e-6 <= value <= hi + 1e-6, "the attacker model is unsound"
        for name, pub in (("x", pub1[i]), ("y", pub2[i])):
            if pub is None:
                lo, hi = b[f"{name}{i}"]
                assert hi - lo >= 1 - 1e-6, f"hidden cell {name}{i} is pinned: {(lo, hi)}"
                if before[f"{name}{i}"][1] >= MIN - 1e-6:
                    assert hi >= MIN - 1e-6, f"hidden cell {name}{i} is shown under {MIN}: {hi}"
        assert b[f"a{i}"][0] <= 1e-6, f"an added child is placed in group {i}"
        assert b[f"a{i}"][1] >= n_add - 1e-6, f"group {i} is shown to have gained fewer"
        # removed children: see test_what_stays_visible_is_which_cells_are_published


def test_what_stays_visible_is_which_cells_are_published(tmp_path: Path) -> None:
    # The residual the docs state (docs/disclosure.md): the ledger repeats figures, but which
    # cells are published stays visible, and a published cell holds at least 10 children. Two
    # groups of 12 and 11 (published 10 and 10), 3 children leave, 2 from the first and 1 from
    # the second: both still hold 10 and repeat their figures. An attacker who knows that 3
    # left learns that they did not all come from one group (it would have fallen under 10 and
    # been hidden): at least 1 and at most 2 from each. No figure tells more than that.
    run1 = [_names("a", 12), _names("b", 11)]
    run2 = [run1[0][2:], run1[1][1:]]
    ledger = PublicationLedger(tmp_path / "ledger")
    pub1 = _publish_run(run1, ledger)
    pub2 = _publish_run(run2, ledger)
    assert pub1 == pub2 == [10, 10, 25]
    b = _two_run_bounds(pub1, pub2, 0, 3)
    assert b["r0"] == (1.0, 2.0) and b["r1"] == (1.0, 2.0)
    # the same pattern with the second run's figures unknown gives the attacker the same
    b_pattern = _two_run_bounds(pub1, [None, None, None], 0, 3, published_in_run_2=(0, 1))
    assert b_pattern["r0"] == b["r0"] and b_pattern["r1"] == b["r1"]


def _names(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{j}" for j in range(n)]


def test_the_boundary_case_is_defended_by_the_ledger(tmp_path: Path) -> None:
    # The case of the control test above, published through the ledger: the second table
    # repeats the first (the new child cannot be placed, the hidden 0 stays unbounded).
    run1 = [[f"g{g}c{j}" for j in range(n)] for g, n in enumerate([17, 0, 13])]
    run2 = [list(g) for g in run1]
    run2[0].append("new0")
    ledger = PublicationLedger(tmp_path / "ledger")
    pub1 = _publish_run(run1, ledger)
    pub2 = _publish_run(run2, ledger)
    assert pub1 == pub2 == [None, None, 15, 30]
    b = _two_run_bounds(pub1, pub2, 1, 0)
    assert b["x1"][1] >= MIN and b["y1"][1] >= MIN
    assert b["a0"] == (0.0, 1.0)


def _publish_keyed(groups: list[list[str]], secret: bytes) -> tuple[list[int | None], int]:
    """Publish one run with cell-key perturbation; its total is perturbed from its own key."""
    n = [len(g) for g in groups]
    keys = [cell_key(record_keys(g, secret)) for g in groups]
    table = pl.DataFrame({"g": [f"g{i}" for i in range(len(n))], "n": n, "ck": keys})
    pub = protect(table, count_cols=["n"], by=["g"], cell_key_cols={"n": "ck"})["n"].to_list()
    everyone = [c for g in groups for c in g]
    return pub, perturb(len(everyone), cell_key(record_keys(everyone, secret)))


def test_cell_keys_make_the_pattern_change_attack_fail_for_most_secrets() -> None:
    # The case above, published with cell-key perturbation under 60 publisher secrets. The
    # attacker knows the method and the perturbation table (a published P means a count in
    # [P - 7, P + 7], and at least 10), both publications, and that one child was added.
    # Measured: the attack (a hidden cell shown under 10 or pinned) fails for about two
    # secrets in three (65 % of 200 secrets), where rounding alone lets it succeed always. It
    # is NOT closed: a run of positive perturbations still bounds the hidden 0 (docs/fairness.md).
    run1 = [[f"g{g}c{j}" for j in range(n)] for g, n in enumerate([17, 0, 13])]
    run2 = [list(g) for g in run1]
    run2[0].append("new-child")
    outcomes = []
    for s in range(60):
        secret = f"publisher-secret-{s}".encode()
        pub1, t1 = _publish_keyed(run1, secret)
        pub2, t2 = _publish_keyed(run2, secret)
        b = _bounds(pub1, pub2, t1, t2, 1, half=7, floor=MIN)
        truth = {**{f"x{i}": len(g) for i, g in enumerate(run1)},
                 **{f"y{i}": len(g) for i, g in enumerate(run2)}}  # fmt: skip
        exposed = False
        for run, pub in (("x", pub1), ("y", pub2)):
            for i, p in enumerate(pub):
                lo, hi = b[f"{run}{i}"]
                assert lo - 1e-6 <= truth[f"{run}{i}"] <= hi + 1e-6  # the attacker model is sound
                if p is None and (hi < MIN - 1e-6 or hi - lo < 1):
                    exposed = True
        outcomes.append(exposed)
    assert outcomes.count(False) >= len(outcomes) // 2, "the attack succeeds for most secrets"
    assert any(outcomes), "the attack never succeeds any more: update docs/fairness.md"
