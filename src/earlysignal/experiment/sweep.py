"""``earlysignal sweep``: a grid of studies, one MLflow run each, nested under a parent run.

A sweep takes one config, a list of seeds and ``--set key=value[,value...]`` settings, and runs
the study (:func:`~earlysignal.experiment.runner.run_experiment`, unchanged) once for every
combination. A seed sets ``study.seed`` and, for simulated data, ``data.sim_seed`` (a ``--set
data.sim_seed=...`` keeps the data fixed instead). Each study is an independent task run by
:func:`earlysignal.compute.run_tasks` on the config's ``[compute]`` backend (or ``--backend``,
``--address``, ``--n-jobs``), so the same sweep gives the same runs on local processes, Dask or
Ray. The parent run holds the grid and the results table (``sweep/grid.json``,
``sweep/results.json``); every child run has the parent's id as ``mlflow.parentRunId``.

Examples
--------
>>> parse_set("model.learning_rate=0.05,0.1")
('model.learning_rate', (0.05, 0.1))
>>> [p.name for p in sweep_points("study", [1, 2], [("model.num_leaves", (7,))])]
['study-seed1-num_leaves7', 'study-seed2-num_leaves7']
"""

from __future__ import annotations

import itertools
import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from earlysignal.experiment.config import ConfigError, ExperimentConfig

if TYPE_CHECKING:
    import polars as pl

    from earlysignal.compute import ComputeSpec

__all__ = [
    "SUMMARY_METRICS",
    "SweepPoint",
    "SweepResult",
    "parse_set",
    "point_config",
    "run_sweep",
    "sweep_command",
    "sweep_points",
]

SUMMARY_METRICS: tuple[str, ...] = ("auroc", "auprc", "brier", "ece", "calibration_slope")
"""The main model's metrics a sweep's table shows (estimate, lower, upper)."""

_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class SweepPoint:
    """One study of a sweep: its run name, its seed and its settings (``section.key``, value)."""

    name: str
    seed: int
    overrides: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class SweepResult:
    """A finished sweep.

    Attributes
    ----------
    parent_run_id, experiment, tracking_uri
        The parent run and where it is.
    table
        One row per study: ``name``, ``seed``, ``settings`` (JSON), ``status`` (``FINISHED``
        or ``FAILED``), ``run_id``, ``error`` and, for :data:`SUMMARY_METRICS`, the main
        model's estimate with ``_lower``/``_upper`` bounds.
    """

    parent_run_id: str
    experiment: str
    tracking_uri: str
    table: pl.DataFrame

    @property
    def ok(self) -> bool:
        """Whether every study finished."""
        return bool((self.table["status"] == "FINISHED").all())


def _value(text: str) -> Any:
    """A ``--set`` value as TOML reads it (numbers, booleans, quoted strings), else a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_set(text: str) -> tuple[str, tuple[Any, ...]]:
    """Read ``section.key=value[,value...]`` (a list in brackets is one value).

    Examples
    --------
    >>> parse_set('outcome.breakdown_definition=child_side,any_unplanned')
    ('outcome.breakdown_definition', ('child_side', 'any_unplanned'))
    >>> parse_set("model.baselines=[]")
    ('model.baselines', ([],))
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not re.fullmatch(r"[a-z_]+\.[a-z_]+", key) or not raw.strip():
        raise ConfigError(
            [
                f"--set {text!r}: write section.key=value (several values separated by commas), "
                "e.g. --set model.learning_rate=0.05,0.1"
            ],
            "--set",
        )
    raw = raw.strip()
    parts = [raw] if raw.startswith("[") else [p.strip() for p in raw.split(",") if p.strip()]
    return key, tuple(_value(p) for p in parts)


def sweep_points(
    study: str, seeds: Sequence[int], sets: Sequence[tuple[str, Sequence[Any]]]
) -> list[SweepPoint]:
    """Every combination of a seed and one value per ``--set`` key, named for the runs.

    Examples
    --------
    >>> len(sweep_points("s", [1, 2, 3], [("model.num_leaves", (7, 15))]))
    6
    """
    keys = [k for k, _ in sets]
    if len(set(keys)) != len(keys):
        raise ConfigError([f"--set names a key twice: {keys}; give each key once"], "--set")
    points = []
    for seed in seeds:
        for combo in itertools.product(*(values for _, values in sets)):
            overrides = tuple(zip(keys, combo, strict=True))
            suffix = "".join(f"-{k.split('.', 1)[1]}{v}" for k, v in overrides)
            name = _NAME_UNSAFE.sub("_", f"{study}-seed{seed}{suffix}")[:200]
            points.append(SweepPoint(name=name, seed=seed, overrides=overrides))
    return points


