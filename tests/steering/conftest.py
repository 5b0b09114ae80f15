"""A small simulated history shared by the steering tests (simulated once per session)."""

from __future__ import annotations

import pytest

from earlysignal.synth import Simulation, simulate


@pytest.fixture(scope="session")
def small_sim() -> Simulation:
    return simulate(2500, years=5, seed=11)
