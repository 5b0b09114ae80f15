"""The audit counts, per group and metric, the bootstrap replicates its intervals left out as
non-finite (as ``evaluate``'s ``dropped_replicates``), hides the count with its metric, and
carries it into the long table and the card's method line."""

from __future__ import annotations

import numpy as np
import polars as pl

from earlysignal.disclosure import DisclosurePolicy
from earlysignal.evaluate import cluster_bootstrap_weights
from earlysignal.evaluate import metrics as M
from earlysignal.fairness import METRICS, audit

RAW = DisclosurePolicy(min_count=0, rounding=1, min_class=0, decimals=None)
N_BOOT = 200


def _rare_events(n_children: int = 60, seed: int = 0) -> pl.DataFrame:
    """Two rows per child; two events among the first group's children, many in the other's."""
    rng = np.random.default_rng(seed)
    child = np.repeat(np.arange(n_children), 2)
    y = np.zeros(child.size, dtype=int)
    y[[0, 8]] = 1  # children 0 and 4 (group "a"): many replicates draw neither
    y[child % 2 == 1] = (rng.random(int((child % 2 == 1).sum())) < 0.4).astype(int)
    return pl.DataFrame(
        {
            "child_id": [f"c{c:03d}" for c in child],
            "group_attr": np.where(child % 2 == 0, "a", "b"),
            "risk": rng.uniform(0.01, 0.6, child.size),
            "y": y,
        }
    )


def _audit(df: pl.DataFrame, policy: DisclosurePolicy) -> object:
    return audit(
        df, attributes=["group_attr"], label="y", risk="risk", n_boot=N_BOOT, seed=5,
        policy=policy,
    )  # fmt: skip


def test_the_count_is_the_number_of_non_finite_replicates_per_group_and_metric() -> None:
    df = _rare_events()
    res = _audit(df, RAW)
    ids = df["child_id"].to_numpy()
    y = df["y"].to_numpy().astype(float)
    p = df["risk"].to_numpy()
    w = np.vstack(list(cluster_bootstrap_weights(ids, N_BOOT, seed=5)))
    a = (df["group_attr"] == "a").to_numpy()
    # group "a": the same draws restricted to its rows (the audit's weights are evaluate's)
    expected = int(np.sum(~np.isfinite(M.auroc(y[a], p[a], w[:, a]))))
    assert expected > 0  # the case exists: the count is not trivially zero
    row = res.groups.filter(pl.col("group") == "a").row(0, named=True)
    assert row["auroc_dropped"] == expected
    assert row["tpr_dropped"] > 0  # no child with the outcome drawn: no share caught
    assert row["mean_risk_dropped"] == 0  # defined in every replicate
    assert {f"{m}_dropped" for m in METRICS} <= set(res.groups.columns)
    # the long table carries the same count beside the interval, and the paired differences'
    long = res.metrics.filter((pl.col("group") == "a") & (pl.col("metric") == "auroc"))
    assert long["dropped"].item() == expected
    assert long["diff_dropped"].item() >= expected
    everyone = res.metrics.filter(pl.col("group") == "all")
    assert everyone["dropped"].to_list() == [0] * len(METRICS)


def test_the_count_is_hidden_with_its_metric_and_the_card_counts_short_intervals() -> None:
    from earlysignal.card.board import intervals_short_of_replicates

    df = _rare_events()
    res = _audit(df, DisclosurePolicy())  # default: under 10 children with the outcome hides
    row = res.groups.filter(pl.col("group") == "a").row(0, named=True)
    for m in ("auroc", "tpr", "ppv"):
        assert row[m] is None and row[f"{m}_dropped"] is None, m
    long = res.metrics.filter(pl.col("group") == "a")
    assert (
        long.filter(pl.col("value").is_null())["dropped"].null_count()
        == long.filter(pl.col("value").is_null()).height
    )
    raw = _audit(df, RAW)
    summary = intervals_short_of_replicates(raw.metrics.to_dicts())
    assert summary["short"] >= 2 and summary["intervals"] == raw.metrics.height
    assert summary["most_dropped"] == raw.metrics["dropped"].max()


def test_the_method_line_says_how_many_intervals_lost_replicates() -> None:
    from earlysignal.card.texts import card_language, reader_text, render_text

    text = reader_text(
        "audit_method", threshold=0.3, bootstrap=200, min_cell=10, intervals=40, short=3,
        most_dropped=57,
    )  # fmt: skip
    with card_language("en"):
        en = render_text(text)
        none = render_text({**text, "args": {**text["args"], "short": 0}})
    assert "3 of the 40 published intervals left out bootstrap replicates" in en
    assert "at most 57 of 200" in en
    with card_language("nl"):
        nl = render_text(text)
    assert "Bij 3 van de 40 getoonde intervallen" in nl and "hoogstens 57 van 200" in nl
    assert "None of the 40 published intervals left out a bootstrap replicate." in none
