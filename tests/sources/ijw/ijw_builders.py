"""Builders for hand-made iJw messages (tests of earlysignal.sources.ijw)."""

from __future__ import annotations

from datetime import date
from typing import Any

from earlysignal.sources.ijw_write import make_bsns, message_xml

KEY = b"0123456789abcdef0123456789abcdef"
BSNS = make_bsns(5)


def msg(
    kind: str,
    ident: int,
    dag: str,
    *,
    bsn: str = BSNS[0],
    agb: str = "41000001",
    muni: str = "0363",
    tw: int = 1001,
    cat: str = "43",
    code: str = "RES01",
    begin: str = "2024-01-02",
    end: str = "2024-03-01",
    reason: str = "31",
    status: str = "1",
    birth: str = "2010-05-06",
    sex: str = "2",
) -> str:
    """One message with one product; JW301 ignores status/end/reason."""
    product: dict[str, Any] = {"tw": tw, "cat": cat, "code": code, "begin": begin}
    if kind in ("JW305", "JW307"):
        product |= {"ing": begin, "status": status}
    if kind == "JW307":
        product |= {"reason": reason, "end": end}
    return message_xml(kind, ident, date.fromisoformat(dag), agb, muni, bsn, birth, sex, **product)
