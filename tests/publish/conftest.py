"""Fixtures of the export tests."""

from __future__ import annotations

from typing import Any

import pytest
from filled_cards import filled_card


@pytest.fixture
def card() -> dict[str, Any]:
    return filled_card()
