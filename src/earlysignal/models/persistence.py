"""Saving and loading risk models without pickle.

A saved model is a folder:

- ``model.json``: the model's class, parameters and fitted arrays (logistic coefficients,
  imputation and scaling parameters; rule cells; isotonic thresholds or sigmoid ``a``, ``b``;
  Venn-ABERS slots) and the feature names. Floats are written by Python's ``repr``, which
  round-trips exactly, so a loaded model scores bit for bit like the saved one.
- ``booster.txt``: LightGBM's own text model, when the model contains one, without the
  training data's range of each numeric feature (LightGBM's ``feature_infos`` line holds
  ``[min:max]``: the exact smallest and largest value of a training row, such as one child's
  age in days; written as ``none``, which LightGBM reads back and which no prediction uses:
  ``tests/models/test_saved_booster_holds_no_row_values.py``). Split thresholds are LightGBM's
  own midpoints between two rows' values.
- ``features.json`` (optional): the feature specs the model expects, as JSON.
- ``manifest.json``: format version, the earlysignal version, and the SHA-256 of every file
  above. ``load_model`` recomputes the hashes and refuses a folder whose files were changed,
  removed or added, naming the file. The manifest guards against accidents and naive
  tampering; it is not a signature (someone who can rewrite the files can rewrite the
  manifest): keep models where only their owners can write.

Pickle is never used: unpickling runs arbitrary code, and a model shared with an agency must be
inspectable as text.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from earlysignal.models._base import RiskModel
from earlysignal.models.calibration import CalibratedRiskModel, VennAbers
from earlysignal.models.gbm import LightGBMRiskModel
from earlysignal.models.logistic import LogisticRiskModel
from earlysignal.models.rules import RuleBaseline

__all__ = [
    "ModelIntegrityError",
    "load_feature_specs",
    "load_model",
    "read_manifest",
    "save_model",
]

FORMAT = "earlysignal.model"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BOOSTER = "booster.txt"


class ModelIntegrityError(ValueError):
    """A saved model folder does not match its manifest (changed, missing or extra file)."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__spec__": type(value).__name__, **fields}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _names(model: RiskModel) -> list[str] | None:
    names = getattr(model, "feature_names_in_", None)
    return None if names is None else [str(n) for n in names]


def _without_feature_ranges(text: str) -> str:
    r"""LightGBM's text model with each numeric feature's ``[min:max]`` range written ``none``.

    The range is the smallest and largest value in the training rows: one row's exact value.
    Categorical features keep their list of categories (LightGBM needs it).

    Examples
    --------
    >>> _without_feature_ranges("tree\nfeature_infos=[0:17] none -1:0:2\nx=1\n")
    'tree\nfeature_infos=none none -1:0:2\nx=1\n'
    """
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("feature_infos="):
            infos = line.removeprefix("feature_infos=").split(" ")
            kept = ["none" if info.startswith("[") else info for info in infos]
            lines[i] = "feature_infos=" + " ".join(kept)
            break
    return "\n".join(lines)


def _encode(model: RiskModel, booster_text: list[str]) -> dict[str, Any]:
    common = {
        "class": type(model).__name__,
        "params": {},
        "n_features_in": int(model.n_features_in_),
        "feature_names": _names(model),
        "classes": np.asarray(getattr(model, "classes_", [0, 1])).tolist(),
    }
    if isinstance(model, LightGBMRiskModel):
        booster_text.append(_without_feature_ranges(model.booster_.model_to_string()))
        return {
            **common,
            "params": model.get_params(),
            "n_trees": model.n_trees_,
            "booster_file": BOOSTER,
        }
    if isinstance(model, LogisticRiskModel):
        return {
            **common,
            "params": model.get_params(),
            "impute_values": model.impute_values_.tolist(),
            "mean": model.mean_.tolist(),
            "scale": model.scale_.tolist(),
            "coef": model.coef_.tolist(),
            "intercept": model.intercept_,
            "log_columns": np.flatnonzero(model.log_columns_).tolist(),
        }
    if isinstance(model, RuleBaseline):
        params = model.get_params()
        params["cutpoints"] = [float(c) for c in model.cutpoints]
        return {
            **common,
            "params": params,
            "feature_index": model.feature_index_,
            "cell_rows": model.cell_rows_.tolist(),
            "cell_events": model.cell_events_.tolist(),
            "cell_probability": model.cell_probability_.tolist(),
            "base_rate": model.base_rate_,
        }
    if isinstance(model, CalibratedRiskModel):
        encoded: dict[str, Any] = {
            **common,
            "params": {
                "method": model.method,
                "intervals": model.intervals,
                "resolution": model.resolution,
                "cv": model.cv,
            },
            "base": _encode(model.base_, booster_text),
            "n_calibration_rows": model.n_calibration_rows_,
        }
        if model.method == "isotonic":
            encoded["calibrator"] = {
                "thresholds_x": model.thresholds_x_.tolist(),
                "thresholds_y": model.thresholds_y_.tolist(),
            }
        elif model.method == "sigmoid":
            encoded["calibrator"] = {"a": model.a_, "b": model.b_}
        else:
            encoded["calibrator"] = {"venn_abers": "see venn_abers"}
        encoded["venn_abers"] = (
            model.venn_abers_.to_dict() if model.venn_abers_ is not None else None
        )
        return encoded
    raise TypeError(
        f"save_model supports LightGBMRiskModel, LogisticRiskModel, RuleBaseline and "
        f"CalibratedRiskModel; got {type(model).__name__}"
    )


