"""MLflow tracking: runs that end FAILED when interrupted, metrics with intervals, no row data.

``import mlflow`` happens only inside these functions, so ``import earlysignal`` stays fast.
The tracking URI is, in order: the ``uri`` argument, the ``MLFLOW_TRACKING_URI`` environment
variable, then ``sqlite:///mlruns.db`` (a SQLite file in the working directory).

What is logged is summaries only: parameters, metrics (each with ``_lower`` and ``_upper``
companions), sizes and SHA-256 digests of the tables, the environment, figures and published
(disclosure-controlled) tables. Row-level data never leave the machine through a run.

Examples
--------
>>> resolve_tracking_uri("sqlite:///x.db")
'sqlite:///x.db'
>>> metric_records([{"model": "lgbm", "metric": "auroc", "value": 0.8, "lower": 0.78,
...                  "upper": 0.82}], primary="lgbm")
{'auroc': 0.8, 'auroc_lower': 0.78, 'auroc_upper': 0.82}
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import math
import os
import platform
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "DEFAULT_TRACKING_URI",
    "TRACKED_PACKAGES",
    "artifact_location",
    "dataset_digest",
    "environment_info",
    "flatten_params",
    "log_dataset_inputs",
    "log_datasets",
    "log_environment",
    "log_json",
    "log_metrics_with_intervals",
    "log_params",
    "meta_dataset",
    "metric_records",
    "resolve_tracking_uri",
    "set_run_description",
    "tracked_run",
    "ui_command",
    "under_parent_run",
    "use_experiment",
]

DEFAULT_TRACKING_URI = "sqlite:///mlruns.db"
"""Where runs go when neither an argument nor ``MLFLOW_TRACKING_URI`` says otherwise."""

TRACKED_PACKAGES: tuple[str, ...] = (
    "earlysignal",
    "polars",
    "numpy",
    "scipy",
    "scikit-learn",
    "lightgbm",
    "shap",
    "fairlearn",
    "mlflow",
    "pydantic",
    "jinja2",
    "matplotlib",
    "pyarrow",
)
"""Packages whose versions every run records."""


def resolve_tracking_uri(uri: str | None = None) -> str:
    """The tracking URI to use: ``uri``, else ``MLFLOW_TRACKING_URI``, else the SQLite default.

    Examples
    --------
    >>> import os
    >>> old = os.environ.pop("MLFLOW_TRACKING_URI", None)
    >>> resolve_tracking_uri()
    'sqlite:///mlruns.db'
    >>> if old is not None: os.environ["MLFLOW_TRACKING_URI"] = old
    """
    return uri or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


def artifact_location(uri: str) -> str | None:
    """Where a new experiment of a SQLite store keeps its artifacts: ``mlruns`` beside the
    database file (MLflow's own default is ``./mlruns`` of the working folder, so a run would
    write its model, card and audit wherever the command runs). ``None`` for other stores
    (a tracking server decides for itself).

    Examples
    --------
    >>> artifact_location("sqlite:////data/runs/mlruns.db")
    'file:///data/runs/mlruns'
    >>> artifact_location("http://127.0.0.1:5000") is None
    True
    """
    prefix = "sqlite:///"
    if not uri.startswith(prefix):
        return None
    return (Path(uri[len(prefix) :]).parent / "mlruns").resolve().as_uri()


def use_experiment(experiment: str, uri: str) -> Any:
    """Set the tracking URI and the active experiment, creating a new experiment of a SQLite
    store with its artifacts beside the database (:func:`artifact_location`). Returns
    ``mlflow.set_experiment``'s experiment.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> exp = use_experiment("example", f"sqlite:///{folder / 'runs.db'}")
    >>> exp.artifact_location == (folder / "mlruns").resolve().as_uri()
    True
    """
    import mlflow

    mlflow.set_tracking_uri(uri)
    location = artifact_location(uri)
    if location is not None and mlflow.get_experiment_by_name(experiment) is None:
        try:
            mlflow.create_experiment(experiment, artifact_location=location)
        except mlflow.exceptions.MlflowException:  # created meanwhile by a parallel run
            if mlflow.get_experiment_by_name(experiment) is None:
                raise
    return mlflow.set_experiment(experiment)


def ui_command(uri: str) -> str:
    """The shell command that opens the MLflow UI on the runs at ``uri``.

    Examples
    --------
    >>> ui_command("sqlite:///mlruns.db")
    'uv run mlflow ui --backend-store-uri sqlite:///mlruns.db'
    >>> ui_command("http://127.0.0.1:5000")
    'open http://127.0.0.1:5000 in a browser'
    """
    if uri.startswith(("http://", "https://")):
        return f"open {uri} in a browser"
    return f"uv run mlflow ui --backend-store-uri {uri}"


_PARENT_RUN: ContextVar[str | None] = ContextVar("earlysignal_parent_run", default=None)


@contextmanager
def under_parent_run(parent_run_id: str) -> Iterator[None]:
    """Nest the runs that :func:`tracked_run` starts in this block under ``parent_run_id``.

    They get MLflow's ``mlflow.parentRunId`` tag, as ``mlflow.start_run(nested=True)`` would
    give, without the parent having to be the active run of this process (a sweep's runs may
    start in other processes or on other machines).

    Examples
    --------
    >>> with under_parent_run("0123"):
    ...     _PARENT_RUN.get()
    '0123'
    >>> _PARENT_RUN.get() is None
    True
    """
    token = _PARENT_RUN.set(parent_run_id)
    try:
        yield
    finally:
        _PARENT_RUN.reset(token)


@contextmanager
def tracked_run(
    *,
    experiment: str,
    run_name: str,
    uri: str | None = None,
    tags: Mapping[str, str] | None = None,
) -> Iterator[Any]:
    """Start an MLflow run that ends FINISHED on success and FAILED on any exception.

    Interrupts (``KeyboardInterrupt``) and errors mark the run FAILED and are re-raised.

    Yields
    ------
    mlflow.ActiveRun
        The active run (``run.info.run_id``).
    """
    import mlflow

    use_experiment(experiment, resolve_tracking_uri(uri))
    tags = dict(tags or {})
    parent = _PARENT_RUN.get()
    if parent is not None:  # a run of a sweep (under_parent_run)
        tags.setdefault("mlflow.parentRunId", parent)
    run = mlflow.start_run(run_name=run_name, tags=tags)
    try:
        yield run
    except BaseException:
        mlflow.end_run(status="FAILED")
        raise
    else:
        mlflow.end_run(status="FINISHED")


_PARAM_KEY = re.compile(r"[^A-Za-z0-9_\-. /]")


def flatten_params(config: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Flatten a nested config to ``section.key`` parameters (values as short strings).

    Long free-text values (card fields) are left out of the parameters: they are logged
    whole with the config artifact.

    Examples
    --------
    >>> flatten_params({"model": {"kind": "lightgbm", "baselines": ["rule"]}, "seed": 1})
    {'model.kind': 'lightgbm', 'model.baselines': '["rule"]', 'seed': '1'}
    """
    out: dict[str, str] = {}
    for key, value in config.items():
        name = _PARAM_KEY.sub("_", f"{prefix}{key}")
        if isinstance(value, Mapping):
            out.update(flatten_params(value, f"{name}."))
            continue
        text = value if isinstance(value, str) else json.dumps(value)
        if len(text) <= 250:
            out[name] = text
    return out


