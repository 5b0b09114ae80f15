"""Bad-input corpus of the CBS adapter: each case names the rule it must trip.

Blocking problems raise ``CBSError`` with their rule id by default and are excluded or repaired
(and counted) with ``errors="repair"``; warnings never block and are always counted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from sources.cbs_helpers import HULP, PERSONS, bescherm, hulp, persons, write_csv

from earlysignal.sources.cbs import CBSError, import_cbs
from earlysignal.sources.cbs_codes import CBSCodesError, load_codes

R1, R2 = "000000001", "000000002"


@dataclass(frozen=True)
class Case:
    name: str
    rule: str
    build: Callable[[Path], None]
    blocking: bool = True
    observed_until: date | None = None


def _sav(path: Path, columns: list[str], rows: list[tuple[object, ...]], labels: dict) -> None:
    import pyreadstat

    frame = pl.DataFrame(rows, schema=columns, orient="row")
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels)


def _good_hulp(folder: Path) -> None:
    hulp(folder, [("R", R1, "11", "20200105", "20200601")])


def _extra_column(folder: Path) -> None:
    rows = [("R", R1, "11", "20200105", "20200601", "x")]
    write_csv(folder / "JGDHULP2020BUSV1.csv", [*HULP, "JGDHNIEUW"], rows)


def _missing_hulpvorm(folder: Path) -> None:
    rows = [("R", R1, "20200105", "20200601")]
    cols = [c for c in HULP if c != "JGDHHULPVORM"]
    write_csv(folder / "JGDHULP2020BUSV1.csv", cols, rows)
    hulp(folder, [("R", R1, "11", "20190105", "")], year=2019)


def _missing_rin_column(folder: Path) -> None:
    rows = [("11", "20200105", "20200601")]
    write_csv(folder / "JGDHULP2020BUSV1.csv", HULP[2:], rows)
    hulp(folder, [("R", R1, "11", "20190105", "")], year=2019)


def _sav_labels(labels: dict[int, str]) -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        rows = [("R", R1, 11.0, "20200105", "20200601")]
        _sav(folder / "JGDHULP2020BUSV1.sav", HULP, rows, {"JGDHHULPVORM": labels})

    return build


def _sav_extra_column(folder: Path) -> None:
    rows = [("R", R1, 11.0, "20200105", "20200601", 3.0)]
    _sav(folder / "JGDHULP2020BUSV1.sav", [*HULP, "JGDHONBEKEND"], rows, {})


def _garbage_sav(folder: Path) -> None:
    (folder / "JGDHULP2020BUSV1.sav").write_bytes(b"not an SPSS file at all")
    hulp(folder, [("R", R1, "11", "20200105", "20200601")], year=2019)


CASES: list[Case] = [
    Case(
        "missing RINPERSOON value",
        "cbs.missing_id",
        lambda f: hulp(f, [("R", "", "11", "20200105", "")]),
    ),
    Case("missing RINPERSOON column", "cbs.missing_column", _missing_rin_column),
    Case("missing hulpvorm column", "cbs.missing_column", _missing_hulpvorm),
    Case("unexpected column in CSV", "cbs.unexpected_column", _extra_column, blocking=False),
    Case("unexpected column in .sav", "cbs.unexpected_column", _sav_extra_column, blocking=False),
    Case(
        ".sav label differs from the code list",
        "cbs.label_mismatch",
        _sav_labels({11: "Residentieel verblijf"}),
        blocking=False,
    ),
    Case(
        ".sav label for a code not in the list",
        "cbs.unknown_label",
        _sav_labels({11: "Jeugdhulp met verblijf: pleegzorg", 77: "Nieuwe hulpvorm"}),
        blocking=False,
    ),
    Case("unreadable .sav", "cbs.unreadable_file", _garbage_sav),
    Case(
        "start date unparseable",
        "cbs.bad_date",
        lambda f: hulp(f, [("R", R1, "11", "20201345", "")]),
    ),
    Case(
        "end date unparseable",
        "cbs.bad_date",
        lambda f: hulp(f, [("R", R1, "11", "20200105", "eind")]),
    ),
    Case(
        "end before start",
        "cbs.end_before_start",
        lambda f: hulp(f, [("R", R1, "11", "20200601", "20200105")]),
    ),
    Case(
        "unknown hulpvorm code",
        "cbs.unknown_code",
        lambda f: hulp(f, [("R", R1, "99", "20200105", "")]),
    ),
    Case(
        "non-numeric hulpvorm code",
        "cbs.unknown_code",
        lambda f: hulp(f, [("R", R1, "pleeg", "20200105", "")]),
    ),
    Case(
        "fractional hulpvorm code",
        "cbs.unknown_code",
        lambda f: hulp(f, [("R", R1, "11.5", "20200105", "")]),
    ),
    Case(
        "unknown maatregel code",
        "cbs.unknown_code",
        lambda f: (_good_hulp(f), bescherm(f, [("R", R1, "77", "20200105", "")])),
    ),
    Case(
        "duplicate rows",
        "cbs.duplicate_row",
        lambda f: hulp(f, [("R", R1, "11", "20200105", "20200601")] * 2),
        blocking=False,
    ),
    Case(
        "overlapping trajectories of one form (merged as CBS does)",
        "cbs.overlap_merged",
        lambda f: hulp(
            f, [("R", R1, "11", "20200105", "20200601"), ("R", R1, "11", "20200301", "20200901")]
        ),
        blocking=False,
    ),
    Case(
        "two forms with accommodation at once",
        "cbs.overlapping_accommodation",
        lambda f: hulp(
            f, [("R", R1, "11", "20200105", "20200601"), ("R", R1, "14", "20200301", "20200901")]
        ),
    ),
    Case(
        "same start, two forms with accommodation",
        "cbs.overlapping_accommodation",
        lambda f: hulp(
            f, [("R", R1, "11", "20200105", "20200601"), ("R", R1, "13", "20200105", "20200901")]
        ),
    ),
    Case(
        "accommodation nested in another",
        "cbs.nested_accommodation",
        lambda f: hulp(
            f, [("R", R1, "11", "20200105", "20201101"), ("R", R1, "13", "20200301", "20200401")]
        ),
        blocking=False,
    ),
    Case(
        "short gap between placements",
        "cbs.gap_bridged",
        lambda f: hulp(
            f, [("R", R1, "11", "20200105", "20200601"), ("R", R1, "14", "20200605", "")]
        ),
        blocking=False,
    ),
    Case(
        "start after the extraction date",
        "cbs.after_extraction",
        lambda f: hulp(f, [("R", R1, "11", "20201105", "")]),
        observed_until=date(2020, 10, 31),
    ),
    Case(
        "end after the extraction date",
        "cbs.after_extraction",
        lambda f: hulp(f, [("R", R1, "11", "20200105", "20201205")]),
        observed_until=date(2020, 10, 31),
    ),
    Case(
        "mixed years: a 2018 row in the 2020 file",
        "cbs.outside_file_year",
        lambda f: hulp(f, [("R", R1, "11", "20180105", "20180601")]),
    ),
    Case(
        "child missing from GBAPERSOON",
        "cbs.no_person",
        lambda f: hulp(f, [("R", "000000009", "11", "20200105", "")]),
    ),
    Case(
        "birth month not valid",
        "cbs.bad_birth_date",
        lambda f: (
            write_csv(f / "GBAPERSOON2020TABV2.csv", PERSONS, [("R", R1, "1", "2008", "13")]),
            _good_hulp(f),
        ),
    ),
    Case(
        "older version of a yearly file",
        "cbs.older_version",
        lambda f: (_good_hulp(f), hulp(f, [("R", R1, "14", "20200105", "")], version=0)),
        blocking=False,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule(case: Case, tmp_path: Path) -> None:
    if not any(p.name.startswith("GBAPERSOON") for p in tmp_path.iterdir()):
        persons(tmp_path)
    case.build(tmp_path)
    if not any(p.name.startswith("GBAPERSOON") for p in tmp_path.iterdir()):
        persons(tmp_path)
    if case.blocking:
        with pytest.raises(CBSError) as err:
            import_cbs(tmp_path, observed_until=case.observed_until)
        assert case.rule in {i.rule for i in err.value.issues}
        assert case.rule in str(err.value)
        first = next(i for i in err.value.issues if i.rule == case.rule)
        assert first.file is not None or first.child is not None
    _, report = import_cbs(tmp_path, observed_until=case.observed_until, errors="repair")
    assert report.count(case.rule) >= 1
    issue = next(i for i in report.issues if i.rule == case.rule)
    assert issue.severity != "error" and issue.fix
    # nothing is lost silently: every row read is merged, excluded, kept or not in care
    for kind, n in report.rows_read.items():
        accounted = (
            report.duplicates_merged[kind]
            + report.overlaps_merged[kind]
            + report.excluded[kind]
            + report.kept[kind]
            + report.not_in_care.get(kind, 0)
        )
        assert accounted == n, (kind, report.summary())
    # the repaired result is a valid history (or empty, when every row was excluded)
    assert report.validation is not None
    errors = {k for k in report.validation["counts_by_rule"] if k.startswith("E")}
    assert report.validation["ok"] or errors <= {
        "E106 empty_table [children]",
        "E106 empty_table [placements]",
    }, report.validation


def test_corpus_has_at_least_20_cases() -> None:
    assert len(CASES) >= 20
    assert len({c.rule for c in CASES}) >= 18


def test_no_youth_care_file_is_unusable(tmp_path: Path) -> None:
    persons(tmp_path)
    with pytest.raises(CBSError) as err:
        import_cbs(tmp_path)
    assert err.value.unusable and err.value.issues[0].rule == "cbs.no_hulp_files"


def test_no_persons_file_is_unusable(tmp_path: Path) -> None:
    _good_hulp(tmp_path)
    with pytest.raises(CBSError) as err:
        import_cbs(tmp_path)
    assert err.value.unusable and err.value.issues[-1].rule == "cbs.no_persons_file"


def test_unknown_codes_are_listed_with_counts(tmp_path: Path) -> None:
    persons(tmp_path)
    hulp(
        tmp_path,
        [
            ("R", R1, "99", "20200105", ""),
            ("R", R2, "99", "20200205", ""),
            ("R", R2, "98", "20200305", ""),
        ],
    )
    with pytest.raises(CBSError, match=r"Unknown codes \(code: rows\): 98: 1, 99: 2"):
        import_cbs(tmp_path)


def test_bad_codes_file(tmp_path: Path) -> None:
    bad = tmp_path / "codes.toml"
    bad.write_text('[hulpvorm.11]\nkind = "placement"\nsetting = "castle"\n')
    with pytest.raises(CBSCodesError, match=r"cbs\.bad_codes_file.*hulpvorm\.11"):
        load_codes(bad)
    bad.write_text("[nonsense]\nx = 1\n")
    with pytest.raises(CBSCodesError, match="unknown section"):
        load_codes(bad)


def test_end_after_extraction_is_left_open_when_repaired(tmp_path: Path) -> None:
    persons(tmp_path)
    hulp(tmp_path, [("R", R1, "11", "20200105", "20201205")])
    history, _ = import_cbs(tmp_path, observed_until=date(2020, 10, 31), errors="repair")
    assert history.placements.select("start", "end", "end_reason").rows() == [
        (date(2020, 1, 5), None, None)
    ]


def test_column_names_that_vary_by_year(tmp_path: Path) -> None:
    persons(tmp_path)
    hulp(tmp_path, [("R", R1, "11", "20200105", "")])
    old = [c.replace("GELDIGHEID", "") for c in HULP]  # e.g. JGDHBEGINDATUM in an older year
    write_csv(tmp_path / "JGDHULP2019BUSV1.csv", old, [("R", R2, "13", "20190301", "20190601")])
    with pytest.raises(CBSError, match=r"cbs\.missing_column"):
        import_cbs(tmp_path)
    codes = load_codes(
        columns={
            **{r: list(v) for r, v in load_codes().columns.items()},
            "hulp_begin": ["JGDHGELDIGHEIDBEGINDATUM", "JGDHBEGINDATUM"],
            "hulp_end": ["JGDHGELDIGHEIDEINDDATUM", "JGDHEINDDATUM"],
        }
    )
    history, report = import_cbs(tmp_path, codes=codes)
    assert sorted(history.placements["setting"].to_list()) == ["foster", "secure"]
    assert report.count("unexpected_column") == 0


def test_files_without_a_year_take_the_latest_date(tmp_path: Path) -> None:
    write_csv(tmp_path / "GBAPERSOONTAB.csv", PERSONS, [("R", R1, "1", "2008", "5")])
    write_csv(tmp_path / "JGDHULPBUS.csv", HULP, [("R", R1, "11", "20200105", "20200601")])
    history, report = import_cbs(tmp_path)
    assert history.observed_until == date(2020, 6, 1)
    assert report.count("no_file_year") == 1


def test_measures_with_unknown_code_and_repeated_years(tmp_path: Path) -> None:
    persons(tmp_path)
    hulp(tmp_path, [("R", R1, "11", "20200105", "")])
    bescherm(tmp_path, [("R", R1, "11", "20190105", "")], year=2019)
    bescherm(tmp_path, [("R", R1, "11", "20190105", "20200301")], year=2020)
    history, report = import_cbs(tmp_path)
    assert history.statuses is not None
    assert history.statuses.select("kind", "value", "end").rows() == [
        ("protection_measure", "supervision_order", date(2020, 3, 1))
    ]
    assert report.duplicates_merged["bescherm"] == 1
