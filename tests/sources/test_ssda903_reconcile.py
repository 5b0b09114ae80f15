"""Reconciling episodes across returns: repeats, same-day rows, stale open episodes,
missing years and later corrections, each resolved by a named rule and counted."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from ssda903_returns import write_return

from earlysignal.sources import SSDA903Error, import_ssda903


def imp(folder: Path, **kw: object):  # type: ignore[no-untyped-def]
    kw.setdefault("year_label", "start")
    return import_ssda903(folder, **kw)  # type: ignore[arg-type]


def spans(h) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    return h.placements.select("start", "end", "end_reason_detail").rows()


def accounted(r) -> None:  # type: ignore[no-untyped-def]
    for t, n in r.rows_read.items():
        assert n == r.duplicates_merged[t] + r.excluded[t] + r.kept[t], t


def test_exact_repeats_in_one_return_are_merged_and_counted(tmp_path: Path) -> None:
    row = "1,01/05/2020,S,C2,N1,U4,PR1,,,,A"
    write_return(tmp_path, 2020, [row, row, row])
    h, r = imp(tmp_path)
    assert spans(h) == [(date(2020, 5, 1), None, None)]
    assert r.duplicates_merged["episodes"] == 2 and r.flow["exact repeats merged"] == 2
    accounted(r)


@pytest.mark.parametrize("zero_first", [True, False])
def test_a_zero_day_episode_never_replaces_the_open_one(tmp_path: Path, zero_first: bool) -> None:
    zero = "1,01/05/2020,S,V2,N1,U4,PR1,01/05/2020,X1,,A"
    open_ = "1,01/05/2020,S,C2,N1,U4,PR1,,,,A"
    write_return(tmp_path, 2020, [zero, open_] if zero_first else [open_, zero])
    h, r = imp(tmp_path)
    assert spans(h) == [(date(2020, 5, 1), None, None)]
    assert r.count("zero_day_episode") == 1
    accounted(r)


def test_same_day_rows_that_differ_are_reported_and_the_later_one_is_current(
    tmp_path: Path,
) -> None:
    write_return(tmp_path, 2020, [
        "1,01/05/2020,S,C2,N1,U4,PR1,,,,A",
        "1,01/06/2020,P,C2,N1,T1,PR1,08/06/2020,X1,,H",
        "1,01/06/2020,P,C2,N1,T2,PR1,10/06/2020,X1,,H2",
    ])  # fmt: skip
    h, r = imp(tmp_path, errors="repair")
    same = r.issues_frame().filter(r.issues_frame()["rule"] == "ssda903.same_day_episodes")
    assert same.select("file", "row").rows() == [("2020-episodes.csv", 2)]
    temp = h.placements.filter(h.placements["temporary"])
    assert temp.select("end", "provider_id").rows() == [(date(2020, 6, 10), "H2")]
    accounted(r)


def test_a_stale_open_episode_ceases_at_the_end_of_the_last_return_holding_it(
    tmp_path: Path,
) -> None:
    write_return(tmp_path, 2019, ["1,01/05/2019,S,C2,N1,U4,PR1,,,,A"])
    # child 2 is in the later return, child 1 is not: its care ceased by then
    write_return(
        tmp_path, 2020, ["2,01/05/2020,S,C2,N1,U4,PR1,,,,B"],
        header="CHILD,SEX,DOB\n2,1,01/01/2010\n",
    )  # fmt: skip
    h, r = imp(tmp_path)
    first = h.placements.filter(h.placements["child_id"] == "1")
    assert first.select("start", "end", "end_reason_detail").rows() == [
        (date(2019, 5, 1), date(2020, 3, 31), "E99")
    ]
    assert r.count("ceased_not_in_later_return") == 1
    assert h.placements.filter(h.placements["child_id"] == "2")["end"].to_list() == [None]


def test_a_missing_return_year_is_refused_or_marked_under_repair(tmp_path: Path) -> None:
    for y in (2018, 2020):
        write_return(tmp_path, y, [f"1,01/05/{y},S,C2,N1,U4,PR1,01/06/{y},E8,,A"])
    with pytest.raises(SSDA903Error, match=r"missing_return_year.*2019"):
        imp(tmp_path)
    _, r = imp(tmp_path, errors="repair")
    assert r.years_found == {"": (2018, 2020)} and r.years_missing == {"": (2019,)}
    assert r.affected_periods == ((date(2019, 4, 1), date(2020, 3, 31)),)
    assert "MISSING 2019" in r.to_text()


@pytest.mark.parametrize(
    ("later", "expected"),
    [
        # a later DEC and ending (died) wins
        ("1,01/05/2019,S,C2,N1,U4,PR1,01/05/2020,E2,,A", [(date(2019, 5, 1), date(2020, 5, 1),
                                                           "E2")]),
        # a corrected DECOM replaces the stale open version (liia RULE_3)
        ("1,03/05/2019,S,C2,N1,U4,PR1,01/06/2020,E45,,A", [(date(2019, 5, 3), date(2020, 6, 1),
                                                            "E45")]),
        # an earlier corrected DECOM: the open version under the later DECOM is dropped
        ("1,20/04/2019,S,C2,N1,U6,PR1,01/06/2020,E11,,A", [(date(2019, 4, 20), date(2020, 6, 1),
                                                            "E11")]),
    ],
)  # fmt: skip
def test_corrections_in_later_returns_win(
    tmp_path: Path, later: str, expected: list[tuple[object, ...]]
) -> None:
    write_return(tmp_path, 2019, ["1,01/05/2019,S,C2,N1,U4,PR1,,,,A"])
    write_return(tmp_path, 2020, [later])
    h, r = imp(tmp_path, errors="repair")
    assert spans(h) == expected
    accounted(r)


def test_a_stale_row_never_overwrites_a_later_ending(tmp_path: Path) -> None:
    write_return(tmp_path, 2019, [
        "1,01/05/2019,S,C2,N1,U4,PR1,01/02/2020,X1,CARPL,A",
        "1,01/02/2020,P,C2,N1,U5,PR1,20/03/2020,X1,CARPL,B",
    ])  # fmt: skip
    # the later return ends the first episode for good (adopted) and drops the second
    write_return(tmp_path, 2020, ["1,01/05/2019,S,C2,N1,U4,PR1,01/06/2020,E11,,A"])
    h, r = imp(tmp_path, errors="repair")
    assert spans(h) == [(date(2019, 5, 1), date(2020, 6, 1), "E11")]
    assert r.count("superseded_by_later_return") == 1
    accounted(r)
