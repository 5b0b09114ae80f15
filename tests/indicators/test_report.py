"""Stability indicators: move counting, grouping, disclosure control, the CLI."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from earlysignal.cli import app
from earlysignal.data import CareHistory
from earlysignal.disclosure import check_table
from earlysignal.indicators import measures
from earlysignal.indicators.report import (
    default_year_ends,
    long_term_members,
    moves_distribution,
    moves_in_year,
    stability_indicators,
)
from earlysignal.sources import import_ssda903

YE = date(2021, 3, 31)


def history(placements: list[tuple[str, str, date, date | None, str, str | None, bool]],
            children: int | None = None) -> CareHistory:  # fmt: skip
    ids = sorted({p[0] for p in placements}) if children is None else [
        f"c{i}" for i in range(children)]  # fmt: skip
    return CareHistory.from_frames(
        children=pl.DataFrame({
            "child_id": ids,
            "birth_date": [date(2008, 6, 1)] * len(ids),
            "sex": ["female" if i % 2 else "male" for i in range(len(ids))],
        }),
        placements=pl.DataFrame(
            placements,
            schema=["child_id", "placement_id", "start", "end", "setting", "end_reason",
                    "temporary"],
            orient="row",
        ),
        events=None,
        observed_until=date(2021, 6, 30),
    )  # fmt: skip


def test_moves_and_days_in_year_by_hand() -> None:
    h = history([
        ("a", "a1", date(2020, 1, 1), date(2020, 6, 1), "foster", "breakdown", False),
        ("a", "a2", date(2020, 6, 1), date(2020, 8, 1), "residential", "planned", False),
        ("a", "t", date(2020, 7, 1), date(2020, 7, 5), "other", "other", True),  # respite
        ("a", "a3", date(2020, 8, 2), date(2020, 10, 1), "foster", "return_home", False),
        ("a", "a4", date(2021, 1, 1), None, "foster", None, False),  # re-entry: not a move
        ("b", "b1", date(2019, 1, 1), date(2020, 4, 10), "foster", "return_home", False),
    ])  # fmt: skip
    rows = (
        moves_in_year(h, YE)
        .select("child_id", "moves", "days_in_care", "moves_to_date", "in_care_at_year_end")
        .rows()
    )
    # a: moves on 2020-06-01 and 2020-08-02 (one day after the previous end); days in care
    # 2020-04-01..2020-09-30 (183) + 2021-01-01..2021-03-31 (90) - the gap day 2020-08-01 (1)
    assert rows == [("a", 2, 182 + 90, 2, True), ("b", 0, 9, 0, False)]


def test_default_year_ends() -> None:
    h = history([("a", "a1", date(2018, 5, 1), None, "foster", None, False)])
    # whole years observed since the first placement, up to observed_until (2021-06-30)
    assert default_year_ends(h) == [date(2020, 3, 31), date(2021, 3, 31)]
    windows = [["2019-04-01", "2020-03-31"], ["2020-04-01", "2021-03-31"]]
    imported = replace(h, meta={"import": {"collection_years": windows}})
    assert default_year_ends(imported) == [date(2020, 3, 31), date(2021, 3, 31)]


def many_children(n: int = 60) -> CareHistory:
    rows = []
    for i in range(n):
        cid = f"c{i}"
        rows.append((cid, f"{cid}-1", date(2019, 5, 1), date(2020, 9, 1), "foster", "breakdown",
                     False))  # fmt: skip
        if i % 3:
            rows.append((cid, f"{cid}-2", date(2020, 9, 1), None, "residential", None, False))
    return history(rows, children=n)


def test_protected_table_is_safe_and_agrees_with_raw() -> None:
    h = many_children()
    raw = stability_indicators(h, year_ends=[YE], by=["sex"], dfe=False, protected=False)
    prot = stability_indicators(h, year_ends=[YE], by=["sex"], dfe=False)
    assert prot.height == raw.height
    keys = ["year_end", "group", "group_value", "indicator"]
    both = raw.join(prot, on=keys, suffix="_p", nulls_equal=True)
    assert both.height == raw.height
    for r in both.iter_rows(named=True):
        if r["children_p"] is not None:
            assert abs(r["children_p"] - r["children"]) <= 2 and r["children_p"] % 5 == 0
        if r["value_p"] is not None:
            assert r["value_p"] == pytest.approx(r["value"], abs=0.051)
    for (indicator, group), sub in prot.group_by("indicator", "group"):
        problems = check_table(sub, count_cols=["children", "count"],
                               rate_cols=["value"], table=f"{indicator}/{group}")  # fmt: skip
        assert problems == []
    assert (prot.drop_nulls("children")["children"] >= 10).all()
    # 40 of 60 children moved once: moves per child 40/60 overall
    overall = raw.filter((pl.col("group") == "all") & (pl.col("indicator") == "moves_per_child"))
    assert overall["value"].item() == pytest.approx(40 / 60)


def test_small_groups_are_hidden_and_marked() -> None:
    h = many_children(14)  # 7 girls, 7 boys: every group cell is under 10
    prot = stability_indicators(h, year_ends=[YE], by=["sex"], dfe=False)
    by_sex = prot.filter(pl.col("group") == "sex")
    assert by_sex["children"].null_count() == by_sex.height
    assert set(by_sex["children_flag"].to_list()) == {"suppressed"}
    assert by_sex["suppressed"].all()


def test_unknown_group_column_is_named() -> None:
    with pytest.raises(ValueError, match=r"\['religion'\] are not in the children table"):
        stability_indicators(many_children(), year_ends=[YE], by=["religion"], dfe=False)


def test_moves_distribution_accounts_for_everyone() -> None:
    h = many_children()
    raw = moves_distribution(h, YE, top=3, protected=False)
    in_care = moves_in_year(h, YE).filter(pl.col("in_care_at_year_end")).height
    assert raw["children"].sum() == in_care == 40
    prot = moves_distribution(h, YE, top=3)
    assert check_table(prot, count_cols=["children"], by=["moves"]) == []


def test_cli_import_then_indicators(shared_data: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    sample = shared_data / "ssda903" / "cs-demand-model-sample"
    out = tmp_path / "canonical"
    res = runner.invoke(app, ["import-ssda903", str(sample), "--out", str(out)])
    assert res.exit_code == 1 and "overlapping_episodes" in res.output
    res = runner.invoke(app, ["import-ssda903", str(sample), "--out", str(out), "--repair"])
    assert res.exit_code == 0, res.output
    assert "duplicates" in res.output and (out / "placements.parquet").is_file()
    csv = tmp_path / "ind.csv"
    res = runner.invoke(app, ["indicators", str(out), "--by", "sex", "--out", str(csv)])
    assert res.exit_code == 0, res.output
    table = pl.read_csv(csv)
    assert {"three_plus_placements", "moves_per_child"} <= set(table["indicator"])
    assert (tmp_path / "publication-ledger" / "ledger.key").is_file()  # beside the table
    assert "publication ledger" in res.output
    res = runner.invoke(app, ["import-ssda903", str(tmp_path / "nope"), "--out", str(out)])
    assert res.exit_code == 2


# ------------------------------------------------------- agreement with measures
@pytest.fixture(scope="module")
def sample(shared_data: Path) -> CareHistory:
    folder = shared_data / "ssda903" / "cs-demand-model-sample"
    history, _ = import_ssda903(folder, errors="repair", validate=False)
    return history


@pytest.fixture(scope="module")
def simulated() -> CareHistory:
    from earlysignal.synth import simulate

    return simulate(1500, years=4, seed=11).history


def overall(table: pl.DataFrame, indicator: str, year_end: date) -> float | None:
    row = table.filter(
        (pl.col("group") == "all")
        & (pl.col("indicator") == indicator)
        & (pl.col("year_end") == year_end)
    )
    value = row["value"].item()
    return None if value is None else float(value)


@pytest.mark.parametrize("which", ["sample", "simulated"])
def test_raw_dfe_values_equal_measures(which: str, request: pytest.FixtureRequest) -> None:
    history: CareHistory = request.getfixturevalue(which)
    ends = default_year_ends(history)
    assert ends
    raw = stability_indicators(history, year_ends=ends, protected=False)
    for ye in ends:
        for name, fn in (
            ("three_plus_placements", measures.three_plus_placements),
            ("two_year_three_plus", measures.two_year_three_plus),
            ("long_term_stability", measures.long_term_stability),
        ):
            expected = fn(history, ye)
            got = overall(raw, name, ye)
            if math.isnan(expected):
                assert got is None, (name, ye)
            else:
                assert got == pytest.approx(expected, abs=1e-12), (name, ye)
        lt = long_term_members(history, ye)
        expected_lt = measures.long_term_stability(history, ye)
        if lt.height:
            assert lt["flag"].mean() == pytest.approx(expected_lt, abs=1e-12)


def test_sample_three_plus_placements_shows_the_known_excess(sample: CareHistory) -> None:
    table = stability_indicators(sample, by=["sex", "age_group"])
    for ye in (date(2018, 3, 31), date(2019, 3, 31), date(2020, 3, 31), date(2021, 3, 31)):
        value = overall(table, "three_plus_placements", ye)
        assert value is not None and 0.19 <= value <= 0.25, (ye, value)
    published = table.drop_nulls("children")
    assert (published["children"] >= 10).all() and (published["children"] % 5 == 0).all()
    counts = table.drop_nulls("count")
    assert (counts["count"] >= 10).all() and (counts["count"] % 5 == 0).all()


def test_simulated_three_plus_placements_near_national(simulated: CareHistory) -> None:
    table = stability_indicators(simulated, protected=False)
    values = table.filter(
        (pl.col("group") == "all") & (pl.col("indicator") == "three_plus_placements")
    )["value"]
    # the simulator is calibrated to England's 9-11 % on its default cohort; a small cohort
    # scatters around it
    assert 0.06 <= values.mean() <= 0.14  # type: ignore[operator]
