"""The fast scoring path gives the numbers of the plain one: risks, intervals, ranking, factors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from studies import small_study  # type: ignore[import-not-found]

from earlysignal.explain import contributions
from earlysignal.models import CapacityRule
from earlysignal.scoring import score
from earlysignal.scoring.score import _sheets, score_frame

pytestmark = pytest.mark.slow


def test_ranked_table_matches_the_plain_computation(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h = small_study().sim.history
    result = score(loaded, h, as_of=h.observed_until, out=tmp_path / "out", log_run=False)
    # the plain way: the model's own risk and interval calls, TreeSHAP with the explain
    # defaults, features on the whole history, one row at a time for the factors
    frame = _whole_history_frame(loaded, h)
    assert score_frame(loaded, h, h.observed_until).equals(frame)
    names = list(loaded.feature_names)
    x = frame.select(names)
    m = loaded.model
    risk = m.risk(x)
    lo, hi = m.predict_interval(x)
    phi = contributions(m, x).values
    raw = m.raw_score(x)
    plain = pl.DataFrame(
        {"child_id": frame["child_id"], "risk": risk, "risk_lower": lo, "risk_upper": hi,
         "raw": raw}
    ).sort(["risk", "raw", "child_id"], descending=[True, True, False])  # fmt: skip
    got = result.ranked
    assert got["child_id"].to_list() == plain["child_id"].to_list()
    for col in ("risk", "risk_lower", "risk_upper"):
        np.testing.assert_array_equal(got[col].to_numpy(), plain[col].to_numpy())
    rule = CapacityRule.from_metadata(loaded.metadata)
    assert got["flagged"].to_list() == rule.flag(plain["risk"], plain["raw"]).tolist()
    position = {c: i for i, c in enumerate(frame["child_id"].to_list())}
    for r in got.iter_rows(named=True):
        now = phi[position[r["child_id"]]]
        top = [j for j in np.argsort(-now, kind="stable") if now[j] > 0][:3]
        assert [r[f"factor_{k + 1}"] for k in range(len(top))] == [names[j] for j in top]
        for k, j in enumerate(top):
            assert r[f"factor_{k + 1}_contribution"] == pytest.approx(now[j], abs=1e-9)


def _whole_history_frame(loaded, h):  # type: ignore[no-untyped-def]
    from earlysignal.cohort import attach_placement
    from earlysignal.features import build_features

    t = pl.DataFrame({"child_id": h.children["child_id"]}).with_columns(
        pl.lit(h.observed_until).alias("prediction_time")
    )
    placed = attach_placement(h, t).filter(pl.col("placement_id").is_not_null())
    return build_features(
        h, placed.select("child_id", "prediction_time"), list(loaded.specs), outcomes=()
    )


def test_sheet_factors_match_the_row_by_row_choice(loaded) -> None:  # type: ignore[no-untyped-def]
    h = small_study().sim.history
    frame = score_frame(loaded, h, h.observed_until)
    names = list(loaded.feature_names)
    m = loaded.model
    phi = contributions(m, frame.select(names))
    rows = np.flatnonzero(m.risk(frame.select(names)) >= loaded.metadata["threshold"])
    sheets = _sheets(loaded, frame, phi, m.risk(frame.select(names)), None, rows, 3)
    assert len(sheets) == len(rows) > 0
    for sheet, i in zip(sheets, rows, strict=True):
        now = phi.values[i]
        up = [names[j] for j in np.argsort(-now, kind="stable") if now[j] > 0][:3]
        down = [names[j] for j in np.argsort(now, kind="stable") if now[j] < 0][:3]
        assert sheet.child_id == frame["child_id"][int(i)]
        assert [f.feature for f in sheet.raising] == up
        assert [f.feature for f in sheet.lowering] == down
