"""A care history from placement rows, for tests that write out a few pathways by hand."""

from __future__ import annotations

from datetime import date

import polars as pl

from earlysignal.data import CareHistory

Row = tuple[str, date, date | None, str, str | None]
"""One placement: child id, start, end (None: ongoing), setting, end reason."""


def history_from_rows(
    rows: list[Row], until: date, *, birth_date: date = date(2010, 1, 1), sex: str = "male"
) -> CareHistory:
    """The history of ``rows`` observed until ``until``; every child born ``birth_date``.

    Examples
    --------
    >>> h = history_from_rows([("a", date(2021, 6, 1), None, "foster", None)], date(2022, 1, 1))
    >>> h.placements.height, h.children["sex"].to_list()
    (1, ['male'])
    """
    ids = sorted({r[0] for r in rows})
    return CareHistory.from_frames(
        children=pl.DataFrame(
            {"child_id": ids, "birth_date": [birth_date] * len(ids), "sex": [sex] * len(ids)}
        ),
        placements=pl.DataFrame(
            {
                "child_id": [r[0] for r in rows],
                "placement_id": [f"p{i}" for i in range(len(rows))],
                "start": [r[1] for r in rows],
                "end": [r[2] for r in rows],
                "setting": [r[3] for r in rows],
                "end_reason": [r[4] for r in rows],
            },
            schema_overrides={"end": pl.Date, "end_reason": pl.String},
        ),
        events=None,
        observed_until=until,
    )
