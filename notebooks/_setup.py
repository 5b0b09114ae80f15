"""The setup every tutorial notebook shares: table display, the output folder, quiet training.

The notebooks (``NN_*.py`` jupytext scripts paired with ``NN_*.ipynb``) import it as
``from _setup import ...``: Jupyter, ``nbclient`` (``tests/notebooks``) and
``python notebooks/NN_name.py`` all put the notebooks' folder on the import path. It holds only
the plumbing a tutorial should not repeat; what each notebook studies (the simulated cohort,
the config) stays in the notebook, where the reader sees it.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import polars as pl


def start(*, training: bool = False) -> Path:
    """Set the table display, make the output folder and return it.

    Outputs go to ``EARLYSIGNAL_NOTEBOOK_OUT`` if set, else to a fresh temporary folder: never
    the repository, so no data ends up in git. With ``training=True`` also
    :func:`quiet_training`, which must run before lightgbm is first imported.
    """
    pl.Config.set_tbl_rows(15)
    pl.Config.set_tbl_cols(12)
    pl.Config.set_fmt_str_lengths(60)
    out = Path(
        os.environ.get("EARLYSIGNAL_NOTEBOOK_OUT") or tempfile.mkdtemp(prefix="earlysignal-")
    )
    out.mkdir(parents=True, exist_ok=True)
    print("outputs go to", out)
    if training:
        quiet_training()
    return out


def scale() -> float:
    """How many times the notebook's simulated cohorts: ``EARLYSIGNAL_NOTEBOOK_SCALE``, default 1.

    The tests run notebooks 03-08 at 0.3 to keep CI short; every cell still runs. The text
    of each notebook describes the default sizes.
    """
    return float(os.environ.get("EARLYSIGNAL_NOTEBOOK_SCALE") or 1)


def quiet_training() -> None:
    """Passive OpenMP threads for LightGBM and no ipywidgets warning from shap.

    LightGBM's OpenMP threads should sleep, not spin, while they wait for each other: on a
    machine shared with other jobs, spinning threads slow training down many times over. This
    must be set before lightgbm is first imported (set ``OMP_WAIT_POLICY`` yourself to
    override). shap imports tqdm's notebook progress bars, which warn when ipywidgets is not
    installed.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    warnings.filterwarnings("ignore", message="IProgress not found")


def tracking_uri(out: Path) -> str:
    """``MLFLOW_TRACKING_URI`` when set, else a SQLite file in ``out``; MLflow made quieter.

    The notebook test sets ``MLFLOW_TRACKING_URI`` to a temporary SQLite file; running a
    notebook by hand never writes a database into the repository. No download progress bars,
    no INFO lines from MLflow (set the variables yourself to override).
    """
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")
    uri = os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{out / 'mlruns.db'}"
    print("MLflow tracking URI:", uri)
    return uri
