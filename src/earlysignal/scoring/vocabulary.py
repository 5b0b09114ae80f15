"""The model's own vocabulary, and what new data record outside it.

A study chooses the data-driven part of its features (which event kinds get counts, which
status values get flags) from facts before its training period's end
(:func:`earlysignal.features.feature_vocabulary`) and records that choice with the saved
model (metadata ``feature_vocabulary``). Scoring and the ``pyfunc`` model read it back
(:func:`model_vocabulary`); models saved without it (earlier versions, models saved by hand)
fall back to the kinds and values their feature specs name.

:func:`vocabulary_report` compares new data with it, in distinct children and rows:

- ``unknown``: an event kind, or a status kind, the model never saw: its records would be
  silently ignored, so scoring refuses them (rule S05) unless overridden;
- ``absent``: a kind the model's features count that the data never record: all of those
  features would be 0 (or "never"), so scoring refuses that too (S05);
- ``no_feature``: a value of a known status kind that got no feature in the study (only the
  most frequent values do, :data:`earlysignal.features.MAX_DEFAULT_STATUSES`): ignored by
  the model by design, reported, not refused. The recorded vocabulary keeps only the values
  that got features, so a value first seen after training cannot be told apart from a rare
  one.

Examples
--------
>>> from earlysignal.features import EventCount, StatusInForce
>>> v = model_vocabulary((EventCount("incident", 90), StatusInForce("legal", "ots")), {})
>>> v.event_kinds, v.statuses, v.source
(('incident',), (('legal', 'ots'),), 'specs')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from earlysignal.data.history import CareHistory

__all__ = [
    "ModelVocabulary",
    "merge_vocabulary_counts",
    "model_vocabulary",
    "report_from_counts",
    "vocabulary_counts",
    "vocabulary_report",
]

_REPORT_SCHEMA = {
    "table": pl.String,
    "kind": pl.String,
    "value": pl.String,
    "finding": pl.String,
    "rows": pl.Int64,
    "children": pl.Int64,
}


@dataclass(frozen=True)
class ModelVocabulary:
    """What a model's data-driven features were built from.

    Attributes
    ----------
    event_kinds
        The event kinds that got features (sorted).
    statuses
        The ``(kind, value)`` status pairs that got a flag (sorted).
    before
        The date (ISO) before which the vocabulary was chosen, when recorded.
    source
        ``"recorded"`` (the study's ``feature_vocabulary``) or ``"specs"`` (read off the
        feature specs of a model saved without it).
    """

    event_kinds: tuple[str, ...]
    statuses: tuple[tuple[str, str], ...]
    before: str | None
    source: str

    @property
    def status_kinds(self) -> tuple[str, ...]:
        """The status kinds with at least one flag."""
        return tuple(sorted({k for k, _ in self.statuses}))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the shape of :func:`earlysignal.features.feature_vocabulary`)."""
        return {
            "before": self.before,
            "event_kinds": list(self.event_kinds),
            "statuses": [list(p) for p in self.statuses],
            "source": self.source,
        }


def _spec_vocabulary(specs: Sequence[Any]) -> tuple[set[str], set[tuple[str, str]]]:
    from earlysignal.features import DaysSinceLastEvent, EventCount, EventTrend, StatusInForce

    kinds = {s.kind for s in specs if isinstance(s, EventCount | DaysSinceLastEvent | EventTrend)}
    pairs = {(s.kind, s.value) for s in specs if isinstance(s, StatusInForce)}
    return kinds, pairs


