"""The three public example messages (../shared/data/ijw/examples) import, and their contents
appear in the canonical tables."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
from sources.ijw.ijw_builders import KEY

from earlysignal.sources.ijw import import_ijw
from earlysignal.sources.ijw_read import child_pseudonym

EXTRACTION = date(2026, 8, 3)  # a Monday; five working days back is Monday 27 July


def test_examples_validate_and_import(shared_data: Path, xsd_dir: Path) -> None:
    ex = shared_data / "ijw" / "examples"
    history, report = import_ijw(ex, key=KEY, xsd_dir=xsd_dir, observed_until=EXTRACTION)
    assert report.files_read == 3 and report.messages_read == 3 and report.excluded == {}
    assert report.observed_until == date(2026, 7, 27)
    child = child_pseudonym(KEY, "999900006")
    assert history.children.select("child_id", "birth_date", "sex", "region").rows() == [
        (child, date(2010, 2, 14), "male", "0363")
    ]
    # category 55 (nationally purchased care) is not accommodation: events by default
    assert history.events.select("date", "kind").sort("date", "kind").rows() == [
        (date(2026, 4, 3), "national_care_start"),
        (date(2026, 4, 15), "national_care_start"),
        (date(2026, 7, 17), "national_care_end"),
        (date(2026, 7, 17), "national_care_end"),
    ]
    assert report.counts["starts"] == 2 and report.counts["stops"] == 2
    assert report.counts["JW301_products"] == 2


def test_examples_as_placements_with_a_product_mapping(shared_data: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        'extends = "default"\n[products."55"]\n'
        '"55A11" = { as = "placement", setting = "residential" }\n'
        '"55A12" = { as = "placement", setting = "family_home", temporary = true }\n'
    )
    history, report = import_ijw(
        shared_data / "ijw" / "examples", key=KEY, mapping=mapping, observed_until=EXTRACTION
    )
    assert report.validation is not None and report.validation["ok"]
    p = history.placements.sort("start").select(
        "start", "end", "setting", "provider_id", "end_reason", "end_reason_detail", "temporary"
    )
    assert p.rows() == [
        (date(2026, 4, 3), date(2026, 7, 17), "residential", "65656055", "planned", "31", False),
        (date(2026, 4, 15), date(2026, 7, 17), "family_home", "65656055", "planned", "31", True),
    ]
    assert history.events.filter(pl.col("kind").str.starts_with("national")).height == 0


def test_late_stops_are_censored_at_the_default_extraction_date(shared_data: Path) -> None:
    # without an extraction date, the latest Dagtekening (2026-07-20) is used; the stops
    # (2026-07-17) fall after 2026-07-13, five working days back, and are censored
    history, report = import_ijw(shared_data / "ijw" / "examples", key=KEY)
    assert report.extraction_date == date(2026, 7, 20)
    assert history.observed_until == date(2026, 7, 13)
    assert report.counts["ends_censored"] == 2
    assert not history.events["kind"].str.ends_with("_end").any()
