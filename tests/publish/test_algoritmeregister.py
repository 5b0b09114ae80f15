"""The Algoritmeregister export: the standard's fields, filled from the run, checked."""

from __future__ import annotations

import json

import polars as pl
from filled_cards import filled_card
from hypothesis import given
from hypothesis import strategies as st

from earlysignal.i18n.glossary import english_terms_in
from earlysignal.publish.algoritmeregister import (
    algoritmeregister_record,
    check_record,
    open_marker,
    standard_fields,
    write_algoritmeregister,
)

TODO = "in te vullen door de organisatie"


def test_the_standard_is_version_1_0_0_with_its_field_names_and_limits():
    spec = standard_fields()
    assert spec["version"] == "1.0.0"
    assert "fca0ce44a42ee51e79997d20c4285f89fcdb17d7" in spec["source"]
    by_key = {f["key"]: f for f in spec["fields"]}
    assert by_key["name"]["max_length"] == 100
    assert by_key["description_short"]["max_length"] == 350
    assert by_key["methods_and_models"]["max_length"] == 5000
    assert by_key["status"]["permitted_values"] == [
        "In ontwikkeling",
        "In gebruik",
        "Buiten gebruik",
    ]
    assert len(by_key["category"]["permitted_values"]) == 16


def test_a_run_fills_what_it_knows_and_leaves_the_rest_to_the_organisation(card):
    record = algoritmeregister_record(card)
    assert list(record) == [f["key"] for f in standard_fields()["fields"]]
    assert open_marker() == TODO
    for key in ("description_short", "goal", "risks", "source_data", "methods_and_models", "tags"):
        assert record[key] != TODO, key
    for key in ("organization", "status", "contact_email", "publication_category",
                "lawful_basis", "proportionality", "provider"):  # fmt: skip
        assert record[key] == TODO, key
    assert "0,701" in record["methods_and_models"]
    assert "8,1\u00a0%" in record["methods_and_models"]
    assert record["lang"] == "nld" and record["category"] == ["Zorg en gezondheid"]
    report = check_record(record)
    assert report.ok, [str(p) for p in report.problems]
    assert not report.publishable  # required fields are still open
    assert {"organization", "status", "contact_email"} <= set(report.open_fields)


def test_the_export_is_dutch_without_english_domain_terms(card):
    record = algoritmeregister_record(card)
    for key, value in record.items():
        if isinstance(value, str):
            assert not english_terms_in(value), (key, english_terms_in(value))


def test_english_card_texts_stay_out_unless_the_card_is_dutch(card):
    card["model_details"]["title"] = "Early warning of placement breakdown"
    assert algoritmeregister_record(card)["human_intervention"] == TODO
    assert algoritmeregister_record(card)["name"].startswith("Vroeg signaal")
    card["language"] = "nl"
    card["legal"]["status"] = "In ontwikkeling"
    card["model_details"]["contact"] = "algoritmes@example.nl"
    dutch = algoritmeregister_record(card)
    assert dutch["human_intervention"] == card["human_oversight"]
    assert dutch["status"] == "In ontwikkeling"
    assert check_record(dutch).ok


def test_the_checker_names_each_broken_rule():
    record = {
        "name": "x" * 101, "status": "Klaar", "category": ["Zorg en gezondheid", "Sport"],
        "begin_date": "2026-13", "website": "http://example.nl", "contact_email": "nobody",
        "lawful_basis_grouping": [{"title": "Jeugdwet", "link": "wetten.nl"}], "colour": "red",
    }  # fmt: skip
    rules = {(p.field, p.rule) for p in check_record(record).problems}
    assert {
        ("name", "AR-LENGTH"), ("status", "AR-CHOICE"), ("category", "AR-CHOICE"),
        ("begin_date", "AR-MONTH"), ("website", "AR-URL"), ("contact_email", "AR-CONTACT"),
        ("lawful_basis_grouping[0].link", "AR-URL"), ("colour", "AR-UNKNOWN-FIELD"),
        ("description_short", "AR-REQUIRED"), ("organization", "AR-REQUIRED"),
        ("lang", "AR-REQUIRED"),
    } <= rules  # fmt: skip
    too_many = {"category": ["Werk", "Wonen", "Recht", "Economie"]}
    assert ("category", "AR-MAX-ITEMS") in {
        (p.field, p.rule) for p in check_record(too_many).problems
    }


def test_json_and_spreadsheet_layout(tmp_path):
    js, csv, report = write_algoritmeregister(filled_card("carousel"), tmp_path / "ar.json")
    data = json.loads(js.read_text(encoding="utf-8"))
    assert set(data) == {f["key"] for f in standard_fields()["fields"]}
    frame = pl.read_csv(csv)
    assert frame.columns == [f["title"] for f in standard_fields()["fields"]]
    assert frame.height == 1 and frame["Taal"][0] == "nld"
    assert "doorverhuizen" in frame["Korte omschrijving"][0]
    assert report.ok


def test_the_data_source_is_named_in_dutch():
    card = filled_card()
    card["data"].update(
        simulated=False, source="SSDA903 returns (returns-2024) imported by earlysignal"
    )
    text = algoritmeregister_record(card)["source_data"]
    assert "SSDA903-aanleveringen van een Engelse gemeente (returns-2024)" in text
    card["data"]["source"] = "canonical folder (jeugd-2025)"
    assert (
        "eigen dossiers van de organisatie (jeugd-2025)"
        in (algoritmeregister_record(card)["source_data"])
    )


@given(key=st.sampled_from(["name", "description_short", "goal", "tags"]), extra=st.integers(-5, 5))
def test_the_length_rule_is_exactly_the_standards_limit(key, extra):
    limit = {f["key"]: f for f in standard_fields()["fields"]}[key]["max_length"]
    record = {key: "a" * (limit + extra)}
    too_long = (key, "AR-LENGTH") in {(p.field, p.rule) for p in check_record(record).problems}
    assert too_long == (extra > 0)
