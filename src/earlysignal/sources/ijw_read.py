"""Reading and checking iJw 3.2 messages (JW301, JW305, JW307; JW315 and JW317 where present).

Each message is parsed with the standard library's C XML parser and checked by the library's
own rules on everything the import relies on (root and namespace, header codes and versions,
sender and receiver formats, the BSN's format and eleven-test, dates, code lists JZ020, JZ588,
COD046 and COD467, the elements read). With ``xsd_dir`` each message is also validated against
the official schema with ``xmlschema`` (imported lazily). A message failing any check is
excluded as a whole, never half-read, and reported with its file, element and reason.

The BSN is turned into the child's keyed pseudonym (HMAC-SHA256) the moment it is read and is
never stored, returned or reported; names, addresses and contact details are never read.

Examples
--------
>>> from earlysignal.sources.ijw_write import message_xml
>>> xml = message_xml("JW305", 7, date(2024, 1, 5), "41000000", "0363", "100000009",
...                   "2010-01-01", "2", tw=1, cat="43", code="PLZ01", ing="2024-01-02",
...                   begin="2024-01-02", status="1")
>>> read = read_messages([("a.xml", xml.encode)], key=b"k" * 32, log=None)
>>> read.messages[0].kind, read.products[0].category, read.products[0].begin
('JW305', '43', datetime.date(2024, 1, 2))
>>> eleven_test("999900006"), eleven_test("123456789")
(True, False)
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from xml.etree import ElementTree as ET

from earlysignal.sources._report import IssueLog
from earlysignal.sources.ijw_mapping import JZ020_CATEGORIES, JZ588_REASONS

__all__ = [
    "HASH_HEX_CHARS",
    "MESSAGE_CODES",
    "Message",
    "ProductRow",
    "ReadResult",
    "child_pseudonym",
    "eleven_test",
    "read_messages",
]

MESSAGE_CODES: dict[str, str] = {
    "JW301": "436",
    "JW305": "438",
    "JW307": "440",
    "JW315": "446",
    "JW317": "486",
}
"""Message types read, with their COD002-VEKTIS BerichtCode."""

HASH_HEX_CHARS = 32
"""Child ids are the first 32 hex characters (128 bits) of HMAC-SHA256(key, BSN)."""

_NS_RE = re.compile(r"^\{http://www\.istandaarden\.nl/([a-z]+)/(\d+_\d+)/([a-z0-9]+)/schema\}(.+)$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AGB_RE = re.compile(r"^\d{8}$")
_GEMEENTE_RE = re.compile(r"^\d{4}$")
_BSN_RE = re.compile(r"^\d{9}$")
_NUM_RE = re.compile(r"^\d{1,9}$")
_STATUS = frozenset({"1", "2", "3"})
_SEX = frozenset({"0", "1", "2"})
# product list element and item element per message type
_PRODUCTS = {
    "JW301": ("ToegewezenProducten", "ToegewezenProduct"),
    "JW305": ("StartProducten", "StartProduct"),
    "JW307": ("StopProducten", "StopProduct"),
    "JW315": ("AangevraagdeProducten", "AangevraagdProduct"),
}


def eleven_test(bsn: str) -> bool:
    """Whether a 9-digit BSN passes the eleven-test (weights 9..2 and -1; not all zeros).

    Examples
    --------
    >>> eleven_test("111222333"), eleven_test("111222334")
    (True, False)
    """
    if not _BSN_RE.match(bsn) or bsn == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(bsn[:8], range(9, 1, -1), strict=True))
    return (total - int(bsn[8])) % 11 == 0


def child_pseudonym(key: bytes, bsn: str, length: int = HASH_HEX_CHARS) -> str:
    """The child's keyed pseudonym: HMAC-SHA256 of the BSN under ``key``, hex, truncated.

    Examples
    --------
    >>> len(child_pseudonym(b"secret" * 6, "999900006"))
    32
    """
    return hmac.new(key, bsn.encode("ascii"), hashlib.sha256).hexdigest()[:length]


@dataclass(frozen=True, slots=True)
class Message:
    """One valid message's header and client facts (no BSN, no names)."""

    file: str
    kind: str
    sender: str
    receiver: str
    ident: str
    dagtekening: date
    child_id: str
    birth_date: date | None
    sex_code: str | None
    digest: str


@dataclass(frozen=True, slots=True)
class ProductRow:
    """One product class of a message (assignment, start, stop or request)."""

    msg: int
    toewijzing: str | None
    category: str
    code: str | None
    begin: date | None
    end: date | None
    reason: str | None
    status: str | None


