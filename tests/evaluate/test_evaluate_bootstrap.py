"""evaluate(): tidy output, clustered bootstrap, oracle and baseline gaps."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from earlysignal.evaluate import (
    EVALUATION_SCHEMA,
    cluster_bootstrap_weights,
    decision_curve,
    evaluate,
    reliability_table,
)


def _cohort(n_children=800, per_child=4, seed=0, sd=1.0):
    rng = np.random.default_rng(seed)
    frailty = rng.normal(0, sd, n_children)
    groups = np.repeat(np.arange(n_children), per_child)
    z = -2 + frailty[groups] + rng.normal(0, 0.5, groups.size)
    truth = 1 / (1 + np.exp(-z))
    y = (rng.random(groups.size) < truth).astype(int)
    return y, truth, groups


def test_tidy_schema_and_gap_rows():
    y, truth, groups = _cohort()
    noisy = 1 / (
        1 + np.exp(-(np.log(truth / (1 - truth)) + np.random.default_rng(1).normal(0, 1, y.size)))
    )
    res = evaluate(
        y,
        noisy,
        groups,
        model="m",
        oracle=truth,
        baselines={"flat": np.full(y.size, y.mean())},
        n_boot=60,
        thresholds=(0.1, 0.2),
        capacity=(0.1,),
    )
    assert dict(res.schema) == EVALUATION_SCHEMA
    models = set(res["model"].unique())
    assert {"data", "m", "oracle", "flat", "m - oracle", "m - flat", "m / oracle"} <= models
    assert {"treat_all", "treat_none"} <= models
    # Every percentile interval holds its own estimate, except where it cannot: ECE and the
    # Brier reliability are distances (>= 0) whose replicates are biased upwards, so when the
    # estimate is 0 (the flat baseline is calibrated in the large by construction) no
    # replicate can fall at or below it.
    at_zero = pl.col("metric").is_in(["ece", "brier_reliability"]) & (pl.col("estimate") == 0)
    ci = res.filter(pl.col("lower").is_not_null() & ~at_zero)
    outside = ci.filter(
        (pl.col("lower") > pl.col("estimate") + 1e-12)
        | (pl.col("upper") < pl.col("estimate") - 1e-12)
    )
    assert outside.height == 0, outside
    assert ci.height > 80  # the check covers the table (87 intervals), not a handful of rows
    gap = res.filter(model="m - oracle", metric="auroc")["estimate"].item()
    m = res.filter(model="m", metric="auroc")["estimate"].item()
    o = res.filter(model="oracle", metric="auroc")["estimate"].item()
    assert gap == pytest.approx(m - o)
    assert gap < 0
    assert res.filter(model="m - oracle", metric="auroc")["upper"].item() < 0  # paired CI
    assert res.filter(model="flat", metric="auroc")["estimate"].item() == 0.5
    lift = res.filter(model="m / oracle")["estimate"].item()
    assert lift == pytest.approx((m - 0.5) / (o - 0.5))
    none = res.filter(model="treat_none")
    assert none["estimate"].to_list() == [0.0, 0.0]
    assert res.filter(model="data", metric="n_children")["estimate"].item() == 800


def test_cluster_bootstrap_is_wider_than_row_bootstrap_for_clustered_data():
    y, truth, groups = _cohort(n_children=400, per_child=10, seed=2, sd=2.5)
    clustered = evaluate(y, truth, groups, n_boot=100, capacity=(), thresholds=())
    by_row = evaluate(y, truth, np.arange(y.size), n_boot=100, capacity=(), thresholds=())

    def width(res):
        row = res.filter(model="data", metric="prevalence").row(0, named=True)
        return row["upper"] - row["lower"]

    assert width(clustered) > 1.5 * width(by_row)


def test_bootstrap_weights_resample_whole_children():
    groups = np.array([3, 3, 1, 2, 2, 2])
    for w in cluster_bootstrap_weights(groups, 50, seed=1):
        assert np.all(w[:, 0] == w[:, 1])
        assert np.all((w[:, 3] == w[:, 4]) & (w[:, 4] == w[:, 5]))
        _, first = np.unique(groups, return_index=True)
        assert np.all(w[:, first].sum(axis=1) == 3)  # as many children drawn as there are


def test_refuses_censored_and_out_of_range_inputs():
    with pytest.raises(ValueError, match="censored"):
        evaluate(np.array([0.0, np.nan]), np.array([0.1, 0.2]), [1, 2])
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        evaluate(np.array([0, 1]), np.array([-2.0, 0.3]), [1, 2])
    with pytest.raises(ValueError, match="one child id per row"):
        evaluate(np.array([0, 1]), np.array([0.1, 0.3]), [1])


def test_reliability_and_decision_curve_tables():
    y, truth, groups = _cohort()
    table = reliability_table(y, truth, groups, n_bins=5, n_boot=50)
    assert table.columns == ["bin", "rows", "mean_predicted", "observed", "lower", "upper"]
    assert table["rows"].sum() == y.size
    assert (table["lower"] <= table["upper"]).all()
    dc = decision_curve(y, {"oracle": truth}, [0.1, 0.2])
    assert set(dc["model"]) == {"oracle", "treat_all", "treat_none"}
    assert dc.filter(model="treat_none")["net_benefit"].to_list() == [0.0, 0.0]
