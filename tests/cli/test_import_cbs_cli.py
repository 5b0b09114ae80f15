"""``earlysignal import-cbs`` and ``earlysignal simulate --format cbs``: exit codes and outputs."""

from __future__ import annotations

import json
from pathlib import Path

from sources.cbs_helpers import hulp, persons
from typer.testing import CliRunner

from earlysignal.cli import app
from earlysignal.data.history import CareHistory

R1 = "000000001"


def test_simulate_cbs_then_import(tmp_path: Path) -> None:
    runner = CliRunner()
    arch = tmp_path / "cbs"
    res = runner.invoke(
        app, ["simulate", "--out", str(arch), "--children", "80", "--years", "3", "--format", "cbs"]
    )
    assert res.exit_code == 0, res.output
    assert any(p.suffix == ".sav" and p.name.startswith("JGDHULP") for p in arch.iterdir())
    out = tmp_path / "canonical"
    res = runner.invoke(app, ["import-cbs", str(arch), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "CBS import" in res.output and "valid" in res.output
    history = CareHistory.read(out)
    assert history.placements.height > 0
    report = json.loads((out / "import_report.json").read_text())
    assert report["source"] == "cbs"
    # counts only: no child identifier in the summary
    assert "R000000001" not in json.dumps(report)
    assert (out / "import_issues.csv").exists()


def test_errors_exit_1_and_repair_exits_0(tmp_path: Path) -> None:
    persons(tmp_path)
    hulp(tmp_path, [("R", R1, "11", "20200105", ""), ("R", R1, "99", "20200301", "")])
    runner = CliRunner()
    res = runner.invoke(app, ["import-cbs", str(tmp_path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 1
    assert "cbs.unknown_code" in res.output and "99" in res.output
    res = runner.invoke(
        app, ["import-cbs", str(tmp_path), "--out", str(tmp_path / "o"), "--repair"]
    )
    assert res.exit_code == 0, res.output
    assert "cbs.unknown_code" in res.output


def test_unusable_input_exits_2(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["import-cbs", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "does not exist" in res.output
    persons(tmp_path)
    res = runner.invoke(app, ["import-cbs", str(tmp_path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "cbs.no_hulp_files" in res.output
    bad = tmp_path / "codes.toml"
    bad.write_text("not toml [")
    hulp(tmp_path, [("R", R1, "11", "20200105", "")])
    res = runner.invoke(
        app, ["import-cbs", str(tmp_path), "--out", str(tmp_path / "o"), "--codes", str(bad)]
    )
    assert res.exit_code == 2 and "cbs.bad_codes_file" in res.output


def test_codes_file_changes_the_mapping(tmp_path: Path) -> None:
    persons(tmp_path)
    hulp(tmp_path, [("R", R1, "14", "20200105", "")])
    codes = tmp_path / "codes.toml"
    codes.write_text(
        '[hulpvorm.14]\nlabel = "Overig verblijf"\nkind = "placement"\nsetting = "other"\n'
    )
    res = CliRunner().invoke(
        app, ["import-cbs", str(tmp_path), "--out", str(tmp_path / "o"), "--codes", str(codes)]
    )
    assert res.exit_code == 0, res.output
    assert CareHistory.read(tmp_path / "o").placements["setting"].to_list() == ["other"]
