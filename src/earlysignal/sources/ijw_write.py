"""Writing a canonical history as an archive of iJw 3.2 messages (for tests and demos).

One message per event: a JW301 assignment and a JW305 start for every placement (and every
protection or probation measure), and a JW307 stop for every ending, each valid against the
official XSDs. A share of starts and stops is first sent wrong and then deleted
(StatusAanlevering 3) and sent again, as iJw 3.2 corrects deliveries (CS058), so that an
import has corrections and deletions to honour.

What iJw cannot carry is lost on the way and stated here and in ``docs/ijw.md``: events
(incidents, missing, reviews...), placements with parents (written as ambulant care, category
45), where a child went after an ending (return home, permanence and leaving care at 18 are
written as JZ588 31 or 39), the child's origin and other attributes. The setting travels in
the product code under categories 43 and 44; the mapping file that reads it back is written
beside the messages (``ijw_mapping.toml``). BSNs are made up (eleven-test valid, from a test
range) and returned in memory only, never written apart from inside the messages.

Examples
--------
>>> import tempfile
>>> from earlysignal.synth import simulate
>>> sim = simulate(30, years=2, seed=1)
>>> with tempfile.TemporaryDirectory() as d:
...     arc = write_ijw_archive(sim.history, d)
...     arc.messages > 0, arc.mapping_path.name
(True, 'ijw_mapping.toml')
"""

from __future__ import annotations

import random
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from earlysignal.data.history import CareHistory

__all__ = [
    "END_REASON_TO_JZ588",
    "SETTING_PRODUCTS",
    "IjwArchive",
    "make_bsns",
    "message_xml",
    "working_days_after",
    "write_ijw_archive",
]

END_REASON_TO_JZ588: dict[str, str] = {
    "planned": "31",
    "breakdown": "32",
    "provider_ended": "33",
    "return_home": "31",
    "permanence": "31",
    "aged_out": "39",
    "transfer": "36",
    "other": "35",
}
"""Canonical end reason -> JZ588 code written (the import maps 31, 32, 33, 36, 39, 35 back)."""

SETTING_PRODUCTS: dict[tuple[str, bool], tuple[str, str]] = {
    ("foster", False): ("43", "PLZ01"),
    ("kinship_foster", False): ("43", "NPZ01"),
    ("family_home", False): ("43", "GZH01"),
    ("residential", False): ("43", "RES01"),
    ("secure", False): ("43", "JZP01"),
    ("independent", False): ("44", "KMT01"),
    ("other", False): ("44", "OVR01"),
    ("foster", True): ("44", "PLZT1"),
    ("kinship_foster", True): ("44", "NPZT1"),
    ("family_home", True): ("44", "GZHT1"),
    ("residential", True): ("44", "REST1"),
    ("secure", True): ("44", "JZPT1"),
    ("independent", True): ("44", "KMTT1"),
    ("other", True): ("44", "OVRT1"),
}
"""(setting, temporary) -> (JZ020 category, product code) the writer uses."""

_WITH_PARENTS = ("45", "THP01")
_MEASURES = {"child_protection": ("48", "JB001"), "probation": ("47", "JR001")}
_CODES = {"JW301": "436", "JW305": "438", "JW307": "440"}
_SEX = {"male": "1", "female": "2"}
_NAAMGEBRUIK = "<ijw:NaamGebruik>1</ijw:NaamGebruik>"
_MUNICIPALITIES = ("0363", "0599", "0518", "0344", "0014", "0202", "0153", "0796")


@dataclass(frozen=True)
class IjwArchive:
    """What :func:`write_ijw_archive` wrote."""

    path: Path
    mapping_path: Path
    extraction_date: date
    messages: int
    corrections: int
    bsn_of: dict[str, str]


def working_days_after(day: date, n: int) -> date:
    """The date ``n`` working days (Monday-Friday) after ``day``.

    Examples
    --------
    >>> working_days_after(date(2026, 7, 13), 5)
    datetime.date(2026, 7, 20)
    """
    d = day
    while n > 0:
        d += timedelta(days=1)
        if d.weekday() < 5:
            n -= 1
    return d


