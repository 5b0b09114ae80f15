"""liia-tools' episode-fix fixture: the imported placements match what its rules produce.

The expected episodes below are liia-tools' stage-1 and stage-2 fixes (RULE_1, 1A, 2, 3, 3A,
4, 5 in ``liiatools/datasets/s903/lds_ssda903_episodes_fix/process.py``) applied by hand to
the 23 input rows, turned into placements by earlysignal's derivation (RNE L continues a
placement). The one documented difference: liia writes REASON_PLACE_CHANGE ``LIIAF`` where
RULE_1 closes an episode, earlysignal ``INFERRED``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from earlysignal.sources import SSDA903Error, import_ssda903

D = date
BD = "Barking and Dagenham/"
EXPECTED = [
    (BD + "NORULE_BAD", D(2015, 6, 19), D(2016, 7, 26), "CARPL"),
    (BD + "NORULE_BAD", D(2016, 7, 26), D(2021, 12, 12), "E17"),
    (BD + "RULE1A_BAD", D(2016, 1, 22), D(2016, 10, 24), "CARPL"),
    (BD + "RULE1A_BAD", D(2016, 10, 24), D(2017, 3, 31), "E99"),  # RULE_1A
    (BD + "RULE1A_BAD", D(2017, 4, 20), D(2017, 6, 13), "E8"),
    (BD + "RULE1_BAD", D(2016, 1, 13), D(2017, 8, 20), "INFERRED"),  # RULE_1 (liia: LIIAF)
    (BD + "RULE1_BAD", D(2017, 8, 20), D(2019, 6, 21), "CARPL"),
    (BD + "RULE1_BAD", D(2019, 6, 21), D(2019, 7, 23), "E6"),
    (BD + "RULE2_BAD", D(2019, 5, 10), D(2020, 3, 31), "E99"),  # RULE_2
    (BD + "RULE3A_BAD", D(2017, 11, 25), D(2018, 5, 16), "E45"),  # RULE_3A dropped 2018-03-22
    (BD + "RULE3_BAD", D(2016, 9, 23), D(2017, 5, 30), "E2"),  # RULE_3 dropped 2016-09-27
    (BD + "RULE4_BAD", D(2018, 11, 23), D(2018, 12, 20), "OTHER"),  # RULE_4 (and 3A)
    (BD + "RULE4_BAD", D(2018, 12, 20), D(2019, 8, 19), "CARPL"),
    (BD + "RULE4_BAD", D(2019, 8, 19), D(2019, 10, 1), "E4A"),
    (BD + "RULE5_BAD", D(2019, 11, 6), D(2020, 4, 2), "CARPL"),  # RULE_5
    (BD + "RULE5_BAD", D(2020, 4, 2), None, None),
    ("Newham/NORULE_NEW", D(2022, 2, 1), D(2022, 7, 10), "E17"),
    ("Newham/NORULE_NEW", D(2022, 10, 23), None, None),
    ("Sutton/NORULE_SUT", D(2017, 12, 15), None, None),
]


@pytest.fixture(scope="module")
def fixture_dir(shared_data: Path) -> Path:
    folder = shared_data / "ssda903" / "liia-episodes-fix"
    if not (folder / "SSDA903_episodes_for_testing_fixes_INPUT.csv").is_file():
        pytest.fail(f"the liia-tools fixture is missing from {folder}")
    return folder


def test_fixture_placements_match_liia_rules(fixture_dir: Path) -> None:
    h, r = import_ssda903(fixture_dir, errors="repair", header="optional", validate=False)
    got = h.placements.sort("child_id", "start").select(
        "child_id", "start", "end", "end_reason_detail"
    )
    assert got.rows() == EXPECTED
    assert r.year_label == "end"  # liia's YEAR is the year the collection year ends
    assert r.rows_read["episodes"] == 23 and r.kept["episodes"] == 20
    counts = {name: r.count(name) for name in (
        "closed_at_next_episode", "ceased_before_reentry", "ceased_not_in_later_return",
        "stale_duplicate", "superseded_by_later_return", "cut_by_later_return", "x1_gap_joined",
    )}  # fmt: skip
    assert counts == {
        "closed_at_next_episode": 1,  # RULE_1
        "ceased_before_reentry": 1,  # RULE_1A
        "ceased_not_in_later_return": 1,  # RULE_2
        "stale_duplicate": 1,  # RULE_3
        "superseded_by_later_return": 2,  # RULE_3A (two children)
        "cut_by_later_return": 1,  # RULE_4
        "x1_gap_joined": 1,  # RULE_5
    }


def test_fixture_missing_year_is_reported(fixture_dir: Path) -> None:
    with pytest.raises(SSDA903Error, match=r"missing_return_year.*2021.*Barking and Dagenham"):
        import_ssda903(fixture_dir, header="optional", validate=False)
    _, r = import_ssda903(fixture_dir, errors="repair", header="optional", validate=False)
    assert r.years_missing["Barking and Dagenham"] == (2021,)
    assert r.years_found["Newham"] == (2023,) and r.years_found["Sutton"] == (2022,)
    assert r.extraction_dates["Sutton"] == date(2022, 3, 31)


def test_fixture_without_header_is_unusable_unless_optional(fixture_dir: Path) -> None:
    with pytest.raises(SSDA903Error, match="no_header"):
        import_ssda903(fixture_dir, errors="repair")
    h, _ = import_ssda903(fixture_dir, errors="repair", header="optional", validate=False)
    assert h.children["birth_date"].null_count() == h.children.height == 10
    assert set(h.children["sex"]) == {"unknown"}
    assert h.children.filter(pl.col("child_id").str.starts_with("Newham/")).height == 1
