"""Scoring flags with the run's decision rule (ties in risk broken by the raw score); a model
saved with only a risk threshold still scores, with ``risk >= threshold``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from studies import small_study  # type: ignore[import-not-found]

from earlysignal.models import CapacityRule
from earlysignal.scoring import score
from earlysignal.scoring.score import score_frame

pytestmark = pytest.mark.slow


def test_scoring_flags_the_children_of_the_runs_rule(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s = small_study()
    h = s.sim.history
    meta, decision = loaded.metadata, s.result.card["decision"]
    # the saved rule is the run's rule: a capacity on step-wise (Venn-ABERS) risks
    assert meta["threshold"] == decision["threshold"]
    # the card shows the tie-break (between two rows' raw scores) to 3 significant digits
    assert decision["score_threshold"] == float(f"{meta['score_threshold']:.3g}")
    assert meta["capacity"] == 0.1 and meta["score_threshold"] is not None
    result = score(loaded, h, as_of=h.observed_until, out=tmp_path / "out", log_run=False)
    frame = score_frame(loaded, h, h.observed_until)
    x = frame.select(list(loaded.feature_names))
    m = loaded.model
    rule = CapacityRule.from_metadata(meta)
    expected = frame.filter(pl.Series(rule.flag(m.risk(x), m.raw_score(x))))["child_id"]
    ranked = result.ranked
    got = ranked.filter(pl.col("flagged"))["child_id"]
    assert sorted(got.to_list()) == sorted(expected.to_list())
    assert 0 < got.len() < ranked.height
    # flagged children come first in the ranking, also inside a tie of risk
    flagged_ranks = ranked.filter(pl.col("flagged"))["rank"]
    assert flagged_ranks.max() < ranked.filter(~pl.col("flagged"))["rank"].min()
    assert result.summary["decision_rule"]["score_threshold"] == meta["score_threshold"]


def test_a_model_saved_with_only_a_risk_threshold_still_scores(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h = small_study().sim.history
    old = replace(
        loaded, metadata={k: v for k, v in loaded.metadata.items() if k != "score_threshold"}
    )
    result = score(old, h, as_of=h.observed_until, out=tmp_path / "out", log_run=False)
    ranked = result.ranked
    assert ranked["flagged"].to_list() == (ranked["risk"] >= old.metadata["threshold"]).to_list()
    assert result.summary["decision_rule"]["score_threshold"] is None
