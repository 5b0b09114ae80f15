"""Session fixtures: the default simulated cohort (cached once) and a small cohort."""

from __future__ import annotations

import pytest

from earlysignal.synth import Simulation, simulate


@pytest.fixture(scope="session")
def default_sim() -> Simulation:
    """The default cohort: 20,000 children, 10 years, seed 0."""
    return simulate()


@pytest.fixture(scope="session")
def small_sim() -> Simulation:
    """A small cohort for fast behaviour tests."""
    return simulate(1500, years=6, seed=11)
