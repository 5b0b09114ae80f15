"""The runner's features, card and oracle follow ``[outcome] breakdown_definition``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from earlysignal.card import new_card
from earlysignal.experiment import steps_data
from earlysignal.experiment.config import ExperimentConfig, load_config
from earlysignal.experiment.state import _State
from earlysignal.experiment.steps_model import _oracle


@pytest.fixture(scope="module")
def sim():
    from earlysignal.synth import simulate

    return simulate(400, years=5, seed=5)


def _state(sim, definition: str) -> _State:
    data = load_config("breakdown_180d").to_dict()
    data["data"].update(n_children=400, years=5, sim_seed=5)
    data["outcome"]["breakdown_definition"] = definition
    cfg = ExperimentConfig.from_dict(data)
    card = new_card(run_id="r", experiment="e", run_name="n", outcome="breakdown",
                    horizon_days=180)  # fmt: skip
    state = _State(cfg, 0, Path("."), Path("."), card, history=sim.history)
    state.simulation = sim
    steps_data._prediction_times(state)
    steps_data._features(state)
    return state


@pytest.mark.parametrize("definition", ["child_side", "any_unplanned"])
def test_label_card_and_oracle_follow_the_definition(sim, definition: str) -> None:
    from earlysignal.synth import oracle_risk

    state = _state(sim, definition)
    expected = "label_breakdown_180d" if definition == "child_side" else "label_breakdown_any_180d"
    assert state.label == expected and expected in state.frame.columns
    bd = state.card["outcome"]["breakdown_definition"]
    assert bd["name"] == definition
    assert bd["end_reasons"] == (
        ["breakdown"] if definition == "child_side" else ["breakdown", "provider_ended"]
    )
    # the simulator records provider-side endings, and the card counts them (rounded to 5)
    assert bd["counts"]["provider_ended"] is not None and bd["counts"]["provider_ended"] % 5 == 0
    test = state.frame.filter(state.frame[expected].is_not_null()).head(40)
    risk, reason = _oracle(state, test)
    assert reason == ""
    direct = oracle_risk(
        sim, test.select("child_id", "prediction_time"), outcome="breakdown", horizon=180,
        seed=state.seed, definition=definition,
    )["risk"].to_numpy()  # fmt: skip
    np.testing.assert_allclose(risk, direct)
