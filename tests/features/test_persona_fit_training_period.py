"""The persona medoids depend on the training period only: never on test-period children."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.data import CareHistory
from earlysignal.features import PersonaMembership
from earlysignal.features.personas import PersonaFeatureError, fit_membership
from earlysignal.personas.planted import planted_history

BASE, _ = planted_history(150, seed=11)  # entries 2017-2023, observed until 2025
FIT_BEFORE = date(2021, 7, 1)
SPEC = PersonaMembership(fit_before=FIT_BEFORE, window=12, k=4)
DIGEST = fit_membership(BASE, SPEC).digest


def _rewrite_after(h: CareHistory, cut: date, data: st.DataObject) -> CareHistory:
    """Test-period children added and every fact on or after ``cut`` rewritten."""
    p = h.placements.filter(pl.col("start") < cut).with_columns(
        end=pl.when(pl.col("end") >= cut).then(pl.lit(None, pl.Date)).otherwise("end"),
        end_reason=pl.when(pl.col("end") >= cut)
        .then(pl.lit(None, pl.String))
        .otherwise("end_reason"),
    )
    if data.draw(st.booleans(), label="open placements end later with a breakdown"):
        end = cut + timedelta(days=data.draw(st.integers(0, 400)))
        p = p.with_columns(
            end_reason=pl.when(pl.col("end").is_null())
            .then(pl.lit("breakdown"))
            .otherwise("end_reason"),
            end=pl.when(pl.col("end").is_null()).then(pl.lit(end)).otherwise("end"),
        )
    # children who enter care in the test period, with pathways of every kind
    new, _ = planted_history(data.draw(st.integers(1, 60)), seed=data.draw(st.integers(0, 99)))
    shift = (cut - new.placements["start"].min()).days + data.draw(st.integers(0, 300))
    new_p = new.placements.with_columns(
        pl.col("child_id").str.replace("^C", "T"),
        pl.col("start").dt.offset_by(f"{shift}d"),
        pl.col("end").dt.offset_by(f"{shift}d"),
    )
    new_c = new.children.with_columns(pl.col("child_id").str.replace("^C", "T"))
    return CareHistory.from_frames(
        children=pl.concat([h.children, new_c], how="diagonal_relaxed"),
        placements=pl.concat([p, new_p], how="diagonal_relaxed"),
        events=None,
        observed_until=h.observed_until + timedelta(days=shift),
    )


@settings(max_examples=10, deadline=None)
@given(st.data())
def test_medoids_ignore_test_period_children_and_later_facts(data):
    changed = _rewrite_after(BASE, FIT_BEFORE, data)
    assert fit_membership(changed, SPEC).digest == DIGEST


def test_the_digest_does_see_training_period_changes():
    # the test above could pass with a digest blind to everything: show that it is not
    p = BASE.placements.with_columns(
        setting=pl.when(pl.col("start") < FIT_BEFORE - timedelta(days=400))
        .then(pl.lit("secure"))
        .otherwise("setting")
    )
    changed = replace(BASE, placements=p)
    assert fit_membership(changed, SPEC).digest != DIGEST


def test_a_refit_on_other_data_is_refused_when_the_digest_is_recorded():
    recorded = replace(SPEC, digest=DIGEST)
    assert fit_membership(BASE, recorded).digest == DIGEST
    other, _ = planted_history(150, seed=12)
    with pytest.raises(PersonaFeatureError, match="PERSONA-FIT"):
        fit_membership(other, recorded)


def test_summary_holds_no_pathway():
    s = fit_membership(BASE, SPEC).summary()
    assert set(s) == {
        "fit_before", "window_months", "k", "min_months", "distance",
        "children_clustered", "asw", "digest", "columns",
    }  # fmt: skip
    assert s["children_clustered"] >= 10