def make_bsns(n: int, start: int = 10_000_000) -> list[str]:
    """``n`` distinct made-up BSNs that pass the eleven-test.

    Examples
    --------
    >>> from earlysignal.sources.ijw_read import eleven_test
    >>> all(eleven_test(b) for b in make_bsns(50))
    True
    """
    out: list[str] = []
    prefix = start
    while len(out) < n:
        digits = f"{prefix:08d}"
        total = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        check = total % 11
        if check < 10:
            out.append(f"{digits}{check}")
        prefix += 1
    return out


def _mapping_text() -> str:
    lines = [
        "# The product codes earlysignal's iJw writer uses (simulated archives only).",
        'extends = "default"',
        "",
    ]
    for cat in ("43", "44", "45"):
        lines.append(f'[products."{cat}"]')
        for (setting, temp), (c, code) in SETTING_PRODUCTS.items():
            if c == cat:
                t = ", temporary = true" if temp else ""
                lines.append(f'"{code}" = {{ as = "placement", setting = "{setting}"{t} }}')
        if cat == "45":
            lines.append(f'"{_WITH_PARENTS[1]}" = {{ as = "event", kind = "with_parents_care" }}')
        lines.append("")
    return "\n".join(lines)


_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<{p}:Bericht xmlns:ijw="http://www.istandaarden.nl/ijw/3_2/basisschema/schema" '
    'xmlns:{p}="http://www.istandaarden.nl/ijw/3_2/{p}/schema">'
    "<{p}:Header><{p}:BerichtCode>{code}</{p}:BerichtCode>"
    "<{p}:BerichtVersie>3</{p}:BerichtVersie><{p}:BerichtSubversie>2</{p}:BerichtSubversie>"
    "<{p}:Afzender>{afz}</{p}:Afzender><{p}:Ontvanger>{ont}</{p}:Ontvanger>"
    "<{p}:BerichtIdentificatie><ijw:Identificatie>{ident}</ijw:Identificatie>"
    "<ijw:Dagtekening>{dag}</ijw:Dagtekening></{p}:BerichtIdentificatie>"
    "<{p}:XsdVersie><ijw:BasisschemaXsdVersie>1.0.0</ijw:BasisschemaXsdVersie>"
    "<ijw:BerichtXsdVersie>1.0.0</ijw:BerichtXsdVersie></{p}:XsdVersie></{p}:Header>"
    "<{p}:Client><{p}:Bsn>{bsn}</{p}:Bsn><{p}:Geboortedatum><ijw:Datum>{gb}</ijw:Datum>"
    "</{p}:Geboortedatum><{p}:Geslacht>{sex}</{p}:Geslacht><{p}:Naam><ijw:Geslachtsnaam>"
    "<ijw:Achternaam>Simulatie</ijw:Achternaam></ijw:Geslachtsnaam>{naamgebruik}</{p}:Naam>"
)
_JW301 = (
    "<jw301:Contactgegevens><jw301:Contact><jw301:Soort>01</jw301:Soort></jw301:Contact>"
    "</jw301:Contactgegevens><jw301:ToegewezenProducten><jw301:ToegewezenProduct>"
    "<jw301:ToewijzingNummer>{tw}</jw301:ToewijzingNummer>"
    "<jw301:Product><ijw:Categorie>{cat}</ijw:Categorie><ijw:Code>{code}</ijw:Code>"
    "</jw301:Product><jw301:Toewijzingsdatum>{dag}</jw301:Toewijzingsdatum>"
    "<jw301:Toewijzingstijd>09:00:00</jw301:Toewijzingstijd>"
    "<jw301:Ingangsdatum>{begin}</jw301:Ingangsdatum>"
    "</jw301:ToegewezenProduct></jw301:ToegewezenProducten></jw301:Client></jw301:Bericht>\n"
)
_JW305 = (
    "<jw305:StartProducten><jw305:StartProduct>"
    "<jw305:ToewijzingNummer>{tw}</jw305:ToewijzingNummer>"
    "<jw305:Product><ijw:Categorie>{cat}</ijw:Categorie><ijw:Code>{code}</ijw:Code>"
    "</jw305:Product><jw305:ToewijzingIngangsdatum>{ing}</jw305:ToewijzingIngangsdatum>"
    "<jw305:Begindatum>{begin}</jw305:Begindatum>"
    "<jw305:StatusAanlevering>{status}</jw305:StatusAanlevering>"
    "</jw305:StartProduct></jw305:StartProducten></jw305:Client></jw305:Bericht>\n"
)
_JW307 = (
    "<jw307:StopProducten><jw307:StopProduct>"
    "<jw307:ToewijzingNummer>{tw}</jw307:ToewijzingNummer>"
    "<jw307:Product><ijw:Categorie>{cat}</ijw:Categorie><ijw:Code>{code}</ijw:Code>"
    "</jw307:Product><jw307:ToewijzingIngangsdatum>{ing}</jw307:ToewijzingIngangsdatum>"
    "<jw307:Begindatum>{begin}</jw307:Begindatum>"
    "<jw307:RedenBeeindiging>{reason}</jw307:RedenBeeindiging>"
    "<jw307:Einddatum>{end}</jw307:Einddatum>"
    "<jw307:StatusAanlevering>{status}</jw307:StatusAanlevering>"
    "</jw307:StopProduct></jw307:StopProducten></jw307:Client></jw307:Bericht>\n"
)


