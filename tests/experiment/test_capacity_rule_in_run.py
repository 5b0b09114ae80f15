"""The run fixes its capacity rule on the calibration period and flags at most the capacity.

Calibrated risks are a step function of the score (Venn-ABERS here), so a cut on the risk alone
(the run's former ``quantile(risk, 1 - capacity)``) flagged the whole tie group at the cut.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from earlysignal.experiment.config import ExperimentConfig, load_config
from earlysignal.experiment.state import ExperimentError, _State
from earlysignal.experiment.steps_model import _calibrate
from earlysignal.models import LogisticRiskModel


@dataclass
class _Split:
    parts: dict[str, pl.DataFrame]

    def part(self, name: str) -> pl.DataFrame:
        return self.parts[name]


def _frame(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    y = (rng.random(n) < 1 / (1 + np.exp(-(x[:, 0] - 2.0)))).astype(int)
    return pl.DataFrame({"child_id": [f"c{seed}_{i}" for i in range(n)], "a": x[:, 0],
                         "b": x[:, 1], "y": y})  # fmt: skip


def _state(tmp_path: Path, capacity: float, calibration_rows: int = 600) -> _State:
    data = load_config("breakdown_180d").to_dict()
    data["decision"] = {"capacity": capacity}
    config = ExperimentConfig.from_dict(data)
    assert config.model.calibration == "venn_abers"
    card: dict[str, dict[str, object]] = {"model_details": {}, "calibration": {}}
    state = _State(config, 0, tmp_path, tmp_path, card)
    train, cal = _frame(2000, 1), _frame(calibration_rows, 2)
    state.split = _Split({"train": train, "calibrate": cal})
    state.features, state.label = ["a", "b"], "y"
    state.base = LogisticRiskModel().fit(train.select("a", "b"), train["y"].to_numpy())
    return state


def test_capacity_rule_flags_at_most_the_capacity_on_calibration(tmp_path: Path) -> None:
    state = _state(tmp_path, 0.1)
    _calibrate(state)
    cal = state.split.part("calibrate").select("a", "b")
    risk, score = state.model.risk(cal), state.model.raw_score(cal)
    # the data have the problem: the former cut on the risk alone flags a whole tie group
    assert np.mean(risk >= np.quantile(risk, 0.9)) > 0.1
    flagged = state.rule.flag(risk, score)
    assert int(flagged.sum()) == 60  # exactly 10 % of 600 (raw scores differ)
    assert state.threshold == state.rule.risk_threshold
    assert state.rule.score_threshold is not None


def test_a_capacity_that_flags_nobody_is_refused(tmp_path: Path) -> None:
    state = _state(tmp_path, 0.001, calibration_rows=500)
    with pytest.raises(ExperimentError, match="capacity flags someone"):
        _calibrate(state)
