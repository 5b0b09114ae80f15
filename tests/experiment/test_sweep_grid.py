"""A sweep's grid: --seeds x --set values, each point a valid config named for its run."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from earlysignal.cli import app
from earlysignal.experiment.config import ConfigError, load_config
from earlysignal.experiment.sweep import SweepPoint, parse_set, point_config, sweep_points


def test_set_values_are_read_as_toml_values() -> None:
    assert parse_set("model.learning_rate=0.05,0.1") == ("model.learning_rate", (0.05, 0.1))
    assert parse_set("fairness.attributes=['sex']") == ("fairness.attributes", (["sex"],))
    assert parse_set("card.language=nl") == ("card.language", ("nl",))
    assert parse_set("model.early_stopping_rounds=true") == (
        "model.early_stopping_rounds",
        (True,),
    )


@pytest.mark.parametrize("bad", ["model.learning_rate", "learning_rate=0.1", "model.kind="])
def test_a_malformed_set_says_how_to_write_it(bad: str) -> None:
    with pytest.raises(ConfigError, match=r"section\.key=value"):
        parse_set(bad)


def test_the_grid_is_every_seed_times_every_combination() -> None:
    points = sweep_points(
        "s", [1, 2], [("model.num_leaves", (7, 15)), ("outcome.horizon_days", (90,))]
    )
    assert [(p.seed, dict(p.overrides)) for p in points] == [
        (1, {"model.num_leaves": 7, "outcome.horizon_days": 90}),
        (1, {"model.num_leaves": 15, "outcome.horizon_days": 90}),
        (2, {"model.num_leaves": 7, "outcome.horizon_days": 90}),
        (2, {"model.num_leaves": 15, "outcome.horizon_days": 90}),
    ]
    assert len({p.name for p in points}) == 4
    with pytest.raises(ConfigError, match="twice"):
        sweep_points("s", [1], [("model.num_leaves", (7,)), ("model.num_leaves", (15,))])


def test_a_point_sets_the_seeds_and_a_set_can_pin_the_data() -> None:
    base = load_config("breakdown_180d")
    cfg = point_config(base, SweepPoint("p", 9))
    assert (cfg.study.seed, cfg.data.sim_seed, cfg.study.name) == (9, 9, "p")
    pinned = point_config(base, SweepPoint("q", 9, (("data.sim_seed", 1),)))
    assert (pinned.study.seed, pinned.data.sim_seed) == (9, 1)
    assert base == load_config("breakdown_180d")  # the base config is not changed


def test_a_set_that_breaks_the_config_is_refused_before_anything_runs() -> None:
    base = load_config("breakdown_180d")
    with pytest.raises(ConfigError, match=r"model\.kind"):
        point_config(base, SweepPoint("p", 1, (("model.kind", "forest"),)))
    with pytest.raises(ConfigError, match="no table"):
        point_config(base, SweepPoint("p", 1, (("modle.kind", "rule"),)))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seeds", "1,x"], "--seeds"),
        (["--seeds", "1", "--set", "model.kind=forest"], "model.kind"),
        (["--seeds", "1", "--backend", "spark"], "COMPUTE-BACKEND"),
    ],
)
def test_the_command_refuses_unusable_input_with_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["sweep", "breakdown_180d", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
