"""evaluate() reports, per metric, how many bootstrap replicates were dropped as non-finite."""

from __future__ import annotations

import numpy as np
import polars as pl

from earlysignal.evaluate import cluster_bootstrap_weights, evaluate
from earlysignal.evaluate import metrics as M


def _rare_events(n_children=40, seed=0):
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_children), 2)
    y = np.zeros(groups.size, dtype=int)
    y[[0, 7]] = 1  # two events in two children: many replicates draw neither
    p = rng.uniform(0.01, 0.3, groups.size)
    return y, p, groups


def test_dropped_count_is_the_number_of_non_finite_replicates():
    y, p, groups = _rare_events()
    res = evaluate(y, p, groups, n_boot=200, seed=5, thresholds=(), capacity=())
    w = np.vstack(list(cluster_bootstrap_weights(groups, 200, seed=5)))
    expected = int(np.sum(~np.isfinite(M.auroc(y, p, w))))
    assert expected > 0  # the case exists: the count is not trivially zero
    row = res.filter(model="model", metric="auroc").row(0, named=True)
    assert row["dropped_replicates"] == expected
    # the Brier score exists in every replicate
    assert res.filter(model="model", metric="brier")["dropped_replicates"].item() == 0


def test_no_bootstrap_means_no_count_and_counts_rows_have_none():
    y, p, groups = _rare_events()
    res = evaluate(y, p, groups, n_boot=0, thresholds=(), capacity=())
    assert res["dropped_replicates"].null_count() == res.height
    res = evaluate(y, p, groups, n_boot=20, thresholds=(), capacity=())
    counts = res.filter(pl.col("metric").is_in(["n_rows", "n_children", "n_events"]))
    assert counts["dropped_replicates"].null_count() == 3
