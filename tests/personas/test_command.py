"""`earlysignal personas DIR --out REPORT_DIR` end to end, and its errors."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from earlysignal.cli import app
from earlysignal.personas.planted import planted_history


def test_personas_command_writes_the_report(tmp_path: Path) -> None:
    h, _ = planted_history(200, seed=4)
    h.write(tmp_path / "data")
    res = CliRunner().invoke(
        app, ["personas", str(tmp_path / "data"), "--out", str(tmp_path / "rep"),
              "--window", "24", "--k", "3", "--lang", "nl"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "3 personas" in res.output
    assert (tmp_path / "rep" / "personas.html").is_file()
    assert (tmp_path / "rep" / "personas.json").is_file()
    # the publication ledger beside the report folder (docs/disclosure.md), said where
    assert any((tmp_path / "publication-ledger").glob("entries-*.parquet"))
    assert "publication-ledger" in res.output


def test_bad_options_give_one_clear_line(tmp_path: Path) -> None:
    h, _ = planted_history(50, seed=4)
    h.write(tmp_path / "data")
    runner = CliRunner()
    res = runner.invoke(app, ["personas", str(tmp_path / "data"), "--out", str(tmp_path / "r"),
                              "--k", "many"])  # fmt: skip
    assert res.exit_code == 2 and "PERSONA-SPEC" in res.output
    res = runner.invoke(app, ["personas", str(tmp_path / "data"), "--out", str(tmp_path / "r"),
                              "--window", "1"])  # fmt: skip
    assert res.exit_code == 2 and "window must be 2 to 240" in res.output
    res = runner.invoke(app, ["personas", str(tmp_path / "nope"), "--out", str(tmp_path / "r")])
    assert res.exit_code == 2 and "Traceback" not in res.output