def model_vocabulary(specs: Sequence[Any], metadata: Mapping[str, Any]) -> ModelVocabulary:
    """The vocabulary a model was trained with: recorded, or read off its specs.

    Raises
    ------
    earlysignal.scoring.ScoringError
        Rule S02 when the recorded vocabulary is malformed or lacks a kind or value that the
        model's own specs count (the model's files disagree with each other).
    """
    from earlysignal.scoring.model_ref import ScoringError

    kinds, pairs = _spec_vocabulary(specs)
    recorded = metadata.get("feature_vocabulary")
    if not recorded:
        return ModelVocabulary(
            tuple(sorted(kinds)), tuple(sorted(pairs)), before=None, source="specs"
        )
    try:
        rec_kinds = {str(k) for k in recorded.get("event_kinds", [])}
        rec_pairs = {(str(k), str(v)) for k, v in recorded.get("statuses", [])}
    except (AttributeError, TypeError, ValueError):
        raise ScoringError(
            "scoring rule S02 'model vocabulary': the model's metadata feature_vocabulary is "
            f"not of the form {{'event_kinds': [...], 'statuses': [[kind, value], ...]}} "
            f"(got {str(recorded)[:120]}); re-save the model with earlysignal"
        ) from None
    missing = sorted(kinds - rec_kinds) + [f"{k}={v}" for k, v in sorted(pairs - rec_pairs)]
    if missing:
        raise ScoringError(
            f"scoring rule S02 'model vocabulary': the model's feature specs count {missing[:5]}, "
            "which its recorded feature_vocabulary does not hold; the model's files disagree: "
            "re-run the study or restore the model as it was saved"
        )
    before = recorded.get("before")
    return ModelVocabulary(
        tuple(sorted(rec_kinds)),
        tuple(sorted(rec_pairs)),
        before=None if before is None else str(before),
        source="recorded",
    )


def vocabulary_report(history: CareHistory, vocabulary: ModelVocabulary) -> pl.DataFrame:
    """Kinds and values of ``history`` outside ``vocabulary``, counted in rows and children.

    Returns
    -------
    pl.DataFrame
        ``table`` (``events`` or ``statuses``), ``kind``, ``value`` (statuses only),
        ``finding`` (``unknown``, ``absent`` or ``no_feature``, see the module docs), ``rows``
        and ``children`` (distinct); sorted by table, finding, kind and value. Empty when the
        data and the model agree.

    Examples
    --------
    >>> from datetime import date
    >>> from earlysignal.data import example_history
    >>> h = example_history(
    ...     {"start": date(2020, 1, 1)}, children={"child_id": ["a", "b"]},
    ...     events={"child_id": ["a", "a", "b"], "date": date(2020, 2, 1),
    ...             "kind": ["incident", "new_kind", "new_kind"]},
    ...     observed_until=date(2021, 6, 1))
    >>> v = ModelVocabulary(("incident", "missing"), (), None, "recorded")
    >>> vocabulary_report(h, v).select("kind", "finding", "rows", "children").rows()
    [('missing', 'absent', 0, 0), ('new_kind', 'unknown', 2, 2)]
    """
    return report_from_counts(
        vocabulary_counts(history.events, history.statuses),
        vocabulary,
        history.statuses is not None,
    )


def vocabulary_counts(events: pl.DataFrame, statuses: pl.DataFrame | None) -> pl.DataFrame:
    """Records and distinct children per event kind, status kind and status (kind, value).

    The counts :func:`report_from_counts` judges. ``level`` is ``event`` (per event kind),
    ``status_kind`` (per status kind, children distinct over all its values) or ``status``
    (per kind and value). Counts of histories that share no child add up
    (:func:`merge_vocabulary_counts`): that is how a partitioned folder, which never splits a
    child, is counted exactly one partition at a time.

    Examples
    --------
    >>> import polars as pl
    >>> e = pl.DataFrame({"child_id": ["a", "a", "b"], "kind": ["x", "x", "y"]})
    >>> vocabulary_counts(e, None).select("kind", "rows", "children").rows()
    [('x', 2, 1), ('y', 1, 1)]
    """
    agg = (
        pl.len().cast(pl.Int64).alias("rows"),
        pl.col("child_id").n_unique().cast(pl.Int64).alias("children"),
    )
    parts = [
        events.filter(pl.col("kind").is_not_null())
        .group_by("kind")
        .agg(*agg)
        .with_columns(pl.lit("event").alias("level"), pl.lit(None, pl.String).alias("value"))
    ]
    if statuses is not None:
        known = statuses.filter(pl.col("kind").is_not_null())
        parts.append(
            known.group_by("kind")
            .agg(*agg)
            .with_columns(
                pl.lit("status_kind").alias("level"), pl.lit(None, pl.String).alias("value")
            )
        )
        parts.append(
            known.group_by("kind", "value")
            .agg(*agg)
            .with_columns(pl.lit("status").alias("level"), pl.col("value").cast(pl.String))
        )
    return _counts_frame(parts)


