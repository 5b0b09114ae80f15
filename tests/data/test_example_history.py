"""``example_history``: defaults filled, scalars repeated, unequal columns refused."""

from datetime import date

import pytest

from earlysignal.data import example_history


def test_defaults_and_broadcast() -> None:
    h = example_history(
        {"child_id": ["a", "b", "a"], "start": date(2020, 1, 1), "setting": "residential"},
        events={"kind": "incident", "date": [date(2020, 2, 1), date(2020, 3, 1)]},
        observed_until=date(2021, 1, 1),
    )
    assert h.children["child_id"].to_list() == ["a", "b"]
    assert h.placements["placement_id"].to_list() == ["p1", "p2", "p3"]
    assert h.placements["setting"].to_list() == ["residential"] * 3
    assert h.placements["end"].null_count() == 3
    assert h.events["child_id"].to_list() == ["a", "a"]
    assert h.statuses is None


def test_unequal_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="different lengths"):
        example_history(
            {"start": [date(2020, 1, 1)], "end": [None, None]}, observed_until=date(2021, 1, 1)
        )


def test_start_is_required() -> None:
    with pytest.raises(ValueError, match="'start'"):
        example_history({"end": [None]}, observed_until=date(2021, 1, 1))
