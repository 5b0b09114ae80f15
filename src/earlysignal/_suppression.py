"""The structure of a published table and the complementary-suppression search.

Private to :mod:`earlysignal.disclosure` (which documents the rule): the additive relations of
a table (:func:`_structure`), the exact null-space check (:func:`_determined`), the attacker's
linear-programming bounds (:func:`_bounds`, ``scipy.optimize.linprog``, imported when first
needed) and the greedy search that hides cells until every hidden cell keeps its protection
interval (:func:`_suppress`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


def round_count(value: int, rounding: int = 5) -> int:
    """Round a count to the nearest multiple of ``rounding`` (halves up).

    Examples
    --------
    >>> [round_count(v) for v in (10, 12, 13, 17, 18)]
    [10, 10, 15, 15, 20]
    """
    return ((int(value) + rounding // 2) // rounding) * rounding


Key = tuple[Any, ...]
Cell = tuple[Key, str]


@dataclass(frozen=True)
class _Line:
    total: Cell
    members: tuple[Cell, ...]


def _structure(
    keys: Sequence[Key],
    n_strata: int,
    count_cols: Sequence[str],
    row_sums: Mapping[str, Sequence[str]],
    known_totals: bool,
) -> tuple[list[_Line], set[Cell]]:
    """Additive relations of the table and the virtual (assumed published) margin cells."""
    present: set[Key] = set(keys)
    all_keys: set[Key] = set(present)
    if known_totals:
        frontier = list(present)
        while frontier:
            nxt: list[Key] = []
            for k in frontier:
                for d in range(n_strata, len(k)):
                    if k[d] is not None:
                        parent = (*k[:d], None, *k[d + 1 :])
                        if parent not in all_keys:
                            all_keys.add(parent)
                            nxt.append(parent)
            frontier = nxt
    virtual_keys = all_keys - present
    # children of each (parent, dim)
    groups: dict[tuple[Key, int], list[Key]] = {}
    for k in all_keys:
        for d in range(n_strata, len(k)):
            if k[d] is not None:
                parent = (*k[:d], None, *k[d + 1 :])
                if parent in all_keys:
                    groups.setdefault((parent, d), []).append(k)
    lines: list[_Line] = []
    for (parent, _d), members in sorted(groups.items(), key=lambda kv: repr(kv[0])):
        if parent in virtual_keys and len(members) == 1:
            continue  # the "total" is the cell itself: whoever publishes it must protect it
        members_sorted = sorted(members, key=repr)
        for c in count_cols:
            lines.append(_Line((parent, c), tuple((m, c) for m in members_sorted)))
    for total_col, parts in row_sums.items():
        for k in all_keys:
            lines.append(_Line((k, total_col), tuple((k, p) for p in parts)))
    virtual = {(k, c) for k in virtual_keys for c in count_cols}
    return lines, virtual


def _determined(lines: Sequence[_Line], hidden: set[Cell]) -> list[Cell]:
    """Hidden cells whose value follows exactly from the published cells and the relations."""
    unknown = sorted(hidden, key=repr)
    if not unknown:
        return []
    index = {c: j for j, c in enumerate(unknown)}
    rows: list[np.ndarray] = []
    for line in lines:
        row = np.zeros(len(unknown))
        if line.total in index:
            row[index[line.total]] += 1.0
        for m in line.members:
            if m in index:
                row[index[m]] -= 1.0
        if row.any():
            rows.append(row)
    if not rows:
        return []
    a = np.vstack(rows)
    _, s, vt = np.linalg.svd(a, full_matrices=True)
    tol = max(a.shape) * np.finfo(float).eps * (s[0] if s.size else 1.0) * 10
    rank = int((s > tol).sum())
    null = vt[rank:].T  # columns span the null space
    if null.shape[1] == 0:
        return list(unknown)
    norms = np.linalg.norm(null, axis=1)
    return [unknown[j] for j in range(len(unknown)) if norms[j] < 1e-8]


def _exact(lines: Sequence[_Line], values: Mapping[Cell, int]) -> list[bool]:
    """Whether each relation holds exactly in the raw counts.

    Counts of distinct children are not additive when a child's attribute changes between
    prediction times (a child counted in two age bands): the margin is then at most the sum of
    its cells, and an attacker knows only that (plus that no cell exceeds its margin).
    """
    return [values[ln.total] == sum(values[m] for m in ln.members) for ln in lines]


def _suppress(
    values: Mapping[Cell, int],
    lines: Sequence[_Line],
    virtual: set[Cell],
    primary: set[Cell],
    *,
    min_count: int,
    rounding: int,
    tied: Mapping[str, str],
) -> set[Cell]:
    """Greedy complementary suppression until every hidden cell keeps its protection interval.

    Cells are added to the hidden set until (1) every relation whose total is published hides
    no single cell and at least ``min_count`` children in all, (2) no hidden cell is determined
    by the exact relations (null space), and (3) the attacker's linear-programming bounds on
    every hidden cell span at least ``min_count`` (:func:`_narrow`). Cells tied to another
    column (row counts decided by a children count) are hidden with it, both ways.
    """
    hidden = set(primary)
    exact = _exact(lines, values)
    ties = [(a, b) for a, b in tied.items()]

    def sync() -> bool:
        grew = False
        for cell in list(hidden):
            key, col = cell
            for a, b in ties:
                other = (key, b) if col == a else (key, a) if col == b else None
                if other is not None and other in values and other not in hidden:
                    hidden.add(other)
                    grew = True
        return grew

    def order(cell: Cell) -> tuple[int, str]:
        # Smallest first, by the *published* (rounded) value, then by key: runs whose counts
        # differ by a few children mostly hide the same cells (a differencing defence). A row
        # count tied to a children count is ordered by its children, so both choose alike.
        key, col = cell
        decider = (key, tied[col]) if col in tied and (key, tied[col]) in values else cell
        return round_count(values[decider], rounding), repr(cell)

    def candidates(line: _Line) -> list[Cell]:
        members = [m for m in line.members if m not in hidden and m not in virtual]
        if members:
            return sorted(members, key=order)
        if line.total not in hidden and line.total not in virtual:
            return [line.total]
        return []

    def needs_more(line: _Line) -> bool:
        cells = [line.total, *line.members]
        n_hidden = sum(c in hidden for c in cells)
        if n_hidden == 0:
            return False
        if n_hidden == 1:
            return True
        if line.total in hidden:
            return False
        hidden_mass = sum(values[m] for m in line.members if m in hidden)
        return hidden_mass < min_count

    small_virtual = {c for c in virtual if values[c] < min_count}
    # the lines of tied row counts after those of the children counts that decide them: the
    # children choose the complementary cells and the row counts follow (stable: no ties, no
    # change of order)
    lines = sorted(lines, key=lambda ln: ln.total[1] in tied)
    for _ in range(10 * (len(values) + 1)):
        changed = sync()
        for line in lines:
            if needs_more(line):
                cand = candidates(line)
                if cand:
                    hidden.add(cand[0])
                    changed = True
                    sync()
        if changed:
            continue
        # the null-space check takes every relation as exact (a pattern property, conservative)
        exposed = _determined(lines, hidden - virtual)
        if not exposed:
            exposed = _narrow(
                values, lines, exact, hidden - virtual, small_virtual, min_width=min_count
            )
        if not exposed:
            break
        for cell in exposed:
            for line in lines:
                if cell == line.total or cell in line.members:
                    cand = candidates(line)
                    if cand:
                        hidden.add(cand[0])
                        changed = True
                        break
            if changed:
                break
        if not changed:
            # The exposed cells' own relations are all hidden: widen through any relation that
            # holds a hidden cell (smallest published cell first).
            pool = {c for line in lines if any(m in hidden for m in line.members)
                    for c in candidates(line)}  # fmt: skip
            if not pool:
                break  # nothing more can be hidden inside this table; reported by check_table
            hidden.add(min(pool, key=order))
    return hidden


def _complete_virtual(values: dict[Cell, int], lines: Sequence[_Line], virtual: set[Cell]) -> None:
    """Fill in the values of margins the table does not hold, from the cells it does."""
    unknown = set(virtual)
    changed = True
    while unknown and changed:
        changed = False
        for line in lines:
            cells = [line.total, *line.members]
            missing = [c for c in cells if c in unknown]
            if len(missing) != 1:
                continue
            (cell,) = missing
            members = sum(values[m] for m in line.members if m != cell)
            values[cell] = values[line.total] - members if cell != line.total else members
            unknown.discard(cell)
            changed = True
    for cell in unknown:  # not derivable from this table: treat as an unknown, small total
        values[cell] = 0


def _bounds(
    values: Mapping[Cell, int],
    lines: Sequence[_Line],
    exact: Sequence[bool],
    hidden: set[Cell],
    free: set[Cell],
) -> dict[Cell, tuple[float, float]]:
    """The tightest bounds an attacker gets on each hidden cell by linear programming.

    The attacker knows every published cell *exactly* (the conservative assumption: rounding
    only widens what they know), every relation of the table (a margin is the sum of its cells;
    a margin of distinct children is at most that sum and at least each cell when the
    relation does not hold exactly), and that counts are never negative. ``free`` cells (totals
    under the threshold, which no compliant table publishes) are unknowns too.
    """
    from scipy.optimize import linprog

    unknown = sorted(hidden | set(free), key=repr)
    if not hidden:
        return {}
    index = {c: j for j, c in enumerate(unknown)}
    eq_rows: list[np.ndarray] = []
    eq_rhs: list[float] = []
    ub_rows: list[np.ndarray] = []
    ub_rhs: list[float] = []

    def add(terms: Sequence[tuple[Cell, float]], rows: list[np.ndarray], rhs: list[float]) -> None:
        row = np.zeros(len(unknown))
        b = 0.0
        for cell, sign in terms:
            if cell in index:
                row[index[cell]] += sign
            else:
                b -= sign * values[cell]
        if row.any():
            rows.append(row)
            rhs.append(b)

    for line, is_exact in zip(lines, exact, strict=True):
        terms = [(line.total, 1.0), *((m, -1.0) for m in line.members)]
        if is_exact:
            add(terms, eq_rows, eq_rhs)
        else:
            add(terms, ub_rows, ub_rhs)  # total - sum(members) <= 0
            for m in line.members:
                add([(m, 1.0), (line.total, -1.0)], ub_rows, ub_rhs)  # member <= total
    kwargs: dict[str, Any] = {"bounds": (0, None), "method": "highs"}
    if eq_rows:
        kwargs.update(A_eq=np.vstack(eq_rows), b_eq=np.asarray(eq_rhs))
    if ub_rows:
        kwargs.update(A_ub=np.vstack(ub_rows), b_ub=np.asarray(ub_rhs))
    out: dict[Cell, tuple[float, float]] = {}
    for cell in sorted(hidden, key=repr):
        c = np.zeros(len(unknown))
        c[index[cell]] = 1.0
        lo = linprog(c, **kwargs)
        if lo.status != 0 or lo.fun is None:
            continue  # infeasible relations: nothing to learn from them
        hi = linprog(-c, **kwargs)
        upper = -float(hi.fun) if hi.status == 0 and hi.fun is not None else float("inf")
        out[cell] = (float(lo.fun), upper)
    return out


def _narrow(
    values: Mapping[Cell, int],
    lines: Sequence[_Line],
    exact: Sequence[bool],
    hidden: set[Cell],
    free: set[Cell],
    *,
    min_width: int,
) -> list[Cell]:
    """Hidden cells whose protection interval (attacker's max - min) is under ``min_width``."""
    if not hidden or min_width <= 0:
        return []
    bounds = _bounds(values, lines, exact, hidden, free)
    return [c for c, (lo, hi) in bounds.items() if hi - lo < min_width - 1e-9]
