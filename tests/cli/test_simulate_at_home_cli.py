"""``earlysignal simulate --population at_home``: writes a readable folder; bad values refused."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from earlysignal.cli import app
from earlysignal.data.history import CareHistory


def test_simulate_at_home_writes_folder_and_report(tmp_path: Path) -> None:
    out = tmp_path / "home"
    res = CliRunner().invoke(
        app, ["simulate", "--out", str(out), "--children", "400", "--years", "3",
              "--population", "at_home", "--report"],
    )  # fmt: skip
    assert res.exit_code in {0, 1}, res.output  # 1: a small cohort may fall outside a band
    assert "entry_within_year_at_home" in res.output
    h = CareHistory.read(out, strict=False)
    assert h.children.height == 400
    assert h.statuses is not None
    assert (out / "truth" / "children.parquet").exists()


def test_unknown_population_refused(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["simulate", "--out", str(tmp_path / "x"), "--population", "y"])
    assert res.exit_code == 2
    assert "--population must be placed or at_home" in res.output
