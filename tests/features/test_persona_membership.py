"""PersonaMembership at t: nothing at or after t changes it, and it is the nearest medoid."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from earlysignal.data import CareHistory
from earlysignal.features import MoveCount, PersonaMembership, build_features, feature_names
from earlysignal.features.personas import fit_membership
from earlysignal.personas.planted import planted_history
from earlysignal.personas.signal import membership_as_of

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]
from pit_helpers import draw_time, perturb_future, times_for  # noqa: E402
from strategies import care_histories  # type: ignore[import-not-found]  # noqa: E402

_SHIFT = timedelta(days=27 * 365)
_EARLY, _ = planted_history(60, seed=3)  # entries 2017-2023, moved to 1990-1996 below


def _shifted(h: CareHistory) -> CareHistory:
    return CareHistory.from_frames(
        children=h.children.with_columns(pl.col("birth_date") - _SHIFT),
        placements=h.placements.with_columns(pl.col("start") - _SHIFT, pl.col("end") - _SHIFT),
        events=None,
        observed_until=h.observed_until - _SHIFT,
    )


BASE = _shifted(_EARLY)  # a cohort whose 12-month pathways are complete before 2000


def _with_base(h: CareHistory) -> CareHistory:
    """The drawn history plus the early cohort (so that personas can always be fitted)."""
    return CareHistory.from_frames(
        children=pl.concat([BASE.children, h.children], how="diagonal_relaxed"),
        placements=pl.concat([BASE.placements, h.placements], how="diagonal_relaxed"),
        events=h.events,
        statuses=h.statuses,
        observed_until=h.observed_until,
    )


def _everyone_moves_at(h: CareHistory, t: date, days: int) -> CareHistory:
    """From t + days on, every child in care then moves to secure care (a breakdown first)."""
    d = t + timedelta(days=days)
    p = h.placements
    open_at = (pl.col("start") < d) & (pl.col("end").is_null() | (pl.col("end") > d))
    moving = p.filter(open_at & ~pl.col("temporary").fill_null(False))
    later = p.filter(pl.col("start") >= d)
    kept = p.filter(pl.col("start") < d).with_columns(
        end_reason=pl.when(open_at).then(pl.lit("breakdown")).otherwise("end_reason"),
        end=pl.when(open_at).then(pl.lit(d)).otherwise("end"),
    )
    secure = moving.with_columns(
        placement_id=pl.col("placement_id") + "-secure",
        start=pl.lit(d),
        end=pl.lit(None, pl.Date),
        end_reason=pl.lit(None, pl.String),
        setting=pl.lit("secure"),
    )
    return replace(h, placements=pl.concat([kept, secure, later.head(0)]))


def _spec(fit_before: date) -> PersonaMembership:
    return PersonaMembership(fit_before=fit_before, window=12, k=3, min_months=2)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(h=care_histories(), data=st.data())
def test_facts_at_or_after_t_never_change_the_persona_at_t(h, data):
    t = draw_time(data, h)
    # the medoids come from the training period: its end is on or before any test time t
    fit_before = date(1999, 1, 1) + timedelta(
        days=data.draw(st.integers(0, max(0, (t - date(1999, 1, 1)).days)), label="fit_before")
    )
    spec = _spec(fit_before)
    names = feature_names([spec])
    full = _with_base(h)
    times = times_for(full, t)
    before = build_features(full, times, [spec], outcomes=()).select("child_id", *names)
    future = perturb_future(data, h, t)
    if data.draw(st.booleans(), label="everyone moves on or after t"):
        future = _everyone_moves_at(future, t, data.draw(st.integers(0, 40)))
    after = build_features(_with_base(future), times, [spec], outcomes=())
    assert_frame_equal(before, after.select("child_id", *names))
    assert before.select(pl.sum_horizontal(names).max()).item() <= 1


_PLANTED, _ = planted_history(200, seed=7)  # entries 2017-2023: many children early in care


_ENTRY = _PLANTED.placements.group_by("child_id").agg(pl.col("start").min()).sort("child_id")


@settings(max_examples=30, deadline=None)
@given(
    st.integers(0, 199), st.integers(0, 12), st.sampled_from([0, 0, 1, 5, 40]),
    st.sampled_from([3, 6, 12]),
)  # fmt: skip
def test_a_move_of_everyone_on_or_after_t_never_changes_the_persona(row, month, days, window):
    # a sharper probe than random histories: t is the last day of a month of some child's
    # pathway, and every child in care at t + days moves then into secure care
    spec = PersonaMembership(fit_before=date(2019, 1, 1), window=window, k=4, min_months=1)
    month_end = _ENTRY["start"].dt.offset_by(f"{month + 1}mo").dt.offset_by("-1d")[row]
    t = max(month_end, date(2019, 1, 1))
    times = times_for(_PLANTED, t)
    names = feature_names([spec])
    before = build_features(_PLANTED, times, [spec], outcomes=()).select(names)
    moved = _everyone_moves_at(_PLANTED, t, days)
    assert_frame_equal(before, build_features(moved, times, [spec], outcomes=()).select(names))


def test_columns_are_the_nearest_medoid_of_the_pathway_before_t():
    h, _ = planted_history(150, seed=7)
    spec = PersonaMembership(fit_before=date(2021, 1, 1), window=12, k=4)
    ids = h.children["child_id"].to_list()
    t = [date(2020, 6, 1), date(2022, 3, 15), date(2024, 1, 1)]
    times = pl.DataFrame({"child_id": ids * 3, "prediction_time": [d for d in t for _ in ids]})
    frame = build_features(h, times, [MoveCount(), spec], outcomes=())
    onehot = frame.select(feature_names([spec])).to_numpy()
    persona = (onehot * range(1, 5)).sum(axis=1)
    expected = membership_as_of(
        fit_membership(h, spec).model, h, times.rename({"prediction_time": "t"}), min_months=3
    )
    assert persona.tolist() == expected["persona"].fill_null(0).to_list()
    assert set(persona.tolist()) == {0, 1, 2, 3, 4}  # every persona and "none yet" occur


def test_too_few_complete_pathways_is_a_clear_error():
    h, _ = planted_history(30, seed=2)
    spec = PersonaMembership(fit_before=date(2017, 6, 1), window=24, k=3)
    with pytest.raises(ValueError, match="PERSONA-DATA: 0 children have a complete 24-month"):
        build_features(h, times_for(h, date(2020, 1, 1)), [spec], outcomes=())


def test_spec_survives_the_saved_models_json_form():
    from earlysignal.models.persistence import _jsonable
    from earlysignal.scoring.model_ref import decode_specs

    spec = replace(_spec(date(2020, 1, 1)), digest="ab" * 32)
    assert decode_specs([_jsonable(spec)]) == (spec,)


@pytest.mark.parametrize(
    "kwargs",
    [{"window": 1}, {"k": 1}, {"min_months": 0}, {"min_months": 13}, {"distance": "euclid"}],
)
def test_bad_spec_names_the_rule(kwargs):
    with pytest.raises(ValueError, match="PERSONA-SPEC"):
        PersonaMembership(fit_before=date(2020, 1, 1), window=kwargs.pop("window", 12), **kwargs)