def _set_common(model: RiskModel, data: dict[str, Any]) -> None:
    model.n_features_in_ = int(data["n_features_in"])
    if data.get("feature_names") is not None:
        model.feature_names_in_ = np.asarray(data["feature_names"], dtype=object)
    model.classes_ = np.asarray(data.get("classes", [0, 1]))


def _decode(data: dict[str, Any], folder: Path) -> RiskModel:
    kind = data.get("class")
    model: RiskModel
    if kind == "LightGBMRiskModel":
        import lightgbm as lgb

        gbm = LightGBMRiskModel(**data["params"])
        text = (folder / data["booster_file"]).read_text(encoding="utf-8")
        gbm.booster_ = lgb.Booster(model_str=text)
        gbm.n_trees_ = int(data["n_trees"])
        model = gbm
    elif kind == "LogisticRiskModel":
        lr = LogisticRiskModel(**data["params"])
        lr.impute_values_ = np.asarray(data["impute_values"], dtype=np.float64)
        lr.mean_ = np.asarray(data["mean"], dtype=np.float64)
        lr.scale_ = np.asarray(data["scale"], dtype=np.float64)
        lr.coef_ = np.asarray(data["coef"], dtype=np.float64)
        lr.intercept_ = float(data["intercept"])
        lr.log_columns_ = np.zeros(len(lr.coef_), dtype=bool)
        lr.log_columns_[np.asarray(data.get("log_columns", []), dtype=np.int64)] = True
        model = lr
    elif kind == "RuleBaseline":
        params = dict(data["params"])
        params["cutpoints"] = tuple(float(c) for c in params["cutpoints"])
        rule = RuleBaseline(**params)
        rule.feature_index_ = int(data["feature_index"])
        rule.cell_rows_ = np.asarray(data["cell_rows"], dtype=np.float64)
        rule.cell_events_ = np.asarray(data["cell_events"], dtype=np.float64)
        rule.cell_probability_ = np.asarray(data["cell_probability"], dtype=np.float64)
        rule.base_rate_ = float(data["base_rate"])
        model = rule
    elif kind == "CalibratedRiskModel":
        base = _decode(data["base"], folder)
        cal = CalibratedRiskModel(base=base, **data["params"])
        cal.base_ = base
        if cal.method == "isotonic":
            cal.thresholds_x_ = np.asarray(data["calibrator"]["thresholds_x"], dtype=np.float64)
            cal.thresholds_y_ = np.asarray(data["calibrator"]["thresholds_y"], dtype=np.float64)
        elif cal.method == "sigmoid":
            cal.a_ = float(data["calibrator"]["a"])
            cal.b_ = float(data["calibrator"]["b"])
        elif cal.method != "venn_abers":
            raise ValueError(f"model.json names an unknown calibration method {cal.method!r}")
        va = data.get("venn_abers")
        cal.venn_abers_ = VennAbers.from_dict(va) if va is not None else None
        cal.n_calibration_rows_ = int(data["n_calibration_rows"])
        model = cal
    else:
        raise ValueError(f"model.json names an unknown model class {kind!r}")
    _set_common(model, data)
    return model


