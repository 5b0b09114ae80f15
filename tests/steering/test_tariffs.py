"""Tariff files: clear errors for unknown settings, negative amounts, bad TOML; costs avoided."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from earlysignal.steering.costs import costs_avoided, parse_tariffs, read_tariffs
from earlysignal.steering.spec import SteeringError


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("[per_day]\ncastle = 10\n", "steer.tariff_setting"),
        ("[per_day]\nfoster = -5\n", "steer.tariff_negative"),
        ('[per_day]\nfoster = "a lot"\n', "steer.tariff_amount"),
        ("currency = 'EUR'\n", "steer.tariff_keys"),
        ("[per_day]\nfoster = 5\n[extra]\nx = 1\n", "steer.tariff_keys"),
        ("[per_day\nfoster = 5\n", "steer.tariff_file"),
        ("horizon_years = 0\n[per_day]\nfoster = 5\n", "steer.tariff_horizon"),
    ],
)
def test_bad_tariff_files_name_the_rule_file_and_value(
    tmp_path: Path, text: str, rule: str
) -> None:
    f = tmp_path / "tariffs.toml"
    f.write_text(text)
    with pytest.raises(SteeringError, match=rf"\[{rule}\] {f}"):
        read_tariffs(f)


def test_missing_tariff_file(tmp_path: Path) -> None:
    with pytest.raises(SteeringError, match=r"\[steer.tariff_file\].*no such file"):
        read_tariffs(tmp_path / "none.toml")


def test_costs_count_moves_without_tariff_and_scale_with_horizon() -> None:
    pls = pl.DataFrame({"setting": ["foster", "foster", "secure"], "moves": [1, 1, 1],
                        "next_setting": ["residential", "foster", "foster"],
                        "next_days": [100, 50, 30]})  # fmt: skip
    per = pl.DataFrame({"expected": [10.0, 10.0], "shrunk": [1.5, 0.8]})
    d = np.tile([1.5, 0.8], (200, 1))
    t1 = parse_tariffs({"per_day": {"foster": 50, "residential": 300}, "horizon_years": 1})
    t3 = parse_tariffs({"per_day": {"foster": 50, "residential": 300}, "horizon_years": 3})
    e1 = costs_avoided(pls, per, d, t1, period_years=1)
    e3 = costs_avoided(pls, per, d, t3, period_years=1)
    assert e1.moves_without_tariff == 1 and e1.settings_without_tariff == ("secure",)
    assert e3.moves_avoided == pytest.approx(3 * e1.moves_avoided)
    assert e1.moves_avoided_lo <= e1.moves_avoided <= e1.moves_avoided_hi
