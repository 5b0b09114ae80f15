"""Point-in-time features of a partitioned folder, one partition of children at a time.

Features and labels of a child use only that child's rows, and a partitioned folder
(:mod:`earlysignal.data.partitions`) never splits a child, so
:func:`~earlysignal.features.build_features` runs partition by partition and its outputs are
written one Parquet file per partition. The one thing that looks across children is the
data-driven part of the default feature set (event kinds, frequent status values): it is chosen
once for the cohort from lazy scans of every partition (:func:`vocabulary_of`, only the
``kind`` column and the status counts are read), before any partition is built, so every
partition gets the same columns. The result equals the in-memory build on the whole cohort
(``tests/features/test_partitioned_features.py``); rows come partition by partition, each
sorted by (``child_id``, ``prediction_time``).

Examples
--------
>>> import tempfile, pathlib
>>> import polars as pl
>>> from earlysignal.synth import simulate
>>> from earlysignal.data.partitions import write_partitioned
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> _ = write_partitioned(simulate(60, years=2, seed=1).history, root / "in", partition_size=25)
>>> result = build_features_partitioned(root / "in", root / "features", before="all")
>>> result["partitions"], pl.scan_parquet(result["files"]).select(pl.len()).collect().item() > 0
(3, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from earlysignal.cohort import Design, prediction_times
from earlysignal.data.partitions import iter_partitions, read_manifest, scan_table
from earlysignal.features.build import build_features, feature_names
from earlysignal.features.defaults import (
    VocabularyCut,
    default_specs,
    vocabulary_cut,
    vocabulary_of,
)
from earlysignal.features.specs import BoundaryPolicy, FeatureSpec

__all__ = ["build_features_partitioned", "partitioned_vocabulary"]


def partitioned_vocabulary(path: str | Path, *, before: date | None = None) -> dict[str, Any]:
    """:func:`~earlysignal.features.feature_vocabulary` of a whole partitioned cohort."""
    folder = Path(path)
    manifest = read_manifest(folder)
    has_statuses = any("statuses" in p["rows"] for p in manifest.partitions)
    statuses = scan_table(folder, "statuses") if has_statuses else None
    return vocabulary_of(scan_table(folder, "events"), statuses, before=before)


def build_features_partitioned(
    path: str | Path,
    out: str | Path,
    *,
    design: Design | None = None,
    specs: Sequence[FeatureSpec] | None = None,
    before: VocabularyCut | None = None,
    outcomes: Sequence[tuple[Any, ...]] = (("breakdown", 180),),
    policy: BoundaryPolicy = BoundaryPolicy.STRICT,
    censor: str = "window",
) -> dict[str, Any]:
    """Prediction times, features and labels of every partition, written as Parquet files.

    Parameters
    ----------
    path
        A partitioned folder.
    out
        Folder for the outputs: ``part-00000.parquet``, ... (one per partition, the columns of
        :func:`~earlysignal.features.build_features`).
    design
        The prediction-time design (:func:`~earlysignal.cohort.prediction_times`; default the
        91-day schedule).
    specs
        Feature specs; default :func:`~earlysignal.features.default_specs` with the cohort's
        vocabulary (:func:`partitioned_vocabulary`, facts before ``before``).
    before
        Training period's end for the default vocabulary (see ``default_specs``); required
        with ``specs=None``: ``"all"`` is the explicit opt-in to the whole cohort (descriptive
        work only), none is refused.
    outcomes, policy, censor
        As for :func:`~earlysignal.features.build_features`.

    Returns
    -------
    dict
        ``partitions``, ``rows`` (per partition), ``files``, ``features`` (names),
        ``vocabulary`` (when the defaults were used, else ``None``).
    """
    folder = Path(path)
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    vocabulary: dict[str, Any] | None = None
    if specs is None:
        cut = vocabulary_cut(before, where="build_features_partitioned")
        vocabulary = partitioned_vocabulary(folder, before=cut)
        chosen = default_specs(vocabulary=vocabulary)
    else:
        chosen = tuple(specs)
    files: list[str] = []
    rows: list[int] = []
    for i, history in enumerate(iter_partitions(folder)):
        times = prediction_times(history, design)
        frame = build_features(
            history, times, chosen, outcomes=outcomes, policy=policy, censor=censor
        )
        file = target / f"part-{i:05d}.parquet"
        frame.write_parquet(file, compression="zstd")
        files.append(str(file))
        rows.append(frame.height)
        del history, times, frame
    return {
        "partitions": len(files),
        "rows": rows,
        "files": files,
        "features": feature_names(chosen),
        "vocabulary": vocabulary,
    }