def save_model(
    model: RiskModel,
    directory: str | Path,
    *,
    feature_specs: Sequence[Any] | None = None,
    metadata: dict[str, Any] | None = None,
) -> Path:
    """Save a fitted model to ``directory`` (created if needed) as text files and a manifest.

    Parameters
    ----------
    model : RiskModel
        A fitted ``LightGBMRiskModel``, ``LogisticRiskModel``, ``RuleBaseline`` or
        ``CalibratedRiskModel``.
    directory : str or Path
        Target folder; it must be empty or not exist yet.
    feature_specs : sequence, optional
        The feature specs (frozen dataclasses or plain dicts), written to ``features.json``.
    metadata : dict, optional
        Extra JSON-ready facts (outcome, horizon, training period) stored in the manifest.
        Never put row-level data here.

    Returns
    -------
    Path
        The folder.

    Examples
    --------
    >>> import tempfile
    >>> from earlysignal.models import LogisticRiskModel
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 0, 1, 1])
    >>> model = LogisticRiskModel().fit(X, y)
    >>> folder = save_model(model, Path(tempfile.mkdtemp()) / "m")
    >>> bool(np.array_equal(load_model(folder).raw_score(X), model.raw_score(X)))
    True
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model, "n_features_in_")
    folder = Path(directory)
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(
            f"save_model rule 'empty target folder': {folder} is not empty; choose a new folder "
            "so that no stale file is mixed into the saved model"
        )
    folder.mkdir(parents=True, exist_ok=True)
    booster_text: list[str] = []
    encoded = _encode(model, booster_text)
    files: dict[str, str] = {}
    (folder / "model.json").write_text(json.dumps(encoded, indent=1), encoding="utf-8")
    files["model.json"] = "model.json"
    if booster_text:
        (folder / BOOSTER).write_text(booster_text[0], encoding="utf-8")
        files[BOOSTER] = BOOSTER
    if feature_specs is not None:
        (folder / "features.json").write_text(
            json.dumps(_jsonable(list(feature_specs)), indent=1), encoding="utf-8"
        )
        files["features.json"] = "features.json"
    from earlysignal import __version__

    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "earlysignal_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "model_class": type(model).__name__,
        "feature_names": _names(model),
        "metadata": _jsonable(metadata or {}),
        "sha256": {name: _sha256(folder / name) for name in sorted(files)},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return folder


def read_manifest(directory: str | Path, *, verify: bool = True) -> dict[str, Any]:
    """Read a saved model's manifest, checking every file's SHA-256 unless ``verify=False``.

    Examples
    --------
    >>> import tempfile
    >>> from earlysignal.models import RuleBaseline
    >>> m = RuleBaseline().fit(np.array([[0.0], [3.0]]), np.array([0, 1]))
    >>> folder = save_model(m, Path(tempfile.mkdtemp()) / "m", metadata={"horizon": 180})
    >>> read_manifest(folder)["metadata"]
    {'horizon': 180}
    """
    folder = Path(directory)
    path = folder / MANIFEST
    if not path.is_file():
        raise ModelIntegrityError(
            f"model folder rule 'manifest present': {path} not found; a saved earlysignal "
            "model folder holds manifest.json (written by save_model)"
        )
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ModelIntegrityError(
            f"{path} is not valid JSON ({exc}); the file was damaged"
        ) from exc
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise ModelIntegrityError(
            f"{path} declares format {manifest.get('format')!r} version "
            f"{manifest.get('format_version')!r}; this earlysignal reads {FORMAT!r} version "
            f"{FORMAT_VERSION}"
        )
    if not verify:
        return manifest
    hashes: dict[str, str] = manifest.get("sha256", {})
    present = {p.name for p in folder.iterdir() if p.is_file()} - {MANIFEST}
    extra = sorted(present - set(hashes))
    if extra:
        raise ModelIntegrityError(
            f"model folder rule 'only manifest files': {folder} holds {extra}, which the "
            "manifest does not list; remove them or re-save the model"
        )
    for name, expected in hashes.items():
        file = folder / name
        if Path(name).name != name:
            raise ModelIntegrityError(f"manifest lists a path outside the folder: {name!r}")
        if not file.is_file():
            raise ModelIntegrityError(
                f"model folder rule 'every listed file present': {file} is missing; restore it "
                "or re-save the model"
            )
        actual = _sha256(file)
        if actual != expected:
            raise ModelIntegrityError(
                f"model integrity rule 'hash matches manifest': {file} has SHA-256 "
                f"{actual[:16]}..., the manifest records {expected[:16]}...; the file was changed "
                "after saving. Do not use this model: restore the file or re-save the model"
            )
    return manifest


def load_model(directory: str | Path) -> RiskModel:
    """Load a model saved by ``save_model``, after checking every file against the manifest.

    Raises
    ------
    ModelIntegrityError
        When a file was changed, removed or added, naming the file.

    Examples
    --------
    >>> import tempfile
    >>> from earlysignal.models import RuleBaseline
    >>> m = RuleBaseline().fit(np.array([[0.0], [3.0]]), np.array([0, 1]))
    >>> folder = save_model(m, Path(tempfile.mkdtemp()) / "m")
    >>> type(load_model(folder)).__name__
    'RuleBaseline'
    """
    folder = Path(directory)
    read_manifest(folder, verify=True)
    data = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    return _decode(data, folder)


def load_feature_specs(directory: str | Path) -> list[Any] | None:
    """The feature specs saved with a model (as JSON data), or None when none were saved."""
    folder = Path(directory)
    manifest = read_manifest(folder, verify=True)
    if "features.json" not in manifest.get("sha256", {}):
        return None
    specs: list[Any] = json.loads((folder / "features.json").read_text(encoding="utf-8"))
    return specs