def log_params(params: Mapping[str, str]) -> None:
    """Log parameters to the active run (in batches MLflow accepts)."""
    import mlflow

    items = list(params.items())
    for i in range(0, len(items), 90):
        mlflow.log_params(dict(items[i : i + 90]))


def _metric_name(model: str, metric: str, primary: str | None) -> str:
    base = metric if model == primary else f"{model}.{metric}"
    return _PARAM_KEY.sub("_", base)


def metric_records(
    metrics: Sequence[Mapping[str, Any]], *, primary: str | None = None
) -> dict[str, float]:
    """MLflow metric names and values from tidy metric rows with intervals.

    Rows have ``model``, ``metric``, ``value``, ``lower`` and ``upper``. The primary model's
    metrics are named plainly (``auroc``, ``auroc_lower``, ``auroc_upper``); other models'
    are prefixed (``logistic.auroc``). Missing values (``None`` or NaN) are left out.

    Examples
    --------
    >>> metric_records([{"model": "rule", "metric": "auroc", "value": 0.6, "lower": None,
    ...                  "upper": None}], primary="lgbm")
    {'rule.auroc': 0.6}
    """
    out: dict[str, float] = {}
    for row in metrics:
        name = _metric_name(str(row["model"]), str(row["metric"]), primary)
        for suffix, key in (("", "value"), ("_lower", "lower"), ("_upper", "upper")):
            value = row.get(key)
            if value is None:
                continue
            number = float(value)
            if not math.isnan(number):
                out[name + suffix] = number
    return out


