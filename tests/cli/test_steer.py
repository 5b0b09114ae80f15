"""``earlysignal steer``: writes the report; bad arguments and tariffs exit with a named rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from earlysignal.cli import app
from earlysignal.synth import simulate


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    simulate(2000, years=4, seed=2).write(out)
    return out


def test_steer_by_region_writes_the_report(folder: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["steer", str(folder), "--by", "region", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "steering.html").is_file() and (tmp_path / "steering.md").is_file()
    assert "units compared" in r.output


@pytest.mark.parametrize(
    ("args", "code", "rule"),
    [
        (["--by", "ward"], 2, "steer.by"),
        (["--by", "municipality"], 1, "steer.unit_missing"),
        (["--lang", "fr"], 2, "steer.lang"),
        (["--model", "abc"], 2, "steer.model"),
        (["--within", "north"], 2, "steer.within"),
        (["--within", "region=atlantis"], 1, "steer.within_empty"),
    ],
)
def test_bad_arguments_name_the_rule(
    folder: Path, tmp_path: Path, args: list[str], code: int, rule: str
) -> None:
    r = CliRunner().invoke(app, ["steer", str(folder), "--out", str(tmp_path), *args])
    assert r.exit_code == code and f"[{rule}]" in r.output


def test_bad_tariff_file_is_refused_before_any_work(folder: Path, tmp_path: Path) -> None:
    f = tmp_path / "t.toml"
    f.write_text("[per_day]\nfoster = -1\n")
    r = CliRunner().invoke(
        app, ["steer", str(folder), "--out", str(tmp_path / "o"), "--tariffs", str(f)]
    )
    assert r.exit_code == 2 and "[steer.tariff_negative]" in r.output
    assert not (tmp_path / "o").exists()
