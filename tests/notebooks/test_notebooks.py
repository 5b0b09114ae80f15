"""Every notebook in ``notebooks/`` runs top to bottom without error (executed as in CI).

Notebooks 03-08 read ``EARLYSIGNAL_NOTEBOOK_SCALE`` and run here on simulated cohorts of
that share of their default size (every cell still runs; the figures are noisier), which keeps
CI short; a reader who opens a notebook gets the default size.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
SCALE = "0.3"  # share of each notebook's default number of simulated children


def test_notebooks_exist() -> None:
    assert len(NOTEBOOKS) >= 5, f"expected the five tutorial notebooks, found {NOTEBOOKS}"


@pytest.mark.slow
@pytest.mark.long
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = nbformat.read(path, as_version=4)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlruns.db'}")
    monkeypatch.setenv("EARLYSIGNAL_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv("EARLYSIGNAL_NOTEBOOK_SCALE", SCALE)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert not errors
