"""Same seed, same bytes; different seeds, different histories."""

from __future__ import annotations

from pathlib import Path

from earlysignal.synth import simulate


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.*"))}


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a = simulate(400, years=3, seed=7).write(tmp_path / "a")
    b = simulate(400, years=3, seed=7).write(tmp_path / "b")
    fa, fb = _files(a), _files(b)
    assert "truth/placements.parquet" in fa and "children.parquet" in fa
    assert fa == fb


def test_different_seed_differs() -> None:
    a = simulate(400, years=3, seed=7).history
    b = simulate(400, years=3, seed=8).history
    assert not a.placements.equals(b.placements)
