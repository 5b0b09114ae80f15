"""Spec names, descriptions, sensitive attributes and the default set."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from earlysignal.data import CareHistory
from earlysignal.features import (
    ChildAttribute,
    CurrentSetting,
    DaysSinceLastEvent,
    EventCount,
    EventTrend,
    MoveCount,
    build_features,
    default_specs,
    describe,
    feature_names,
)
from earlysignal.schema import SENSITIVE_ATTRIBUTES


def _history() -> CareHistory:
    return CareHistory.from_frames(
        children=pl.DataFrame(
            {"child_id": ["a", "b"], "birth_date": [date(2010, 1, 1), date(2012, 6, 1)],
             "sex": ["male", "female"], "origin": ["dutch", "migrant"],
             "region": ["north", "south"], "maltreatment": [True, None]}
        ),
        placements=pl.DataFrame(
            {"child_id": ["a", "a", "b"], "placement_id": ["p1", "p2", "p3"],
             "start": [date(2020, 1, 1), date(2020, 3, 1), date(2021, 1, 1)],
             "end": [date(2020, 3, 1), None, None], "setting": ["foster", "residential", "foster"],
             "end_reason": ["breakdown", None, None]}
        ),
        events=pl.DataFrame(
            {"child_id": ["a", "a", "b"], "kind": ["incident", "missing", "incident"],
             "date": [date(2020, 2, 1), date(2020, 4, 1), date(2021, 2, 1)]}
        ),
        observed_until=date(2022, 1, 1),
    )  # fmt: skip


def test_names_are_deterministic_and_readable():
    assert MoveCount(365).name == "moves_365d"
    assert MoveCount().name == "moves_ever"
    assert EventCount("police contact", 90).name == "events_police_contact_90d"
    assert DaysSinceLastEvent("incident").name == "days_since_last_incident"
    assert EventTrend("missing", 90, 275).name == "trend_missing_90v275d"
    assert MoveCount(365).description == "Placement moves in the 365 days before t"
    assert MoveCount(365) == MoveCount(365) and hash(MoveCount(365)) == hash(MoveCount(365))


def test_every_default_output_has_description_unit_and_phrase():
    table = describe(default_specs())
    assert table["name"].n_unique() == table.height
    for row in table.iter_rows(named=True):
        assert row["description"] and row["unit"] and "{value}" in row["phrase"]
        assert row["definition"].endswith(".")


@pytest.mark.parametrize("attribute", sorted(SENSITIVE_ATTRIBUTES))
def test_sensitive_attributes_are_refused_without_opt_in(attribute):
    with pytest.raises(ValueError, match="opt_in_sensitive=True"):
        ChildAttribute(attribute, value="x")
    spec = ChildAttribute(attribute, value="x", opt_in_sensitive=True)
    assert spec.name.startswith("sensitive_")


def test_child_attributes_are_numeric():
    h = _history()
    t = pl.DataFrame({"child_id": ["a", "b"], "prediction_time": [date(2021, 6, 1)] * 2})
    specs = [
        ChildAttribute("region", value="north"),
        ChildAttribute("maltreatment"),
        ChildAttribute("origin", value="migrant", opt_in_sensitive=True),
    ]
    f = build_features(h, t, specs, outcomes=())
    assert f["child_region_north"].to_list() == [1, 0]
    assert f["child_maltreatment"].to_list() == [1, None]
    assert f["sensitive_origin_migrant"].to_list() == [0, 1]
    with pytest.raises(TypeError, match="value="):
        build_features(h, t, [ChildAttribute("region")], outcomes=())


def test_default_specs_follow_the_history_and_give_a_numeric_matrix():
    h = _history()
    specs = default_specs(h, before="all")
    names = feature_names(specs)
    assert "events_missing_90d" in names and "events_review_90d" not in names
    t = pl.DataFrame({"child_id": ["a", "b"], "prediction_time": [date(2020, 4, 1)] * 2})
    f = build_features(h, t, specs)
    x = f.select(names).to_numpy()
    assert x.dtype.kind == "f" and x.shape == (2, len(names))
    row_a = dict(zip(names, x[0], strict=True))
    assert row_a["moves_ever"] == 1 and row_a["breakdowns_ever"] == 1
    assert row_a["current_setting_residential"] == 1 and row_a["days_in_current_placement"] == 31
    assert row_a["events_missing_90d"] == 0  # dated on t: not known under the strict policy
    assert row_a["unplanned_ending_share"] == 1.0
    assert np.isnan(dict(zip(names, x[1], strict=True))["days_since_first_entry"])
    assert f.columns[:4] == ["child_id", "prediction_time", "placement_id", "setting"]
    assert f.columns[-1] == "label_breakdown_180d"


def test_duplicate_columns_and_unknown_children_are_errors():
    h = _history()
    with pytest.raises(ValueError, match="produced twice"):
        feature_names([MoveCount(90), MoveCount(90)])
    with pytest.raises(ValueError, match="not in the history's children"):
        build_features(
            h, pl.DataFrame({"child_id": ["zz"], "prediction_time": [date(2021, 1, 1)]}),
            [CurrentSetting()], outcomes=(),
        )  # fmt: skip
