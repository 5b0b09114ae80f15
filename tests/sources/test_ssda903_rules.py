"""Each SSDA903 mapping rule on its own, on small returns written from the code sets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from earlysignal.sources import SSDA903Error, import_ssda903
from earlysignal.sources import ssda903_codes as codes

EPISODE_COLS = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,URN"
HEADER = "CHILD,SEX,DOB,ETHNIC\n1,2,01/01/2008,WBRI\n"


def write(folder: Path, year: int, episodes: list[str], **tables: str) -> Path:
    """Write one return: episodes rows (without the header line) plus other tables' text."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{year}-episodes.csv").write_text("\n".join([EPISODE_COLS, *episodes]) + "\n")
    (folder / f"{year}-header.csv").write_text(tables.pop("header", HEADER))
    for name, text in tables.items():
        (folder / f"{year}-{name}.csv").write_text(text)
    return folder


def run(folder: Path, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("year_label", "start")
    return import_ssda903(folder, **kw)


def test_rne_l_is_a_status_change_not_a_placement(tmp_path: Path) -> None:
    write(tmp_path, 2020, [
        "1,01/05/2020,S,V2,N1,U4,PR1,01/07/2020,X1,,A",
        "1,01/07/2020,L,C2,N1,U4,PR1,01/09/2020,X1,CARPL,A",
        "1,01/09/2020,P,C2,N1,U5,PR1,,,,B",
    ])  # fmt: skip
    h, r = run(tmp_path)
    p = h.placements
    assert p.select("start", "end", "end_reason", "end_reason_detail").rows() == [
        (date(2020, 5, 1), date(2020, 9, 1), "planned", "CARPL"),
        (date(2020, 9, 1), None, None, None),
    ]
    assert h.statuses is not None
    legal = h.statuses.filter(pl.col("kind") == "legal_status")
    assert legal.select("value", "start", "end").rows() == [
        ("V2", date(2020, 5, 1), date(2020, 7, 1)),
        ("C2", date(2020, 7, 1), None),
    ]
    assert r.count("rne_l_with_placement_change") == 0


@pytest.mark.parametrize("rne", sorted(codes.PLACEMENT_CHANGE_RNE - {"S"}))
def test_placement_change_rne_starts_a_new_placement(tmp_path: Path, rne: str) -> None:
    write(tmp_path, 2020, [
        "1,01/05/2020,S,C2,N1,U4,PR1,01/07/2020,X1,CREQB,A",
        f"1,01/07/2020,{rne},C2,N1,U4,PR1,,,,A",
    ])  # fmt: skip
    h, _ = run(tmp_path)
    assert h.placements.height == 2
    assert h.placements["end_reason"].to_list() == ["breakdown", None]


@pytest.mark.parametrize("place", sorted(set(codes.PLACE_SETTING) - codes.TEMPORARY_PLACES))
def test_place_maps_to_setting(tmp_path: Path, place: str) -> None:
    write(tmp_path, 2020, [f"1,01/05/2020,S,C2,N1,{place},PR1,,,,A"])
    h, _ = run(tmp_path)
    assert h.placements["setting"].to_list() == [codes.PLACE_SETTING[place]]
    assert not h.placements["temporary"][0]


@pytest.mark.parametrize("rpc", sorted(codes.REASON_PLACE_CHANGE_END))
def test_reason_place_change_maps_to_end_reason(tmp_path: Path, rpc: str) -> None:
    write(tmp_path, 2020, [
        f"1,01/05/2020,S,C2,N1,U4,PR1,01/07/2020,X1,{rpc},A",
        "1,01/07/2020,P,C2,N1,K2,PR4,,,,B",
    ])  # fmt: skip
    h, _ = run(tmp_path)
    first = h.placements.row(0, named=True)
    expected = codes.REASON_PLACE_CHANGE_END[rpc]
    assert (first["end_reason"], first["end_reason_detail"]) == (expected, rpc)


def test_breakdown_codes_split_child_side_from_provider_side() -> None:
    by_reason: dict[str, set[str]] = {}
    for k, v in codes.REASON_PLACE_CHANGE_END.items():
        by_reason.setdefault(v, set()).add(k)
    assert by_reason["breakdown"] == {"CREQB", "CREQO", "CHILD"}
    assert by_reason["provider_ended"] == {"ALLEG", "STAND", "APPRR", "CLOSE"}


@pytest.mark.parametrize("rec", sorted(codes.REC_END))
def test_rec_maps_to_end_reason(tmp_path: Path, rec: str) -> None:
    write(tmp_path, 2020, [f"1,01/05/2020,S,C2,N1,U4,PR1,01/07/2020,{rec},,A"])
    h, _ = run(tmp_path)
    row = h.placements.row(0, named=True)
    assert (row["end_reason"], row["end_reason_detail"]) == (codes.REC_END[rec], rec)


def test_x1_without_reason_is_other_and_reported(tmp_path: Path) -> None:
    write(tmp_path, 2020, [
        "1,01/05/2020,S,C2,N1,U4,PR1,01/07/2020,X1,,A",
        "1,01/07/2020,P,C2,N1,K2,PR4,,,,B",
    ])  # fmt: skip
    h, r = run(tmp_path)
    assert h.placements.row(0, named=True)["end_reason"] == "other"
    assert r.count("missing_reason_place_change") == 1


@pytest.mark.parametrize("temp", sorted(codes.TEMPORARY_PLACES))
def test_temporary_move_to_same_carer_is_one_placement(tmp_path: Path, temp: str) -> None:
    write(tmp_path, 2020, [
        "1,01/05/2020,S,C2,N1,U4,PR1,01/07/2020,X1,,A",
        f"1,01/07/2020,T,C2,N1,{temp},PR1,05/07/2020,X1,,H",
        "1,05/07/2020,T,C2,N1,U4,PR1,,,,A",
    ])  # fmt: skip
    h, _ = run(tmp_path)
    perm = h.placements.filter(~pl.col("temporary"))
    temp_rows = h.placements.filter(pl.col("temporary"))
    assert perm.select("start", "end").rows() == [(date(2020, 5, 1), None)]
    assert temp_rows.select("start", "end").rows() == [(date(2020, 7, 1), date(2020, 7, 5))]
    assert h.validate().ok


def test_temporary_move_then_new_carer_is_one_move(tmp_path: Path) -> None:
    write(tmp_path, 2020, [
        "1,01/05/2020,S,C2,N1,U4,PR1,01/07/2020,X1,,A",
        "1,01/07/2020,T,C2,N1,T1,PR1,05/07/2020,X1,CREQB,H",
        "1,05/07/2020,P,C2,N1,K2,PR4,,,,B",
    ])  # fmt: skip
    h, _ = run(tmp_path)
    perm = h.placements.filter(~pl.col("temporary"))
    assert perm.select("start", "end", "setting", "end_reason").rows() == [
        (date(2020, 5, 1), date(2020, 7, 5), "foster", "breakdown"),
        (date(2020, 7, 5), None, "residential", None),
    ]
    assert h.validate().ok


def test_latest_return_version_of_an_episode_is_kept(tmp_path: Path) -> None:
    write(tmp_path, 2019, ["1,01/05/2019,S,C2,N1,U4,PR1,,X1,,A"])
    write(tmp_path, 2020, [
        "1,01/05/2019,S,C2,N1,U4,PR1,01/07/2020,E4A,,A",
    ])  # fmt: skip
    h, r = run(tmp_path)
    assert r.duplicates_merged["episodes"] == 1
    assert r.count("rec_on_open_episode") == 1
    assert h.placements.select("end", "end_reason").rows() == [(date(2020, 7, 1), "return_home")]
    assert h.observed_until == date(2021, 3, 31)
    assert r.duplicates_merged["header"] == 1


def test_reentry_after_return_home(tmp_path: Path) -> None:
    write(tmp_path, 2020, [
        "1,01/05/2020,S,C2,N1,U4,PR1,01/07/2020,E4B,,A",
        "1,01/10/2020,S,V2,N4,U1,PR1,,,,C",
    ])  # fmt: skip
    h, r = run(tmp_path)
    assert h.placements["setting"].to_list() == ["foster", "kinship_foster"]
    assert r.count("gap_without_s") == 0


def test_missing_reviews_header_and_uasc(tmp_path: Path) -> None:
    write(
        tmp_path,
        2020,
        ["1,01/05/2020,S,C2,N1,U4,PR1,,,,A", "2,2020-06-01,S,C2,N1,U4,PR1,,,,B"],
        header="CHILD,SEX,DOB,ETHNIC\n1,2,01/01/2008,WBRI\n2,1,2006-03-04,AIND\n",
        missing="CHILD,DOB,MISSING,MIS_START,MIS_END\n1,01/01/2008,M,02/06/2020,05/06/2020\n"
        "1,01/01/2008,A,10/06/2020,\n",
        reviews="CHILD,DOB,REVIEW,REVIEW_CODE\n1,01/01/2008,01/08/2020,PN1\n"
        "1,01/01/2008,01/08/2030,PN1\n",
        uasc="CHILD,SEX,DOB,DUC\n2,1,04/03/2006,04/03/2024\n",
    )
    with pytest.raises(SSDA903Error, match=r"implausible_date.*2020-reviews\.csv, row 2"):
        run(tmp_path)  # a review dated after the extraction date is an error
    h, r = run(tmp_path, errors="repair")
    ev = h.events.select("child_id", "date", "kind", "value").rows()
    assert ev == [
        ("1", date(2020, 6, 2), "missing", 3.0),
        ("1", date(2020, 6, 10), "away", None),
        ("1", date(2020, 8, 1), "review", None),
    ]
    assert r.count("implausible_date") == 1 and r.excluded["reviews"] == 1
    kids = h.children.select("child_id", "birth_date", "sex", "unaccompanied", "ethnicity")
    assert kids.rows() == [
        ("1", date(2008, 1, 1), "female", False, "WBRI"),
        ("2", date(2006, 3, 4), "male", True, "AIND"),
    ]
    assert "origin" in h.children.columns and h.children["origin"].null_count() == 2


def test_year_column_instead_of_file_name(tmp_path: Path) -> None:
    (tmp_path / "episodes.csv").write_text(
        f"{EPISODE_COLS},YEAR\n1,01/05/2019,S,C2,N1,U4,PR1,,X1,,A,2019\n"
        "1,01/05/2019,S,C2,N1,U4,PR1,01/07/2020,E8,,A,2020\n"
    )
    (tmp_path / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,YEAR\n1,2,01/01/2008,WBRI,2020\n")
    h, r = run(tmp_path)
    assert r.duplicates_merged["episodes"] == 1
    assert h.placements.select("end_reason").item() == "other"


def test_observed_until_given_censors_later_ends(tmp_path: Path) -> None:
    write(tmp_path, 2020, ["1,01/05/2020,S,C2,N1,U4,PR1,01/12/2020,E4A,,A"])
    h, r = run(tmp_path, observed_until=date(2020, 10, 1))
    assert h.placements.select("end", "end_reason").rows() == [(None, None)]
    assert r.count("censored_at_observed_until") == 1


# ----------------------------------------------------------------------------- malformed returns
def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    write(tmp_path, 2020, ["1,01/05/2020,S,C2,N1,U4,PR1,,,,A"])
    text = (tmp_path / "2020-episodes.csv").read_text().replace("PLACE,", "PLACEX,", 1)
    (tmp_path / "2020-episodes.csv").write_text(text)
    with pytest.raises(SSDA903Error, match=r"missing_column\] 2020-episodes\.csv.*PLACE"):
        run(tmp_path)


def test_unknown_code_error_then_repaired_and_counted(tmp_path: Path) -> None:
    write(tmp_path, 2020, [
        "1,01/05/2020,S,C2,N1,U4,PR1,01/07/2020,X1,NOPE,A",
        "1,01/07/2020,P,C2,N1,Q9,PR1,,,,B",
    ])  # fmt: skip
    with pytest.raises(SSDA903Error) as err:
        run(tmp_path)
    located = {(i.file, i.row, i.column, i.value) for i in err.value.issues}
    assert located == {
        ("2020-episodes.csv", 1, "REASON_PLACE_CHANGE", "NOPE"),
        ("2020-episodes.csv", 2, "PLACE", "Q9"),
    }
    h, r = run(tmp_path, errors="repair")
    assert r.count("unknown_code") == 2
    assert h.placements.select("setting", "end_reason", "end_reason_detail").rows() == [
        ("foster", "other", "NOPE"),
        ("other", None, None),
    ]


def test_overlapping_episodes_error_then_repaired(tmp_path: Path) -> None:
    write(tmp_path, 2020, [
        "1,01/05/2020,S,C2,N1,U4,PR1,01/09/2020,X1,CARPL,A",
        "1,01/07/2020,P,C2,N1,K2,PR4,,,,B",
    ])  # fmt: skip
    with pytest.raises(SSDA903Error, match=r"overlapping_episodes\] 2020-episodes\.csv, row 2"):
        run(tmp_path)
    h, r = run(tmp_path, errors="repair")
    assert r.count("overlapping_episodes") == 1
    assert h.placements["end"].to_list() == [date(2020, 7, 1), None]
    assert h.validate().ok


def test_dates_out_of_order_excluded_and_counted(tmp_path: Path) -> None:
    write(tmp_path, 2020, [
        "1,01/05/2020,S,C2,N1,U4,PR1,01/04/2020,E8,,A",
        "1,01/06/2020,S,C2,N1,U4,PR1,,,,A",
        "1,31/02/2020,S,C2,N1,U4,PR1,,,,A",
    ])  # fmt: skip
    with pytest.raises(SSDA903Error, match=r"dates_out_of_order.*row 1"):
        run(tmp_path)
    h, r = run(tmp_path, errors="repair")
    assert r.excluded["episodes"] == 2 and r.kept["episodes"] == 1
    assert r.count("dates_out_of_order") == 1 and r.count("bad_date") == 1
    assert h.placements.height == 1


def test_return_for_the_wrong_year(tmp_path: Path) -> None:
    write(tmp_path, 2020, ["1,01/05/2020,S,C2,N1,U4,PR1,,,,A"])
    # a file labelled 2022 holding an episode that closed in 2020
    (tmp_path / "2022-episodes.csv").write_text(
        f"{EPISODE_COLS}\n1,01/05/2020,S,C2,N1,U4,PR1,01/08/2020,E8,,A\n"
    )
    with pytest.raises(SSDA903Error, match=r"wrong_year\] 2022-episodes\.csv, row 1"):
        run(tmp_path)
    _, r = run(tmp_path, errors="repair")
    assert r.count("wrong_year") == 1 and r.excluded["episodes"] == 1


def test_child_without_header_row(tmp_path: Path) -> None:
    write(tmp_path, 2020, ["1,01/05/2020,S,C2,N1,U4,PR1,,,,A", "9,01/05/2020,S,C2,N1,U4,PR1,,,,B"])
    with pytest.raises(SSDA903Error, match=r"child_not_in_header.*row 2, child 9"):
        run(tmp_path)


def test_year_label_auto_reads_the_sample_convention(tmp_path: Path) -> None:
    write(tmp_path, 2020, ["1,01/02/2021,S,C2,N1,U4,PR1,,,,A"])
    write(tmp_path, 2021, ["1,01/02/2021,S,C2,N1,U4,PR1,01/06/2021,E8,,A"])
    _, r = import_ssda903(tmp_path)
    assert r.year_label == "start" and r.observed_until == date(2022, 3, 31)


def test_empty_file_is_named(tmp_path: Path) -> None:
    write(tmp_path, 2020, ["1,01/05/2020,S,C2,N1,U4,PR1,,,,A"])
    (tmp_path / "2020-missing.csv").write_text("")
    with pytest.raises(SSDA903Error, match=r"malformed_file\] 2020-missing\.csv"):
        run(tmp_path)
    h, r = run(tmp_path, errors="repair")
    assert r.count("malformed_file") == 1 and h.placements.height == 1
