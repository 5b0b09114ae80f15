"""Reading the files users actually have: blank rows, layouts, encodings, separators, ids."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from ssda903_returns import EPISODE_COLS, HEADER, write_return

from earlysignal.sources import SSDA903Error, import_ssda903

EPISODES = ["1,01/05/2020,S,C2,N1,U4,PR1,01/09/2020,X1,CREQB,A", "1,01/09/2020,P,C2,N1,K2,PR4,,,,B"]


def placements(folder: Path, **kw: object) -> list[tuple[object, ...]]:
    h, _ = import_ssda903(folder, year_label="start", **kw)  # type: ignore[arg-type]
    return h.placements.select("start", "end", "setting", "end_reason").rows()


EXPECTED = [
    (date(2020, 5, 1), date(2020, 9, 1), "foster", "breakdown"),
    (date(2020, 9, 1), None, "residential", None),
]


@pytest.mark.parametrize("blank", ["", ",,,,,,,,,,", "  ,  ,,", ",,,,,,,,,,\n,,,,,,,,,,"])
def test_blank_rows_are_skipped_and_counted_in_every_table(tmp_path: Path, blank: str) -> None:
    write_return(
        tmp_path,
        2020,
        [*EPISODES, blank],
        header=HEADER + blank + "\n",
        uasc="CHILD,SEX,DOB,DUC\n" + blank + "\n",
        reviews="CHILD,DOB,REVIEW,REVIEW_CODE\n1,01/01/2008,01/08/2020,PN1\n" + blank + "\n",
    )
    assert placements(tmp_path) == EXPECTED  # no crash, default (raise) mode
    _, r = import_ssda903(tmp_path, year_label="start", errors="repair")
    n_blank = blank.count("\n") + 1
    assert r.count("blank_row") == 4  # one issue per file, counting its blank rows
    assert r.excluded == {"episodes": n_blank, "header": n_blank, "missing": 0, "uasc": n_blank,
                          "reviews": n_blank}  # fmt: skip
    for t, n in r.rows_read.items():
        assert n == r.duplicates_merged[t] + r.excluded[t] + r.kept[t], t


def test_a_row_without_child_is_an_error_row(tmp_path: Path) -> None:
    write_return(tmp_path, 2020, [*EPISODES, ",01/10/2020,P,C2,N1,U4,PR1,,,,C"])
    with pytest.raises(SSDA903Error, match=r"missing_value.*2020-episodes\.csv, row 3"):
        import_ssda903(tmp_path, year_label="start")
    _, r = import_ssda903(tmp_path, year_label="start", errors="repair")
    assert r.excluded["episodes"] == 1 and r.count("missing_value") == 1


@pytest.mark.parametrize(
    "name",
    ["SSDA903_{year}_{table}.csv", "{table}_{year}.csv", "LA123 {year} {table}.csv"],
)
def test_prefixed_file_names(tmp_path: Path, name: str) -> None:
    write_return(tmp_path, 2020, EPISODES, name=name)
    (tmp_path / "notes.txt").write_text("not a return")
    assert placements(tmp_path) == EXPECTED
    _, r = import_ssda903(tmp_path, year_label="start")
    assert r.ignored_files == ("notes.txt",)
    assert [i.file for i in r.issues if i.rule == "ssda903.ignored_file"] == ["notes.txt"]
    assert "ignored files: notes.txt" in r.to_text()


def test_one_folder_per_year(tmp_path: Path) -> None:
    write_return(tmp_path / "2020", 2020, EPISODES, name="{table}.csv")
    write_return(
        tmp_path / "SSDA903_2021", 2021, ["1,01/09/2020,P,C2,N1,K2,PR4,,,,B"], name="{table}.csv"
    )
    h, r = import_ssda903(tmp_path, year_label="start")
    assert h.placements.height == 2 and r.years_found == {"": (2020, 2021)}
    assert {f.name for f in r.files} >= {"2020/episodes.csv", "SSDA903_2021/episodes.csv"}


@pytest.mark.parametrize(
    ("encoding", "sep"),
    [("utf-8-sig", ","), ("utf-16", ","), ("cp1252", ","), ("utf-8", ";"), ("utf-8-sig", ";"),
     ("utf-16", "\t"), ("cp1252", "|")],
)  # fmt: skip
def test_separators_and_encodings_are_detected(tmp_path: Path, encoding: str, sep: str) -> None:
    header = "CHILD,SEX,DOB,ETHNIC\n1,2,01/01/2008,WBRI\n".replace(",", sep)
    lines = [EPISODE_COLS, *EPISODES]
    text = "\n".join(line.replace(",", sep) for line in lines) + "\n"
    (tmp_path / "2020-episodes.csv").write_bytes(text.encode(encoding))
    (tmp_path / "2020-header.csv").write_bytes(header.encode(encoding))
    assert placements(tmp_path) == EXPECTED
    _, r = import_ssda903(tmp_path, year_label="start")
    assert {f.separator for f in r.files} == {sep}


def test_cp1252_text_survives(tmp_path: Path) -> None:
    write_return(tmp_path, 2020, EPISODES)
    text = (tmp_path / "2020-episodes.csv").read_text().replace(",A\n", ",Caf\u00e9 \u00e9\n")
    (tmp_path / "2020-episodes.csv").write_bytes(text.encode("cp1252"))
    h, r = import_ssda903(tmp_path, year_label="start")
    assert h.placements["provider_id"][0] == "Caf\u00e9 \u00e9"
    assert r.files[0].encoding == "cp1252"


def test_unknown_layout_names_what_it_saw_not_a_missing_child_column(tmp_path: Path) -> None:
    write_return(tmp_path, 2020, EPISODES)
    path = tmp_path / "2020-episodes.csv"
    path.write_text(path.read_text().replace("CHILD,", "ID;").replace(",", ";"))
    with pytest.raises(SSDA903Error) as info:
        import_ssda903(tmp_path, year_label="start")
    text = str(info.value)
    assert "semicolon-separated" in text and "header line reads" in text


def test_ragged_line_names_its_row(tmp_path: Path) -> None:
    write_return(tmp_path, 2020, [*EPISODES, "1,01/12/2020,P,C2,N1,U4,PR1,,,,C,extra,fields"])
    with pytest.raises(SSDA903Error, match=r"ragged_line.*2020-episodes\.csv, row 3"):
        import_ssda903(tmp_path, year_label="start")
    h, r = import_ssda903(tmp_path, year_label="start", errors="repair")
    assert r.excluded["episodes"] == 1 and h.placements.height == 2


def test_child_id_written_as_a_number_gets_a_hint(tmp_path: Path) -> None:
    write_return(
        tmp_path,
        2020,
        [e.replace("1,", "566910.0,", 1) for e in EPISODES],
        header="CHILD,SEX,DOB,ETHNIC\n566910,2,01/01/2008,WBRI\n",
    )
    with pytest.raises(SSDA903Error, match=r"child_id_as_number.*566910\.0.*Text"):
        import_ssda903(tmp_path, year_label="start")
    h, r = import_ssda903(tmp_path, year_label="start", errors="repair")
    assert h.placements["child_id"].unique().to_list() == ["566910"]
    assert r.count("child_id_as_number") == 2


def test_authority_column_scopes_ids(tmp_path: Path) -> None:
    eps = [f"{e},{la}" for la in ("North", "South") for e in EPISODES]
    (tmp_path / "2020-episodes.csv").write_text("\n".join([f"{EPISODE_COLS},LA", *eps]) + "\n")
    (tmp_path / "2020-header.csv").write_text(
        "CHILD,SEX,DOB,ETHNIC,LA\n1,2,01/01/2008,WBRI,North\n1,1,01/01/2009,WBRI,South\n"
    )
    h, r = import_ssda903(tmp_path, year_label="start")
    assert sorted(h.children["child_id"]) == ["North/1", "South/1"]
    assert h.children.sort("child_id")["sex"].to_list() == ["female", "male"]
    assert set(r.years_found) == {"North", "South"}
    assert pl.Series(r.extraction_dates.values()).n_unique() == 1


def test_an_authority_column_missing_from_one_table_is_named(tmp_path: Path) -> None:
    eps = [f"{e},North" for e in EPISODES]
    (tmp_path / "2020-episodes.csv").write_text("\n".join([f"{EPISODE_COLS},LA", *eps]) + "\n")
    (tmp_path / "2020-header.csv").write_text(HEADER)
    with pytest.raises(SSDA903Error, match=r"la_column_missing.*2020-header\.csv"):
        import_ssda903(tmp_path, year_label="start")
