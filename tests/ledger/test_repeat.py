"""The ledger's rule: nearly the same children repeat the earlier outcome; the rest is fresh."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from earlysignal.disclosure import DisclosurePolicy, protect
from earlysignal.ledger import PublicationLedger, use_ledger

DETAILED = DisclosurePolicy(detailed_reasons=True)


def _table(groups: dict[str, list[str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {"g": list(groups), "n": [len(v) for v in groups.values()], "ids": list(groups.values())},
        schema={"g": pl.String, "n": pl.Int64, "ids": pl.List(pl.String)},
    )


def _publish(groups: dict[str, list[str]], ledger: PublicationLedger | None) -> pl.DataFrame:
    return protect(
        _table(groups),
        count_cols=["n"],
        by=["g"],
        members={"n": "ids"},
        table="t",
        ledger=ledger,
        policy=DETAILED,
    )


def _ids(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def test_fewer_than_10_changed_children_repeat_the_earlier_figure(tmp_path: Path) -> None:
    led = PublicationLedger(tmp_path)
    first = _publish({"a": _ids("a", 17), "b": _ids("b", 40)}, led)
    assert first["n"].to_list() == [15, 40]
    # 17 -> 18 crosses the rounding boundary (15 -> 20); 4 leave b and 5 join: 9 changes
    later = _publish({"a": _ids("a", 18), "b": _ids("b", 40)[4:] + _ids("new", 5)}, led)
    assert later["n"].to_list() == [15, 40]
    assert led.stats.repeated == {"t": 2}


def test_10_changed_children_publish_afresh_and_anchor_again(tmp_path: Path) -> None:
    led = PublicationLedger(tmp_path)
    _publish({"a": _ids("a", 17), "b": _ids("b", 40)}, led)
    out = _publish({"a": _ids("a", 27), "b": _ids("b", 40)}, led)
    assert out["n"].to_list() == [25, 40]
    # the fresh figure is the new anchor: 3 more children repeat 25, not 15
    out = _publish({"a": _ids("a", 30), "b": _ids("b", 40)}, led)
    assert out["n"].to_list() == [25, 40]


def test_a_cell_under_10_is_hidden_whatever_was_published_before(tmp_path: Path) -> None:
    led = PublicationLedger(tmp_path)
    _publish({"a": _ids("a", 11), "b": _ids("b", 40), "c": _ids("c", 30)}, led)
    out = _publish({"a": _ids("a", 9), "b": _ids("b", 40), "c": _ids("c", 30)}, led)
    assert out["n_flag"].to_list()[0] == "small"
    assert out["n"].to_list()[0] is None


def test_a_cell_hidden_before_stays_hidden_for_nearly_the_same_children(tmp_path: Path) -> None:
    led = PublicationLedger(tmp_path)
    first = _publish({"a": _ids("a", 4), "b": _ids("b", 16), "c": _ids("c", 60)}, led)
    assert first["n_flag"].to_list() == ["small", "complementary", None]
    # a grows past the threshold (4 -> 12, 8 changes): it stays hidden, like b
    out = _publish({"a": _ids("a", 12), "b": _ids("b", 16), "c": _ids("c", 60)}, led)
    assert out["n_flag"].to_list() == ["earlier", "earlier", None]
    assert out["n"].to_list() == [None, None, 60]


def test_without_a_ledger_the_members_are_only_checked(tmp_path: Path) -> None:
    plain = _publish({"a": _ids("a", 17), "b": _ids("b", 40)}, None)
    assert plain["n"].to_list() == [15, 40] and "ids" not in plain.columns
    assert not any(tmp_path.iterdir())
    with pytest.raises(ValueError, match="members column 'ids' lists 3 distinct ids"):
        protect(
            _table({"a": _ids("a", 3)}).with_columns(pl.lit(5).alias("n")),
            count_cols=["n"],
            by=["g"],
            members={"n": "ids"},
        )


def test_the_ledger_in_use_needs_a_table_name(tmp_path: Path) -> None:
    with (
        use_ledger(PublicationLedger(tmp_path)),
        pytest.raises(ValueError, match="pass table="),
    ):
        protect(_table({"a": _ids("a", 12)}), count_cols=["n"], by=["g"], members={"n": "ids"})
