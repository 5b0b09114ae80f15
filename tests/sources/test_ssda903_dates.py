"""Dates: two-digit years are never read as the years 1-99 AD; implausible dates are errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from ssda903_returns import write_return

from earlysignal.sources import SSDA903Error, import_ssda903

TWO_DIGIT = ["1,01/05/20,S,C2,N1,U4,PR1,01/09/20,X1,CREQB,A", "1,01/09/20,P,C2,N1,K2,PR4,,,,B"]


def test_a_file_of_two_digit_years_gets_one_message_naming_the_format(tmp_path: Path) -> None:
    write_return(tmp_path, 2020, TWO_DIGIT, header="CHILD,SEX,DOB,ETHNIC\n1,2,01/01/08,WBRI\n")
    with pytest.raises(SSDA903Error) as info:
        import_ssda903(tmp_path, year_label="start")
    two = [i for i in info.value.issues if i.rule == "ssda903.two_digit_years"]
    assert [i.file for i in two] == ["2020-episodes.csv", "2020-header.csv"]
    assert "dd/mm/yy" in str(info.value) and "two_digit_year_pivot" in str(info.value)
    assert not [i for i in info.value.issues if i.rule == "ssda903.bad_date"]


def test_two_digit_years_read_with_an_explicit_pivot(tmp_path: Path) -> None:
    write_return(tmp_path, 2020, TWO_DIGIT, header="CHILD,SEX,DOB,ETHNIC\n1,2,01/01/08,WBRI\n")
    h, _ = import_ssda903(tmp_path, year_label="start", two_digit_year_pivot=50)
    assert h.placements["start"].to_list() == [date(2020, 5, 1), date(2020, 9, 1)]
    assert h.children["birth_date"].to_list() == [date(2008, 1, 1)]


def test_a_stray_two_digit_date_is_a_named_row_error(tmp_path: Path) -> None:
    write_return(
        tmp_path, 2020, ["1,01/05/2020,S,C2,N1,U4,PR1,01/09/20,X1,CREQB,A",
                         "1,01/09/2020,P,C2,N1,K2,PR4,,,,B"],
    )  # fmt: skip
    with pytest.raises(SSDA903Error, match=r"bad_date.*2020-episodes\.csv, row 1.*DEC='01/09/20'"):
        import_ssda903(tmp_path, year_label="start")


@pytest.mark.parametrize(
    ("row", "column"),
    [("1,01/05/1917,S,C2,N1,U4,PR1,,,,A", "DECOM"), ("1,01/05/0017,S,C2,N1,U4,PR1,,,,A", "DECOM")],
)
def test_dates_outside_the_plausible_range_are_errors(
    tmp_path: Path, row: str, column: str
) -> None:
    write_return(tmp_path, 2020, ["1,01/09/2020,P,C2,N1,K2,PR4,,,,B", row])
    with pytest.raises(SSDA903Error, match=rf"(implausible_date|wrong_year).*row 2.*{column}"):
        import_ssda903(tmp_path, year_label="start")


def test_an_episode_end_after_the_extraction_date_is_an_error(tmp_path: Path) -> None:
    write_return(tmp_path, 2020, ["1,01/05/2020,S,C2,N1,U4,PR1,01/09/2030,E8,,A"])
    with pytest.raises(SSDA903Error, match=r"implausible_date.*row 1.*DEC='2030-09-01'"):
        import_ssda903(tmp_path, year_label="start")
    # an end after an earlier observed_until the user chose is censored, not an error
    write_return(tmp_path, 2020, ["1,01/05/2020,S,C2,N1,U4,PR1,01/09/2020,E8,,A"])
    h, r = import_ssda903(tmp_path, year_label="start", observed_until=date(2020, 8, 1))
    assert h.placements["end"].to_list() == [None] and r.count("censored_at_observed_until") == 1


def test_birth_date_in_year_one_is_an_error(tmp_path: Path) -> None:
    write_return(tmp_path, 2020, TWO_DIGIT[:1], header="CHILD,SEX,DOB\n1,2,01/01/0008\n")
    with pytest.raises(SSDA903Error, match=r"implausible_date.*2020-header\.csv, row 1"):
        import_ssda903(tmp_path, year_label="start", two_digit_year_pivot=50)
