"""earlysignal import-ssda903: errors name --repair, every error goes to the issues file."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from ssda903_returns import write_return
from typer.testing import CliRunner

from earlysignal.cli import app


def test_errors_are_all_written_and_name_the_repair_option(tmp_path: Path) -> None:
    rows = [f"{i},01/05/2020,S,C2,N1,U4,PR1,,,,A" for i in range(1, 16)]
    write_return(tmp_path / "in", 2020, rows, header="CHILD,SEX,DOB\n1,2,01/01/2008\n")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["import-ssda903", str(tmp_path / "in"), "--out", str(out),
                                   "--year-label", "start"])  # fmt: skip
    assert res.exit_code == 1
    assert "--repair" in res.output and "errors='repair'" not in res.output
    assert "... and 4 more" in res.output
    issues = pl.read_csv(out / "import_issues.csv")
    assert issues.filter(pl.col("severity") == "error").height == 14
    res = CliRunner().invoke(app, ["import-ssda903", str(tmp_path / "in"), "--out", str(out),
                                   "--year-label", "start", "--repair"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "from episodes to placements" in res.output


def test_two_digit_year_pivot_option(tmp_path: Path) -> None:
    write_return(tmp_path / "in", 2020, ["1,01/05/20,S,C2,N1,U4,PR1,,,,A"],
                 header="CHILD,SEX,DOB\n1,2,01/01/08\n")  # fmt: skip
    args = ["import-ssda903", str(tmp_path / "in"), "--out", str(tmp_path / "o"),
            "--year-label", "start"]  # fmt: skip
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 1 and "two_digit_years" in res.output
    res = CliRunner().invoke(app, [*args, "--two-digit-year-pivot", "50"])
    assert res.exit_code == 0, res.output
