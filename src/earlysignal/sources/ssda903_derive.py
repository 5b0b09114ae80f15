"""From reconciled SSDA903 episodes to canonical placements and statuses.

Split from :mod:`earlysignal.sources.ssda903`. An SSDA903 episode is a period with one legal
status and one placement; a new placement starts where ``RNE`` is S, P, B, T or U, or after a
gap; ``RNE`` L continues the placement and becomes a ``legal_status`` status. Temporary moves
(T0-T4) are temporary placements inside the placement they interrupt. Each rule is listed in
``docs/ssda903.md``.

Examples
--------
>>> from datetime import date
>>> ep = pl.DataFrame({
...     "CHILD": ["1", "1"], "DECOM": [date(2020, 5, 1), date(2020, 9, 1)],
...     "DEC": [date(2020, 9, 1), None], "RNE": ["S", "P"], "LS": ["C2", "C2"],
...     "CIN": ["N1", "N1"], "PLACE": ["U4", "K2"], "URN": ["A", "B"],
...     "REC": ["X1", None], "REASON_PLACE_CHANGE": ["CREQB", None],
...     "_file": ["f", "f"], "_row": [1, 2]})
>>> placements, statuses = derive(ep, IssueLog("repair"))
>>> placements.select("setting", "end_reason").rows()
[('foster', 'breakdown'), ('residential', None)]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from earlysignal.sources import ssda903_codes as codes
from earlysignal.sources.ssda903_report import IssueLog

__all__ = ["INFERRED_CEASED", "INFERRED_CHANGE", "derive"]

INFERRED_CEASED = "E99"
"""REC given to an episode closed by the importer because later returns lack it (liia-tools'
code for the same repair); its end reason is ``other`` with this detail."""

INFERRED_CHANGE = "INFERRED"
"""REASON_PLACE_CHANGE given to an open episode closed at the next episode's start because a
later return holds the next one (liia-tools RULE_1); end reason ``other``, this detail."""


@dataclass
class _Placement:
    child: str
    start: date
    end: date | None
    place: str
    urn: str | None
    temporary: bool
    rec: str | None
    rpc: str | None
    file: str
    row: int
    extended: bool = False
    carry_rpc: str | None = None


def _same_carer(a: _Placement, b: _Placement) -> bool:
    return a.urn is not None and a.urn == b.urn and a.place == b.place


def _end_reason(
    p: _Placement, next_start: date | None, issues: IssueLog
) -> tuple[str | None, str | None]:
    """Canonical end reason and detail of a placement from its last episode's codes."""
    if p.end is None:
        return None, None
    rec = p.rec
    if rec == INFERRED_CEASED:
        return "other", INFERRED_CEASED
    if rec is not None and rec != "X1":
        return codes.REC_END.get(rec, "other"), rec
    rpc = p.carry_rpc or p.rpc
    if rpc is not None:
        return codes.REASON_PLACE_CHANGE_END.get(rpc, "other"), rpc
    if rec is None:
        issues.add(
            "missing_rec",
            "warning",
            "a closed episode has no REC; the placement's end reason is 'other'",
            "fill REC for every episode with a DEC",
            file=p.file,
            row=p.row,
            child=p.child,
            column="REC",
            blocking=False,
        )
        return "other", None
    if next_start is None or next_start != p.end:
        issues.add(
            "x1_without_next_episode",
            "warning",
            "REC X1 says a new episode starts the same day, but none does; the "
            "placement's end reason is 'other'",
            "add the following episode or correct REC",
            file=p.file,
            row=p.row,
            child=p.child,
            column="REC",
            value="X1",
            blocking=False,
        )
    else:
        issues.add(
            "missing_reason_place_change",
            "warning",
            "the placement changed (REC X1) without REASON_PLACE_CHANGE; the end reason is 'other'",
            "fill REASON_PLACE_CHANGE when a placement ends",
            file=p.file,
            row=p.row,
            child=p.child,
            column="REASON_PLACE_CHANGE",
            blocking=False,
        )
    return "other", "X1"


