"""Assembling checked iJw messages into deliveries, and deliveries into canonical tables.

Deliveries are assembled per assignment: the child, ``ToewijzingNummer`` and product
(category and code). Within an assignment a delivery is identified by its ``Begindatum``
(as iJw does). Messages are applied in message order (``Dagtekening``, then
``Identificatie``, then file name), honouring ``StatusAanlevering``: 1 a first delivery,
2 a correction (the later one wins), 3 a deletion (it removes what it names). iJw 3.2 itself
corrects by a deletion followed by a new first delivery (CS058); status 2 is accepted for
archives that use it. Everything that cannot be applied is a named rule, an error in raise
mode, and in repair mode excluded or repaired and counted.

Deliveries then become placements, events and statuses through the mapping
(:mod:`earlysignal.sources.ijw_mapping`); the rules for moves, pauses, overlaps and the late
stop messages are in ``docs/ijw.md``.

Examples
--------
>>> working_days_before(date(2026, 7, 20), 5)  # a Monday: back to the Monday before
datetime.date(2026, 7, 13)
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import polars as pl

from earlysignal.schema import polars_schema
from earlysignal.sources._report import IssueLog
from earlysignal.sources.ijw_mapping import PAUSE, IjwMapping, Target
from earlysignal.sources.ijw_read import ReadResult

__all__ = ["Assembled", "assemble", "working_days_before"]

SEX = {"0": "unknown", "1": "male", "2": "female"}
"""COD046 sex codes to the canonical vocabulary."""


def working_days_before(day: date, n: int) -> date:
    """The date ``n`` working days (Monday-Friday) before ``day``.

    Examples
    --------
    >>> working_days_before(date(2026, 7, 17), 1)  # Friday -> Thursday
    datetime.date(2026, 7, 16)
    """
    d = day
    while n > 0:
        d -= timedelta(days=1)
        if d.weekday() < 5:
            n -= 1
    return d


@dataclass
class _Delivery:
    begin: date
    end: date | None = None
    reason: str | None = None
    provider: str = ""
    municipality: str = ""


@dataclass
class Assembled:
    """The canonical tables and the accounting of an assembly."""

    children: pl.DataFrame
    placements: pl.DataFrame
    events: pl.DataFrame
    statuses: pl.DataFrame
    extraction_date: date
    observed_until: date
    counts: dict[str, int] = field(default_factory=dict)
    unmapped: dict[str, int] = field(default_factory=dict)


def _dedupe(read: ReadResult, log: IssueLog, counts: Counter[str]) -> list[int]:
    """Indices of the messages kept: identical repeats merged, conflicting ones flagged."""
    seen: dict[tuple[str, ...], int] = {}
    keep: list[int] = []
    for i, m in enumerate(read.messages):
        k = (m.kind, m.sender, m.receiver, m.ident, m.dagtekening.isoformat())
        j = seen.get(k)
        if j is None:
            seen[k] = i
            keep.append(i)
        elif read.messages[j].digest == m.digest:
            counts["duplicate_messages_merged"] += 1
            log.add(
                "duplicate_message",
                "repaired",
                f"the same {m.kind} was delivered again (same sender, identification and "
                f"content as {read.messages[j].file}); kept once",
                "nothing to do; remove the copy from the archive to silence this",
                file=m.file,
                element="Header/BerichtIdentificatie",
                value=m.ident,
                blocking=False,
            )
        else:
            counts["messages_excluded"] += 1
            log.add(
                "duplicate_identification",
                "excluded",
                f"a different {m.kind} with the same sender, identification and date as "
                f"{read.messages[j].file}; the first one read is kept",
                "give every message its own identification; remove the wrong copy",
                file=m.file,
                element="Header/BerichtIdentificatie",
                value=m.ident,
            )
    return keep


def assemble(
    read: ReadResult,
    mapping: IjwMapping,
    log: IssueLog,
    *,
    extraction_date: date | None = None,
) -> Assembled:
    """Turn checked messages into canonical tables (see the module docstring)."""
    counts: Counter[str] = Counter()
    keep = _dedupe(read, log, counts)
    msgs = read.messages
    if extraction_date is None:
        extraction_date = max((msgs[i].dagtekening for i in keep), default=date.today())
    by_msg: dict[int, list[Any]] = {}
    for r in read.products:
        by_msg.setdefault(r.msg, []).append(r)
    # ---------------------------------------------------- dates after the extraction date
    kept: list[int] = []
    for i in keep:
        m = msgs[i]
        late = [
            d
            for r in by_msg.get(i, [])
            for d in (r.begin, r.end)
            if d is not None and d > extraction_date
        ]
        if m.dagtekening > extraction_date or (late and m.kind in ("JW305", "JW307")):
            counts["messages_excluded"] += 1
            value = m.dagtekening if m.dagtekening > extraction_date else max(late)
            log.add(
                "after_extraction",
                "excluded",
                f"a {m.kind} dated after the extraction date {extraction_date.isoformat()}",
                "check the extraction date (--observed-until) or the message's dates",
                file=m.file,
                element="Header/BerichtIdentificatie/Dagtekening"
                if m.dagtekening > extraction_date
                else "Begindatum/Einddatum",
                value=value.isoformat(),
            )
            continue
        kept.append(i)
    kept.sort(key=lambda i: (msgs[i].dagtekening, msgs[i].ident.zfill(20), msgs[i].file))
    counts["messages_applied"] = len(kept)
    # --------------------------------------------------------------- children (latest facts)
    child_rows: dict[str, tuple[date, str, str]] = {}
    for i in kept:
        m = msgs[i]
        if m.birth_date is None or m.sex_code is None:  # JW317 carries neither
            counts[f"{m.kind}_messages"] += 1
            continue
        prev = child_rows.get(m.child_id)
        if prev is not None and prev[0] != m.birth_date:
            counts["client_birth_date_changed"] += 1
        child_rows[m.child_id] = (m.birth_date, SEX[m.sex_code], m.receiver)
    # --------------------------------------------------------------- deliveries in order
    state: dict[tuple[str, str, str, str | None], dict[date, _Delivery]] = {}
    for i in kept:
        m = msgs[i]
        if m.kind not in ("JW305", "JW307"):
            counts[f"{m.kind}_products"] += len(by_msg.get(i, []))
            continue
        for r in by_msg.get(i, []):
            assert r.begin is not None
            key = (m.child_id, r.toewijzing or "", r.category, r.code)
            dels = state.setdefault(key, {})
            d = dels.get(r.begin)
            where = f"{m.kind} product {r.category}/{r.code or '-'} ToewijzingNummer"

            def issue(rule: str, action: str, message: str, fix: str) -> None:
                log.add(
                    rule,
                    action,  # type: ignore[arg-type]
                    message,
                    fix,
                    file=m.file,  # noqa: B023
                    element=where,  # noqa: B023
                    value=r.toewijzing,  # noqa: B023
                )

            if m.kind == "JW305":
                if r.status == "1":
                    if d is not None:
                        counts["duplicate_starts_ignored"] += 1
                        issue(
                            "duplicate_start",
                            "repaired",
                            f"a second start of the delivery begun {r.begin}; kept once",
                            "delete (status 3) before sending a start again",
                        )
                    else:
                        dels[r.begin] = _Delivery(
                            r.begin, provider=m.sender, municipality=m.receiver
                        )
                        counts["starts"] += 1
                elif r.status == "2":
                    if d is None:
                        counts["corrections_excluded"] += 1
                        issue(
                            "correction_of_unknown",
                            "excluded",
                            f"a correction of a start ({r.begin}) never delivered",
                            "send a first delivery (status 1) instead",
                        )
                    else:
                        d.provider = m.sender
                        counts["corrections_applied"] += 1
                elif d is None:
                    counts["deletions_excluded"] += 1
                    issue(
                        "delete_unknown",
                        "excluded",
                        f"a deletion of a start ({r.begin}) never delivered",
                        "check the Begindatum of the deletion; delete only what was sent",
                    )
                else:
                    del dels[r.begin]
                    counts["deletions_applied"] += 1
                continue
            # JW307: a stop of the delivery begun r.begin
            if r.status == "1":
                if d is None:
                    counts["stops_without_start"] += 1
                    issue(
                        "stop_without_start",
                        "repaired",
                        f"a stop of a delivery begun {r.begin} whose start was never delivered;"
                        " the delivery is taken from the stop (start = its Begindatum)",
                        "send the missing start message (JW305)",
                    )
                    if log.mode == "raise":
                        continue
                    d = dels[r.begin] = _Delivery(
                        r.begin, provider=m.sender, municipality=m.receiver
                    )
                elif d.end is not None:
                    counts["stops_replaced"] += 1
                    issue(
                        "duplicate_stop",
                        "repaired",
                        f"a second stop of the delivery begun {r.begin} without deleting the "
                        "first; the later one is kept",
                        "delete the first stop (status 3) before sending another",
                    )
                    if log.mode == "raise":
                        continue
                d.end, d.reason = r.end, r.reason
                counts["stops"] += 1
            elif r.status == "2":
                if d is None or d.end is None:
                    counts["corrections_excluded"] += 1
                    issue(
                        "correction_of_unknown",
                        "excluded",
                        f"a correction of a stop (delivery begun {r.begin}) never delivered",
                        "send a first delivery (status 1) instead",
                    )
                else:
                    d.end, d.reason = r.end, r.reason
                    counts["corrections_applied"] += 1
            elif d is None or d.end is None:
                counts["deletions_excluded"] += 1
                issue(
                    "delete_unknown",
                    "excluded",
                    f"a deletion of a stop (delivery begun {r.begin}) never delivered",
                    "check the Begindatum of the deletion; delete only what was sent",
                )
            else:
                d.end = d.reason = None
                counts["deletions_applied"] += 1
    # ------------------------------------------- late stop messages: observe until lag back
    obs = working_days_before(extraction_date, mapping.stop_lag_working_days)
    unmapped: Counter[str] = Counter()
    pl_rows: list[tuple[Any, ...]] = []
    ev_rows: list[tuple[Any, ...]] = []
    st_rows: list[tuple[Any, ...]] = []
    for key, dels in state.items():
        child, tw, cat, code = key
        target = mapping.target(cat, code)
        items = sorted(dels.values(), key=lambda x: x.begin)
        if target is None:
            unmapped[f"{cat}/{code or '-'}"] += len(items)
            continue
        for d in items:
            if d.begin > obs:
                counts["starts_censored"] += 1
                continue
            if d.end is not None and d.end > obs:
                counts["ends_censored"] += 1
                d.end = d.reason = None
        items = [d for d in items if d.begin <= obs]
        if not items:
            continue
        if target.as_ == "placement":
            items = _resume_pauses(items, mapping, counts)
        for d in items:
            _emit(target, child, tw, cat, code, d, mapping, pl_rows, ev_rows, st_rows)
    for pair, n in sorted(unmapped.items()):
        counts["deliveries_unmapped"] += n
        log.add(
            "unmapped_product",
            "excluded",
            f"{n} deliver{'y' if n == 1 else 'ies'} of category/product {pair} not in the "
            f"mapping ({mapping.origin})",
            'add the product code under [products."<category>"] or the category under '
            "[categories] of your mapping file (see docs/ijw.md)",
            element="Product",
            value=pair,
        )
    placements = _placements(pl_rows, mapping, log, counts)
    children = pl.DataFrame(
        [(c, b, s, r) for c, (b, s, r) in child_rows.items()],
        schema={
            "child_id": pl.String(),
            "birth_date": pl.Date(),
            "sex": pl.String(),
            "region": pl.String(),
        },
        orient="row",
    ).sort("child_id")
    events = pl.DataFrame(
        ev_rows, schema=polars_schema("events", required_only=True), orient="row"
    ).sort("child_id", "date", "kind")
    statuses = pl.DataFrame(st_rows, schema=polars_schema("statuses"), orient="row").sort(
        "child_id", "kind", "start"
    )
    counts["children"] = children.height
    return Assembled(
        children, placements, events, statuses, extraction_date, obs, dict(counts), dict(unmapped)
    )


def _resume_pauses(
    items: list[_Delivery], mapping: IjwMapping, counts: Counter[str]
) -> list[_Delivery]:
    """Join a delivery paused (JZ588 20) with the next delivery of the same assignment."""
    out: list[_Delivery] = []
    for d in items:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.reason is not None
            and mapping.end_reasons.get(prev.reason) == PAUSE
        ):
            prev.end, prev.reason = d.end, d.reason
            counts["pauses_resumed"] += 1
            continue
        out.append(d)
    return out


def _end_reason(reason: str | None, mapping: IjwMapping, counts: Counter[str]) -> str | None:
    if reason is None:
        return None
    value = mapping.end_reasons.get(reason)
    if value == PAUSE:
        counts["pauses_not_resumed"] += 1
        return "other"
    if value is None:
        counts["end_reasons_unmapped"] += 1
        return "other"
    return value


def _emit(  # noqa: PLR0917
    target: Target,
    child: str,
    tw: str,
    cat: str,
    code: str | None,
    d: _Delivery,
    mapping: IjwMapping,
    pl_rows: list[tuple[Any, ...]],
    ev_rows: list[tuple[Any, ...]],
    st_rows: list[tuple[Any, ...]],
) -> None:
    if target.as_ == "placement":
        pid = hashlib.sha256(f"{child}|{tw}|{cat}|{code}|{d.begin}".encode()).hexdigest()[:16]
        pl_rows.append(
            (
                child,
                pid,
                d.begin,
                d.end,
                target.setting,
                d.provider,
                d.reason,
                bool(target.temporary),
            )
        )
        if target.kind:
            ev_rows.append((child, d.begin, target.kind))
    elif target.as_ == "event":
        ev_rows.append((child, d.begin, f"{target.kind}_start"))
        if d.end is not None:
            ev_rows.append((child, d.end, f"{target.kind}_end"))
    else:
        st_rows.append((child, target.kind, target.value, d.begin, d.end))


def _placements(
    rows: list[tuple[Any, ...]], mapping: IjwMapping, log: IssueLog, counts: Counter[str]
) -> pl.DataFrame:
    """Sort placements per child; bridge short gaps into moves; find overlaps."""
    rows.sort(key=lambda r: (r[0], r[2], r[3] or date.max))
    out: list[list[Any]] = []
    last: dict[str, list[Any]] = {}  # the child's latest non-temporary placement
    gap = mapping.move_gap_days
    for r in rows:
        child, pid, start, end, setting, provider, reason, temporary = r
        row = [child, pid, start, end, setting, provider, None, reason, temporary]
        row[6] = _end_reason(reason, mapping, counts)
        if not temporary:
            p = last.get(child)
            if p is not None:
                p_end = p[3]
                if p_end is None or p_end > start:
                    counts["overlaps"] += 1
                    log.add(
                        "overlapping_accommodation",
                        "repaired",
                        f"two accommodation deliveries at once: one begun {p[2]} "
                        f"{'open' if p_end is None else 'to ' + str(p_end)} and one begun "
                        f"{start}; the earlier is ended on the later's start",
                        "stop the earlier delivery (JW307) or delete the wrong one",
                        element="StartProduct/Begindatum",
                        value=start.isoformat(),
                    )
                    p[3] = start
                    if p[6] is None:
                        p[6], p[7] = "other", "overlap"
                elif 2 <= (start - p_end).days <= gap:
                    counts["gaps_bridged_into_moves"] += 1
                    p[3] = start
            last[child] = row
        out.append(row)
    schema = {
        "child_id": pl.String(),
        "placement_id": pl.String(),
        "start": pl.Date(),
        "end": pl.Date(),
        "setting": pl.String(),
        "provider_id": pl.String(),
        "end_reason": pl.String(),
        "end_reason_detail": pl.String(),
        "temporary": pl.Boolean(),
    }
    return pl.DataFrame(out, schema=schema, orient="row").sort("child_id", "start", "placement_id")
