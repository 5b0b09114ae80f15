"""The benchmark's lift shares across simulator worlds reach the card as data, schema-valid."""

from __future__ import annotations

import json
from pathlib import Path

from earlysignal.card import new_card, render_markdown, validate_card
from earlysignal.evaluate.worlds import oracle_worlds

SUMMARY = {
    "children": 3000,
    "years": 10,
    "seed": 0,
    "n_boot": 200,
    "summary": {
        "breakdown_180d": {
            "per_world": {
                "default": {"lift_share_of_oracle": [0.9, 0.85, 0.95]},
                "fast_severity": {"lift_share_of_oracle": [0.7, 0.62, 0.78]},
            },
            "lift_share_range_across_worlds": [0.7, 0.9],
        }
    },
}


def test_recorded_worlds_are_read_and_the_card_states_the_range(tmp_path: Path) -> None:
    path = tmp_path / "oracle_worlds.json"
    path.write_text(json.dumps(SUMMARY))
    assert oracle_worlds("carousel", 365, path) is None  # not measured: nothing claimed
    worlds = oracle_worlds("breakdown", 180, path)
    assert worlds is not None
    assert worlds["lift_share_range"] == [0.7, 0.9]
    assert worlds["per_world"]["fast_severity"] == [0.7, 0.62, 0.78]
    card = new_card(
        run_id="0123abcd", experiment="tests", run_name="card", outcome="breakdown",
        horizon_days=180,
    )  # fmt: skip
    card["performance"]["oracle_worlds"] = worlds
    validate_card(card)
    text = render_markdown(card)
    assert "0.70 to 0.90" in text and "0.70 (95% interval 0.62 to 0.78)" in text
    # the range's cohort size, read from the recorded json, not this run's
    assert "measured at 3,000 children per world over 10 years" in text
    assert "not at this run's cohort size" in text
    nl = render_markdown(card, lang="nl")
    assert "gemeten bij 3.000 kinderen per wereld over 10 jaar" in nl


def test_missing_file_claims_nothing(tmp_path: Path) -> None:
    assert oracle_worlds("breakdown", 180, tmp_path / "absent.json") is None
