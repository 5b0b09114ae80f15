"""Multi-authority extracts: one observed_until, the earliest authority's extraction date."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from ssda903_histories import histories
from ssda903_returns import EPISODE_COLS
from typer.testing import CliRunner

from earlysignal.cli import app
from earlysignal.data import CareHistory
from earlysignal.sources import SSDA903Error, import_ssda903
from earlysignal.sources.ssda903_write import write_returns

HEADER = "CHILD,SEX,DOB,ETHNIC,LA\n1,2,01/01/2008,WBRI,North\n1,1,01/01/2009,WBRI,South\n"
# North sends 2020 and 2021 (collection years from 1 April); South stops after 2020.
Y2020 = [
    "1,01/05/2020,S,C2,N1,U4,PR1,,,,A,North",
    "1,01/05/2020,S,C2,N1,U4,PR1,01/09/2020,X1,CREQB,A,South",
    "1,01/09/2020,P,C2,N1,K2,PR4,,,,B,South",
]
Y2021 = [
    "1,01/05/2020,S,C2,N1,U4,PR1,01/09/2021,X1,CREQB,A,North",  # ends after South's date
    "1,01/09/2021,P,C2,N1,K2,PR4,,,,B,North",  # starts after it
]


def _extract(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for year, rows in ((2020, Y2020), (2021, Y2021)):
        (folder / f"{year}-episodes.csv").write_text(
            "\n".join([f"{EPISODE_COLS},LA", *rows]) + "\n"
        )
        (folder / f"{year}-header.csv").write_text(HEADER)
    return folder


def test_observed_until_is_the_earliest_authority_extraction_date(tmp_path: Path) -> None:
    h, r = import_ssda903(_extract(tmp_path), year_label="start")
    assert r.extraction_dates == {"North": date(2022, 3, 31), "South": date(2021, 3, 31)}
    assert h.observed_until == r.observed_until == date(2021, 3, 31)
    north = h.placements.filter(pl.col("child_id") == "North/1")
    assert north.height == 1 and north["end"].to_list() == [None]  # re-opened at the cut
    assert r.count("after_observed_until") == 1
    assert r.count("censored_at_observed_until") >= 1
    assert r.count("authority_cut_at_observed_until") == 1
    for t, n in r.rows_read.items():
        assert n == r.duplicates_merged[t] + r.excluded[t] + r.kept[t], t


def test_a_later_observed_until_is_refused_naming_authority_and_dates(tmp_path: Path) -> None:
    src = _extract(tmp_path)
    with pytest.raises(SSDA903Error, match=r"authority_extraction_earlier.*'South'.*2021-03-31"):
        import_ssda903(src, year_label="start", observed_until=date(2022, 3, 31))
    h, r = import_ssda903(
        src, year_label="start", observed_until=date(2022, 3, 31), errors="repair"
    )
    assert h.observed_until == date(2021, 3, 31)
    assert r.count("authority_extraction_earlier") == 1


def test_cli_names_the_rule_the_dates_and_the_fix(tmp_path: Path) -> None:
    src = _extract(tmp_path / "in")
    args = ["import-ssda903", str(src), "--out", str(tmp_path / "o"), "--year-label", "start",
            "--observed-until", "2022-03-31"]  # fmt: skip
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 1
    assert "authority_extraction_earlier" in res.output and "2021-03-31" in res.output
    assert "--observed-until 2021-03-31" in res.output and "--repair" in res.output
    res = CliRunner().invoke(app, [*args, "--repair"])
    assert res.exit_code == 0, res.output
    assert "observed until 2021-03-31" in res.output
    assert "authority 'North': return years 2020, 2021; none missing; extracted 2022-03-31" in (
        res.output
    )


def _as_authority(src: Path, dst: Path, la: str) -> None:
    """Copy one authority's returns into a shared extract, named by it, with an LA column."""
    dst.mkdir(parents=True, exist_ok=True)
    for f in src.glob("*.csv"):
        year, table = f.stem.split("-")
        frame = pl.read_csv(f, infer_schema=False).with_columns(pl.lit(la).alias("LA"))
        frame.write_csv(dst / f"{la} {year} {table}.csv")


@settings(max_examples=15, deadline=None)
@given(histories(max_children=4), histories(max_children=4))
def test_the_common_window_equals_each_authority_cut_at_the_earliest_date(
    north: CareHistory, south: CareHistory
) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="ssda903_la_"))
    write_returns(north, tmp / "n", first_year=2017, last_year=2021)
    write_returns(south, tmp / "s", first_year=2017, last_year=2020)  # stops a year earlier
    _as_authority(tmp / "n", tmp / "all", "North")
    _as_authority(tmp / "s", tmp / "all", "South")
    # repair: a tiny drawn authority can have a year with nobody in care (missing_return_year)
    both, r = import_ssda903(tmp / "all", year_label="start", validate=False, errors="repair")
    # an authority's extraction date is the end of its last return holding episodes
    assert set(r.extraction_dates) == {"North", "South"}
    cut = min(r.extraction_dates.values())
    assert both.observed_until == cut
    for t, n in r.rows_read.items():
        assert n == r.duplicates_merged[t] + r.excluded[t] + r.kept[t], t
    alone, _ = import_ssda903(
        tmp / "n", year_label="start", validate=False, observed_until=cut, errors="repair"
    )
    keys = ["start", "end", "setting", "provider_id", "end_reason"]
    got = both.placements.filter(pl.col("child_id").str.starts_with("North/"))
    assert (
        got.sort("child_id", "start")
        .select(keys)
        .equals(alone.placements.sort("child_id", "start").select(keys))
    )
