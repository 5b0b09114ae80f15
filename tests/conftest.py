"""Shared test configuration: hypothesis profiles and paths to the shared reference data."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# OpenMP threads (LightGBM, scikit-learn) sleep when they wait instead of spinning. The suite runs
# one pytest-xdist worker per core and each fits LightGBM on 2 threads: spinning threads take the
# cores their siblings need (two 3-model LightGBM scripts at once on the loaded 2-core machine:
# 222 s and 35 s of CPU each spinning, 4 s and 1.4 s of CPU sleeping). Set before anything loads
# OpenMP; notebook kernels and subprocesses started by tests inherit it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import pytest
from hypothesis import HealthCheck, settings

# CI is reproducible: derandomized examples, no deadline on a loaded 2-core machine.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=40,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev",
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The public reference data in ../shared/data (never copied into the project)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(
            f"reference data not found at {SHARED_DATA}: the tests expect the shared/ folder "
            "beside the repository (as CI provides it)"
        )
    return SHARED_DATA


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On pytest-xdist workers (``--dist loadgroup``): units and order (tests/xdist_units.py)."""
    if getattr(config.option, "loadgroup", False):  # set on the workers of --dist loadgroup
        from xdist_units import arrange  # type: ignore[import-not-found]

        arrange(items, pytest.mark.xdist_group)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """The loadgroup scheduler with a module as the unit of an ungrouped test."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling
    from xdist_units import unit_scheduler  # type: ignore[import-not-found]

    return unit_scheduler(LoadGroupScheduling)(config, log)
