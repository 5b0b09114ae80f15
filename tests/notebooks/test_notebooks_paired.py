"""Every notebook is a jupytext percent script paired with its ``.ipynb``, and the two agree.

The ``.py`` script is the source that ruff and mypy check (``notebooks/jupytext.toml`` pairs
them); the ``.ipynb`` is what a researcher opens. After editing either, run
``uv run jupytext --sync notebooks/NN_name.py``.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest

HERE = Path(__file__).resolve().parents[2] / "notebooks"
SCRIPTS = sorted(HERE.glob("[0-9][0-9]_*.py"))
NOTEBOOKS = sorted(HERE.glob("[0-9][0-9]_*.ipynb"))


def test_each_notebook_has_its_script_and_back() -> None:
    assert len(NOTEBOOKS) >= 8
    assert {p.stem for p in SCRIPTS} == {p.stem for p in NOTEBOOKS}


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_the_pair_holds_the_same_cells(script: Path) -> None:
    text = jupytext.read(script)
    notebook = nbformat.read(script.with_suffix(".ipynb"), as_version=4)
    as_text = [(c.cell_type, c.source) for c in text.cells]
    as_notebook = [(c.cell_type, c.source) for c in notebook.cells]
    assert as_text == as_notebook, f"run: uv run jupytext --sync {script.relative_to(HERE.parent)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebooks_carry_no_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
