"""Scoring reads the model's recorded vocabulary and refuses data outside it, with counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from earlysignal.data import CareHistory
from earlysignal.features import EventCount, MoveCount, StatusInForce
from earlysignal.scoring import LoadedModel, ScoringError
from earlysignal.scoring.score import check_scope
from earlysignal.scoring.vocabulary import ModelVocabulary, model_vocabulary, vocabulary_report

END = date(2022, 12, 31)
SPECS = (MoveCount(365), EventCount("incident", 90), StatusInForce("measure", "ots"))
RECORDED = {
    "before": "2021-01-01",
    "event_kinds": ["incident", "missing"],
    "statuses": [["measure", "ots"]],
}


def _history(events: list[tuple[str, str]], statuses: list[tuple[str, str, str]] | None):
    children = sorted({c for c, _ in events} | {c for c, _, _ in statuses or []} | {"a"})
    return CareHistory.from_frames(
        children=pl.DataFrame(
            {
                "child_id": children,
                "birth_date": [date(2010, 1, 1)] * len(children),
                "sex": ["female"] * len(children),
            }
        ),
        placements=pl.DataFrame(
            {
                "child_id": children,
                "placement_id": [f"p{c}" for c in children],
                "start": [date(2020, 1, 1)] * len(children),
                "end": [None] * len(children),
                "setting": ["foster"] * len(children),
                "end_reason": [None] * len(children),
            }
        ),
        events=pl.DataFrame(
            {
                "child_id": [c for c, _ in events],
                "date": [date(2021, 6, 1)] * len(events),
                "kind": [k for _, k in events],
            },
            schema={"child_id": pl.String, "date": pl.Date, "kind": pl.String},
        ),
        statuses=None
        if statuses is None
        else pl.DataFrame(
            {
                "child_id": [c for c, _, _ in statuses],
                "kind": [k for _, k, _ in statuses],
                "value": [v for _, _, v in statuses],
                "start": [date(2020, 6, 1)] * len(statuses),
                "end": [None] * len(statuses),
            },
            schema={
                "child_id": pl.String,
                "kind": pl.String,
                "value": pl.String,
                "start": pl.Date,
                "end": pl.Date,
            },
        ),
        observed_until=END,
    )


def _loaded(metadata: dict[str, object]) -> LoadedModel:
    names = tuple(o.name for s in SPECS for o in s.outputs())
    return LoadedModel("test", Path("."), None, SPECS, names, dict(metadata))


def test_the_recorded_vocabulary_is_read_and_specs_are_the_fallback() -> None:
    recorded = model_vocabulary(SPECS, {"feature_vocabulary": RECORDED})
    assert recorded.source == "recorded" and recorded.before == "2021-01-01"
    assert recorded.event_kinds == ("incident", "missing")  # a kind without a spec counts too
    assert recorded.statuses == (("measure", "ots"),)
    fallback = model_vocabulary(SPECS, {})
    assert fallback.source == "specs" and fallback.event_kinds == ("incident",)


def test_a_vocabulary_that_disagrees_with_the_specs_is_refused() -> None:
    with pytest.raises(ScoringError, match=r"S02.*'incident'"):
        model_vocabulary(SPECS, {"feature_vocabulary": {**RECORDED, "event_kinds": ["missing"]}})
    with pytest.raises(ScoringError, match="S02"):
        model_vocabulary(SPECS, {"feature_vocabulary": {**RECORDED, "statuses": [["x"]]}})


def test_unknown_kinds_are_refused_with_their_records_and_children_counted() -> None:
    events = [("a", "incident"), ("a", "missing"), ("a", "new_kind"), ("b", "new_kind")]
    events += [("b", "new_kind")]
    statuses = [("a", "measure", "ots"), ("b", "measure", "gv"), ("c", "legal", "x")]
    h = _history(events, statuses)
    loaded = _loaded({"feature_vocabulary": RECORDED})
    with pytest.raises(ScoringError, match="S05") as err:
        check_scope(loaded, h, END)
    text = str(err.value)
    assert "'new_kind' (3 records, 2 children)" in text and "1 more problem" in text
    notes = check_scope(loaded, h, END, override="checked")
    assert notes[0].startswith("S05: event kinds the model never saw")
    assert "'legal' (1 records, 1 children)" in notes[1]
    # a value of a known status kind without a feature is reported, not refused
    report = vocabulary_report(h, model_vocabulary(SPECS, {"feature_vocabulary": RECORDED}))
    row = report.filter(pl.col("finding") == "no_feature").row(0, named=True)
    assert (row["kind"], row["value"], row["rows"], row["children"]) == ("measure", "gv", 1, 1)


def test_kinds_the_model_counts_that_the_data_never_record_are_refused() -> None:
    h = _history([("a", "incident")], [("a", "measure", "ots")])
    with pytest.raises(ScoringError, match=r"S05.*no record of event kinds \['missing'\]"):
        check_scope(_loaded({"feature_vocabulary": RECORDED}), h, END)
    assert check_scope(_loaded({}), h, END) == []  # the specs' own vocabulary: all present


def test_a_missing_statuses_table_is_an_error_that_no_override_passes() -> None:
    h = _history([("a", "incident"), ("a", "missing")], None)
    with pytest.raises(ScoringError, match=r"S04.*statuses"):
        check_scope(_loaded({"feature_vocabulary": RECORDED}), h, END, override="anyway")


@given(
    st.lists(
        st.tuples(st.sampled_from("abcde"), st.sampled_from(["incident", "x", "y"])), max_size=30
    )
)
def test_the_report_counts_distinct_children_and_rows(events: list[tuple[str, str]]) -> None:
    h = _history(events, [])
    report = vocabulary_report(h, ModelVocabulary(("incident",), (), None, "specs"))
    for kind in ("x", "y"):
        rows = [c for c, k in events if k == kind]
        got = report.filter((pl.col("kind") == kind) & (pl.col("finding") == "unknown"))
        if rows:
            assert got.select("rows", "children").row(0) == (len(rows), len(set(rows)))
        else:
            assert got.height == 0
    absent = report.filter(pl.col("finding") == "absent")["kind"].to_list()
    assert absent == ([] if any(k == "incident" for _, k in events) else ["incident"])
