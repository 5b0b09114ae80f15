"""Shared fixtures of the scoring tests."""

from __future__ import annotations

import pytest
from studies import REGISTERED, small_study  # type: ignore[import-not-found]

from earlysignal.scoring import load_scoring_model


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The small study's registered model, loaded for scoring (once per test module)."""
    s = small_study()
    return load_scoring_model(
        f"models:/{REGISTERED}/1", tracking_uri=s.uri, workdir=tmp_path_factory.mktemp("model")
    )
