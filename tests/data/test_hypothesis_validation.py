"""Valid histories drawn by hypothesis validate cleanly; targeted mutations hit the right rule."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.data import CareHistory, read_folder, validate_history, write_folder

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ holds strategies.py
from strategies import care_histories  # type: ignore[import-not-found]


def _issues(history: CareHistory) -> set[tuple[str, str, int | None]]:
    p = validate_history(history).problems
    return {(r["rule"], r["table"], r["row"]) for r in p.iter_rows(named=True)}


@given(care_histories())
def test_valid_histories_have_no_problem(history: CareHistory) -> None:
    report = validate_history(history)
    assert report.problems.height == 0, report.summary()
    assert report.ok


def _with(history: CareHistory, **frames: pl.DataFrame) -> CareHistory:
    return CareHistory(
        children=frames.get("children", history.children),
        placements=frames.get("placements", history.placements),
        events=frames.get("events", history.events),
        observed_until=history.observed_until,
        statuses=history.statuses,
    )


def _set(df: pl.DataFrame, row: int, column: str, value: object) -> pl.DataFrame:
    return df.with_columns(
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.lit(value, dtype=df.schema[column]))
        .otherwise(pl.col(column))
        .alias(column)
    )


MUTATIONS = [
    "overlap",
    "end_before_start",
    "dup_placement_id",
    "orphan_event",
    "after_observed",
    "unknown_setting",
    "before_birth",
    "null_key",
    "dup_child",
]


@pytest.mark.parametrize("mutation", MUTATIONS)
@settings(max_examples=10)  # x 9 mutations; the profile's derandomize setting is kept
@given(history=care_histories(), data=st.data())
def test_mutations_are_caught(mutation: str, history: CareHistory, data: st.DataObject) -> None:
    p = history.placements
    k = data.draw(st.integers(0, p.height - 1), label="placement row")
    ou = history.observed_until
    if mutation == "overlap":
        row = p.slice(k, 1).with_columns(
            pl.lit("dup-id").alias("placement_id"), pl.lit(False).alias("temporary")
        )
        mutated = _with(history, placements=pl.concat([p, row]))
        expected = ("E402", "placements", p.height + 1)
    elif mutation == "end_before_start":
        start = p["start"][k]
        mutated = _with(
            history,
            placements=_set(
                _set(p, k, "end", start - timedelta(days=1)), k, "end_reason", "planned"
            ),
        )
        expected = ("E401", "placements", k + 1)
    elif mutation == "dup_placement_id":
        other = (k + 1) % p.height
        if other == k:
            return
        mutated = _with(
            history,
            placements=_set(p, max(k, other), "placement_id", p["placement_id"][min(k, other)]),
        )
        expected = ("E302", "placements", max(k, other) + 1)
    elif mutation == "orphan_event":
        row = pl.DataFrame(
            {"child_id": ["nobody"], "date": [ou], "kind": ["review"], "value": [None]},
            schema=history.events.schema,
        )
        mutated = _with(history, events=pl.concat([history.events, row]))
        expected = ("E304", "events", history.events.height + 1)
    elif mutation == "after_observed":
        row = pl.DataFrame(
            {
                "child_id": [p["child_id"][k]],
                "date": [ou + timedelta(days=1)],
                "kind": ["review"],
                "value": [None],
            },
            schema=history.events.schema,
        )
        mutated = _with(history, events=pl.concat([history.events, row]))
        expected = ("E404", "events", history.events.height + 1)
    elif mutation == "unknown_setting":
        mutated = _with(history, placements=_set(p, k, "setting", "pleeggezin"))
        expected = ("E202", "placements", k + 1)
    elif mutation == "before_birth":
        births = dict(history.children.select("child_id", "birth_date").iter_rows())
        mutated = _with(
            history, placements=_set(p, k, "start", births[p["child_id"][k]] - timedelta(days=1))
        )
        expected = ("E403", "placements", k + 1)
    elif mutation == "null_key":
        mutated = _with(history, placements=_set(p, k, "placement_id", None))
        expected = ("E104", "placements", k + 1)
    else:  # dup_child
        c = history.children
        mutated = _with(history, children=pl.concat([c, c.slice(0, 1)]))
        expected = ("E301", "children", c.height + 1)
    assert expected in _issues(mutated)
    assert not validate_history(mutated).ok


@settings(max_examples=15)
@given(care_histories(max_children=3))
def test_csv_and_parquet_round_trip_unchanged(history: CareHistory) -> None:
    import tempfile

    for fmt in ("csv", "parquet"):
        with tempfile.TemporaryDirectory() as tmp:
            out = write_folder(history, Path(tmp), format=fmt)  # type: ignore[arg-type]
            back = read_folder(out)
            for name, frame in history.tables().items():
                assert back.tables()[name].equals(frame), (fmt, name)
            assert back.observed_until == history.observed_until


@settings(max_examples=40)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["c1", "c2", " c3", None]),
            st.integers(0, 3),
            st.sampled_from(["incident", "review", None]),
            st.one_of(st.none(), st.sampled_from([0.0, 1.5, float("nan")])),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_repeated_event_rows_match_a_brute_force_check(
    rows: list[tuple[str | None, int, str | None, float | None]],
) -> None:
    """W303 (the hash-sorted prefilter, then grouping) flags exactly the rows that repeat an
    earlier row, naming that earlier row; nulls equal nulls, as in a group-by."""
    from datetime import date

    from earlysignal.data.validate import check_frames

    base = date(2020, 1, 1)
    events = pl.DataFrame(
        {
            "child_id": [r[0] for r in rows],
            "date": [base + timedelta(days=r[1]) for r in rows],
            "kind": [r[2] for r in rows],
            "value": [r[3] for r in rows],
        },
        schema={"child_id": pl.String, "date": pl.Date, "kind": pl.String, "value": pl.Float64},
    )
    children = pl.DataFrame(
        {"child_id": ["c1"], "birth_date": [date(2010, 1, 1)], "sex": ["female"]}
    )
    placements = pl.DataFrame(
        {
            "child_id": ["c1"],
            "placement_id": ["p1"],
            "start": [date(2019, 1, 1)],
            "end": [None],
            "setting": ["foster"],
            "end_reason": [None],
        },
        schema_overrides={"end": pl.Date, "end_reason": pl.String},
    )
    _, problems = check_frames(
        {"children": children, "placements": placements, "events": events}, date(2021, 1, 1)
    )
    got = {
        (r["row"], r["message"])
        for r in problems.filter(pl.col("rule") == "W303").iter_rows(named=True)
    }
    first: dict[tuple[object, ...], int] = {}
    expected = set()
    for i, r in enumerate(events.iter_rows(), start=1):
        key = tuple("nan" if isinstance(v, float) and v != v else v for v in r)
        if key in first:
            expected.add((i, f"the row repeats row {first[key]}"))
        else:
            first[key] = i
    assert got == expected