@dataclass
class ReadResult:
    """Messages read and kept, their product rows, and the per-file accounting."""

    messages: list[Message] = field(default_factory=list)
    products: list[ProductRow] = field(default_factory=list)
    files_read: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    ignored: dict[str, int] = field(default_factory=dict)


class _Bad(Exception):
    """A message-level check failed: (rule, element, value, reason, fix)."""

    def __init__(self, rule: str, element: str, value: object, reason: str, fix: str) -> None:
        super().__init__(reason)
        self.rule, self.element, self.value, self.reason, self.fix = (
            rule,
            element,
            value,
            reason,
            fix,
        )


_LOCAL: dict[str, str] = {}


def _children(el: ET.Element) -> dict[str, ET.Element]:
    """Child elements by local name (namespace stripped; names cached)."""
    out: dict[str, ET.Element] = {}
    for c in el:
        tag = c.tag
        name = _LOCAL.get(tag)
        if name is None:
            name = _LOCAL[tag] = tag.rpartition("}")[2]
        out[name] = c
    return out


class _Ctx:
    """Per-message helpers: required elements, dates and codes with a named rule."""

    __slots__ = ("children", "dates")

    def __init__(self) -> None:
        self.dates: dict[str, date] = {}
        # BSN -> pseudonym, for this read only (in memory, never written or returned)
        self.children: dict[str, str] = {}

    def text(self, parent: dict[str, ET.Element], name: str, path: str) -> str:
        el = parent.get(name)
        t = None if el is None else (el.text or "").strip()
        if not t:
            raise _Bad(
                "missing_element",
                f"{path}/{name}",
                None,
                f"{name} is missing or empty; the import relies on it",
                "send the message again with the element filled, as the iJw 3.2 schema asks",
            )
        return t

    def opt(self, parent: dict[str, ET.Element], name: str) -> str | None:
        el = parent.get(name)
        t = None if el is None else (el.text or "").strip()
        return t or None

    def date(self, value: str, element: str) -> date:
        d = self.dates.get(value)
        if d is not None:
            return d
        try:
            if not _DATE_RE.match(value):
                raise ValueError(value)
            d = date.fromisoformat(value)
        except ValueError:
            raise _Bad(
                "date",
                element,
                value,
                "not a date in the form YYYY-MM-DD",
                "write the date as YYYY-MM-DD (iJw LDT_Datum)",
            ) from None
        self.dates[value] = d
        return d


def _checked_pseudonym(key: bytes, bsn: str) -> str:
    """Check a BSN's format and eleven-test, and return the child's pseudonym."""
    if not _BSN_RE.match(bsn):
        raise _Bad(
            "format",
            "Client/Bsn",
            None,
            "a BSN has nine digits",
            "correct the BSN in the source system (the value is not shown: it identifies a person)",
        )
    if not eleven_test(bsn):
        raise _Bad(
            "bsn_eleven_test",
            "Client/Bsn",
            None,
            "the BSN fails the eleven-test",
            "correct the BSN in the source system (the value is not shown: it identifies a person)",
        )
    return child_pseudonym(key, bsn)


def _code(value: str, valid: frozenset[str], element: str, listname: str) -> str:
    if value not in valid:
        raise _Bad(
            "code",
            element,
            value,
            f"not a code of list {listname}",
            f"use a code of {listname} ({', '.join(sorted(valid))})",
        )
    return value


