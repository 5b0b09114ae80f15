"""What counts as a breakdown: child_side (default) versus any_unplanned."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from earlysignal.outcomes import BREAKDOWN_DEFINITIONS, label, label_name, label_with_report

from .test_labels import _history, _times


def _three_endings():
    return _history([
        (date(2020, 1, 1), date(2020, 3, 1), "breakdown", False),
        (date(2020, 3, 1), date(2020, 6, 1), "provider_ended", False),
        (date(2020, 6, 1), date(2020, 9, 1), "planned", False),
    ])  # fmt: skip


def test_provider_ended_is_a_competing_event_by_default_and_an_event_for_any_unplanned():
    h = _three_endings()
    t = _times(date(2020, 2, 1), date(2020, 4, 1), date(2020, 7, 1))
    child, rep = label_with_report(h, t, "breakdown", 90)
    assert child["label_breakdown_90d"].to_list() == [1, 0, 0]
    assert (rep.definition, rep.positives, rep.competing) == ("child_side", 1, 2)
    anyu, rep = label_with_report(h, t, "breakdown", 90, definition="any_unplanned")
    assert anyu.columns[-1] == "label_breakdown_any_90d"
    assert anyu["label_breakdown_any_90d"].to_list() == [1, 1, 0]
    assert (rep.definition, rep.positives, rep.competing) == ("any_unplanned", 2, 1)


def test_names_and_errors():
    assert label_name("breakdown", 180) == "label_breakdown_180d"
    assert label_name("breakdown", 180, "any_unplanned") == "label_breakdown_any_180d"
    # the definition is about breakdowns only: other outcomes keep their names
    assert label_name("carousel", 365, "any_unplanned") == "label_carousel_365d"
    assert BREAKDOWN_DEFINITIONS["child_side"] == ("breakdown",)
    with pytest.raises(ValueError, match=r"breakdown definition.*'everything'"):
        label(_three_endings(), _times(date(2020, 2, 1)), "breakdown", 90, definition="everything")


def test_any_unplanned_labels_are_at_least_the_child_side_labels():
    h = _three_endings()
    days = pl.date_range(date(2019, 12, 1), date(2020, 10, 1), "7d", eager=True).to_list()
    t = _times(*days)
    a = label(h, t, "breakdown", 120)["label_breakdown_120d"]
    b = label(h, t, "breakdown", 120, definition="any_unplanned")["label_breakdown_any_120d"]
    assert (a.is_null() == b.is_null()).all()
    assert ((b >= a) | a.is_null()).all()
    assert (b > a).any()


def test_summary_counts_placements_but_hides_parts_with_fewer_than_10_children():
    from earlysignal.data import CareHistory
    from earlysignal.outcomes import breakdown_definition_summary

    rows = []
    # 3 children with 8 provider-side endings each (24 placements, 3 children: hidden);
    # 12 children with 2 child-side breakdowns each (24 placements, 12 children: 25)
    for c, (n, reason) in enumerate([(8, "provider_ended")] * 3 + [(2, "breakdown")] * 12):
        for j in range(n):
            s = date(2010 + j, 1, 1)
            rows.append({"child_id": f"c{c}", "placement_id": f"c{c}-{j}", "start": s,
                         "end": date(2010 + j, 6, 1), "setting": "foster",
                         "end_reason": reason})  # fmt: skip
    ids = sorted({r["child_id"] for r in rows})
    h = CareHistory.from_frames(
        children=pl.DataFrame(
            {
                "child_id": ids,
                "birth_date": [date(2005, 1, 1)] * len(ids),
                "sex": ["male"] * len(ids),
            }
        ),
        placements=pl.DataFrame(rows),
        events=None,
        observed_until=date(2020, 1, 1),
    )
    s = breakdown_definition_summary(h, "any_unplanned")
    assert s["counts"] == {"breakdown": 25, "provider_ended": None}
    assert s["end_reasons"] == ["breakdown", "provider_ended"]
    assert "DfE" in str(s["source"])
