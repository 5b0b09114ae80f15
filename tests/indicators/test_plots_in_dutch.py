"""The trajectory, moves and indicator figures in Dutch: every text is a Dutch catalogue text,
a Dutch number or date, or data."""

from __future__ import annotations

from datetime import date

import polars as pl
from i18n_checks import not_dutch_figure_texts  # type: ignore[import-not-found]

from earlysignal.data import CareHistory
from earlysignal.i18n.figures import figure_texts
from earlysignal.indicators.plots import (
    plot_indicators_over_time,
    plot_moves_distribution,
    plot_trajectories,
)
from earlysignal.indicators.report import stability_indicators

DATES = (r"\d{1,2} (jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec)\.? \d{4}", r"\d\+?", r"c")


def _cohort(n: int = 30) -> CareHistory:
    rows = []
    for i in range(n):
        cid = f"c{i}"
        rows.append((cid, f"{cid}-1", date(2019, 5, 1), date(2020, 1, 1), "foster",
                     "breakdown", False))  # fmt: skip
        rows.append((cid, f"{cid}-t", date(2019, 7, 1), date(2019, 7, 3), "other", "other", True))
        rows.append((cid, f"{cid}-2", date(2020, 1, 1), None, "residential", None, False))
    return CareHistory.from_frames(
        children=pl.DataFrame({"child_id": [f"c{i}" for i in range(n)],
                               "birth_date": [date(2009, 1, 1)] * n, "sex": ["female"] * n}),
        placements=pl.DataFrame(rows, schema=["child_id", "placement_id", "start", "end",
                                              "setting", "end_reason", "temporary"],
                                orient="row"),
        events=None, observed_until=date(2021, 6, 30),
    )  # fmt: skip


def test_every_text_of_the_dutch_indicator_figures_is_dutch() -> None:
    h = _cohort()
    table = stability_indicators(h, year_ends=[date(2020, 3, 31), date(2021, 3, 31)], dfe=False)
    figs = {
        "trajectories": plot_trajectories(h, n=4, lang="nl"),
        "calendar": plot_trajectories(h, n=4, align="calendar", lang="nl"),
        "moves": plot_moves_distribution(h, date(2021, 3, 31), top=3, lang="nl"),
        "indicators": plot_indicators_over_time(table, lang="nl"),
    }
    for name, fig in figs.items():
        texts = figure_texts(fig)
        assert texts
        assert not_dutch_figure_texts(texts, DATES) == [], (name, texts)
    legend = [t.get_text() for t in figs["trajectories"].axes[0].get_legend().get_texts()]
    assert {"netwerkpleegzorg", "verhuizing", "voortijdige beëindiging"} <= set(legend)
    english = plot_indicators_over_time(table, lang="en")
    assert not_dutch_figure_texts(figure_texts(english), DATES)  # the check can fail