def point_config(base: ExperimentConfig, point: SweepPoint) -> ExperimentConfig:
    """The base config with the point's seed, settings and run name.

    Examples
    --------
    >>> from earlysignal.experiment.config import load_config
    >>> cfg = point_config(load_config("breakdown_180d"),
    ...                    SweepPoint("x-seed4", 4, (("model.num_leaves", 7),)))
    >>> cfg.study.seed, cfg.data.sim_seed, cfg.model.num_leaves, cfg.study.name
    (4, 4, 7, 'x-seed4')
    """
    data = base.to_dict()
    data["study"]["seed"] = point.seed
    if data["data"]["source"] == "simulated":
        data["data"]["sim_seed"] = point.seed
    for key, value in point.overrides:
        section, field = key.split(".", 1)
        if section not in data:
            raise ConfigError(
                [f"--set {key}: no table [{section}]; tables: {', '.join(data)}"], "--set"
            )
        data[section][field] = value
    data["study"]["name"] = point.name
    return ExperimentConfig.from_dict(data, source=f"sweep point {point.name}")


def _absolute_uri(uri: str) -> str:
    """A relative SQLite URI made absolute, so that workers write to the same file."""
    prefix = "sqlite:///"
    if uri.startswith(prefix) and not uri.startswith(prefix + "/"):
        return prefix + str(Path(uri[len(prefix) :]).resolve())
    return uri


def _run_point(
    config: dict[str, Any], tracking_uri: str, output_dir: str, parent_run_id: str
) -> dict[str, Any]:
    """One study of a sweep, in a worker: the run id and the main model's metrics."""
    import polars as pl

    from earlysignal.data.validate import DataValidationError
    from earlysignal.experiment.runner import ExperimentError, run_experiment
    from earlysignal.tracking import under_parent_run

    cfg = ExperimentConfig.from_dict(config)
    with under_parent_run(parent_run_id):
        try:
            result = run_experiment(cfg, tracking_uri=tracking_uri, output_dir=output_dir)
        except (DataValidationError, ExperimentError) as exc:
            return {"status": "FAILED", "run_id": None, "error": str(exc), "metrics": {}}
    rows = result.metrics.filter(
        pl.col("model") == cfg.model.kind,
        pl.col("at").is_null(),
        pl.col("metric").is_in(SUMMARY_METRICS),
    )
    metrics = {
        r["metric"]: [r["estimate"], r["lower"], r["upper"]] for r in rows.iter_rows(named=True)
    }
    return {"status": "FINISHED", "run_id": result.run_id, "error": None, "metrics": metrics}


def run_sweep(
    config: ExperimentConfig,
    *,
    seeds: Sequence[int],
    sets: Sequence[tuple[str, Sequence[Any]]] = (),
    compute: ComputeSpec | None = None,
    tracking_uri: str | None = None,
    output_dir: str | Path | None = None,
) -> SweepResult:
    """Run every study of the grid (seeds x settings) under one parent MLflow run.

    Parameters
    ----------
    config
        The base study.
    seeds
        One study per seed (and per combination of ``sets``).
    sets
        ``(section.key, values)`` pairs, as :func:`parse_set` reads them.
    compute
        Where the studies run; default the config's ``[compute]``.
    tracking_uri, output_dir
        As for ``run_experiment``; a relative SQLite file is made absolute so that local
        workers share it (a cluster on other machines needs an MLflow server URI).

    Returns
    -------
    SweepResult
        The parent run and one row per study. A study that fails on its data is a ``FAILED``
        row (its MLflow run is marked FAILED); the others still run.

    Raises
    ------
    ConfigError
        A setting that makes any study's config invalid (checked before anything runs).
    """
    import polars as pl

    from earlysignal.compute import run_tasks
    from earlysignal.tracking import resolve_tracking_uri, use_experiment

    if not seeds:
        raise ConfigError(["--seeds: give at least one seed, e.g. --seeds 1,2,3"], "--seeds")
    points = sweep_points(config.study.name, seeds, sets)
    configs = {p.name: point_config(config, p) for p in points}  # every config checked first
    uri = _absolute_uri(resolve_tracking_uri(tracking_uri))
    out = str(Path(output_dir or config.tracking.output_dir).resolve())
    spec = compute or config.compute.spec()

    import mlflow

    client = mlflow.MlflowClient(uri)
    experiment = use_experiment(config.tracking.experiment, uri)  # artifacts beside a SQLite store
    parent = client.create_run(
        experiment.experiment_id,
        run_name=f"{config.study.name}-sweep",
        tags={"earlysignal.sweep": "true", "earlysignal.study": config.study.name},
    )
    parent_id = parent.info.run_id
    grid = [{"name": p.name, "seed": p.seed, "settings": dict(p.overrides)} for p in points]
    client.log_text(parent_id, json.dumps(grid, indent=1), "sweep/grid.json")
    client.log_text(parent_id, config.to_toml(), "sweep/base_config.toml")
    client.log_param(parent_id, "sweep.backend", spec.backend)
    client.log_param(parent_id, "sweep.studies", str(len(points)))
    tasks = {
        name: {
            "config": cfg.to_dict(),
            "tracking_uri": uri,
            "output_dir": out,
            "parent_run_id": parent_id,
        }
        for name, cfg in configs.items()
    }
    try:
        results = run_tasks(_run_point, tasks, compute=spec)
    except BaseException:
        client.set_terminated(parent_id, "FAILED")
        raise
    rows = []
    for p in points:
        r = results[p.name]
        row: dict[str, Any] = {
            "name": p.name,
            "seed": p.seed,
            "settings": json.dumps(dict(p.overrides)),
            "status": r["status"],
            "run_id": r["run_id"],
            "error": r["error"],
        }
        for m in SUMMARY_METRICS:
            est, lo, hi = r["metrics"].get(m, [None, None, None])
            row |= {m: est, f"{m}_lower": lo, f"{m}_upper": hi}
        rows.append(row)
    schema: dict[str, Any] = {
        "name": pl.String, "seed": pl.Int64, "settings": pl.String, "status": pl.String,
        "run_id": pl.String, "error": pl.String,
    }  # fmt: skip
    for m in SUMMARY_METRICS:
        schema |= {m: pl.Float64, f"{m}_lower": pl.Float64, f"{m}_upper": pl.Float64}
    table = pl.DataFrame(rows, schema=schema, orient="row")
    client.log_text(parent_id, json.dumps(table.to_dicts(), indent=1), "sweep/results.json")
    status = "FINISHED" if bool((table["status"] == "FINISHED").all()) else "FAILED"
    client.set_terminated(parent_id, status)
    return SweepResult(parent_id, config.tracking.experiment, uri, table)


