"""A ComputeSpec refuses unusable settings with a rule id, and sizes threads per task."""

from __future__ import annotations

import pytest

from earlysignal.compute import ComputeError, ComputeSpec, run_tasks
from earlysignal.compute import run as compute_run


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"backend": "spark"}, "COMPUTE-BACKEND"),
        ({"n_jobs": 0}, "COMPUTE-N-JOBS"),
        ({"threads_per_task": 0}, "COMPUTE-THREADS"),
        ({"address": "tcp://127.0.0.1:8786"}, "COMPUTE-ADDRESS"),
    ],
)
def test_bad_settings_name_their_rule(kwargs: dict[str, object], rule: str) -> None:
    with pytest.raises(ComputeError) as err:
        ComputeSpec(**kwargs)  # type: ignore[arg-type]
    assert err.value.rule == rule and rule in str(err.value)


def test_threads_per_task_split_the_cores_locally_and_default_to_one_on_a_cluster() -> None:
    assert ComputeSpec().threads(cores=2) == 2
    assert ComputeSpec(n_jobs=2).threads(cores=2) == 1
    assert ComputeSpec(n_jobs=4).threads(cores=2) == 1
    assert ComputeSpec(n_jobs=2, threads_per_task=3).threads(cores=2) == 3
    assert ComputeSpec(backend="ray", address="auto").threads(cores=64) == 1


def test_an_address_that_does_not_answer_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    # the client's wait is the only slow part: 2 s instead of 20 s, the same error path
    monkeypatch.setattr(compute_run, "CONNECT_TIMEOUT", "2s")
    # a port on this machine nobody listens on (never a remote address)
    spec = ComputeSpec(backend="dask", address="tcp://127.0.0.1:9")
    with pytest.raises(ComputeError) as err:
        run_tasks(pow, {"x": {"base": 1, "exp": 1}}, compute=spec)
    assert err.value.rule == "COMPUTE-ADDRESS" and "127.0.0.1:9" in str(err.value)
