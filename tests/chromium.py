"""Headless Chromium for the page tests (``browser`` mark): DOM dump and screenshot."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium() -> str:
    exe = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if exe is None:
        pytest.fail(
            "headless Chromium is required to check the pages but /usr/bin/chromium is "
            "missing: install Debian's package with `apt-get install -y chromium`"
        )
    return exe


def run_chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def dom_and_screenshot(page: Path, tmp_path: Path, size: str = "1000,1600") -> str:
    """The page's DOM after Chromium rendered it; a PNG screenshot is left beside the test."""
    url = page.resolve().as_uri()
    dom = run_chromium(["--dump-dom", url], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    shot = tmp_path / f"{page.stem}.png"
    done = run_chromium([f"--screenshot={shot}", f"--window-size={size}", url], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")
    return dom.stdout
