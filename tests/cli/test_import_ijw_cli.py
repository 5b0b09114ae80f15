"""``earlysignal import-ijw`` and ``earlysignal simulate --format ijw``."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from earlysignal.cli import app
from earlysignal.data import read_folder


def test_simulate_ijw_then_import(tmp_path: Path) -> None:
    runner = CliRunner()
    arc = tmp_path / "arc"
    res = runner.invoke(
        app, ["simulate", "--format", "ijw", "--children", "40", "--years", "2", "--out", str(arc)]
    )
    assert res.exit_code == 0, res.output
    assert "iJw messages for 40 children" in res.output
    extraction = re.search(r"--observed-until (\S+)", res.output).group(1)  # type: ignore[union-attr]
    key = tmp_path / "ijw.key"
    key.write_text("f" * 64 + "\n")
    out = tmp_path / "canon"
    res = runner.invoke(
        app,
        [
            "import-ijw",
            str(arc),
            "--out",
            str(out),
            "--key-file",
            str(key),
            "--mapping",
            str(arc / "ijw_mapping.toml"),
            "--observed-until",
            extraction,
        ],
    )
    assert res.exit_code == 0, res.output
    assert "valid" in res.output and "iJw import" in res.output
    history = read_folder(out)
    assert history.children.height == 40
    report = json.loads((out / "import_report.json").read_text())
    assert report["source"] == "ijw" and report["excluded"] == {}
    assert (out / "import_issues.csv").is_file()


def test_import_without_key_file_is_refused_with_how_to(shared_data: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(
        app, ["import-ijw", str(shared_data / "ijw" / "examples"), "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 2
    assert "--key-file" in res.output and "secrets.token_hex(32)" in res.output
    assert not (tmp_path / "o").exists()


def test_errors_exit_1_and_repair_counts(shared_data: Path, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for f in (shared_data / "ijw" / "examples").iterdir():
        (src / f.name).write_bytes(f.read_bytes())
    (src / "broken.xml").write_text("<not xml")
    key = tmp_path / "k"
    key.write_text("a" * 40)
    args = [
        "import-ijw",
        str(src),
        "--out",
        str(tmp_path / "o"),
        "--key-file",
        str(key),
        "--xsd",
        str(shared_data / "ijw" / "xsd"),
    ]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 1 and "[ijw.malformed_xml] broken.xml" in res.output
    res = CliRunner().invoke(app, [*args, "--repair"])
    assert "ijw.malformed_xml" in res.output and "excluded" in res.output
    # the examples hold no accommodation: the canonical result has no placements (E106)
    assert res.exit_code == 1 and "INVALID" in res.output
