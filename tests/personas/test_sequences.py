"""Monthly state sequences: states, moves, censoring, and nothing from on or after t."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from placement_rows import Row, history_from_rows  # type: ignore[import-not-found]

from earlysignal.data import CareHistory
from earlysignal.personas.sequences import monthly_states
from earlysignal.personas.spec import PersonaSpec

SETTINGS = ["foster", "kinship_foster", "residential", "secure", "with_parents"]
REASONS = ["breakdown", "return_home", "planned", "aged_out"]


def _history(rows: list[Row], until: date) -> CareHistory:
    return history_from_rows(rows, until, birth_date=date(2010, 1, 1), sex="male")


def test_states_moves_and_out_of_care() -> None:
    h = _history(
        [
            ("a", date(2020, 1, 15), date(2020, 4, 20), "kinship_foster", "return_home"),
            ("a", date(2020, 7, 1), None, "residential", None),
            ("b", date(2020, 1, 1), date(2020, 2, 10), "foster", "breakdown"),
            ("b", date(2020, 2, 10), date(2020, 3, 5), "secure", "aged_out"),
        ],
        date(2022, 1, 1),
    )
    s = monthly_states(h, PersonaSpec(window=8))
    assert list(s.child_id) == ["a", "b"]
    assert s.labels(0) == [
        "kinship_foster", "kinship_foster", "kinship_foster",
        "home_after_return", "home_after_return",
        "residential", "residential", "residential",
    ]  # fmt: skip
    # b moved in February (the move day belongs to the new placement), then left care
    assert s.labels(1)[:3] == ["foster", "moved", "left_care"]
    assert s.breakdowns.tolist() == [0, 1]
    assert s.complete.all()


def test_censored_windows_are_marked_not_filled() -> None:
    h = _history([("a", date(2021, 6, 1), None, "foster", None)], date(2021, 9, 15))
    s = monthly_states(h, PersonaSpec(window=24))
    assert s.length.tolist() == [3]
    assert not s.complete[0]
    assert (s.codes[0, 3:] == -1).all()


def test_without_moved_in_the_alphabet_the_setting_is_kept() -> None:
    alphabet = tuple(a for a in PersonaSpec().alphabet if a != "moved")
    h = _history(
        [
            ("b", date(2020, 1, 1), date(2020, 2, 10), "foster", "breakdown"),
            ("b", date(2020, 2, 10), None, "secure", None),
        ],
        date(2022, 1, 1),
    )
    s = monthly_states(h, PersonaSpec(window=3, alphabet=alphabet))
    assert s.labels(0) == ["foster", "secure", "secure"]


@st.composite
def histories(draw: st.DrawFn) -> tuple[CareHistory, date]:
    rows = []
    for c in range(draw(st.integers(1, 4))):
        day = date(2020, 1, 1) + timedelta(days=draw(st.integers(0, 300)))
        for j in range(draw(st.integers(1, 4))):
            length = draw(st.integers(5, 400))
            gap = draw(st.sampled_from([0, 0, 1, 60]))
            last = j == 3 or draw(st.booleans())
            end = None if last and draw(st.booleans()) else day + timedelta(days=length)
            rows.append((f"c{c}", day, end, draw(st.sampled_from(SETTINGS)),
                         None if end is None else draw(st.sampled_from(REASONS))))  # fmt: skip
            if end is None:
                break
            day = end + timedelta(days=gap)
    t = date(2020, 1, 1) + timedelta(days=draw(st.integers(30, 1400)))
    return _history(rows, date(2024, 12, 31)), t


@given(histories())
def test_sequence_as_of_t_uses_only_facts_before_t(case: tuple[CareHistory, date]) -> None:
    h, t = case
    spec = PersonaSpec(window=24)
    full = monthly_states(h, spec)
    known = monthly_states(h, spec, as_of=t)
    # the same as the full sequence cut at the last month ending before t ...
    for i, cid in enumerate(known.child_id):
        j = int(np.flatnonzero(full.child_id == cid)[0])
        n = int(known.length[i])
        assert (known.codes[i, :n] == full.codes[j, :n]).all()
        assert (known.codes[i, n:] == -1).all()
    # ... and unchanged when everything on or after t is rewritten
    p = h.placements
    future = p.filter(pl.col("start") < t).with_columns(
        end=pl.when(pl.col("end") >= t).then(None).otherwise(pl.col("end")),
        end_reason=pl.when(pl.col("end") >= t).then(None).otherwise(pl.col("end_reason")),
    )
    cut = CareHistory.from_frames(
        children=h.children, placements=future, events=None, observed_until=h.observed_until
    )
    again = monthly_states(cut, spec, as_of=t)
    np.testing.assert_array_equal(again.codes, known.codes)
    np.testing.assert_array_equal(again.breakdowns, known.breakdowns)


def test_a_month_ending_on_t_is_not_known_at_t() -> None:
    h = _history(
        [
            ("a", date(2020, 1, 1), date(2020, 1, 31), "foster", "breakdown"),
            ("a", date(2020, 1, 31), None, "secure", None),
        ],
        date(2022, 1, 1),
    )
    spec = PersonaSpec(window=6)
    on_t = monthly_states(h, spec, as_of=date(2020, 1, 31))
    assert on_t.length.tolist() == [0]
    assert on_t.breakdowns.tolist() == [0]
    after = monthly_states(h, spec, as_of=date(2020, 2, 1))
    assert after.length.tolist() == [1]
    assert after.labels(0)[0] == "moved"