def log_metrics_with_intervals(
    metrics: Sequence[Mapping[str, Any]], *, primary: str | None = None
) -> dict[str, float]:
    """Log tidy metric rows (value, lower, upper) to the active run; return what was logged."""
    import mlflow

    records = metric_records(metrics, primary=primary)
    if records:
        mlflow.log_metrics(records)
    return records


def log_json(data: Any, artifact_file: str) -> None:
    """Log JSON-ready data as an artifact of the active run."""
    import mlflow

    mlflow.log_dict(data, artifact_file)


def dataset_digest(frame: pl.DataFrame) -> str:
    """A SHA-256 digest of a table's content that ignores row order.

    Each row is hashed twice (polars ``hash_rows`` with two fixed seeds, 128 bits), the hash
    pairs are sorted, and the sorted hashes plus the schema are digested. Identical tables
    give identical digests with the same polars version (recorded with the run).

    Examples
    --------
    >>> import polars as pl
    >>> a = pl.DataFrame({"x": [1, 2], "y": ["a", "b"]})
    >>> dataset_digest(a) == dataset_digest(a.reverse())
    True
    >>> dataset_digest(a) == dataset_digest(a.with_columns(pl.lit(3).alias("x")))
    False
    """
    h = hashlib.sha256()
    h.update(json.dumps({k: str(v) for k, v in frame.schema.items()}).encode())
    h.update(str(frame.height).encode())
    if frame.height and frame.width:
        import polars as pl

        pairs = pl.DataFrame({"a": frame.hash_rows(seed=11), "b": frame.hash_rows(seed=23)}).sort(
            "a", "b"
        )
        h.update(pairs["a"].to_numpy().tobytes())
        h.update(pairs["b"].to_numpy().tobytes())
    return h.hexdigest()


def log_datasets(
    tables: Mapping[str, pl.DataFrame], *, context: str = "training"
) -> dict[str, dict[str, Any]]:
    """Log sizes and digests (never the data) of named tables to the active run.

    Sizes become metrics ``rows.<name>``, digests tags ``digest.<name>``, and both go to the
    ``datasets.json`` artifact; each table is also an ``mlflow.data`` input of the run (name,
    digest, schema, rows as a tag: see :func:`meta_dataset`). Returns that artifact's content.
    """
    import mlflow

    info = {
        name: {"rows": frame.height, "columns": frame.width, "sha256": dataset_digest(frame)}
        for name, frame in tables.items()
    }
    mlflow.log_metrics({f"rows.{n}": float(frame.height) for n, frame in tables.items()})
    mlflow.set_tags({f"digest.{n}": str(v["sha256"]) for n, v in info.items()})
    mlflow.log_dict(info, "datasets.json")
    log_dataset_inputs(
        tables, context=context, digests={n: str(v["sha256"]) for n, v in info.items()}
    )
    return info


