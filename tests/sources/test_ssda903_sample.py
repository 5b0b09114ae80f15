"""Integration: the five public sample returns import, validate and give the known figures."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from earlysignal.data import CareHistory
from earlysignal.sources import SSDA903Error, import_ssda903


@pytest.fixture(scope="module")
def sample_dir(shared_data: Path) -> Path:
    folder = shared_data / "ssda903" / "cs-demand-model-sample"
    if not (folder / "2017-episodes.csv").is_file():
        pytest.fail(f"the SSDA903 sample is missing from {folder}")
    return folder


@pytest.fixture(scope="module")
def imported(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("ssda903") / "canonical"
    history, report = import_ssda903(sample_dir, out, errors="repair")
    return history, report, out


def test_sample_rows_read_and_duplicates_merged(imported) -> None:  # type: ignore[no-untyped-def]
    history, report, _ = imported
    assert len([f for f in report.files if f.table == "episodes"]) == 5
    assert report.rows_read["episodes"] == 3737
    assert report.duplicates_merged["episodes"] == 3737 - 2827
    # 12 episodes that later returns replaced (liia-tools RULE_3/3A and later-return overlaps)
    assert report.excluded["episodes"] == 12
    assert report.kept["episodes"] == 2815
    assert history.children.height == 820
    assert report.year_label == "start"
    assert report.observed_until == date(2022, 3, 31) == history.observed_until
    assert report.ignored_files == ("LICENSE",)


def test_nothing_lost_silently(imported) -> None:  # type: ignore[no-untyped-def]
    _, report, _ = imported
    for table, read in report.rows_read.items():
        accounted = report.duplicates_merged[table] + report.excluded[table] + report.kept[table]
        assert accounted == read, table
    excluded_issues = report.issues_frame().filter(pl.col("severity") == "excluded")
    assert excluded_issues.height == sum(report.excluded.values())
    # reviews dated after the extraction date (every version of them) are excluded
    assert report.count("implausible_date") == report.excluded["reviews"] == 700


def test_rec_x1_on_open_episodes_reported(imported) -> None:  # type: ignore[no-untyped-def]
    _, report, _ = imported
    rule148 = report.issues_frame().filter(pl.col("rule") == "ssda903.rec_on_open_episode")
    assert rule148.filter(pl.col("value") == "X1").height > 500
    assert set(rule148["severity"]) == {"warning"}
    assert rule148["file"].null_count() == 0 and rule148["row"].null_count() == 0


def test_sample_overlaps_raise_by_default_naming_file_and_row(sample_dir: Path) -> None:
    with pytest.raises(SSDA903Error) as info:
        import_ssda903(sample_dir)
    overlaps = [i for i in info.value.issues if i.rule == "ssda903.overlapping_episodes"]
    assert len(overlaps) == 30
    assert all(i.file and i.file.endswith("-episodes.csv") and i.row for i in overlaps)


def test_stale_open_episodes_cease_at_last_return(imported) -> None:  # type: ignore[no-untyped-def]
    """24 of the 86 children open at 31 March 2022 are in neither of the last two returns."""
    history, report, _ = imported
    stale = report.count("ceased_not_in_later_return") + report.count("stale_duplicate")
    assert stale == 24
    assert history.placements.filter(pl.col("end").is_null()).height == 86 - 24
    assert report.years_missing == {"": ()}


def test_result_validates_and_round_trips(imported) -> None:  # type: ignore[no-untyped-def]
    history, report, out = imported
    assert report.validation is not None and report.validation["ok"]
    assert history.validate().ok
    back = CareHistory.read(out)
    assert back.counts() == history.counts()
    summary = json.loads((out / "import_report.json").read_text())
    assert summary["duplicates_merged"]["episodes"] == 910
    # the summary holds counts only: no child identifier from the returns
    some_child = history.children["child_id"][0]
    assert f'"{some_child}"' not in (out / "import_report.json").read_text()
    assert (out / "import_issues.csv").is_file()


def test_sample_three_plus_placements_near_known_excess(imported) -> None:  # type: ignore[no-untyped-def]
    from earlysignal.indicators.measures import three_plus_placements

    history, _, _ = imported
    for year in (2018, 2019, 2020, 2021):
        share = three_plus_placements(history, date(year, 3, 31))
        assert 0.19 <= share <= 0.25, (year, share)


def test_row_and_file_order_do_not_matter(sample_dir: Path, tmp_path: Path) -> None:
    for i, f in enumerate(sorted(sample_dir.glob("*.csv"))):
        frame = pl.read_csv(f, infer_schema=False)
        frame.sample(fraction=1.0, shuffle=True, seed=i).write_csv(tmp_path / f.name)
    a, _ = import_ssda903(sample_dir, errors="repair", validate=False)
    b, _ = import_ssda903(tmp_path, errors="repair", validate=False)
    for name, frame in a.tables().items():
        assert frame.equals(b.tables()[name]), name
