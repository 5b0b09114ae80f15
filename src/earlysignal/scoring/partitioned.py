"""Scoring a partitioned folder, one partition of children in memory at a time.

:func:`earlysignal.scoring.score` hands a partitioned folder (:mod:`earlysignal.data.partitions`,
``manifest.json`` at the top) to :func:`score_partitioned`, which writes the same outputs as
the in-memory path on the whole cohort, with peak memory set by the partition size:

1. **Cohort-wide checks first**, before anything is scored: validation partition by partition
   (:func:`~earlysignal.data.partition_validate.validate_partitioned`, the same report as in
   memory), then one pass over the columns the scope rules read (:func:`cohort_scope`): the
   children's columns (S04), the first record after the as-of date and how many there are per
   dated column (S06, cohort-wide row numbers), and the vocabulary counts (S05: records and
   distinct children per event kind, status kind and status value). A partitioned folder never
   splits a child, so distinct children per partition add up to the cohort's exactly. The
   refusals and their messages are those of the in-memory path.
2. **Per partition**: the children in placement on the day, their features with the model's
   specs, risk, interval, flag, contributions and the flagged children's sheets
   (:func:`earlysignal.scoring.score.score_frame` and the same per-frame step as in memory).
   Each partition's rows of the ranked table go to a Parquet file in the staging folder; only
   one float a child (its risk, for the quantiles) is kept across partitions.
3. **Merged**: the ranked table is sorted from those files by polars' streaming engine and
   written as ``ranked.parquet`` and ``ranked.csv``; counts add up and the quantiles come from
   every child's risk, so ``scoring.json`` equals the in-memory summary (but its
   ``durations_s``). The MLflow run logs the same aggregates, rounded, as in memory.

Models with persona features are refused (rule S04): their personas are refitted from every
child's pathway, which a partition does not hold.

Examples
--------
>>> import tempfile, pathlib
>>> from earlysignal.synth import simulate
>>> from earlysignal.data.partitions import read_manifest, write_partitioned
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> _ = write_partitioned(simulate(60, years=2, seed=1).history, root / "in", partition_size=25)
>>> manifest = read_manifest(root / "in")
>>> scope = cohort_scope(root / "in", manifest, manifest.observed_until)
>>> scope.late, scope.has_statuses, "child_id" in scope.columns
([], False, True)
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from earlysignal.data.partitions import ROW, PartitionManifest
from earlysignal.scoring.model_ref import LoadedModel, ScoringError
from earlysignal.scoring.score import (
    _DATED,
    ScoreResult,
    _check_attributes,
    _check_statuses,
    _late_rows,
    _log_scoring,
    _nobody_placed,
    _open_scoring,
    _placed_on,
    _rank,
    _refuse_invalid,
    _refuse_late,
    _scope_verdict,
    _score_rows,
    _scoring_summary,
    _stage_and_move,
    _write_overview,
    _write_sheets,
    score_frame,
)

__all__ = ["CohortScope", "cohort_scope", "score_partitioned"]

_STEPS = ("validate", "features", "risk", "contributions", "sheets", "write")

_SCOPE_COLUMNS = {
    "placements": ("child_id", "start", "end", ROW),
    "events": ("child_id", "date", "kind", ROW),
    "statuses": ("child_id", "start", "kind", "value", ROW),
}


@dataclass(frozen=True)
class CohortScope:
    """What the scope rules need to know of a whole partitioned cohort.

    Attributes
    ----------
    columns
        The columns of ``children`` (those every partition has).
    late
        Rule S06's findings over the cohort (``earlysignal.scoring.score._late_rows``): per
        dated column, the first late row (cohort-wide ``__row``) and the late rows' count.
    counts
        Vocabulary counts of the cohort
        (:func:`~earlysignal.scoring.vocabulary.merge_vocabulary_counts`).
    has_statuses
        Whether any partition has a statuses table.
    """

    columns: tuple[str, ...]
    late: list[tuple[str, str, int, Any, Any, int]]
    counts: pl.DataFrame
    has_statuses: bool


def cohort_scope(folder: Path, manifest: PartitionManifest, as_of: date) -> CohortScope:
    """One pass over the columns the scope rules read, partition by partition, merged.

    Only the dated columns, ``kind``, ``value``, ``child_id`` and ``__row`` are read, one
    partition at a time.
    """
    from earlysignal.scoring.vocabulary import merge_vocabulary_counts, vocabulary_counts

    columns: list[str] | None = None
    late: dict[tuple[str, str], list[Any]] = {}
    counts: list[pl.DataFrame] = []
    has_statuses = False
    for part in manifest.partitions:
        where = folder / part["name"]
        names = list(pl.read_parquet_schema(where / "children.parquet"))
        columns = names if columns is None else [c for c in columns if c in names]
        tables: dict[str, pl.DataFrame] = {}
        for table, wanted in _SCOPE_COLUMNS.items():
            file = where / f"{table}.parquet"
            if file.exists():
                schema = pl.read_parquet_schema(file)
                tables[table] = pl.read_parquet(file, columns=[c for c in wanted if c in schema])
        has_statuses = has_statuses or "statuses" in tables
        for table, col, row, child, value, n in _late_rows(tables, as_of):
            seen = late.get((table, col))
            if seen is None:
                late[(table, col)] = [table, col, row, child, value, n]
            else:
                if row < seen[2]:
                    seen[2:5] = [row, child, value]
                seen[5] += n
        if "events" in tables:
            counts.append(vocabulary_counts(tables["events"], tables.get("statuses")))
        elif "statuses" in tables:
            empty = pl.DataFrame(schema={"child_id": pl.String, "kind": pl.String})
            counts.append(vocabulary_counts(empty, tables["statuses"]))
        del tables
    order = [(table, col) for table, cols in _DATED for col in cols]
    return CohortScope(
        columns=tuple(columns or ()),
        late=[tuple(late[key]) for key in order if key in late],  # type: ignore[misc]
        counts=merge_vocabulary_counts(counts),
        has_statuses=has_statuses,
    )


def _refuse_personas(loaded: LoadedModel) -> None:
    from earlysignal.features.specs import PersonaMembership

    if any(isinstance(s, PersonaMembership) for s in loaded.specs):
        raise ScoringError(
            "scoring rule S04 'model features present': the model's persona features are "
            "refitted from every child's pathway, which a partitioned folder does not hold in "
            "memory; score this model on a canonical folder, or with a model without personas"
        )


def score_partitioned(
    model: str | Path | LoadedModel,
    data: str | Path,
    *,
    as_of: date,
    out: str | Path,
    override: str | None = None,
    tracking_uri: str | None = None,
    log_run: bool = True,
    n_factors: int = 3,
    lang: str | None = None,
) -> ScoreResult:
    """Score the children of a partitioned folder, one partition in memory at a time.

    The parameters, outputs and rules are those of :func:`earlysignal.scoring.score` (which
    calls this function for a partitioned folder); see the module docs for what is done
    cohort-wide. ``ScoreResult.ranked`` is read back from ``ranked.parquet`` (one row a child
    scored: small beside the histories).

    Raises
    ------
    ScoringError
        Rules S01 to S09, as :func:`earlysignal.scoring.score`; S04 also for a folder whose
        ``manifest.json`` is unreadable and for a model with persona features.
    """
    from earlysignal.data.partition_validate import validate_partitioned
    from earlysignal.data.partitions import iter_partitions, read_manifest
    from earlysignal.disclosure import round_count
    from earlysignal.scoring.vocabulary import model_vocabulary, report_from_counts

    target, loaded, lang = _open_scoring(model, out, tracking_uri, lang)
    folder = Path(data)
    clock = dict.fromkeys(_STEPS, 0.0)
    last = [time.perf_counter()]

    def tick(step: str) -> None:
        now = time.perf_counter()
        clock[step] += now - last[0]
        last[0] = now

    try:
        manifest = read_manifest(folder)
    except ValueError as exc:
        raise ScoringError(f"scoring rule S04 'data folder': {exc}") from None
    _refuse_invalid(validate_partitioned(folder))
    known = model_vocabulary(loaded.specs, loaded.metadata)
    scope = cohort_scope(folder, manifest, as_of)
    _check_attributes(loaded, scope.columns)
    _refuse_late(scope.late, as_of, manifest.observed_until)
    _check_statuses(known, has_statuses=scope.has_statuses)
    findings = report_from_counts(scope.counts, known, scope.has_statuses)
    source = manifest.meta.get("source")
    overridden = _scope_verdict(loaded, findings, known, source, override)
    _refuse_personas(loaded)
    tick("validate")

    target.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        parts = staged / ".parts"
        parts.mkdir()
        (staged / "sheets").mkdir()
        files: list[Path] = []
        risks: list[np.ndarray] = []
        names: list[str] = []
        flagged = 0
        decision_rule: dict[str, Any] = {}
        for i, history in enumerate(iter_partitions(folder)):
            placed = _placed_on(history, as_of)
            if placed.height == 0:
                continue
            frame = score_frame(loaded, history, as_of, placed=placed)
            del history, placed
            tick("features")
            rows = _score_rows(loaded, frame, n_factors, lang, tick=tick)
            del frame
            files.append(parts / f"part-{i:05d}.parquet")
            rows.table.write_parquet(files[-1])
            names += _write_sheets(staged / "sheets", rows.sheets, lang)
            risks.append(rows.risk)
            flagged += rows.flagged
            decision_rule = rows.decision_rule
            del rows
            tick("write")
        if not files:
            raise _nobody_placed(as_of, manifest.observed_until)
        risk = np.concatenate(risks)
        del risks
        _rank(pl.scan_parquet(files)).sink_parquet(staged / "ranked.parquet")
        shutil.rmtree(parts)
        pl.scan_parquet(staged / "ranked.parquet").sink_csv(staged / "ranked.csv")
        summary = _scoring_summary(
            loaded,
            as_of=as_of,
            decision_rule=decision_rule,
            risk=risk,
            flagged=flagged,
            override=override,
            overridden=overridden,
            known=known,
            findings=findings,
            observed_until=manifest.observed_until,
            lang=lang,
        )
        top = pl.scan_parquet(staged / "ranked.parquet").head(50).collect()
        _write_overview(staged, summary, as_of, lang, top, n_factors, names)
        _stage_and_move(staged, target)
        tick("write")
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    summary["durations_s"] = dict(clock)
    run_id = None
    if log_run:
        run_id = _log_scoring(summary, loaded, tracking_uri, round_count)
    ranked = pl.read_parquet(target / "ranked.parquet")
    return ScoreResult(out=target, ranked=ranked, summary=summary, run_id=run_id)
