"""The run's MLflow parameters, tags and metrics and its logged model's parameters show the
decision rule's thresholds to 3 significant digits; only the saved model holds them exactly."""

from __future__ import annotations

import pytest
from studies import small_study  # type: ignore[import-not-found]

pytestmark = pytest.mark.slow


def test_the_exact_thresholds_are_only_in_the_saved_model(loaded) -> None:  # type: ignore[no-untyped-def]
    import mlflow

    s = small_study()
    meta = loaded.metadata
    exact = {float(meta["threshold"]), float(meta["score_threshold"])}
    client = mlflow.MlflowClient(s.uri)
    model = client.get_logged_model(s.result.card["provenance"]["logged_model"]["model_id"])
    for key in ("threshold", "score_threshold"):
        shown = float(model.params[key])
        assert shown == float(f"{float(meta[key]):.3g}")  # 3 significant digits
    run = client.get_run(s.result.run_id)
    logged = [*model.params.values(), *run.data.params.values(), *run.data.tags.values()]
    numbers = {float(v) for v in logged if _is_number(v)} | set(run.data.metrics.values())
    assert not exact & numbers  # the exact values appear nowhere else in the run
    decision = s.result.card["decision"]
    assert decision["score_threshold"] == float(f"{meta['score_threshold']:.3g}")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
