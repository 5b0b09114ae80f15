"""The importer's own consistency rules (checked with or without DfE's validator)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from ssda903_returns import write_return

from earlysignal.sources import SSDA903Error, import_ssda903


def imp(folder: Path, **kw: object):  # type: ignore[no-untyped-def]
    kw.setdefault("year_label", "start")
    return import_ssda903(folder, **kw)  # type: ignore[arg-type]


def test_x1_without_a_following_episode_is_reported(tmp_path: Path) -> None:
    write_return(tmp_path, 2020, ["1,01/05/2020,S,C2,N1,U4,PR1,01/07/2020,X1,CARPL,A"])
    _, r = imp(tmp_path)
    assert r.count("x1_without_next_episode") == 0  # the reason for change is given
    write_return(tmp_path, 2020, ["1,01/05/2020,S,C2,N1,U4,PR1,01/07/2020,X1,,A"])
    _, r = imp(tmp_path)
    assert r.count("x1_without_next_episode") == 1


def test_episodes_after_death_are_errors(tmp_path: Path) -> None:
    write_return(tmp_path, 2020, [
        "1,01/05/2020,S,C2,N1,U4,PR1,01/07/2020,E2,,A",
        "1,01/08/2020,S,C2,N1,U4,PR1,,,,A",
    ])  # fmt: skip
    with pytest.raises(SSDA903Error, match=r"episode_after_death.*row 2"):
        imp(tmp_path)
    h, r = imp(tmp_path, errors="repair")
    assert h.placements.height == 1 and r.excluded["episodes"] == 1


def test_episodes_from_the_18th_birthday_are_errors(tmp_path: Path) -> None:
    write_return(
        tmp_path, 2020, ["1,01/05/2020,S,C2,N1,U4,PR1,,,,A"],
        header="CHILD,SEX,DOB\n1,2,01/05/2002\n",
    )  # fmt: skip
    with pytest.raises(SSDA903Error, match=r"episode_after_18.*row 1"):
        imp(tmp_path)


@pytest.mark.parametrize(
    ("second", "why"),
    [
        ("1,01/07/2020,S,C2,N1,U5,PR1,,,,B", "RNE S"),
        ("1,01/07/2020,L,C2,N1,U4,PR1,,,,A", "RNE L"),
        ("1,01/07/2020,P,E1,N1,U5,PR1,,,,B", "RNE P or T"),
        ("1,01/07/2020,B,C2,N1,U5,PR1,,,,B", "RNE B or U"),
    ],
)
def test_new_episode_reasons_inconsistent_with_the_previous_episode(
    tmp_path: Path, second: str, why: str
) -> None:
    write_return(tmp_path, 2020, ["1,01/05/2020,S,C2,N1,U4,PR1,01/07/2020,X1,CARPL,A", second])
    _, r = imp(tmp_path)
    flagged = [i for i in r.issues if i.rule == "ssda903.rne_inconsistent"]
    assert len(flagged) == 1 and why in flagged[0].message and flagged[0].row == 2


def test_consistent_reasons_are_not_flagged(tmp_path: Path) -> None:
    write_return(tmp_path, 2020, [
        "1,01/05/2020,S,C2,N1,U4,PR1,01/07/2020,X1,CARPL,A",
        "1,01/07/2020,B,E1,N1,U5,PR1,01/09/2020,X1,,B",
        "1,01/09/2020,L,C2,N1,U5,PR1,,,,B",
    ])  # fmt: skip
    _, r = imp(tmp_path)
    assert r.count("rne_inconsistent") == 0


def test_legal_status_d1_after_2005(tmp_path: Path) -> None:
    write_return(tmp_path, 2020, ["1,01/05/2020,S,D1,N1,U4,PR1,,,,A"])
    with pytest.raises(SSDA903Error, match=r"ls_d1_after_2005.*row 1"):
        imp(tmp_path)
    h, r = imp(tmp_path, errors="repair")
    assert h.statuses is not None and "D1" in h.statuses["value"].to_list()
    assert r.count("ls_d1_after_2005") == 1


def test_missing_periods_outside_care_or_overlapping(tmp_path: Path) -> None:
    write_return(
        tmp_path, 2020, ["1,01/05/2020,S,C2,N1,U4,PR1,01/09/2020,E8,,A"],
        missing="CHILD,DOB,MISSING,MIS_START,MIS_END\n"
        "1,01/01/2008,M,02/06/2020,05/06/2020\n"
        "1,01/01/2008,A,04/06/2020,06/06/2020\n"
        "1,01/01/2008,M,02/10/2020,03/10/2020\n",
    )  # fmt: skip
    with pytest.raises(SSDA903Error) as info:
        imp(tmp_path)
    rules = sorted((i.rule, i.row) for i in info.value.issues)
    assert rules == [("ssda903.missing_outside_care", 3), ("ssda903.missing_overlap", 2)]
    h, r = imp(tmp_path, errors="repair")
    assert h.events["date"].to_list() == [date(2020, 6, 2), date(2020, 6, 4)]
    assert r.excluded["missing"] == 1