def message_xml(  # noqa: PLR0917
    kind: str,
    ident: int | str,
    dagtekening: date,
    agb: str,
    municipality: str,
    bsn: str,
    birth_date: str,
    sex_code: str,
    **product: Any,
) -> str:
    """One iJw 3.2 message (JW301, JW305 or JW307) with one product, as XML text.

    ``product`` holds ``tw``, ``cat``, ``code``, ``begin`` (ISO dates as text) and for
    JW305/JW307 ``ing`` and ``status``, for JW307 ``reason`` and ``end``.

    Examples
    --------
    >>> xml = message_xml("JW305", 7, date(2024, 1, 5), "41000000", "0363", "100000009",
    ...                   "2010-01-01", "2", tw=1, cat="43", code="PLZ01", ing="2024-01-02",
    ...                   begin="2024-01-02", status="1")
    >>> "<jw305:Begindatum>2024-01-02</jw305:Begindatum>" in xml
    True
    """
    afz, ont = (municipality, agb) if kind == "JW301" else (agb, municipality)
    p = kind.lower()
    head = _HEAD.format(
        p=p,
        code=_CODES[kind],
        afz=afz,
        ont=ont,
        ident=ident,
        dag=dagtekening.isoformat(),
        bsn=bsn,
        gb=birth_date,
        sex=sex_code,
        naamgebruik=_NAAMGEBRUIK if kind == "JW301" else "",
    )
    body = {"JW301": _JW301, "JW305": _JW305, "JW307": _JW307}[kind]
    return head + body.format(dag=dagtekening.isoformat(), **product)


