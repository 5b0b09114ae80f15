"""docs/features.md is generated from the specs and must be up to date."""

from __future__ import annotations

from pathlib import Path

from earlysignal.features import default_specs, feature_names
from earlysignal.features.docs import features_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "features.md"


def test_features_md_is_generated_from_the_specs():
    assert DOC.read_text() == features_markdown(), (
        "docs/features.md is stale: run `uv run python -m earlysignal.features.docs > "
        "docs/features.md`"
    )


def test_every_default_feature_is_listed():
    text = DOC.read_text()
    assert all(f"| `{n}` |" in text for n in feature_names(default_specs()))
