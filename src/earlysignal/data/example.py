"""A small care history written inline, for the examples in docstrings and docs.

:func:`example_history` is an **illustration for documentation, not test data**: the doctests of
many modules need a history of one or a few children, and writing the four tables in full
(``children`` with birth dates and sex, ``placements`` with every column) in each of them hid
the facts each example is about. Here only the columns that matter are written; the rest take
plain defaults. Tests build their histories themselves (``tests/conftest.py``, the simulator),
so that a change of a default here never changes what a test checks.

Defaults
--------
- ``placements``: ``child_id`` ``"a"``, ``placement_id`` ``"p1"``, ``"p2"``, ... in row order,
  ``end`` null (ongoing), ``setting`` ``"foster"``, ``end_reason`` null; ``start`` is required.
- ``children``: one row for each child of ``placements`` (in order of first appearance), born
  1 January 2010, ``sex`` ``"male"``.
- ``events`` and ``statuses``: ``child_id`` ``"a"`` (and a status's ``end`` null, in force);
  none unless given.

A scalar value stands for the same value in every row; lists must have one length per table.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import polars as pl

from earlysignal.data.history import CareHistory

__all__ = ["example_history"]

_BIRTH = date(2010, 1, 1)


def _frame(table: str, columns: Mapping[str, Any], defaults: Mapping[str, Any]) -> pl.DataFrame:
    """Columns (lists or scalars) with defaults filled, scalars repeated to the table's length."""
    merged = {**defaults, **columns}
    lengths = {len(v) for v in merged.values() if isinstance(v, list | tuple)}
    if len(lengths) > 1:
        raise ValueError(
            f"example_history: the columns of {table!r} have different lengths "
            f"{sorted(lengths)}; give every list column the same number of values"
        )
    n = lengths.pop() if lengths else 1
    data = {k: list(v) if isinstance(v, list | tuple) else [v] * n for k, v in merged.items()}
    return pl.DataFrame(data, strict=False)


def example_history(
    placements: Mapping[str, Any],
    *,
    observed_until: date,
    children: Mapping[str, Any] | None = None,
    events: Mapping[str, Any] | None = None,
    statuses: Mapping[str, Any] | None = None,
) -> CareHistory:
    """A small history from the columns that matter, for examples in the documentation.

    An illustration for docs, not test data: tests build their own histories. Columns not
    given take the defaults listed in :mod:`earlysignal.data.example` (one child ``"a"``,
    born 2010, placements ``"p1"``, ``"p2"``... in foster care, ongoing unless ``end`` is
    given).

    Parameters
    ----------
    placements : mapping of column name to list or scalar
        Columns of ``placements``; ``start`` is required, a scalar is repeated to every row.
    observed_until : datetime.date
        The extraction date.
    children, events, statuses : mapping of column name to list or scalar, optional
        Columns of these tables; ``children`` defaults to one row a child of ``placements``,
        ``events`` to none and ``statuses`` to absent.

    Returns
    -------
    CareHistory
        The history, conformed to the canonical tables (not validated).

    Raises
    ------
    ValueError
        When the list columns of one table differ in length.

    Examples
    --------
    >>> from datetime import date
    >>> h = example_history(
    ...     {"start": [date(2020, 1, 1), date(2020, 6, 1)], "end": [date(2020, 6, 1), None],
    ...      "end_reason": ["breakdown", None]},
    ...     observed_until=date(2021, 1, 1))
    >>> h.placements.select("child_id", "placement_id", "setting", "end_reason").rows()
    [('a', 'p1', 'foster', 'breakdown'), ('a', 'p2', 'foster', None)]
    >>> h.children.select("child_id", "birth_date", "sex").rows()
    [('a', datetime.date(2010, 1, 1), 'male')]
    """
    if "start" not in placements:
        raise ValueError("example_history: placements need a 'start' column (dates)")
    defaults = {"child_id": "a", "end": None, "setting": "foster", "end_reason": None}
    p = _frame("placements", placements, defaults)
    if "placement_id" not in p.columns:
        p = p.with_columns(pl.format("p{}", pl.int_range(1, pl.len() + 1)).alias("placement_id"))
    if children is None or "child_id" not in children:
        ids = p["child_id"].unique(maintain_order=True).to_list()
        children = {"child_id": ids, **(children or {})}
    c = _frame("children", children, {"birth_date": _BIRTH, "sex": "male"})
    ev = None if events is None else _frame("events", events, {"child_id": "a"})
    st = None if statuses is None else _frame("statuses", statuses, {"child_id": "a", "end": None})
    return CareHistory.from_frames(
        children=c, placements=p, events=ev, observed_until=observed_until, statuses=st
    )
