"""The ledger folder holds keyed hashes only, a private key, and says what it is."""

from __future__ import annotations

import stat
from pathlib import Path

import polars as pl
import pytest

from earlysignal.disclosure import protect
from earlysignal.ledger import LedgerError, PublicationLedger, ledger_for


def test_the_ledger_holds_no_child_id_and_a_private_key(tmp_path: Path) -> None:
    led = PublicationLedger(tmp_path / "ledger")
    ids = [f"child-{i:04d}" for i in range(25)]
    table = pl.DataFrame(
        {"g": ["x"], "n": [25], "ids": [ids]},
        schema={"g": pl.String, "n": pl.Int64, "ids": pl.List(pl.String)},
    )
    protect(table, count_cols=["n"], by=["g"], members={"n": "ids"}, table="t", ledger=led)
    folder = tmp_path / "ledger"
    key = folder / "ledger.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "never publish" in (folder / "README.txt").read_text()
    for part in folder.glob("*.parquet"):
        raw = part.read_bytes()
        assert not any(i.encode() in raw for i in ids)
        frame = pl.read_parquet(part)
        for col in frame.columns:
            if frame.schema[col] == pl.String:
                assert not set(frame[col].to_list()) & set(ids)
    members = pl.concat([pl.read_parquet(p) for p in folder.glob("members-*.parquet")])
    assert members.height == 25 and members.schema["h"] == pl.UInt64
    # another ledger (another key) hashes the same children differently
    other = PublicationLedger(tmp_path / "other")
    assert set(other.member_hashes(ids)).isdisjoint(led.member_hashes(ids))


def test_a_damaged_key_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "ledger.key").write_text("not hex")
    with pytest.raises(LedgerError, match="LEDGER-KEY"):
        PublicationLedger(tmp_path).member_hashes(["a"])


def test_the_run_setting_chooses_the_folder(tmp_path: Path) -> None:
    auto = ledger_for("auto", tmp_path)
    assert auto is not None and auto.path == tmp_path / "publication-ledger"
    assert ledger_for("off", tmp_path) is None
    shared = ledger_for(str(tmp_path / "shared"), tmp_path / "out")
    assert shared is not None and shared.path == tmp_path / "shared"
