"""``earlysignal score``: ranked table, sheets for the flagged, overview; bad input refused."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
from studies import small_study  # type: ignore[import-not-found]
from typer.testing import CliRunner

from earlysignal.cli import app
from earlysignal.scoring import ScoringError, load_scoring_model, score

pytestmark = pytest.mark.slow


def test_score_writes_ranked_table_sheets_and_overview(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import mlflow

    s = small_study()
    h = s.sim.history
    result = score(loaded, h, as_of=h.observed_until, out=tmp_path / "out", tracking_uri=s.uri)
    ranked = pl.read_csv(tmp_path / "out" / "ranked.csv")
    assert ranked["risk"].to_list() == sorted(ranked["risk"].to_list(), reverse=True)
    assert ranked["rank"].to_list() == list(range(1, ranked.height + 1))
    assert (ranked["risk_lower"] <= ranked["risk_upper"]).all()
    flagged = ranked.filter(pl.col("flagged"))["child_id"].to_list()
    assert 0 < len(flagged) < ranked.height
    sheets = sorted(p.name for p in (tmp_path / "out" / "sheets").iterdir())
    assert sheets == sorted([f"{c}.html" for c in flagged] + [f"{c}.md" for c in flagged])
    md = (tmp_path / "out" / "sheets" / f"{flagged[0]}.md").read_text()
    assert "not a judgement" in md and "What raises the estimate" in md
    assert "Flagged by the card" in (tmp_path / "out" / "overview.html").read_text()
    # every child in a non-temporary placement on the day, nobody else
    assert ranked.height == result.summary["children_scored"]
    run = mlflow.MlflowClient(s.uri).get_run(result.run_id)
    assert run.data.tags["earlysignal.model_run_id"] == s.result.run_id
    assert run.data.metrics["children_scored"] % 5 == 0
    artifacts = mlflow.MlflowClient(s.uri).list_artifacts(result.run_id)
    assert artifacts == []  # nothing row-level goes to MLflow


def _refused(loaded, data, tmp_path: Path, rule: str, **kw) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    with pytest.raises(ScoringError, match=rule):
        score(loaded, data, out=out, log_run=False, **kw)
    assert not out.exists()  # nothing written half
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_bad_input_is_refused_with_the_rule_and_nothing_written(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h = small_study().sim.history
    end = h.observed_until
    _refused(loaded, h, tmp_path, "S06", as_of=end - timedelta(days=100))
    _refused(loaded, _all_left_care(h), tmp_path, "S08", as_of=end)
    other = replace(h, meta={**h.meta, "source": "ssda903"})
    _refused(loaded, other, tmp_path, "S07", as_of=end)
    extra = pl.DataFrame(
        {
            "child_id": [h.children["child_id"][0]],
            "date": [end - timedelta(1)],
            "kind": ["new_kind"],
        }
    )
    newvocab = replace(h, events=pl.concat([h.events, extra], how="diagonal_relaxed"))
    _refused(loaded, newvocab, tmp_path, "S05", as_of=end)
    with pytest.raises(ScoringError, match="S01"):
        load_scoring_model("models:/no_such_model/1", tracking_uri=small_study().uri)


def _all_left_care(h):  # type: ignore[no-untyped-def]
    """The children whose every placement has ended: nobody is in placement at the end."""
    still = h.placements.filter(pl.col("end").is_null())["child_id"].unique()
    gone = h.children.filter(~pl.col("child_id").is_in(still.implode()))["child_id"]
    return h.subset(gone.to_list())


def test_override_is_recorded(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h = small_study().sim.history
    other = replace(h, meta={**h.meta, "source": "ssda903"})
    result = score(
        loaded,
        other,
        as_of=h.observed_until,
        out=tmp_path / "o",
        log_run=False,
        override="checked with the data team: same recording rules",
    )
    saved = json.loads((tmp_path / "o" / "scoring.json").read_text())
    assert saved["override"]["reason"].startswith("checked with the data team")
    assert saved["override"]["rules"][0].startswith("S07")
    assert {k: v for k, v in result.summary.items() if k != "durations_s"} == saved


def test_changed_model_files_are_refused(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "model"
    shutil.copytree(loaded.folder, folder)
    booster = folder / "booster.txt"
    booster.write_text(booster.read_text().replace("shrinkage=", "shrinkage=0", 1))
    with pytest.raises(ScoringError, match="S03"):
        load_scoring_model(folder)


def test_cli_score_as_of_the_last_day(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s = small_study()
    end = s.sim.history.observed_until.isoformat()
    args = [
        "score",
        str(loaded.folder),
        str(s.data),
        "--as-of",
        end,
        "--out",
        str(tmp_path / "cli"),
        "--tracking-uri",
        s.uri,
    ]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert (tmp_path / "cli" / "overview.html").is_file()
    again = CliRunner().invoke(app, args)  # the folder is no longer empty
    assert again.exit_code == 2 and "S09" in again.output
