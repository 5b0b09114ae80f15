"""A run logged to a SQLite store keeps its artifacts beside the database, not in the folder
the command happens to run from (MLflow's own default is ``./mlruns`` of the working folder: a
model, a card and the audit could land in a user's project folder or repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

from earlysignal.tracking import log_json, tracked_run


def test_artifacts_go_beside_the_sqlite_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, elsewhere = tmp_path / "store", tmp_path / "elsewhere"
    store.mkdir()
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    uri = f"sqlite:///{store / 'runs.db'}"
    with tracked_run(experiment="beside", run_name="r", uri=uri) as run:
        log_json({"a": 1}, "facts.json")
    assert not (elsewhere / "mlruns").exists(), sorted(p.name for p in elsewhere.iterdir())
    found = list((store / "mlruns").rglob("facts.json"))
    assert len(found) == 1 and run.info.run_id in str(found[0])
    # a second run of the same experiment reuses it (no error when it exists)
    with tracked_run(experiment="beside", run_name="r2", uri=uri):
        log_json({"b": 2}, "facts.json")
    assert len(list((store / "mlruns").rglob("facts.json"))) == 2
