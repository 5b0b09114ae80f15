"""A local server started by a test (``server`` mark): a free port, its health, waiting, stopping.

Shared by ``tests/scoring/test_serve.py`` (``mlflow models serve``) and
``tests/tracking/test_mlflow_server.py`` (``mlflow server``).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(url: str) -> bool:
    """Whether ``url`` (a health endpoint) answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float) -> None:
    """Wait until ``url`` answers 200; fail with the log's tail if the server exits or times out."""
    deadline = time.monotonic() + timeout_s
    while not healthy(url):
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"{url} not healthy after {timeout_s} s:\n{log.read_text()[-3000:]}")
        time.sleep(1)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server started with ``start_new_session=True`` and its workers (its group)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
