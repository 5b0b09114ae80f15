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


def _head(p: str, code: str, ident: int, dag: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{p}:Bericht xmlns:ijw="http://www.istandaarden.nl/ijw/3_2/basisschema/schema" '
        f'xmlns:{p}="http://www.istandaarden.nl/ijw/3_2/{p}/schema"><{p}:Header>'
        f"<{p}:BerichtCode>{code}</{p}:BerichtCode><{p}:BerichtVersie>3</{p}:BerichtVersie>"
        f"<{p}:BerichtSubversie>2</{p}:BerichtSubversie><{p}:Afzender>41000001</{p}:Afzender>"
        f"<{p}:Ontvanger>0363</{p}:Ontvanger><{p}:BerichtIdentificatie>"
        f"<ijw:Identificatie>{ident}</ijw:Identificatie><ijw:Dagtekening>{dag}</ijw:Dagtekening>"
        f"</{p}:BerichtIdentificatie><{p}:XsdVersie><ijw:BasisschemaXsdVersie>1.0.0"
        f"</ijw:BasisschemaXsdVersie><ijw:BerichtXsdVersie>1.0.0</ijw:BerichtXsdVersie>"
        f"</{p}:XsdVersie></{p}:Header>"
    )


def jw315(ident: int, dag: str, *, bsn: str = BSNS[0]) -> str:
    """A request for an assignment (provider to municipality) for product 43/RES01."""
    return _head("jw315", "446", ident, dag) + (
        f"<jw315:Client><jw315:Bsn>{bsn}</jw315:Bsn><jw315:Geboortedatum><ijw:Datum>2010-05-06"
        "</ijw:Datum></jw315:Geboortedatum><jw315:Geslacht>2</jw315:Geslacht><jw315:Naam>"
        "<ijw:Geslachtsnaam><ijw:Achternaam>Simulatie</ijw:Achternaam></ijw:Geslachtsnaam>"
        "</jw315:Naam><jw315:AangevraagdeProducten><jw315:AangevraagdProduct>"
        "<jw315:ReferentieAanbieder>R1</jw315:ReferentieAanbieder><jw315:Product>"
        "<ijw:Categorie>43</ijw:Categorie><ijw:Code>RES01</ijw:Code></jw315:Product>"
        "<jw315:ToewijzingIngangsdatum>2024-01-02</jw315:ToewijzingIngangsdatum>"
        "<jw315:Verwijzer><ijw:Type>01</ijw:Type></jw315:Verwijzer></jw315:AangevraagdProduct>"
        "</jw315:AangevraagdeProducten></jw315:Client></jw315:Bericht>"
    )


def jw317(ident: int, dag: str, *, bsn: str = BSNS[0]) -> str:
    """A change request that keeps assignment 1001 unchanged (no birth date or sex in it)."""
    return _head("jw317", "486", ident, dag) + (
        f"<jw317:Client><jw317:Bsn>{bsn}</jw317:Bsn><jw317:Verzoek>"
        "<jw317:ReferentieAanbieder>R2</jw317:ReferentieAanbieder>"
        "<jw317:RedenVerzoek>1</jw317:RedenVerzoek><jw317:OngewijzigdeProducten>"
        "<jw317:OngewijzigdProduct><jw317:ToewijzingNummer>1001</jw317:ToewijzingNummer>"
        "</jw317:OngewijzigdProduct></jw317:OngewijzigdeProducten></jw317:Verzoek>"
        "</jw317:Client></jw317:Bericht>"
    )
