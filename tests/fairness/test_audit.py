"""The fairness audit: correct per-group metrics, disclosure control, oracle values, the
calibration-gap test's false alarms and power."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score

from earlysignal.disclosure import DisclosurePolicy, assert_safe
from earlysignal.fairness import COUNTS, METRICS, ROW_COUNTS, AuditSpec, audit

RAW = DisclosurePolicy(min_count=0, rounding=1, min_class=0, decimals=None)
"""No disclosure control: exact values, to compare with a direct computation."""
ROW_SUMS = {
    "n_children": ["n_children_pos", "n_children_neg"],
    "n_rows": ["n_rows_pos", "n_rows_neg"],
}


def _cohort(n: int, seed: int, *, overpredict: float = 1.0) -> pl.DataFrame:
    """Rows of children with a true risk; the model over-predicts by ``overpredict`` (odds) for
    origin == migrant, which is what recording bias does."""
    rng = np.random.default_rng(seed)
    n_children = n // 2
    child = rng.integers(0, n_children, n)
    origin = np.array(["dutch", "migrant_child", "migrant"])[
        rng.choice(3, n_children, p=[0.6, 0.25, 0.15])
    ][child]
    sex = np.array(["female", "male"])[rng.integers(0, 2, n_children)][child]
    region = np.array(["north", "south", "east", "west", "islands"])[
        rng.choice(5, n_children, p=[0.3, 0.3, 0.2, 0.17, 0.03])
    ][child]
    logit = rng.normal(-1.3, 1.0, n)
    truth = 1 / (1 + np.exp(-logit))
    y = (rng.random(n) < truth).astype(int)
    model_logit = logit + np.where(origin == "migrant", np.log(overpredict), 0.0)
    risk = 1 / (1 + np.exp(-model_logit))
    return pl.DataFrame(
        {
            "child_id": [f"c{c}" for c in child],
            "sex": sex,
            "origin": origin,
            "region": region,
            "y": y,
            "risk": risk,
            "truth": truth,
        }
    )


def test_group_metrics_match_direct_computation() -> None:
    df = _cohort(6000, 0)
    kw = {"attributes": ["sex", "origin"], "label": "y", "risk": "risk", "threshold": 0.3}
    res = audit(df, n_boot=50, policy=RAW, **kw)  # type: ignore[arg-type]
    row = res.groups.filter(pl.col("group") == "dutch").row(0, named=True)
    sub = df.filter(pl.col("origin") == "dutch")
    y, p = sub["y"].to_numpy(), sub["risk"].to_numpy()
    flag = p >= 0.3
    assert row["auroc"] == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert row["base_rate"] == pytest.approx(y.mean())
    assert row["mean_risk"] == pytest.approx(p.mean())
    assert row["oe_ratio"] == pytest.approx(y.mean() / p.mean())
    assert row["tpr"] == pytest.approx(flag[y == 1].mean())
    assert row["fpr"] == pytest.approx(flag[y == 0].mean())
    assert row["fnr"] == pytest.approx(1 - flag[y == 1].mean())
    assert row["ppv"] == pytest.approx(y[flag].mean())
    assert row["selection_rate"] == pytest.approx(flag.mean())
    assert row["auroc_lo"] < row["auroc"] < row["auroc_hi"]
    assert row["n_rows"] == sub.height and row["n_children"] == sub["child_id"].n_unique()
    # published: counts rounded to 5, rates to 2 decimals (from the rounded row counts)
    pub = audit(df, n_boot=50, **kw).groups.filter(pl.col("group") == "dutch").row(0, named=True)  # type: ignore[arg-type]
    assert pub["n_rows"] % 5 == 0 and abs(pub["n_rows"] - sub.height) <= 2
    assert pub["base_rate"] == round(pub["n_rows_pos"] / pub["n_rows"], 2)
    assert pub["auroc"] == round(row["auroc"], 2)
    # long table: differences against the reference (the largest group)
    long = res.metrics.filter((pl.col("metric") == "tpr") & (pl.col("attribute") == "origin"))
    assert set(long["reference"]) == {"dutch"}
    ref = long.filter(pl.col("group") == "dutch").row(0, named=True)
    assert ref["diff"] == 0 and ref["ratio"] == 1
    assert set(res.metrics["metric"]) == set(METRICS)


def test_published_tables_are_disclosure_safe_and_mark_what_is_hidden() -> None:
    df = _cohort(3000, 1)
    res = audit(df, attributes=["sex", "region"], label="y", risk="risk", n_boot=30)
    groups = res.groups
    # the islands region is small: its intersections with sex have few positives
    assert_safe(
        groups,
        count_cols=[*COUNTS, *ROW_COUNTS],
        by=["sex", "region"],
        row_sums=ROW_SUMS,
        table="fairness audit",
    )
    for c in (*COUNTS, *ROW_COUNTS):
        published = groups[c].drop_nulls()
        assert (published >= 10).all()
    hidden = groups.filter(pl.col("tpr").is_null())
    assert hidden.height > 0 and hidden["tpr_flag"].is_not_null().all()
    assert hidden["tpr_lo"].is_null().all() and hidden["oe_ratio_hi"].is_null().all()
    assert groups.height == 1 + 2 + 5 + 10  # all, sex, region, sex & region: nothing dropped
    long_hidden = res.metrics.filter(pl.col("flag").is_not_null())
    assert long_hidden["value"].is_null().all() and long_hidden["diff"].is_null().all()
    assert "_pos" not in groups.columns and "_neg" not in groups.columns


def test_oracle_values_and_censored_rows_are_reported() -> None:
    df = _cohort(4000, 2).with_columns(
        y=pl.when(pl.int_range(pl.len()) % 10 == 0).then(None).otherwise(pl.col("y"))
    )
    res = audit(df, attributes=["origin"], label="y", risk="risk", oracle="truth", n_boot=30)
    assert res.n_excluded == 400 and res.n_rows == 3600
    row = res.groups.filter(pl.col("group") == "all").row(0, named=True)
    assert row["oe_ratio_oracle"] == pytest.approx(
        df["y"].drop_nulls().mean() / df.filter(pl.col("y").is_not_null())["truth"].mean(),
        abs=0.005,
    )
    assert res.metrics["oracle"].is_not_null().any()


def test_calibration_gap_is_flagged_for_the_overpredicted_group_only() -> None:
    df = _cohort(8000, 3, overpredict=1.8)
    res = audit(df, attributes=["sex", "origin"], label="y", risk="risk", n_boot=200)
    flagged = res.flagged()
    assert "migrant" in flagged["group"].to_list()
    assert "female" not in flagged["group"].to_list() and "male" not in flagged["group"].to_list()
    row = res.groups.filter(pl.col("group") == "migrant").row(0, named=True)
    assert row["oe_ratio_hi"] < 1


def test_spec_errors_are_named() -> None:
    with pytest.raises(ValueError, match="threshold or a capacity"):
        AuditSpec(attributes=("sex",), threshold=0.2, capacity=0.1)
    with pytest.raises(KeyError, match="lacks columns"):
        audit(pl.DataFrame({"y": [1]}), attributes=["sex"], label="y", risk="risk")


def test_rates_beside_a_hidden_count_are_hidden_so_the_count_cannot_be_recovered() -> None:
    # A small group (60 children, 3 positives) is hidden; its complement's positives are
    # hidden with it. If the complement's base rate were published, base_rate x n would give
    # its positives exactly and "all" minus that would give the small group's 3 positives.
    rng = np.random.default_rng(0)
    n = 3000
    small = np.arange(n) < 60
    p = np.where(small, 0.08, rng.uniform(0.05, 0.3, n))
    df = pl.DataFrame(
        {
            "child_id": [f"c{i}" for i in range(n)],
            "unaccompanied": np.where(small, "true", "false"),
            "risk": p,
            "y": (rng.random(n) < p).astype(int),
        }
    )
    res = audit(df, attributes=["unaccompanied"], label="y", risk="risk", n_boot=20)
    g = res.groups
    counts = [*COUNTS, *ROW_COUNTS]
    any_hidden = pl.any_horizontal([pl.col(c).is_null() for c in counts])
    rows_with_hidden = g.filter(any_hidden)
    assert rows_with_hidden.height >= 2  # the small group and its complement
    for m in METRICS:
        assert rows_with_hidden[m].is_null().all(), m
        assert rows_with_hidden[f"{m}_flag"].is_not_null().all(), m
    assert_safe(g, count_cols=counts, by=["unaccompanied"], row_sums=ROW_SUMS)
    long = res.metrics.join(
        rows_with_hidden.select("attribute", "group"), on=["attribute", "group"], how="semi"
    )
    assert long["value"].is_null().all() and long["diff"].is_null().all()


def test_check_table_catches_a_rate_published_beside_a_hidden_count() -> None:
    from earlysignal.disclosure import check_table

    leaky = pl.DataFrame(
        {
            "group": ["a", "b"],
            "n": [40, 50],
            "n_flag": [None, None],
            "n_pos": [None, None],
            "n_pos_flag": ["suppressed", "suppressed"],
            "base_rate": [0.175, 0.2],
            "base_rate_flag": [None, None],
        },
        schema_overrides={"n_pos": pl.Int64, "base_rate_flag": pl.String},
    )
    problems = check_table(leaky)
    assert any("beside a hidden count" in p and "row 0" in p for p in problems)
