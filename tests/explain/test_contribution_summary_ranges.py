"""The contribution summary figure labels each bin with its range of values (its published cut
points, worded in the card's language); the card stores the cut points with the quartiles, and
card data stored before them still draws (without range labels)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from earlysignal.card.figures import FIGURE_KINDS
from earlysignal.explain import Contributions, contribution_bins
from earlysignal.explain.plots import contribution_summary_data, contribution_summary_plot


def _bins():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(3)
    x = rng.normal(size=(150, 1)) * 10
    return contribution_bins(Contributions(x / 10, np.zeros(150), x, ("age",), "linear"),
                             np.arange(150))  # fmt: skip


def _annotations(fig) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.get_text() for t in fig.axes[0].texts]


def test_each_bin_is_labelled_with_its_range_in_the_language() -> None:
    bins = _bins()
    lo = bins["value_lo"].to_list()
    en = contribution_summary_plot(bins, lang="en")
    nl = contribution_summary_plot(bins, lang="nl")
    try:
        words_en, words_nl = _annotations(en), _annotations(nl)
        assert len(words_en) == bins.height
        assert words_en[0].startswith("below ") and words_en[-1].endswith(" and above")
        assert words_nl[0].startswith("onder ") and words_nl[-1].endswith(" en hoger")
        assert f"{lo[1]:g}" in words_en[1] and f"{lo[1]:g}".replace(".", ",") in words_nl[1]
    finally:
        plt.close(en)
        plt.close(nl)


def test_the_card_stores_the_cut_points_and_old_card_data_still_draws() -> None:
    bins = _bins()
    data = contribution_summary_data(bins)
    assert [r["value_lo"] for r in data["rows"]] == bins["value_lo"].to_list()
    assert all("n_children" not in r for r in data["rows"])
    old = {"kind": "contribution_summary",
           "rows": [{k: v for k, v in r.items() if k not in ("value_lo", "value_hi")}
                    for r in data["rows"]]}  # fmt: skip
    for stored, labelled in ((data, True), (old, False)):
        fig = FIGURE_KINDS["contribution_summary"](stored, "nl", {})
        try:
            assert bool(_annotations(fig)) is labelled
        finally:
            plt.close(fig)
