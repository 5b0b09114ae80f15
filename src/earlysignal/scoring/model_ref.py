"""Find and load a model to score with: a run id, a ``models:/`` or ``runs:/`` URI, or a folder.

Whatever the reference, the result is the saved earlysignal model folder (text and JSON files,
SHA-256 manifest checked on load), its feature specs rebuilt as frozen dataclasses, and the
facts the study stored with it (outcome, horizon, decision threshold, data source, stop rules).

Examples
--------
>>> from earlysignal.features import MoveCount, EventCount
>>> decode_specs([{"__spec__": "MoveCount", "window_days": 90},
...               {"__spec__": "EventCount", "kind": "incident", "window_days": 365}])
(MoveCount(window_days=90), EventCount(kind='incident', window_days=365))
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["LoadedModel", "ScoringError", "decode_specs", "load_scoring_model"]

_RUN_ID = re.compile(r"^[0-9a-f]{32}$")


class ScoringError(ValueError):
    """Scoring or monitoring refused its input: the message names the rule, value and fix."""


@dataclass(frozen=True)
class LoadedModel:
    """A model ready to score, with what the study stored about it.

    Attributes
    ----------
    reference
        What the user gave (run id, URI or folder).
    folder
        The saved model folder (hashes checked).
    model
        The fitted (calibrated) risk model.
    specs
        The feature specs the model was trained with.
    feature_names
        The model's input columns, in order.
    metadata
        The study's facts (``outcome``, ``horizon_days``, ``threshold``, ``score_threshold``
        (the decision rule's tie-break, absent in models saved before it), ``capacity``,
        ``data_source``, ``observed_until``, ``stop_rules``...).
    version
        Where it came from in MLflow (``run_id``, ``model_id``, ``registered_name``,
        ``registered_version``), as far as known.
    """

    reference: str
    folder: Path
    model: Any
    specs: tuple[Any, ...]
    feature_names: tuple[str, ...]
    metadata: dict[str, Any]
    version: dict[str, Any] = field(default_factory=dict)


def decode_specs(data: Sequence[Any]) -> tuple[Any, ...]:
    """Rebuild feature specs from their JSON form (``features.json`` of a saved model)."""
    from earlysignal import features

    out = []
    for item in data:
        name = item.get("__spec__") if isinstance(item, dict) else None
        cls = getattr(features, str(name), None)
        if cls is None or not isinstance(cls, type) or not issubclass(cls, features.FeatureSpec):
            raise ScoringError(
                f"scoring rule S02 'known feature specs': features.json names spec {name!r}, "
                "which this earlysignal does not know; score with the earlysignal version the "
                "model was trained with"
            )
        kwargs = {
            k: tuple(v) if isinstance(v, list) else v for k, v in item.items() if k != "__spec__"
        }
        out.append(cls(**kwargs))
    return tuple(out)


def _find_manifest(root: Path) -> Path:
    if (root / "manifest.json").is_file():
        return root
    found = sorted(root.rglob("manifest.json"))
    if not found:
        raise ScoringError(
            f"scoring rule S01 'known model': {root} holds no earlysignal model "
            "(no manifest.json); give a run id, a models:/ URI or a saved model folder"
        )
    return found[0].parent


def _download(reference: str, tracking_uri: str | None, dst: Path) -> tuple[Path, dict[str, Any]]:
    import mlflow

    from earlysignal.tracking import resolve_tracking_uri

    uri = resolve_tracking_uri(tracking_uri)
    mlflow.set_tracking_uri(uri)  # models:/ URIs resolve through the registry URI
    mlflow.set_registry_uri(uri)
    client = mlflow.MlflowClient(uri, registry_uri=uri)
    version: dict[str, Any] = {"tracking_uri": uri}
    try:
        if _RUN_ID.match(reference):
            version["run_id"] = reference
            local = mlflow.artifacts.download_artifacts(
                run_id=reference, artifact_path="model", dst_path=str(dst), tracking_uri=uri
            )
        else:
            if reference.startswith("models:/"):
                rest = reference.removeprefix("models:/")
                if rest.startswith("m-"):
                    logged = client.get_logged_model(rest)
                    version.update(model_id=logged.model_id, run_id=logged.source_run_id)
                else:
                    name, _, ver = rest.partition("/")
                    mv = (
                        client.get_model_version(name, ver)
                        if ver.isdigit()
                        else client.get_model_version_by_alias(name, ver)
                    )
                    version.update(
                        registered_name=name,
                        registered_version=int(mv.version),
                        run_id=mv.run_id,
                        model_id=getattr(mv, "model_id", None),
                    )
            local = mlflow.artifacts.download_artifacts(
                artifact_uri=reference, dst_path=str(dst), tracking_uri=uri
            )
    except Exception as exc:
        if type(exc).__module__.startswith("mlflow"):
            raise ScoringError(
                f"scoring rule S01 'known model': no model {reference!r} at tracking URI {uri} "
                f"({str(exc)[:200]}); give a run id, a models:/NAME/VERSION or models:/m-... "
                "URI, or a saved model folder, and the right --tracking-uri"
            ) from None
        raise
    return Path(local), version


def load_scoring_model(
    reference: str | Path, *, tracking_uri: str | None = None, workdir: Path | None = None
) -> LoadedModel:
    """Resolve ``reference`` and load the model, checking every file's hash.

    Parameters
    ----------
    reference
        A saved model folder, an MLflow logged-model folder, a run id (32 hex digits; its
        ``model/`` artifacts), or a ``models:/NAME/VERSION``, ``models:/m-...`` or ``runs:/``
        URI.
    tracking_uri
        Where MLflow references are looked up (default as in :mod:`earlysignal.tracking`).
    workdir
        Where downloaded artifacts go (default a new temporary folder).

    Raises
    ------
    ScoringError
        Unknown model (S01), unknown specs (S02), or files changed since saving (S03).
    """
    from earlysignal.models import ModelIntegrityError, load_model, read_manifest

    text = str(reference)
    version: dict[str, Any] = {}
    path = Path(text)
    if path.exists():
        root = path
    elif _RUN_ID.match(text) or text.startswith(("models:/", "runs:/")):
        dst = workdir or Path(tempfile.mkdtemp(prefix="earlysignal-model-"))
        root, version = _download(text, tracking_uri, dst)
    else:
        raise ScoringError(
            f"scoring rule S01 'known model': {text!r} is neither an existing folder nor a run "
            "id nor a models:/ or runs:/ URI; give one of those"
        )
    folder = _find_manifest(root)
    try:
        manifest = read_manifest(folder, verify=True)
        model = load_model(folder)
    except ModelIntegrityError as exc:
        raise ScoringError(f"scoring rule S03 'model files unchanged': {exc}") from None
    import json

    specs_file = folder / "features.json"
    if not specs_file.is_file():
        raise ScoringError(
            f"scoring rule S02 'known feature specs': {folder} has no features.json; a model "
            "saved without its feature specs cannot build its own features: re-run the study"
        )
    specs = decode_specs(json.loads(specs_file.read_text(encoding="utf-8")))
    return LoadedModel(
        reference=text,
        folder=folder,
        model=model,
        specs=specs,
        feature_names=tuple(str(n) for n in manifest["feature_names"]),
        metadata=dict(manifest.get("metadata", {})),
        version={k: v for k, v in version.items() if v is not None},
    )
