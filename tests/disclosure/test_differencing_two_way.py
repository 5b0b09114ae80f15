"""The differencing attack on two-way tables (rows x columns, with their margins).

The one-way proof is ``test_differencing.py``; this is the same attacker on tables such as
provider x outcome or group x flagged. Run 1 is a table of 2-4 rows x 2-3 columns of children
(each child in one cell) with every row margin, column margin and the grand total in the same
table; run 2 is the same children one period later: up to 9 children entered (random cells)
and up to ``9 - entered`` left. Both are published through one publication ledger, every
interior cell and every margin a cell of the ledger (its children: the union of its cells').

The attacker (linear programming, ``scipy.optimize.linprog``) knows both publications, the
policy, the ledger's rule, and exactly how many children came and went; per interior cell the
variables are its count in run 1 (x) and run 2 (y), the entered children who joined it (a) and
its children who left (r), with y = x + a - r. A published figure P in run 1 means a count in
[max(P - 2, 10), P + 2]; in run 2 a figure equal to run 1's may be a repeat (only >= 10 is
sure), a different one was published afresh. Margins are the sums of their interior cells.
"""

from __future__ import annotations

import itertools
import tempfile

import polars as pl
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from two_run_lp import MIN, TwoRuns  # type: ignore[import-not-found]

from earlysignal.disclosure import check_table, protect
from earlysignal.ledger import PublicationLedger

Entry = tuple[int | None, int | None]  # (row, column); None = every row / column (a margin)


def _entries(n_rows: int, n_cols: int) -> list[Entry]:
    rows: list[int | None] = [*range(n_rows), None]
    cols: list[int | None] = [*range(n_cols), None]
    return list(itertools.product(rows, cols))


def _cells_of(e: Entry, n_rows: int, n_cols: int) -> list[int]:
    """The interior cells (index r * n_cols + c) an entry sums."""
    rs = range(n_rows) if e[0] is None else [e[0]]
    cs = range(n_cols) if e[1] is None else [e[1]]
    return [r * n_cols + c for r in rs for c in cs]


def _publish(groups: list[list[list[str]]], ledger: PublicationLedger) -> list[int | None]:
    """One run, interior cells and margins in one table, through the ledger (per entry)."""
    n_rows, n_cols = len(groups), len(groups[0])
    entries = _entries(n_rows, n_cols)
    flat = [groups[r][c] for r in range(n_rows) for c in range(n_cols)]
    members = [[k for i in _cells_of(e, n_rows, n_cols) for k in flat[i]] for e in entries]
    table = pl.DataFrame(
        {
            "row": [None if r is None else f"r{r}" for r, _ in entries],
            "col": [None if c is None else f"c{c}" for _, c in entries],
            "n": [len(m) for m in members],
            "children": members,
        },
        schema={"row": pl.String, "col": pl.String, "n": pl.Int64, "children": pl.List(pl.String)},
    )
    out = protect(
        table,
        count_cols=["n"],
        by=["row", "col"],
        members={"n": "children"},
        table="two-way",
        ledger=ledger,
    )
    assert check_table(out, by=["row", "col"]) == []  # each run is safe on its own
    return out["n"].to_list()


def _bounds(
    pub1: list[int | None],
    pub2: list[int | None],
    shape: tuple[int, int],
    added: int,
    removed: int,
    wanted: set[str],
) -> dict[str, tuple[float, float]]:
    """The attacker's bounds on what ``wanted`` names (``x3``: entry 3's count in run 1; y:
    in run 2; a, r: the entered and left children of an interior entry)."""
    n_rows, n_cols = shape
    m = TwoRuns(n_rows * n_cols, added, removed)
    entries = _entries(n_rows, n_cols)
    objectives: list[tuple[str, list[int]]] = []
    for j, (e, p1, p2) in enumerate(zip(entries, pub1, pub2, strict=True)):
        cells = _cells_of(e, n_rows, n_cols)
        m.published(m.coef([m.x(i) for i in cells]), m.coef([m.y(i) for i in cells]), p1, p2)
        objectives += [(f"x{j}", [m.x(i) for i in cells]), (f"y{j}", [m.y(i) for i in cells])]
        if len(cells) == 1:
            objectives += [(f"a{j}", [m.a(cells[0])]), (f"r{j}", [m.r(cells[0])])]
    return m.bounds((name, idx) for name, idx in objectives if name in wanted)