def meta_dataset(name: str, frame: pl.DataFrame, digest: str | None = None) -> Any:
    """An ``mlflow.data`` dataset holding a table's name, digest and schema, never its rows.

    ``mlflow.data.from_polars`` keeps the frame in memory and hashes a sample of rows; a
    ``MetaDataset`` carries only what we give it, so no row can reach the tracking server.
    """
    from mlflow.data.code_dataset_source import CodeDatasetSource
    from mlflow.data.meta_dataset import MetaDataset
    from mlflow.types import ColSpec, Schema

    def kind(dtype: Any) -> str:
        text = str(dtype)
        if text.startswith(("Int", "UInt")):
            return "long"
        if text.startswith("Float"):
            return "double"
        if text == "Boolean":
            return "boolean"
        if text.startswith(("Date", "Datetime")):
            return "datetime"
        return "string"

    schema = Schema([ColSpec(kind(t), c) for c, t in frame.schema.items()])
    source = CodeDatasetSource({"earlysignal.table": name})
    return MetaDataset(  # type: ignore[abstract]
        source, name=name, digest=(digest or dataset_digest(frame))[:36], schema=schema
    )


def log_dataset_inputs(
    tables: Mapping[str, pl.DataFrame],
    *,
    context: str = "training",
    digests: Mapping[str, str] | None = None,
) -> None:
    """Log each table as an MLflow dataset input (name, digest, schema; rows as a tag)."""
    import mlflow

    for name, frame in tables.items():
        digest = (digests or {}).get(name)
        mlflow.log_input(meta_dataset(name, frame, digest), context=context,
                         tags={"rows": str(frame.height), "sha256": digest or ""})  # fmt: skip


def set_run_description(card: Mapping[str, Any]) -> str:
    """Set the active run's description (``mlflow.note.content``) from the card's own fields.

    The description is the card's title, description and performance summary, joined as
    Markdown, so that the MLflow UI tells what the run is. Returns the text.
    """
    import mlflow

    details = card.get("model_details", {})
    parts = [f"**{card.get('run', {}).get('run_name', '')}**"]
    parts += [
        str(details.get(k)) for k in ("title", "description") if isinstance(details.get(k), str)
    ]
    summary = card.get("performance", {}).get("summary", [])
    parts += [f"- {line}" for line in summary if isinstance(line, str)]
    text = "\n\n".join(parts)
    mlflow.set_tag("mlflow.note.content", text)
    return text


def _find_upwards(start: Path, name: str) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / name).exists():
            return folder / name
    return None


def _git_commit(root: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) == 40 else None


def environment_info(start: str | Path | None = None) -> dict[str, Any]:
    """Python, platform, package versions, the ``uv.lock`` hash and the git commit.

    ``uv.lock`` and the git repository are looked for from ``start`` (default: the working
    directory) upwards, then from this package's source folder; each is ``None`` when absent
    (for example when earlysignal runs from an installed wheel).

    Examples
    --------
    >>> info = environment_info()
    >>> sorted(info)
    ['git_commit', 'packages', 'platform', 'python', 'uv_lock_sha256']
    """
    packages: dict[str, str] = {}
    for name in TRACKED_PACKAGES:
        try:
            packages[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            packages[name] = "not installed"
    here = Path(__file__).resolve().parent
    lock: Path | None = None
    commit: str | None = None
    for root in (Path(start or Path.cwd()).resolve(), here):
        lock = lock or _find_upwards(root, "uv.lock")
        git = _find_upwards(root, ".git")
        if commit is None and git is not None:
            commit = _git_commit(git.parent)
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": packages,
        "uv_lock_sha256": hashlib.sha256(lock.read_bytes()).hexdigest() if lock else None,
        "git_commit": commit,
    }


def log_environment(info: Mapping[str, Any]) -> None:
    """Log the environment to the active run: ``environment.json`` plus searchable tags."""
    import mlflow

    mlflow.log_dict(dict(info), "environment.json")
    tags = {
        "env.python": str(info.get("python")),
        "env.git_commit": str(info.get("git_commit") or "unknown"),
        "env.uv_lock_sha256": str(info.get("uv_lock_sha256") or "unknown"),
    }
    tags.update({f"env.{k}": str(v) for k, v in dict(info.get("packages", {})).items()})
    mlflow.set_tags(tags)
