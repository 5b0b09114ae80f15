"""JW315 and JW317 requests are read, checked and counted where present; they make no care."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from sources.ijw.ijw_builders import KEY, jw315, jw317, msg

from earlysignal.sources.ijw import import_ijw


def test_requests_are_read_and_counted(
    archive: Callable[[dict[str, str]], Path], xsd_dir: Path
) -> None:
    files = {
        "a.xml": jw315(1, "2023-12-20"),
        "b.xml": msg("JW305", 2, "2024-01-03"),
        "c.xml": jw317(3, "2024-02-20"),
        "d.xml": msg("JW307", 4, "2024-03-04"),
    }
    history, report = import_ijw(
        archive(files), key=KEY, xsd_dir=xsd_dir, observed_until=date(2024, 12, 31)
    )
    assert report.messages_read == 4 and report.excluded == {}
    assert report.counts["JW315_products"] == 1
    assert report.counts["JW317_messages"] == 1
    assert history.placements.select("start", "end").rows() == [
        (date(2024, 1, 2), date(2024, 3, 1))
    ]


def test_a_request_without_products_is_excluded(
    archive: Callable[[dict[str, str]], Path],
) -> None:
    empty = jw317(3, "2024-02-20").replace(
        "<jw317:OngewijzigdeProducten><jw317:OngewijzigdProduct><jw317:ToewijzingNummer>1001"
        "</jw317:ToewijzingNummer></jw317:OngewijzigdProduct></jw317:OngewijzigdeProducten>",
        "",
    )
    files = {"b.xml": msg("JW305", 2, "2024-01-03"), "c.xml": empty}
    _, report = import_ijw(
        archive(files), key=KEY, errors="repair", observed_until=date(2024, 12, 31)
    )
    assert report.excluded == {"missing_element": 1}