def derive(ep: pl.DataFrame, issues: IssueLog) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Placements and statuses from de-duplicated, checked episodes sorted by child and DECOM."""
    rows = ep.select(
        "CHILD",
        "DECOM",
        "DEC",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "URN",
        "REC",
        "REASON_PLACE_CHANGE",
        "_file",
        "_row",
    ).rows()
    out_rows: list[tuple[Any, ...]] = []
    stat_rows: list[tuple[Any, ...]] = []

    def flush(child_eps: list[tuple[Any, ...]]) -> None:
        raw: list[_Placement] = []
        prev: tuple[Any, ...] | None = None
        for e in child_eps:
            child, decom, dec, rne, _ls, _cin, place, urn, rec, rpc, file, row = e
            place = place if place in codes.PLACE_SETTING else "Z1"
            temp = place in codes.TEMPORARY_PLACES
            contiguous = prev is not None and prev[2] == decom
            cur = raw[-1] if raw else None
            new = (
                cur is None
                or not contiguous
                or rne in codes.PLACEMENT_CHANGE_RNE
                or temp != cur.temporary
                or rne not in codes.RNE_CODES
            )
            if prev is not None and not contiguous and rne != "S":
                issues.add(
                    "gap_without_s",
                    "warning",
                    f"the episode follows a gap in care but RNE is {rne!r}, not S; a new "
                    "care episode is started",
                    "use RNE S for a new period of care",
                    file=file,
                    row=row,
                    child=child,
                    column="RNE",
                    value=rne,
                    blocking=False,
                )
            if not new and cur is not None and (place != cur.place or urn != cur.urn):
                issues.add(
                    "rne_l_with_placement_change",
                    "warning",
                    "RNE L (legal status only) but PLACE or URN differ from the previous "
                    "episode; RNE is followed: the placement continues",
                    "use RNE B or U when legal status and placement change together",
                    file=file,
                    row=row,
                    child=child,
                    column="RNE",
                    value=rne,
                    blocking=False,
                )
            if new:
                raw.append(_Placement(child, decom, dec, place, urn, temp, rec, rpc, file, row))
            else:
                assert cur is not None
                cur.end, cur.rec, cur.rpc, cur.file, cur.row = dec, rec, rpc, file, row
            prev = e
        # temporary moves: extend the interrupted placement over them; merge a return to the
        # same carer; otherwise the interrupted placement ends when the next one starts
        final: list[_Placement] = []
        host: _Placement | None = None
        for p in raw:
            if p.temporary:
                if host is not None and host.end is not None and host.end == p.start:
                    host.end, host.rec = p.end, p.rec
                    host.carry_rpc = p.rpc or host.carry_rpc or host.rpc
                    host.extended = True
                elif host is None or host.end is None or host.end < p.start:
                    issues.add(
                        "temporary_without_host",
                        "warning",
                        "a temporary placement (T0-T4) does not follow a placement it "
                        "interrupts; kept as a temporary placement on its own",
                        "check the episodes around the temporary move",
                        file=p.file,
                        row=p.row,
                        child=p.child,
                        column="PLACE",
                        value=p.place,
                        blocking=False,
                    )
                final.append(p)
                continue
            if host is not None and host.extended and host.end == p.start and _same_carer(host, p):
                host.end, host.rec, host.rpc, host.carry_rpc = p.end, p.rec, p.rpc, None
                host.extended = False
                continue
            final.append(p)
            host = p
        nontemp = [p for p in final if not p.temporary]
        for i, p in enumerate(nontemp):
            nxt = nontemp[i + 1].start if i + 1 < len(nontemp) else None
            reason, detail = _end_reason(p, nxt, issues)
            out_rows.append(
                (
                    p.child,
                    f"{p.child}-{p.start.isoformat()}",
                    p.start,
                    p.end,
                    codes.PLACE_SETTING[p.place],
                    p.urn,
                    reason,
                    detail,
                    False,
                )
            )
        for p in final:
            if p.temporary:
                reason, detail = _end_reason(p, None, IssueLog("repair")) if p.end else (None, None)
                out_rows.append(
                    (
                        p.child,
                        f"{p.child}-{p.start.isoformat()}-T",
                        p.start,
                        p.end,
                        codes.PLACE_SETTING[p.place],
                        p.urn,
                        reason,
                        detail,
                        True,
                    )
                )
        # statuses: runs of contiguous episodes with the same legal status / category of need
        for kind, idx in (("legal_status", 4), ("category_of_need", 5)):
            run: list[Any] | None = None
            for e in child_eps:
                value = e[idx]
                if value is None:
                    if run is not None:
                        stat_rows.append(tuple(run))
                    run = None
                    continue
                if run is not None and run[2] == value and run[4] == e[1]:
                    run[4] = e[2]
                else:
                    if run is not None:
                        stat_rows.append(tuple(run))
                    run = [e[0], kind, value, e[1], e[2]]
            if run is not None:
                stat_rows.append(tuple(run))

    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][0] != rows[start][0]:
            flush(rows[start:i])
            start = i
    placements = pl.DataFrame(
        out_rows,
        schema={
            "child_id": pl.String(),
            "placement_id": pl.String(),
            "start": pl.Date(),
            "end": pl.Date(),
            "setting": pl.String(),
            "provider_id": pl.String(),
            "end_reason": pl.String(),
            "end_reason_detail": pl.String(),
            "temporary": pl.Boolean(),
        },
        orient="row",
    ).sort("child_id", "start", "temporary")
    statuses = pl.DataFrame(
        stat_rows,
        schema={
            "child_id": pl.String(),
            "kind": pl.String(),
            "value": pl.String(),
            "start": pl.Date(),
            "end": pl.Date(),
        },
        orient="row",
    ).sort("child_id", "kind", "start")
    return placements, statuses
