"""``earlysignal simulate --partition-size`` writes partitions; ``validate`` reads them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from earlysignal.cli import app
from earlysignal.data.partitions import read_manifest


def test_simulate_in_partitions_then_validate(tmp_path: Path) -> None:
    out = tmp_path / "cohort"
    res = CliRunner().invoke(
        app, ["simulate", "--out", str(out), "--children", "150", "--years", "3",
              "--partition-size", "50"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "in 3 partitions" in res.output
    manifest = read_manifest(out)
    assert manifest.counts()["children"] == 150
    res = CliRunner().invoke(app, ["validate", str(out), "--json"])
    assert res.exit_code == 0, res.output
    assert '"children": 150' in res.output
    res = CliRunner().invoke(app, ["validate", str(out), "--repair"])
    assert res.exit_code == 2
    assert "partitioned folder" in res.output


def test_partition_size_must_be_positive(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        app, ["simulate", "--out", str(tmp_path / "x"), "--partition-size", "0"]
    )
    assert res.exit_code == 2
    assert "--partition-size must be at least 1" in res.output