def merge_vocabulary_counts(counts: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """Add up :func:`vocabulary_counts` of histories that share no child.

    Examples
    --------
    >>> import polars as pl
    >>> a = vocabulary_counts(pl.DataFrame({"child_id": ["a"], "kind": ["x"]}), None)
    >>> b = vocabulary_counts(pl.DataFrame({"child_id": ["b", "b"], "kind": ["x", "x"]}), None)
    >>> merge_vocabulary_counts([a, b]).select("kind", "rows", "children").rows()
    [('x', 3, 2)]
    """
    frame = pl.concat(list(counts)) if counts else _counts_frame([])
    return _counts_frame(
        [
            frame.group_by("level", "kind", "value").agg(
                pl.col("rows").sum(), pl.col("children").sum()
            )
        ]
    )


_COUNTS_SCHEMA = {
    "level": pl.String,
    "kind": pl.String,
    "value": pl.String,
    "rows": pl.Int64,
    "children": pl.Int64,
}


def _counts_frame(parts: Sequence[pl.DataFrame]) -> pl.DataFrame:
    frames = [p.select([pl.col(c).cast(t) for c, t in _COUNTS_SCHEMA.items()]) for p in parts]
    if not frames:
        return pl.DataFrame(schema=_COUNTS_SCHEMA)
    return pl.concat(frames).sort("level", "kind", "value", nulls_last=True)


def report_from_counts(
    counts: pl.DataFrame, vocabulary: ModelVocabulary, has_statuses: bool
) -> pl.DataFrame:
    """The :func:`vocabulary_report` of data counted by :func:`vocabulary_counts`.

    ``has_statuses`` says whether the data have a statuses table at all.
    """
    parts: list[pl.DataFrame] = []
    events = counts.filter(pl.col("level") == "event").with_columns(pl.lit("events").alias("table"))
    known = pl.Series(list(vocabulary.event_kinds), dtype=pl.String)
    parts.append(
        events.filter(~pl.col("kind").is_in(known.implode())).with_columns(
            pl.lit("unknown").alias("finding")
        )
    )
    seen = set(events["kind"].to_list())
    absent = [k for k in vocabulary.event_kinds if k not in seen]
    parts.append(_absent("events", absent))
    status_kinds = vocabulary.status_kinds
    if has_statuses:
        pairs = counts.filter(pl.col("level") == "status").with_columns(
            pl.lit("statuses").alias("table")
        )
        known_kind = pl.col("kind").is_in(pl.Series(list(status_kinds), dtype=pl.String).implode())
        flagged = pl.Series([f"{k}\x00{v}" for k, v in vocabulary.statuses], dtype=pl.String)
        has_flag = pl.concat_str(
            [pl.col("kind"), pl.col("value").fill_null("")], separator="\x00"
        ).is_in(flagged.implode())
        # an unknown kind: its records over all its values, its distinct children over them
        unknown_kinds = counts.filter(
            (pl.col("level") == "status_kind") & ~known_kind
        ).with_columns(pl.lit("statuses").alias("table"))
        parts.append(unknown_kinds.with_columns(pl.lit("unknown").alias("finding")))
        parts.append(
            pairs.filter(known_kind & ~has_flag).with_columns(pl.lit("no_feature").alias("finding"))
        )
        seen_kinds = set(pairs["kind"].to_list())
    else:
        seen_kinds = set()
    parts.append(_absent("statuses", [k for k in status_kinds if k not in seen_kinds]))
    columns = list(_REPORT_SCHEMA)
    report = pl.concat(
        [p.select([pl.col(c).cast(t) for c, t in _REPORT_SCHEMA.items()]) for p in parts]
    )
    return report.select(columns).sort("table", "finding", "kind", "value", nulls_last=True)


def _absent(table: str, kinds: Sequence[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "table": [table] * len(kinds),
            "kind": list(kinds),
            "value": [None] * len(kinds),
            "finding": ["absent"] * len(kinds),
            "rows": [0] * len(kinds),
            "children": [0] * len(kinds),
        },
        schema=_REPORT_SCHEMA,
    )