def _parse(
    name: str, data: bytes, key: bytes, ctx: _Ctx, schemas: dict[str, Any] | None
) -> tuple[Message, list[tuple[Any, ...]]] | tuple[None, str]:
    """Parse and check one message; raise :class:`_Bad` when a check fails.

    Returns (message, product tuples), or (None, kind) for a message type that is not read.
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise _Bad(
            "malformed_xml",
            "(document)",
            None,
            f"not well-formed XML: {exc}",
            "re-export the message from the source system",
        ) from None
    m = _NS_RE.match(root.tag)
    if m is None or m.group(4) != "Bericht":
        raise _Bad(
            "other_standard",
            root.tag,
            None,
            "not an iStandaarden message (root must be Bericht in an istandaarden.nl namespace)",
            "give only iJw 3.2 messages (JW301, JW305, JW307, JW315, JW317)",
        )
    std, version, msg = m.group(1), m.group(2), m.group(3).upper()
    if std != "ijw":
        raise _Bad(
            "other_standard",
            "Bericht",
            std,
            f"a message of the {std} standard, not iJw",
            "give only iJw 3.2 messages; other standards (iWmo, ...) are not read",
        )
    if version != "3_2":
        raise _Bad(
            "other_version",
            "Bericht",
            version.replace("_", "."),
            "a message of another iJw release than 3.2",
            "convert the archive to iJw 3.2 or import each release with its own adapter",
        )
    if msg not in MESSAGE_CODES:
        return None, msg
    if schemas is not None:
        _xsd_check(root, msg, schemas)
    top = _children(root)
    if "Header" not in top or "Client" not in top:
        raise _Bad(
            "missing_element",
            "Bericht/Header" if "Header" not in top else "Bericht/Client",
            None,
            "the message has no Header or no Client",
            "send complete messages",
        )
    h = _children(top["Header"])
    code = ctx.text(h, "BerichtCode", "Header")
    if code != MESSAGE_CODES[msg]:
        raise _Bad(
            "header",
            "Header/BerichtCode",
            code,
            f"BerichtCode of a {msg} must be {MESSAGE_CODES[msg]}",
            "check the message type (COD002-VEKTIS)",
        )
    ver = (ctx.text(h, "BerichtVersie", "Header"), ctx.text(h, "BerichtSubversie", "Header"))
    if ver != ("3", "2"):
        raise _Bad(
            "other_version",
            "Header/BerichtVersie",
            ".".join(ver),
            "the header names another release than 3.2",
            "convert the archive to iJw 3.2",
        )
    sender = ctx.text(h, "Afzender", "Header")
    receiver = ctx.text(h, "Ontvanger", "Header")
    # JW301 goes from the municipality to the provider; the other messages the other way
    muni, agb = (sender, receiver) if msg == "JW301" else (receiver, sender)
    if not _GEMEENTE_RE.match(muni):
        raise _Bad(
            "format",
            "Header/" + ("Afzender" if msg == "JW301" else "Ontvanger"),
            muni,
            "a municipality code has four digits",
            "use the CBS municipality code (LDT_Gemeente)",
        )
    if not _AGB_RE.match(agb):
        raise _Bad(
            "format",
            "Header/" + ("Ontvanger" if msg == "JW301" else "Afzender"),
            agb,
            "an AGB code has eight digits",
            "use the provider's AGB code (LDT_AgbCode)",
        )
    bi = h.get("BerichtIdentificatie")
    bid = _children(bi) if bi is not None else {}
    ident = ctx.text(bid, "Identificatie", "Header/BerichtIdentificatie")
    dag_text = ctx.text(bid, "Dagtekening", "Header/BerichtIdentificatie")
    dag = ctx.date(dag_text, "Header/BerichtIdentificatie/Dagtekening")
    c = _children(top["Client"])
    bsn = ctx.text(c, "Bsn", "Client")
    child = ctx.children.get(bsn)  # a child has many messages: check and hash once per read
    if child is None:
        child = _checked_pseudonym(key, bsn)
        ctx.children[bsn] = child
    del bsn
    if msg == "JW317":
        # a change request carries no birth date or sex; its products are counted only
        verzoek = c.get("Verzoek")
        n = sum(len(lst) for lst in verzoek if len(lst)) if verzoek is not None else 0
        if not n:
            raise _Bad(
                "missing_element",
                "Client/Verzoek",
                None,
                "the request holds no product",
                "send requests with at least one product",
            )
        digest = hashlib.sha256(repr((msg, muni, agb, child, n, data)).encode()).hexdigest()[:16]
        return Message(name, msg, agb, muni, ident, dag, child, None, None, digest), []
    gb = c.get("Geboortedatum")
    gbd = _children(gb) if gb is not None else {}
    birth = ctx.date(ctx.text(gbd, "Datum", "Client/Geboortedatum"), "Client/Geboortedatum/Datum")
    sex = _code(ctx.text(c, "Geslacht", "Client"), _SEX, "Client/Geslacht", "COD046")
    list_name, item_name = _PRODUCTS[msg]
    plist = c.get(list_name)
    rows: list[tuple[Any, ...]] = []
    if plist is not None:
        for item in plist:
            rows.append(_product(msg, _children(item), f"Client/{list_name}/{item_name}", ctx))
    if not rows:
        raise _Bad(
            "missing_element",
            f"Client/{list_name}",
            None,
            "the message holds no product",
            "send messages with at least one product",
        )
    digest = hashlib.sha256(repr((msg, muni, agb, child, birth, sex, rows)).encode()).hexdigest()[
        :16
    ]
    message = Message(name, msg, agb, muni, ident, dag, child, birth, sex, digest)
    return message, rows


def _product(msg: str, p: dict[str, ET.Element], path: str, ctx: _Ctx) -> tuple[Any, ...]:
    prod = p.get("Product")
    if prod is None:
        raise _Bad(
            "missing_element",
            f"{path}/Product",
            None,
            "the product (category and code) is missing; deliveries are assembled per product",
            "send the product category and code",
        )
    pc = _children(prod)
    cat = _code(
        ctx.text(pc, "Categorie", f"{path}/Product"),
        JZ020_CATEGORIES,
        f"{path}/Product/Categorie",
        "JZ020",
    )
    code = ctx.opt(pc, "Code")
    tw = ctx.opt(p, "ToewijzingNummer")
    if tw is not None and not _NUM_RE.match(tw):
        raise _Bad(
            "format",
            f"{path}/ToewijzingNummer",
            tw,
            "an assignment number has 1-9 digits",
            "use the municipality's ToewijzingNummer",
        )
    begin = end = None
    reason = status = None
    if msg in ("JW305", "JW307"):
        if tw is None:
            raise _Bad(
                "missing_element",
                f"{path}/ToewijzingNummer",
                None,
                "ToewijzingNummer is missing; deliveries are assembled per assignment",
                "send the assignment number the municipality gave (JW301)",
            )
        begin = ctx.date(ctx.text(p, "Begindatum", path), f"{path}/Begindatum")
        status = ctx.text(p, "StatusAanlevering", path)
        if status not in _STATUS:
            raise _Bad(
                "code",
                f"{path}/StatusAanlevering",
                status,
                "StatusAanlevering must be 1 (first), 2 (correction) or 3 (deletion); 9 is not "
                "allowed here (CS058)",
                "use COD467 code 1, 2 or 3",
            )
    if msg == "JW307":
        end = ctx.date(ctx.text(p, "Einddatum", path), f"{path}/Einddatum")
        reason = _code(
            ctx.text(p, "RedenBeeindiging", path),
            JZ588_REASONS,
            f"{path}/RedenBeeindiging",
            "JZ588",
        )
        if begin is not None and end < begin:
            raise _Bad(
                "stop_before_start",
                f"{path}/Einddatum",
                end.isoformat(),
                f"the delivery ends before its own start ({begin.isoformat()})",
                "correct the Begindatum or Einddatum and send the stop again",
            )
    if msg == "JW301":
        ing = ctx.opt(p, "Ingangsdatum")
        begin = ctx.date(ing, f"{path}/Ingangsdatum") if ing else None
        ein = ctx.opt(p, "Einddatum")
        end = ctx.date(ein, f"{path}/Einddatum") if ein else None
        if begin is not None and end is not None and end < begin:
            raise _Bad(
                "stop_before_start",
                f"{path}/Einddatum",
                end.isoformat(),
                f"the assignment ends before it starts ({begin.isoformat()})",
                "correct the assignment's Ingangsdatum or Einddatum",
            )
    return (tw, cat, code, begin, end, reason, status)


def _xsd_check(root: ET.Element, msg: str, schemas: dict[str, Any]) -> None:
    schema = schemas.get(msg)
    if schema is None:
        return
    for err in schema.iter_errors(root):
        path = re.sub(r"\{[^}]*\}", "", str(getattr(err, "path", None) or "(document)"))
        reason = getattr(err, "reason", None) or str(err).splitlines()[0]
        raise _Bad(
            "xsd",
            str(path),
            None,
            f"not valid against {msg}.xsd: {reason}",
            "correct the message so that it validates against the official schema",
        )


def read_messages(
    items: Sequence[tuple[str, Callable[[], bytes]]],
    *,
    key: bytes,
    log: IssueLog | None,
    schemas: dict[str, Any] | None = None,
) -> ReadResult:
    """Parse and check every message; excluded ones are logged (file, element, reason).

    A failed check excludes the whole message (severity ``excluded``; an ``error`` in raise
    mode). Messages of types not read (e.g. JW302 returns) are counted as ignored.
    """
    out = ReadResult()
    ctx = _Ctx()
    rows = out.products
    for name, read in items:
        out.files_read += 1
        try:
            res = _parse(name, read(), key, ctx, schemas)
        except _Bad as bad:
            out.excluded[bad.rule] = out.excluded.get(bad.rule, 0) + 1
            if log is not None:
                log.add(
                    bad.rule,
                    "excluded",
                    bad.reason,
                    bad.fix,
                    file=name,
                    element=bad.element,
                    value=bad.value,
                )
            continue
        if res[0] is None:
            kind = str(res[1])
            out.ignored[kind] = out.ignored.get(kind, 0) + 1
            continue
        message, prods = res
        idx = len(out.messages)
        out.messages.append(message)  # type: ignore[arg-type]
        for p in prods:  # type: ignore[union-attr]
            rows.append(ProductRow(idx, *p))
    return out