def write_ijw_archive(
    history: CareHistory,
    out: str | Path,
    *,
    seed: int = 0,
    correction_share: float = 0.03,
    as_zip: bool = False,
) -> IjwArchive:
    """Write ``history`` as iJw 3.2 messages under ``out`` (a folder, or a zip file).

    Parameters
    ----------
    history
        The canonical history (placements, and statuses of kind ``measure`` with value
        ``child_protection`` or ``probation``).
    out
        Folder to create (messages in ``<year>/JW30x_<id>.xml``), or with ``as_zip`` a zip
        file of the same members; ``ijw_mapping.toml`` is written beside it.
    seed
        Seed of the message-date jitter and of which deliveries get a correction.
    correction_share
        Share of starts and of stops first sent wrong, deleted and sent again.

    Returns
    -------
    IjwArchive
        Paths, the extraction date (5 working days after the history's ``observed_until``,
        so an import observes until that date again), message count and the made-up BSN of
        each child (in memory only).
    """
    rng = random.Random(seed)
    out = Path(out)
    extraction = working_days_after(history.observed_until, 5)
    ch = history.children
    ids = ch["child_id"].to_list()
    bsns = make_bsns(len(ids))
    bsn_of = dict(zip(ids, bsns, strict=True))
    regions = (
        sorted({r for r in ch["region"].to_list() if r is not None})
        if ("region" in ch.columns)
        else []
    )
    muni_of_region = {r: _MUNICIPALITIES[i % len(_MUNICIPALITIES)] for i, r in enumerate(regions)}
    facts: dict[str, tuple[str, str, str]] = {}
    has_region = "region" in ch.columns
    for row in ch.iter_rows(named=True):
        muni = (
            muni_of_region.get(row["region"], _MUNICIPALITIES[0])
            if has_region
            else (_MUNICIPALITIES[0])
        )
        facts[row["child_id"]] = (row["birth_date"].isoformat(), _SEX.get(row["sex"], "0"), muni)
    providers = sorted({p for p in history.placements["provider_id"].to_list() if p})
    agb_of = {p: f"{41000000 + i:08d}" for i, p in enumerate(providers)}
    msgs: list[tuple[date, int, str, str]] = []  # (dagtekening, ident, kind, xml)
    counter = [0]
    corrections = 0

    def emit(kind: str, dag: date, child: str, agb: str, **kw: Any) -> None:
        counter[0] += 1
        gb, sex, muni = facts[child]
        dag = min(dag, extraction)
        xml = message_xml(kind, counter[0], dag, agb, muni, bsn_of[child], gb, sex, **kw)
        msgs.append((dag, counter[0], kind, xml))

    def delivery(  # noqa: PLR0917
        child: str,
        agb: str,
        cat: str,
        code: str,
        start: date,
        end: date | None,
        reason: str | None,
        tw: int,
    ) -> None:
        nonlocal corrections
        ing = start.isoformat()
        emit(
            "JW301",
            start - timedelta(days=rng.randint(0, 7)),
            child,
            agb,
            tw=tw,
            cat=cat,
            code=code,
            begin=ing,
        )
        d305 = start + timedelta(days=rng.randint(0, 3))
        if rng.random() < correction_share:
            wrong = (start + timedelta(days=rng.randint(1, 3))).isoformat()
            emit(
                "JW305",
                d305,
                child,
                agb,
                tw=tw,
                cat=cat,
                code=code,
                ing=ing,
                begin=wrong,
                status="1",
            )
            emit(
                "JW305",
                d305,
                child,
                agb,
                tw=tw,
                cat=cat,
                code=code,
                ing=ing,
                begin=wrong,
                status="3",
            )
            corrections += 1
        emit("JW305", d305, child, agb, tw=tw, cat=cat, code=code, ing=ing, begin=ing, status="1")
        if end is None or reason is None:
            return
        d307 = max(end + timedelta(days=rng.randint(0, 4)), d305)
        stop = {
            "tw": tw,
            "cat": cat,
            "code": code,
            "ing": ing,
            "begin": ing,
            "end": end.isoformat(),
        }
        if rng.random() < correction_share:
            other = "35" if reason != "35" else "31"
            emit("JW307", d307, child, agb, reason=other, status="1", **stop)
            emit("JW307", d307, child, agb, reason=other, status="3", **stop)
            corrections += 1
        emit("JW307", d307, child, agb, reason=reason, status="1", **stop)

    tw = 100000
    for r in history.placements.sort("child_id", "start").iter_rows(named=True):
        tw += 1
        setting, temporary = r["setting"], bool(r["temporary"])
        cat, code = (
            _WITH_PARENTS if setting == "with_parents" else SETTING_PRODUCTS[(setting, temporary)]
        )
        reason = None if r["end_reason"] is None else END_REASON_TO_JZ588[r["end_reason"]]
        agb = agb_of.get(r["provider_id"], "40999999")
        delivery(r["child_id"], agb, cat, code, r["start"], r["end"], reason, tw)
    if history.statuses is not None and history.statuses.height:
        for r in history.statuses.iter_rows(named=True):
            if r["kind"] != "measure" or r["value"] not in _MEASURES:
                continue
            tw += 1
            cat, code = _MEASURES[r["value"]]
            delivery(
                r["child_id"],
                "40999998",
                cat,
                code,
                r["start"],
                r["end"],
                None if r["end"] is None else "31",
                tw,
            )
    msgs.sort(key=lambda m: (m[0], m[1]))
    mapping_path = (out.parent if as_zip else out) / "ijw_mapping.toml"
    mapping_path.parent.mkdir(parents=True, exist_ok=True)
    if as_zip:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for dag, ident, kind, xml in msgs:
                zf.writestr(f"{dag.year}/{kind}_{ident:09d}.xml", xml)
    else:
        out.mkdir(parents=True, exist_ok=True)
        for year in {m[0].year for m in msgs}:
            (out / str(year)).mkdir(exist_ok=True)
        for dag, ident, kind, xml in msgs:
            (out / str(dag.year) / f"{kind}_{ident:09d}.xml").write_text(xml, encoding="utf-8")
    mapping_path.write_text(_mapping_text(), encoding="utf-8")
    return IjwArchive(out, mapping_path, extraction, len(msgs), corrections, bsn_of)
