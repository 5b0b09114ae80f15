"""Trajectory swimlanes, moves distributions and indicator lines: figures, not files."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from earlysignal.data import CareHistory
from earlysignal.indicators.plots import (
    plot_indicators_over_time,
    plot_moves_distribution,
    plot_trajectories,
)
from earlysignal.indicators.report import care_timeline, moves_distribution, stability_indicators


def cohort(n: int = 30) -> CareHistory:
    rows = []
    for i in range(n):
        cid = f"secret-id-{i}"
        rows.append((cid, f"{cid}-1", date(2019, 5, 1), date(2020, 1, 1), "foster",
                     "breakdown", False))  # fmt: skip
        rows.append((cid, f"{cid}-t", date(2019, 7, 1), date(2019, 7, 3), "other", "other", True))
        rows.append((cid, f"{cid}-2", date(2020, 1, 1), None, "residential", None, False))
    ids = [f"secret-id-{i}" for i in range(n)]
    return CareHistory.from_frames(
        children=pl.DataFrame({"child_id": ids, "birth_date": [date(2009, 1, 1)] * n,
                               "sex": ["female"] * n}),
        placements=pl.DataFrame(rows, schema=["child_id", "placement_id", "start", "end",
                                              "setting", "end_reason", "temporary"],
                                orient="row"),
        events=None, observed_until=date(2021, 6, 30),
    )  # fmt: skip


def all_text(fig) -> str:  # type: ignore[no-untyped-def]
    ax = fig.axes[0]
    parts = [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels() + ax.texts]
    legend = ax.get_legend()
    if legend is not None:
        parts += [t.get_text() for t in legend.get_texts()]
    return " ".join([*parts, ax.get_title(), ax.get_xlabel(), ax.get_ylabel()])


def test_trajectories_sample_anonymised_lanes_and_markers() -> None:
    h = cohort()
    fig = plot_trajectories(h, n=5, seed=1)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"child {i}" for i in range(1, 6)]
    assert "secret-id" not in all_text(fig)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"kinship foster", "residential", "move", "breakdown", "temporary"} <= set(legend)
    # one breakdown cross and one move tick per child: 5 of each
    crosses = [ln for ln in ax.lines if ln.get_marker() == "x"]
    ticks = [ln for ln in ax.lines if ln.get_marker() == "None" and len(ln.get_xdata()) == 2]
    assert len(crosses) == 5
    assert len(ticks) == care_timeline(h.subset(h.children["child_id"][:5])).filter(
        pl.col("move")).height  # fmt: skip
    # bars: 2 permanent + 1 temporary per child
    assert len(ax.collections) == 15
    colours = {tuple(round(c, 3) for c in coll.get_facecolor()[0]) for coll in ax.collections}
    assert len(colours) == 3  # foster, residential, white temporary


def test_trajectories_same_sample_for_same_seed_and_calendar_axis() -> None:
    h = cohort()
    a = plot_trajectories(h, n=4, seed=3, align="calendar")
    b = plot_trajectories(h, n=4, seed=3, align="calendar")
    xa = [c.get_paths()[0].vertices.min() for c in a.axes[0].collections]
    xb = [c.get_paths()[0].vertices.min() for c in b.axes[0].collections]
    assert xa == xb
    assert a.axes[0].get_xlabel() == "date"


def test_trajectories_unknown_child_raises() -> None:
    with pytest.raises(ValueError, match="no placement"):
        plot_trajectories(cohort(), children=["nobody"])


def test_moves_distribution_marks_hidden_bars() -> None:
    h = cohort()
    fig = plot_moves_distribution(h, date(2021, 3, 31), top=3)
    labels = [t.get_text() for t in fig.axes[0].texts]
    table = moves_distribution(h, date(2021, 3, 31), top=3)
    assert labels == ["c" if v is None else str(v) for v in table["children"].to_list()]
    # all 30 children have exactly one move: with the total known, every bin must be hidden
    assert labels == ["c"] * 4


def test_indicators_over_time_lines_and_hidden_points() -> None:
    h = cohort()
    ends = [date(2020, 3, 31), date(2021, 3, 31)]
    table = stability_indicators(h, year_ends=ends, by=["sex"], dfe=False)
    fig = plot_indicators_over_time(table)
    ax = fig.axes[0]
    shares = table.filter(pl.col("unit") == "share")["indicator"].unique()
    assert len(ax.get_lines()) == shares.len()
    assert ax.get_ylim() == (0.0, 1.0)
    grouped = plot_indicators_over_time(table, ["moved_more_than_1"], group="sex")
    assert len(grouped.axes[0].get_lines()) == 1  # one sex in the cohort
