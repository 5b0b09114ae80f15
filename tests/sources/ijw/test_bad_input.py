"""The iJw bad-input corpus: every case gets a named rule, never a traceback or silent loss.

Each case is an archive with one thing wrong. In raise mode the import stops with
``IjwImportError`` naming the rule (and the file and element); in repair mode the same
archive imports, and the report counts the rule. Cases marked non-blocking (an identical
duplicate message) import in both modes and are counted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sources.ijw.ijw_builders import BSNS, KEY, msg

from earlysignal.sources.ijw import IjwImportError, import_ijw

START = msg("JW305", 1, "2024-01-03")
STOP = msg("JW307", 2, "2024-03-04")
OK = {"a_start.xml": START, "b_stop.xml": STOP}
WMO = START.replace("ijw/3_2/jw305", "wmo/3_2/wmo305").replace("jw305", "wmo305")
V24 = START.replace("ijw/3_2/", "ijw/2_4/")

# (case id, files, rule, extra kwargs, blocking)
CASES: list[tuple[str, dict[str, str], str, dict[str, object], bool]] = [
    ("malformed_xml", {**OK, "c.xml": START[:-40]}, "malformed_xml", {}, True),
    ("not_xml_at_all", {**OK, "c.xml": "hello"}, "malformed_xml", {}, True),
    ("other_standard_wmo", {**OK, "c.xml": WMO}, "other_standard", {}, True),
    ("other_root", {**OK, "c.xml": "<?xml version='1.0'?><Bericht/>"}, "other_standard", {}, True),
    ("other_release_namespace", {**OK, "c.xml": V24}, "other_version", {}, True),
    (
        "other_release_header",
        {**OK, "c.xml": START.replace("<jw305:BerichtVersie>3<", "<jw305:BerichtVersie>2<")},
        "other_version",
        {},
        True,
    ),
    ("wrong_berichtcode", {**OK, "c.xml": STOP.replace(">440<", ">438<")}, "header", {}, True),
    (
        "xsd_violation",
        {
            **OK,
            "c.xml": START.replace(
                "</jw305:StatusAanlevering>",
                "</jw305:StatusAanlevering><jw305:Extra>1</jw305:Extra>",
            ),
        },
        "xsd",
        {"xsd": True},
        True,
    ),
    (
        "missing_toewijzingnummer",
        {**OK, "c.xml": START.replace("<jw305:ToewijzingNummer>1001</jw305:ToewijzingNummer>", "")},
        "missing_element",
        {},
        True,
    ),
    (
        "missing_product",
        {
            **OK,
            "c.xml": START.replace(
                "<jw305:Product><ijw:Categorie>43</ijw:Categorie><ijw:Code>RES01</ijw:Code>"
                "</jw305:Product>",
                "",
            ),
        },
        "missing_element",
        {},
        True,
    ),
    (
        "bad_date",
        {**OK, "c.xml": msg("JW305", 3, "2024-01-05", begin="2024-13-01")},
        "date",
        {},
        True,
    ),
    (
        "date_basic_format",
        {**OK, "c.xml": msg("JW305", 3, "2024-01-05", begin="20240104")},
        "date",
        {},
        True,
    ),
    (
        "unknown_category",
        {**OK, "c.xml": msg("JW305", 3, "2024-01-05", cat="99")},
        "code",
        {},
        True,
    ),
    ("status_9", {**OK, "c.xml": msg("JW305", 3, "2024-01-05", status="9")}, "code", {}, True),
    (
        "unknown_reason",
        {**OK, "c.xml": msg("JW307", 3, "2024-03-05", reason="99")},
        "code",
        {},
        True,
    ),
    ("unknown_sex", {**OK, "c.xml": msg("JW305", 3, "2024-01-05", sex="7")}, "code", {}, True),
    (
        "agb_not_8_digits",
        {**OK, "c.xml": msg("JW305", 3, "2024-01-05", agb="123")},
        "format",
        {},
        True,
    ),
    (
        "municipality_not_4_digits",
        {**OK, "c.xml": msg("JW305", 3, "2024-01-05", muni="36")},
        "format",
        {},
        True,
    ),
    (
        "bsn_not_9_digits",
        {**OK, "c.xml": msg("JW305", 3, "2024-01-05", bsn="12345")},
        "format",
        {},
        True,
    ),
    (
        "bsn_eleven_test",
        {**OK, "c.xml": msg("JW305", 3, "2024-01-05", bsn="123456789")},
        "bsn_eleven_test",
        {},
        True,
    ),
    (
        "start_after_its_stop",
        {**OK, "c.xml": msg("JW307", 3, "2024-03-05", tw=2, begin="2024-02-01", end="2024-01-15")},
        "stop_before_start",
        {},
        True,
    ),
    (
        "stop_without_start",
        {**OK, "c.xml": msg("JW307", 3, "2024-03-05", tw=2)},
        "stop_without_start",
        {},
        True,
    ),
    (
        "deletion_never_delivered",
        {**OK, "c.xml": msg("JW305", 3, "2024-01-05", tw=2, status="3")},
        "delete_unknown",
        {},
        True,
    ),
    (
        "stop_deletion_never_delivered",
        {"a.xml": START, "c.xml": msg("JW307", 3, "2024-03-05", status="3")},
        "delete_unknown",
        {},
        True,
    ),
    (
        "correction_of_unknown",
        {"a.xml": START, "c.xml": msg("JW307", 3, "2024-03-05", status="2")},
        "correction_of_unknown",
        {},
        True,
    ),
    (
        "second_stop_without_deletion",
        {**OK, "c.xml": msg("JW307", 3, "2024-03-06", reason="32")},
        "duplicate_stop",
        {},
        True,
    ),
    (
        "same_id_other_content",
        {**OK, "c.xml": msg("JW307", 2, "2024-03-04", reason="32")},
        "duplicate_identification",
        {},
        True,
    ),
    ("duplicate_message", {**OK, "c.xml": STOP}, "duplicate_message", {}, False),
    (
        "overlapping_accommodation",
        {**OK, "c.xml": msg("JW305", 3, "2024-02-02", tw=2, begin="2024-02-01", code="PLZ01")},
        "overlapping_accommodation",
        {},
        True,
    ),
    (
        "dates_after_extraction",
        {**OK, "c.xml": msg("JW305", 3, "2024-06-02", tw=2, begin="2024-06-01")},
        "after_extraction",
        {"observed_until": date(2024, 5, 1)},
        True,
    ),
    (
        "unmapped_product",
        {
            **OK,
            "c.xml": msg(
                "JW305",
                3,
                "2024-04-02",
                tw=2,
                cat="44",
                code="ZZZ99",
                begin="2024-04-01",
                bsn=BSNS[1],
            ),
        },
        "unmapped_product",
        {"mapping": "only43"},
        True,
    ),
]


def _run(
    folder: Path, kwargs: dict[str, object], errors: str, tmp_path: Path, xsd_dir: Path
) -> object:
    kw = dict(kwargs)
    if kw.pop("xsd", False):
        kw["xsd_dir"] = xsd_dir
    if kw.get("mapping") == "only43":
        m = tmp_path / "only43.toml"
        m.write_text(
            '[end_reasons]\n"31" = "planned"\n"32" = "breakdown"\n'
            '[categories]\n"43" = { as = "placement", setting = "residential" }\n'
        )
        kw["mapping"] = m
    kw.setdefault("observed_until", date(2024, 12, 31))
    return import_ijw(folder, key=KEY, errors=errors, **kw)  # type: ignore[arg-type]


def test_corpus_has_at_least_twenty_cases() -> None:
    assert len(CASES) >= 20
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(
    ("files", "rule", "kwargs", "blocking"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_bad_input_is_named(
    files: dict[str, str],
    rule: str,
    kwargs: dict[str, object],
    blocking: bool,
    archive: Callable[[dict[str, str]], Path],
    tmp_path: Path,
    xsd_dir: Path,
) -> None:
    folder = archive(files)
    if blocking:
        with pytest.raises(IjwImportError) as info:
            _run(folder, kwargs, "raise", tmp_path, xsd_dir)
        assert f"ijw.{rule}" in info.value.rules
        first = next(i for i in info.value.issues if i.rule == f"ijw.{rule}")
        assert first.message and first.fix
        assert f"[ijw.{rule}]" in str(info.value)
    _, report = _run(folder, kwargs, "repair", tmp_path, xsd_dir)  # type: ignore[misc]
    assert report.count(rule) >= 1
    # no silent loss: every file is read, and kept, excluded, merged or not read
    acc = report.message_accounting()
    assert acc["read"] == len(files)
    assert acc["read"] == acc["kept"] + acc["excluded"] + acc["duplicates_merged"] + acc["not_read"]
    assert acc["excluded"] + acc["duplicates_merged"] >= 1 or rule in (
        "stop_without_start",
        "duplicate_stop",
        "duplicate_start",
        "overlapping_accommodation",
        "delete_unknown",
        "correction_of_unknown",
        "unmapped_product",
    )


def test_unmapped_error_lists_codes_with_counts(
    archive: Callable[[dict[str, str]], Path], tmp_path: Path, xsd_dir: Path
) -> None:
    files = {
        **OK,
        "c.xml": msg("JW305", 3, "2024-04-02", tw=2, cat="44", code="ZZZ99", begin="2024-04-01"),
        "d.xml": msg(
            "JW305", 4, "2024-04-03", tw=3, cat="44", code="ZZZ99", begin="2024-05-01", bsn=BSNS[1]
        ),
        "e.xml": msg(
            "JW305", 5, "2024-04-03", tw=4, cat="45", code="AMB01", begin="2024-05-01", bsn=BSNS[2]
        ),
    }
    with pytest.raises(IjwImportError) as info:
        _run(archive(files), {"mapping": "only43"}, "raise", tmp_path, xsd_dir)
    unmapped = {i.value: i.message for i in info.value.issues if i.rule == "ijw.unmapped_product"}
    assert set(unmapped) == {"44/ZZZ99", "45/AMB01"}
    assert unmapped["44/ZZZ99"].startswith("2 deliveries")
    assert unmapped["45/AMB01"].startswith("1 delivery")


def test_an_excluded_message_is_never_half_read(
    archive: Callable[[dict[str, str]], Path], tmp_path: Path, xsd_dir: Path
) -> None:
    # a JW305 with two products, the second one bad: neither product is used
    good = msg("JW305", 3, "2024-05-02", tw=5, begin="2024-05-01", bsn=BSNS[1])
    second = good[good.index("<jw305:StartProduct>") : good.index("</jw305:StartProducten>")]
    bad_second = second.replace("<ijw:Categorie>43<", "<ijw:Categorie>99<")
    two = good.replace("</jw305:StartProducten>", bad_second + "</jw305:StartProducten>")
    history, report = _run(archive({**OK, "c.xml": two}), {}, "repair", tmp_path, xsd_dir)
    assert report.excluded == {"code": 1}
    assert history.placements.height == 1  # only the placement of OK
