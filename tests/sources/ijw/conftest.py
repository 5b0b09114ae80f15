"""Fixtures for the iJw adapter tests: archives of hand-made messages, the official XSDs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def archive(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write {file name: xml} into a fresh folder and return it."""

    def make(files: dict[str, str]) -> Path:
        d = tmp_path / "archive"
        d.mkdir(exist_ok=True)
        for name, text in files.items():
            (d / name).write_text(text, encoding="utf-8")
        return d

    return make


@pytest.fixture
def xsd_dir(shared_data: Path) -> Path:
    """The official iJw 3.2 schemas in ../shared/data/ijw/xsd (read in place, never copied)."""
    return shared_data / "ijw" / "xsd"
