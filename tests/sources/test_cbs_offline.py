"""The CBS import runs with no network at all (CBS Remote Access has none)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from earlysignal.sources.cbs import import_cbs
from earlysignal.sources.cbs_write import write_cbs
from earlysignal.synth import simulate


def test_sav_import_with_the_network_switched_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = simulate(60, years=3, seed=4).history
    write_cbs(history, tmp_path)  # .sav

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the CBS import tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    back, report = import_cbs(tmp_path)
    assert report.validation is not None and report.validation["ok"]
    assert back.placements.height > 0
