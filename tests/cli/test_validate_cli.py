"""``earlysignal validate``: exit codes 0 (valid), 1 (invalid), 2 (unusable input)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from earlysignal.cli import app
from earlysignal.data import read_folder

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "valid_history"
runner = CliRunner()


def _broken(tmp_path: Path) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(FIXTURE, folder)
    text = (folder / "placements.csv").read_text()
    (folder / "placements.csv").write_text(
        text.replace("c001,p002,2019-08-15", "c001,p002,2019-08-01")
    )
    return folder


def test_good_folder_exits_0_and_reports_counts() -> None:
    result = runner.invoke(app, ["validate", str(FIXTURE)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output
    assert "6 children, 16 placements, 13 events, 6 statuses" in " ".join(result.output.split())


def test_broken_folder_prints_problems_and_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(_broken(tmp_path))])
    assert result.exit_code == 1, result.output
    assert "E402" in result.output
    assert "p002" in result.output
    assert "invalid" in result.output


def test_missing_folder_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_folder_without_tables_exits_2(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("nothing here")
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "no recognisable table" in result.output


def test_json_report(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(_broken(tmp_path)), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert [(p["rule"], p["row"]) for p in report["problems"]] == [("E402", 2)]


def test_repair_and_out_write_a_valid_folder(tmp_path: Path) -> None:
    out = tmp_path / "repaired"
    result = runner.invoke(app, ["validate", str(_broken(tmp_path)), "--repair", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "trim_overlaps" in result.output
    history = read_folder(out)
    p001 = history.placements.filter(history.placements["placement_id"] == "p001")
    assert p001["end"][0].isoformat() == "2019-08-01"


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("earlysignal ")
