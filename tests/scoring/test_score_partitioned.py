"""Scoring a partitioned folder equals scoring the whole cohort in memory.

Per-child outputs (the ranked table, the sheets), the summary (``scoring.json`` but its
timings) and the refusals: a cohort of a few hundred children in 3-4 partitions, an unknown
event kind in one partition only, records after the as-of date; and a property test that the
number of partitions never changes the scores. The model is trained once for the module
(a small calibrated LightGBM on a simulated cohort, saved and loaded as scoring loads it).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from earlysignal.data.history import CareHistory
from earlysignal.data.partitions import write_partitioned
from earlysignal.scoring import ScoringError, load_scoring_model, score

N_CHILDREN = 300


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, CareHistory]:
    """A saved-and-loaded model, and the cohort it scores (trained on earlier times)."""
    from earlysignal.cohort import Schedule, prediction_times
    from earlysignal.features import build_features, default_specs
    from earlysignal.models import CalibratedRiskModel, LightGBMRiskModel, save_model
    from earlysignal.synth import simulate

    history = simulate(N_CHILDREN, years=5, seed=11).history
    end = history.observed_until
    specs = default_specs(history, before="all")
    times = prediction_times(
        history,
        Schedule(every_days=91, start=end - timedelta(days=4 * 365), end=end - timedelta(days=200)),
    )
    frame = build_features(history, times, specs, outcomes=[("breakdown", 180)])
    frame = frame.filter(pl.col("label_breakdown_180d").is_not_null())
    names = [o.name for s in specs for o in s.outputs()]
    half = frame.height // 2
    fit, cal = frame.head(half), frame.tail(frame.height - half)
    gbm = LightGBMRiskModel(n_estimators=20, num_leaves=7, n_jobs=1).fit(
        fit.select(names), fit["label_breakdown_180d"].to_numpy()
    )
    model = CalibratedRiskModel(gbm, method="venn_abers").fit(
        cal.select(names), cal["label_breakdown_180d"].to_numpy()
    )
    threshold = float(np.quantile(model.risk(cal.select(names)), 0.85))
    folder = save_model(
        model,
        tmp_path_factory.mktemp("model") / "model",
        feature_specs=specs,
        metadata={
            "outcome": "breakdown",
            "horizon_days": 180,
            "threshold": threshold,
            "capacity": 0.15,
            "data_source": history.meta.get("source"),
            "observed_until": end.isoformat(),
        },
    )
    return load_scoring_model(folder), history


def _both(loaded: Any, history: CareHistory, tmp: Path, size: int, **kw: Any) -> tuple[Any, Any]:
    parts = tmp / "parts"
    write_partitioned(history, parts, partition_size=size)
    whole = score(loaded, history, out=tmp / "memory", log_run=False, **kw)
    split = score(loaded, parts, out=tmp / "partitioned", log_run=False, **kw)
    return whole, split


def _summary(result: Any) -> dict[str, Any]:
    s = json.loads((result.out / "scoring.json").read_text())
    s.pop("durations_s", None)
    return dict(s)


def test_partitioned_scoring_equals_in_memory(cohort, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    loaded, history = cohort
    whole, split = _both(loaded, history, tmp_path, 100, as_of=history.observed_until)
    assert split.summary["children_scored"] > 50  # enough to mean something
    assert 0 < split.summary["children_flagged"] < split.summary["children_scored"]
    a = pl.read_parquet(whole.out / "ranked.parquet")
    b = pl.read_parquet(split.out / "ranked.parquet")
    assert a.equals(b)
    assert split.ranked.equals(whole.ranked)
    assert (whole.out / "ranked.csv").read_text() == (split.out / "ranked.csv").read_text()
    assert _summary(split) == _summary(whole)
    assert set(split.summary["durations_s"]) == set(whole.summary["durations_s"])
    sheets = sorted(p.name for p in (whole.out / "sheets").iterdir())
    assert sheets == sorted(p.name for p in (split.out / "sheets").iterdir())
    for name in sheets:
        assert (whole.out / "sheets" / name).read_text() == (
            split.out / "sheets" / name
        ).read_text()
    assert (whole.out / "overview.html").read_text() == (split.out / "overview.html").read_text()
    assert sorted(p.name for p in split.out.iterdir()) == sorted(
        p.name for p in whole.out.iterdir()
    )


def _with_events(history: CareHistory, rows: pl.DataFrame) -> CareHistory:
    events = pl.concat([history.events, rows], how="diagonal_relaxed")
    return replace(history, events=events)


def _refusal(loaded: Any, history: CareHistory, tmp: Path, size: int, **kw: Any) -> tuple[str, str]:
    parts = tmp / "parts"
    write_partitioned(history, parts, partition_size=size)
    messages = []
    for data, out in ((history, "memory"), (parts, "partitioned")):
        with pytest.raises(ScoringError) as err:
            score(loaded, data, out=tmp / out, log_run=False, **kw)
        assert not (tmp / out).exists()  # nothing written half
        messages.append(str(err.value))
    assert not [p for p in tmp.iterdir() if p.name.startswith(".")]
    return messages[0], messages[1]


def test_unknown_kind_in_one_partition_is_refused_as_in_memory(cohort, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    loaded, history = cohort
    end = history.observed_until
    # three children of the last partition (of three), five records of a kind the model never saw
    last = history.children["child_id"].to_list()[-3:]
    new = pl.DataFrame(
        {
            "child_id": [last[0], last[0], last[1], last[2], last[2]],
            "date": [end - timedelta(days=d) for d in (3, 40, 9, 1, 60)],
            "kind": ["new_kind"] * 5,
        }
    )
    memory, partitioned = _refusal(loaded, _with_events(history, new), tmp_path, 100, as_of=end)
    assert memory.startswith("scoring rule S05")
    assert "'new_kind' (5 records, 3 children)" in memory
    assert partitioned == memory


def test_late_records_are_refused_with_the_cohort_row_as_in_memory(cohort, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    loaded, history = cohort
    as_of = history.observed_until - timedelta(days=30)
    memory, partitioned = _refusal(loaded, history, tmp_path, 90, as_of=as_of)
    assert memory.startswith("scoring rule S06") and "such rows" in memory
    assert partitioned == memory


def test_cli_scores_a_partitioned_folder_and_logs_aggregates_only(cohort, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from earlysignal.cli import app

    loaded, history = cohort
    write_partitioned(history, tmp_path / "parts", partition_size=120)
    res = CliRunner().invoke(
        app,
        [
            "score",
            str(loaded.folder),
            str(tmp_path / "parts"),
            "--as-of",
            history.observed_until.isoformat(),
            "--out",
            str(tmp_path / "out"),
            "--tracking-uri",
            f"sqlite:///{tmp_path / 'mlruns.db'}",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "scored" in res.output and (tmp_path / "out" / "ranked.csv").exists()
    # the scoring run stays aggregate-only: rounded counts, no artifact
    import mlflow

    client = mlflow.MlflowClient(f"sqlite:///{tmp_path / 'mlruns.db'}")
    run_id = res.output.split("MLflow run:")[1].split()[0]
    assert client.list_artifacts(run_id) == []
    assert client.get_run(run_id).data.metrics["children_scored"] % 5 == 0


@pytest.fixture(scope="module")
def in_memory(cohort, tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    loaded, history = cohort
    out = tmp_path_factory.mktemp("whole") / "out"
    return score(loaded, history, as_of=history.observed_until, out=out, log_run=False).ranked


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(size=st.integers(min_value=25, max_value=N_CHILDREN + 10))
def test_partition_count_does_not_change_the_scores(cohort, in_memory, tmp_path, size) -> None:  # type: ignore[no-untyped-def]
    import tempfile

    loaded, history = cohort
    with tempfile.TemporaryDirectory(dir=tmp_path) as d:
        write_partitioned(history, Path(d) / "parts", partition_size=size)
        out = score(
            loaded,
            Path(d) / "parts",
            as_of=history.observed_until,
            out=Path(d) / "out",
            log_run=False,
        )
        assert out.ranked.equals(in_memory)
