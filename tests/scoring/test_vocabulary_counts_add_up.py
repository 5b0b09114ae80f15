"""Vocabulary counts of groups of children that share no child add up to the cohort's report."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.scoring.vocabulary import (
    ModelVocabulary,
    merge_vocabulary_counts,
    report_from_counts,
    vocabulary_counts,
)

KNOWN = ModelVocabulary(("incident", "missing"), (("measure", "ots"),), None, "recorded")
CHILDREN = [f"c{i}" for i in range(8)]

events_st = st.lists(
    st.tuples(st.sampled_from(CHILDREN), st.sampled_from(["incident", "new", "other", None])),
    max_size=30,
)
statuses_st = st.lists(
    st.tuples(
        st.sampled_from(CHILDREN),
        st.sampled_from(["measure", "legal", None]),
        st.sampled_from(["ots", "vrijwillig", None]),
    ),
    max_size=30,
)


@settings(max_examples=40, deadline=None)
@given(
    events=events_st,
    statuses=st.none() | statuses_st,
    groups=st.lists(st.integers(0, 3), min_size=len(CHILDREN), max_size=len(CHILDREN)),
)
def test_counts_per_group_of_children_add_up_to_the_whole_report(events, statuses, groups) -> None:  # type: ignore[no-untyped-def]
    group = dict(zip(CHILDREN, groups, strict=True))
    ev = pl.DataFrame(
        {"child_id": [c for c, _ in events], "kind": [k for _, k in events]},
        schema={"child_id": pl.String, "kind": pl.String},
    )
    stt = (
        None
        if statuses is None
        else pl.DataFrame(
            {
                "child_id": [c for c, _, _ in statuses],
                "kind": [k for _, k, _ in statuses],
                "value": [v for _, _, v in statuses],
            },
            schema={"child_id": pl.String, "kind": pl.String, "value": pl.String},
        )
    )
    whole = report_from_counts(vocabulary_counts(ev, stt), KNOWN, stt is not None)
    parts = []
    for g in sorted(set(groups)):
        ids = [c for c in CHILDREN if group[c] == g]
        keep = pl.col("child_id").is_in(ids)
        parts.append(vocabulary_counts(ev.filter(keep), None if stt is None else stt.filter(keep)))
    merged = report_from_counts(merge_vocabulary_counts(parts), KNOWN, stt is not None)
    assert merged.equals(whole)
    # an unknown status kind counts its distinct children over all its values
    if stt is not None:
        legal = stt.filter(pl.col("kind") == "legal")
        row = whole.filter((pl.col("table") == "statuses") & (pl.col("kind") == "legal"))
        if legal.height:
            assert row["children"].to_list() == [legal["child_id"].n_unique()]
            assert row["rows"].to_list() == [legal.height]
