"""Log a saved earlysignal model as an MLflow 3 logged model with a ``pyfunc`` flavour.

The model is logged "from code" (:mod:`earlysignal.scoring.pyfunc_model`): MLflow stores that
Python file and the saved model folder (text and JSON files with a SHA-256 manifest) and never
pickles anything. The input example is synthetic (zeros and ones), never a real child's row.

``import mlflow`` happens inside the functions.

Examples
--------
>>> synthetic_input_example(["moves_365d", "age"]).to_dict("list")
{'moves_365d': [0.0, 1.0], 'age': [0.0, 1.0]}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LOGGED_MODEL_NAME",
    "OUTPUT_COLUMNS",
    "log_model_of_run",
    "log_risk_model",
    "model_signature",
    "synthetic_input_example",
]

LOGGED_MODEL_NAME = "risk_model"
"""The name of the logged model within its run."""

OUTPUT_COLUMNS: tuple[str, ...] = ("risk", "risk_lower", "risk_upper")
"""The columns the pyfunc model returns."""


def synthetic_input_example(feature_names: Sequence[str]) -> pd.DataFrame:
    """Two synthetic rows (all zeros, all ones): an input example that holds no child's data."""
    import pandas as pd

    return pd.DataFrame({n: [0.0, 1.0] for n in feature_names})


def model_signature(feature_names: Sequence[str]) -> Any:
    """The MLflow signature: one double column per feature in, risk and interval out."""
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, Schema

    return ModelSignature(
        inputs=Schema([ColSpec("double", n) for n in feature_names]),
        outputs=Schema([ColSpec("double", n) for n in OUTPUT_COLUMNS]),
    )


def log_risk_model(
    folder: str | Path,
    *,
    registered_model_name: str | None = None,
    tags: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
) -> Any:
    """Log the saved model ``folder`` to the active run as an MLflow logged model.

    Parameters
    ----------
    folder
        A folder written by :func:`earlysignal.models.save_model` (hashes checked first).
    registered_model_name
        Also register it under this name in the model registry (a new version).
    tags, params
        Tags and parameters of the logged model (card link, outcome, horizon, threshold).

    Returns
    -------
    mlflow.models.model.ModelInfo
        ``model_uri`` (``models:/m-...``), ``model_id``, ``registered_model_version``.
    """
    import mlflow

    from earlysignal.models import read_manifest
    from earlysignal.scoring import pyfunc_model

    manifest = read_manifest(folder, verify=True)
    names = [str(n) for n in manifest["feature_names"]]
    if registered_model_name:
        # register in the store the run is logged to: a registry URI set earlier in this
        # process (or inherited through MLFLOW_REGISTRY_URI) must not send it elsewhere
        mlflow.set_registry_uri(mlflow.get_tracking_uri())
    key = _structure_key(Path(folder))
    info = mlflow.pyfunc.log_model(
        name=LOGGED_MODEL_NAME,
        python_model=str(Path(pyfunc_model.__file__)),
        artifacts={pyfunc_model.ARTIFACT_KEY: str(folder)},
        signature=model_signature(names),
        input_example=synthetic_input_example(names),
        registered_model_name=registered_model_name,
        tags=dict(tags or {}),
        params=dict(params or {}),
        pip_requirements=_REQUIREMENTS.get(key),  # None: MLflow infers them (a subprocess)
    )
    if key not in _REQUIREMENTS:
        _REQUIREMENTS[key] = _logged_requirements(info.model_id)
    return info


def _logged_requirements(model_id: str) -> list[str]:
    """The ``requirements.txt`` lines of a logged model, read from its artifact location (a
    copy in a temporary folder: nothing is written to the store)."""
    import tempfile

    import mlflow

    location = str(mlflow.get_logged_model(model_id).artifact_location).rstrip("/")
    with tempfile.TemporaryDirectory(prefix="earlysignal-reqs-") as tmp:
        path = mlflow.artifacts.download_artifacts(
            artifact_uri=f"{location}/requirements.txt", dst_path=tmp
        )
        text = Path(path).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line]


_REQUIREMENTS: dict[str, list[str]] = {}
"""The pip requirements MLflow inferred for each model structure, in this process.

MLflow infers a logged model's requirements by loading it in a fresh Python process and
recording what it imports (seconds, most of logging a model). What loading imports depends
only on the model's structure (its classes, calibration method and files, and the pyfunc code),
never on its numbers, and the installed packages do not change within a process: the second
model of the same structure (logged from the same working folder with the same ``MLFLOW_*``
settings, which choose how MLflow infers) is logged with the first one's requirements, the
same files.
"""


def _structure_key(folder: Path) -> str:
    """The model's structure: the pyfunc code, its files, the classes and methods it holds."""
    import hashlib
    import json
    import os

    from earlysignal.scoring import pyfunc_model

    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in sorted(node.items()):
                if k in ("class", "method") and isinstance(v, str):
                    found.append(f"{k}={v}")
                walk(v)
        elif isinstance(node, list):
            for v in node:
                if isinstance(v, dict | list):
                    walk(v)

    spec = folder / "model.json"
    walk(json.loads(spec.read_text(encoding="utf-8")) if spec.is_file() else {})
    code = hashlib.sha256(Path(pyfunc_model.__file__).read_bytes()).hexdigest()
    # MLflow exports a uv project's lock instead when the working folder is one (and
    # MLFLOW_UV_AUTO_DETECT allows it): the folder and MLflow's settings are part of the key
    settings = sorted((k, v) for k, v in os.environ.items()
                      if k.startswith("MLFLOW_") and not k.endswith("_URI"))  # fmt: skip
    files = sorted(p.name for p in folder.iterdir())
    return json.dumps([code, files, found, os.getcwd(), settings])


def log_model_of_run(
    folder: str | Path, run_id: str, register_as: str | None = None
) -> dict[str, Any]:
    """Log a study's saved model as its run's logged model, linked to the run's card.

    Returns JSON-ready facts for the card's provenance: ``model_id``, ``model_uri``,
    ``registered_name`` and ``registered_version`` (null when not registered), ``card``.
    """
    from earlysignal.models import read_manifest
    from earlysignal.models.decision import shown_threshold

    meta = read_manifest(folder, verify=True).get("metadata", {})
    card_uri = f"runs:/{run_id}/model_card/model_card.json"
    tags = {
        "earlysignal.card": card_uri,
        "earlysignal.features": f"runs:/{run_id}/model/features.json",
        "earlysignal.outcome": str(meta.get("outcome", "")),
        "earlysignal.data_source": str(meta.get("data_source", "")),
    }
    params = {
        k: meta[k]
        for k in ("outcome", "horizon_days", "capacity", "train_end", "calibrate_end")
        if meta.get(k) is not None
    }
    for k in ("threshold", "score_threshold"):  # 3 significant digits: exact only when saved
        if meta.get(k) is not None:
            params[k] = shown_threshold(meta[k])
    info = log_risk_model(folder, registered_model_name=register_as, tags=tags, params=params)
    version = getattr(info, "registered_model_version", None)
    return {
        "model_id": str(info.model_id),
        "model_uri": str(info.model_uri),
        "registered_name": register_as,
        "registered_version": None if version is None else int(version),
        "card": card_uri,
    }