def _cell(row: dict[str, Any], metric: str) -> str:
    est, lo, hi = row[metric], row[f"{metric}_lower"], row[f"{metric}_upper"]
    if est is None:
        return ""
    return f"{est:.3f}" if lo is None or hi is None else f"{est:.3f} ({lo:.3f}-{hi:.3f})"


def sweep_command(
    config: Path,
    *,
    seeds: str,
    sets: Sequence[str] = (),
    backend: str | None = None,
    address: str | None = None,
    n_jobs: int | None = None,
    tracking_uri: str | None = None,
    output_dir: Path | None = None,
) -> int:
    """``earlysignal sweep``: run the grid, print one line per study; the exit code.

    0 every study finished, 1 a study failed on its data, 2 unusable input (config, seeds,
    ``--set``, backend), 130 interrupted.

    Examples
    --------
    >>> sweep_command(Path("breakdown_180d"), seeds="1,x")
    2
    """
    from rich.console import Console
    from rich.table import Table

    from earlysignal.compute import ComputeError, ComputeSpec
    from earlysignal.experiment.config import load_config

    err = Console(stderr=True, soft_wrap=True)
    try:
        try:
            seed_list = [int(s) for s in seeds.split(",") if s.strip()]
        except ValueError:
            raise ConfigError(
                [f"--seeds {seeds!r}: give whole numbers separated by commas, e.g. 1,2,3"],
                "--seeds",
            ) from None
        base = load_config(str(config))
        own = base.compute.spec()
        spec = ComputeSpec(
            backend=cast(Any, backend or own.backend),
            address=address if address is not None else own.address,
            n_jobs=n_jobs or own.n_jobs,
            threads_per_task=own.threads_per_task,
        )
        result = run_sweep(
            base,
            seeds=seed_list,
            sets=[parse_set(s) for s in sets],
            compute=spec,
            tracking_uri=tracking_uri,
            output_dir=output_dir,
        )
    except (ConfigError, ComputeError) as exc:
        err.print(f"[red]error:[/red] {exc}", markup=True)
        return 2
    except KeyboardInterrupt:
        err.print("[red]error:[/red] interrupted: the sweep's parent run is marked FAILED.")
        return 130
    table = Table(title=f"sweep {result.parent_run_id} ({len(result.table)} studies)")
    for col in ("name", "status", "run_id", *SUMMARY_METRICS):
        table.add_column(col)
    for row in result.table.iter_rows(named=True):
        cells = [
            ""
            if row[m] is None
            else f"{row[m]:.3f} ({row[m + '_lower']:.3f}-{row[m + '_upper']:.3f})"
            for m in SUMMARY_METRICS
        ]
        table.add_row(row["name"], row["status"], row["run_id"] or row["error"] or "", *cells)
    import sys

    # piped output (a log, a pipe) keeps whole lines: names and run ids are not cut
    console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 220)
    console.print(table)
    from earlysignal.tracking import ui_command

    console.print(f"MLflow UI: {ui_command(result.tracking_uri)}", markup=False)
    return 0 if result.ok else 1