cell_sizes = st.one_of(st.integers(0, 14), st.integers(8, 14), st.integers(10, 60))


@settings(max_examples=20, deadline=None)
@given(
    st.integers(2, 4),
    st.integers(2, 3),
    st.lists(cell_sizes, min_size=12, max_size=12),
    st.integers(0, 9),
    st.integers(0, 9),
    st.randoms(use_true_random=False),
)
def test_two_overlapping_two_way_tables_reveal_no_group_under_10(
    n_rows: int, n_cols: int, sizes: list[int], n_add: int, n_remove: int, rnd: object
) -> None:
    k = n_rows * n_cols
    sizes = sizes[:k]
    n_remove = min(n_remove, 9 - n_add, sum(sizes))
    assume(n_add + n_remove >= 1)
    run1 = [
        [[f"r{r}c{c}k{j}" for j in range(sizes[r * n_cols + c])] for c in range(n_cols)]
        for r in range(n_rows)
    ]
    run2 = [[list(cell) for cell in row] for row in run1]
    everyone = [(r, c, kid) for r in range(n_rows) for c in range(n_cols) for kid in run1[r][c]]
    for r, c, kid in rnd.sample(everyone, n_remove):  # type: ignore[attr-defined]
        run2[r][c].remove(kid)
    for j in range(n_add):
        r, c = rnd.randrange(n_rows), rnd.randrange(n_cols)  # type: ignore[attr-defined]
        run2[r][c].append(f"new{j}")
    with tempfile.TemporaryDirectory() as folder:
        ledger = PublicationLedger(folder)
        pub1 = _publish(run1, ledger)
        pub2 = _publish(run2, ledger)
    # the ledger's guarantees, per interior cell and per margin: a figure published in both
    # runs is the same figure, and an entry hidden in run 1 stays hidden
    for p1, p2 in zip(pub1, pub2, strict=True):
        assert p1 is None or p2 is None or p1 == p2
        assert p1 is not None or p2 is None
    shape = (n_rows, n_cols)
    entries = _entries(n_rows, n_cols)
    hidden = {f"x{j}" for j, p in enumerate(pub1) if p is None}
    hidden |= {f"y{j}" for j, p in enumerate(pub2) if p is None}
    interior = {f"{v}{j}" for j, e in enumerate(entries) if None not in e for v in "ar"}
    b = _bounds(pub1, pub2, shape, n_add, n_remove, hidden | interior)
    before = _bounds(pub1, [None] * len(pub2), shape, n_add, n_remove, hidden)  # run 1 alone
    for j, e in enumerate(entries):
        cells = _cells_of(e, n_rows, n_cols)
        flat1 = [run1[i // n_cols][i % n_cols] for i in cells]
        flat2 = [run2[i // n_cols][i % n_cols] for i in cells]
        truth = {"x": sum(map(len, flat1)), "y": sum(map(len, flat2))}
        if len(cells) == 1:
            truth["a"] = sum(kid.startswith("new") for kid in flat2[0])
            truth["r"] = len(set(flat1[0]) - set(flat2[0]))
        for name, value in truth.items():
            if f"{name}{j}" not in b:
                continue
            lo, hi = b[f"{name}{j}"]
            assert lo - 1e-6 <= value <= hi + 1e-6, "the attacker model is unsound"
        for name, pub in (("x", pub1[j]), ("y", pub2[j])):
            if pub is not None:
                continue
            lo, hi = b[f"{name}{j}"]
            lo0, hi0 = before[f"{name}{j}"]
            where = f"hidden {name} of {e} in {sizes}, +{n_add} -{n_remove}: {(lo, hi)}"
            assert hi - lo >= 1 - 1e-6, f"pinned: {where}"
            if hi0 >= MIN - 1e-6:
                assert hi >= MIN - 1e-6, f"shown under {MIN}: {where}"
            # the protection interval: at least the threshold, unless run 1 and the attacker's
            # knowledge alone already give less
            assert hi - lo >= min(MIN, hi0 - lo0) - 1e-6, f"interval under {MIN}: {where}"
        if len(cells) == 1:  # the entered children cannot be placed in any cell
            assert b[f"a{j}"][0] <= 1e-6, f"an entered child is placed in {e}"
            assert b[f"a{j}"][1] >= n_add - 1e-6, f"{e} is shown to have gained fewer"
