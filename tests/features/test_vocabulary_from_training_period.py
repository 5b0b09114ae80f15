"""The default feature vocabulary (event kinds, top status values) comes from the training
period only: a kind or value seen only later never becomes a feature."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from earlysignal.features import default_specs, describe, feature_vocabulary

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]
from pit_helpers import add_late_facts as _add_late_facts  # noqa: E402
from pit_helpers import all_dates  # noqa: E402
from strategies import care_histories  # type: ignore[import-not-found]  # noqa: E402


@given(h=care_histories(), data=st.data())
def test_facts_on_or_after_the_cut_never_change_the_vocabulary(h, data):
    cut = data.draw(st.sampled_from(all_dates(h)))
    n = data.draw(st.integers(1, 60))
    later = _add_late_facts(h, cut, n)
    assert feature_vocabulary(later, before=cut) == feature_vocabulary(h, before=cut)
    names = describe(default_specs(later, before=cut))["name"].to_list()
    assert names == describe(default_specs(h, before=cut))["name"].to_list()
    assert not any("late_kind" in x or "late_value" in x for x in names)
    # without a cut, the whole history decides (the opt-in for descriptive work)
    assert "late_kind" in feature_vocabulary(later)["event_kinds"]
    assert "events_late_kind_90d" in describe(default_specs(later, before="all"))["name"]


def test_runner_features_step_uses_the_training_period_and_records_the_vocabulary():
    from earlysignal.card import new_card
    from earlysignal.experiment import runner
    from earlysignal.experiment.config import load_config
    from earlysignal.synth import simulate

    data = load_config("breakdown_180d").to_dict()
    data["data"].update(n_children=300, years=5, sim_seed=3)
    cfg = runner.ExperimentConfig.from_dict(data)
    sim = simulate(300, years=5, seed=3)
    h = sim.history
    first = h.placements["start"].min()
    assert isinstance(first, date)
    # facts dated in the last months only: long after the training period's end
    late = _add_late_facts(h, h.observed_until - timedelta(days=60), 40)
    card = new_card(run_id="r", experiment="e", run_name="n", outcome="breakdown",
                    horizon_days=180)  # fmt: skip
    state = runner._State(cfg, 0, Path("."), Path("."), card, history=late)
    runner._prediction_times(state)
    runner._features(state)
    vocab = card["predictors"]["vocabulary"]
    train_end = date.fromisoformat(vocab["before"])
    assert train_end < late.observed_until - timedelta(days=60)
    assert "late_kind" not in vocab["event_kinds"]
    assert ["measure", "late_value"] not in vocab["statuses"]
    assert not any("late" in name for name in state.features)
    runner._split(state)
    assert state.split.train_end == train_end
