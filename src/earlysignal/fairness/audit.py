"""Group audit of a risk model: calibration and error rates per group, with intervals, oracle
values, a calibration-gap test and disclosure control.

Point estimates come from fairlearn's ``MetricFrame`` (one per attribute and per intersection);
intervals from a bootstrap that resamples whole children (``cluster``), computed with weighted
numpy kernels over the same rows. See ``docs/fairness.md`` for every metric and the flagging
rule.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from earlysignal.disclosure import DEFAULT_POLICY, DisclosurePolicy, protect

__all__ = [
    "COUNTS",
    "METRICS",
    "AuditResult",
    "AuditSpec",
    "audit",
]

COUNTS: tuple[str, ...] = ("n", "n_pos", "n_neg", "n_flagged")
"""Counts of children-times per group (published rounded, small ones hidden)."""

METRICS: dict[str, str] = {
    "base_rate": "observed share with the outcome",
    "mean_risk": "mean predicted risk (expected share)",
    "oe_ratio": "observed / expected (calibration in the large; < 1: the model over-predicts)",
    "citl": "observed minus expected share (calibration in the large, difference)",
    "ece": "expected calibration error (10 equal-mass bins within the group)",
    "auroc": "area under the ROC curve within the group",
    "selection_rate": "share flagged at the threshold or capacity",
    "tpr": "true positive rate (recall) among those with the outcome",
    "fpr": "false positive rate among those without the outcome",
    "fnr": "false negative rate (missed) among those with the outcome",
    "ppv": "positive predictive value (precision) among those flagged",
}
"""The per-group metrics and their meaning."""

SEP = " & "


@dataclass(frozen=True)
class AuditSpec:
    """What to audit.

    Parameters
    ----------
    attributes
        Sensitive attributes (columns of the audited frame), each audited on its own.
    intersections
        Tuples of attributes audited jointly; ``None`` means every pair of ``attributes``.
    threshold
        Flag rows with risk >= threshold; or
    capacity
        flag the top ``capacity`` share of rows (0.1 = top 10 %). Default: capacity 0.1.
    reference
        Reference group per attribute (default: the largest group).
    n_boot
        Bootstrap resamples of children.
    alpha
        Family-wise false-alarm rate of the calibration-gap test across the groups tested.
    test_intersections
        Also test intersection cells for a calibration gap (default: single attributes only).
    n_bins
        Equal-mass bins for the ECE.
    seed
        Seed of the bootstrap.
    """

    attributes: tuple[str, ...]
    intersections: tuple[tuple[str, ...], ...] | None = None
    threshold: float | None = None
    capacity: float | None = None
    reference: Mapping[str, str] = field(default_factory=dict)
    n_boot: int = 200
    alpha: float = 0.05
    test_intersections: bool = False
    n_bins: int = 10
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.attributes:
            raise ValueError("AuditSpec: name at least one sensitive attribute")
        if self.threshold is not None and self.capacity is not None:
            raise ValueError("AuditSpec: give a threshold or a capacity, not both")
        if self.capacity is not None and not 0 < self.capacity < 1:
            raise ValueError(f"AuditSpec: capacity must be in (0, 1), got {self.capacity}")
        if not 0 < self.alpha < 1:
            raise ValueError(f"AuditSpec: alpha must be in (0, 1), got {self.alpha}")

    def combos(self) -> list[tuple[str, ...]]:
        """Single attributes, then intersections."""
        singles: list[tuple[str, ...]] = [(a,) for a in self.attributes]
        inter: list[tuple[str, ...]]
        if self.intersections is None:
            inter = [
                (a, b) for i, a in enumerate(self.attributes) for b in self.attributes[i + 1 :]
            ]
        else:
            inter = [tuple(c) for c in self.intersections]
        return singles + inter


# ----------------------------------------------------------------------------- kernels
def _auroc_w(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted AUROC for each row of weights ``w`` (B, n); ties count one half."""
    order = np.argsort(p, kind="stable")
    ps, ys, ws = p[order], y[order], w[:, order]
    starts = np.flatnonzero(np.r_[True, ps[1:] != ps[:-1]])
    pos = np.add.reduceat(ws * ys, starts, axis=1)
    neg = np.add.reduceat(ws * (1 - ys), starts, axis=1)
    below = np.cumsum(neg, axis=1) - neg
    num = (pos * (below + 0.5 * neg)).sum(axis=1)
    den = pos.sum(axis=1) * neg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _bins(p: np.ndarray, n_bins: int) -> np.ndarray:
    if p.size == 0:
        return np.zeros(0, dtype=np.int64)
    k = max(1, min(n_bins, p.size // 10 or 1))
    ranks = np.argsort(np.argsort(p, kind="stable"), kind="stable")
    return np.asarray(ranks * k // p.size, dtype=np.int64)


def _metrics_w(
    y: np.ndarray, p: np.ndarray, f: np.ndarray, w: np.ndarray, bins: np.ndarray
) -> dict[str, np.ndarray]:
    """Every metric of one group for each row of weights ``w`` (B, n)."""
    tot = w.sum(axis=1)
    obs = w @ y
    exp = w @ p
    flagged = w @ f
    tp = w @ (y * f)
    fp = w @ ((1 - y) * f)
    pos = obs
    neg = tot - obs
    nb = int(bins.max()) + 1 if bins.size else 1
    onehot = np.zeros((y.size, nb))
    onehot[np.arange(y.size), bins] = 1.0
    by = w @ (onehot * y[:, None])
    bp = w @ (onehot * p[:, None])
    with np.errstate(invalid="ignore", divide="ignore"):
        ece = np.nansum(np.abs(by - bp), axis=1) / tot
        out = {
            "base_rate": obs / tot,
            "mean_risk": exp / tot,
            "oe_ratio": obs / exp,
            "citl": (obs - exp) / tot,
            "ece": np.where(tot > 0, ece, np.nan),
            "auroc": _auroc_w(y, p, w),
            "selection_rate": flagged / tot,
            "tpr": tp / pos,
            "fpr": fp / neg,
            "fnr": 1 - tp / pos,
            "ppv": tp / flagged,
        }
    return out


# ----------------------------------------------------------------------------- fairlearn
def _metric_frame(
    frame: pl.DataFrame,
    cols: Sequence[str],
    *,
    y: np.ndarray,
    p: np.ndarray,
    f: np.ndarray,
    n_bins: int,
) -> dict[tuple[str, ...], dict[str, float]]:
    """Point estimates per group with fairlearn's MetricFrame."""
    import pandas as pd
    from fairlearn.metrics import MetricFrame

    names = list(METRICS)

    def all_metrics(y_true: Any, y_pred: Any) -> tuple[float, ...]:
        # One fairlearn metric returns every value of a group at once (one pass per group);
        # y_pred carries (risk, flagged) columns.
        yy = np.asarray(y_true, dtype=np.float64)
        pp = np.asarray(y_pred, dtype=np.float64)
        rr, ff = pp[:, 0], pp[:, 1]
        vals = _metrics_w(yy, rr, ff, np.ones((1, yy.size)), _bins(rr, n_bins))
        return (
            float(yy.size),
            float(yy.sum()),
            float(ff.sum()),
            *(float(vals[m][0]) for m in names),
        )

    sens = pd.DataFrame({c: frame.get_column(c).to_list() for c in cols})
    mf = MetricFrame(
        metrics={"all": all_metrics},
        y_true=y,
        y_pred=np.column_stack([p, f]),
        sensitive_features=sens,
    )
    table = mf.by_group
    out: dict[tuple[str, ...], dict[str, float]] = {}
    for key, row in table.iterrows():
        k = key if isinstance(key, tuple) else (key,)
        values = row["all"]
        out[tuple(str(v) for v in k)] = dict(
            zip(["n", "n_pos", "n_flagged", *names], values, strict=True)
        )
    return out


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True)
class AuditResult:
    """The audit, already under disclosure control.

    Attributes
    ----------
    groups
        One row per group: ``attribute`` (e.g. ``"origin"`` or ``"sex & origin"``), ``group``
        (``"migrant"``, ``"female & migrant"``, ``"all"``), one column per audited attribute
        (its value, null when the row is a margin over it), the counts :data:`COUNTS`
        (rounded, hidden ones null), every metric of :data:`METRICS` with ``_lo``/``_hi`` (95 %
        bootstrap interval) and ``_oracle``, the calibration-gap test (``gap_log_oe``, ``gap_z``,
        ``gap_p``, ``gap_flag``), ``<col>_flag`` marks and ``suppressed``.
    metrics
        The same numbers, long and tidy: ``attribute``, ``group``, ``metric``, ``value``,
        ``lo``, ``hi``, ``reference``, ``diff``, ``diff_lo``, ``diff_hi``, ``ratio``,
        ``ratio_lo``, ``ratio_hi``, ``oracle``, ``flag`` (null when published).
    spec
        The audit's spec.
    threshold
        The risk threshold used (from the capacity when a capacity was given).
    n_rows, n_excluded
        Rows audited, and rows excluded because the label was missing (censored).
    """

    groups: pl.DataFrame
    metrics: pl.DataFrame
    spec: AuditSpec
    threshold: float
    n_rows: int
    n_excluded: int

    def flagged(self) -> pl.DataFrame:
        """Groups whose calibration gap the test flags."""
        return self.groups.filter(pl.col("gap_flag").fill_null(False)).select(
            "attribute", "group", "oe_ratio", "oe_ratio_lo", "oe_ratio_hi", "gap_z", "gap_p"
        )

    def plot(self, metric: str = "oe_ratio") -> Any:
        """Forest plot of one metric by group (see :func:`earlysignal.fairness.plot_metric`)."""
        from earlysignal.fairness.plots import plot_metric

        return plot_metric(self, metric)


def _labels(frame: pl.DataFrame, attrs: Sequence[str]) -> pl.DataFrame:
    return frame.with_columns(
        [pl.col(a).cast(pl.String).fill_null("unknown").alias(a) for a in attrs]
    )


def audit(
    frame: pl.DataFrame,
    spec: AuditSpec | None = None,
    *,
    attributes: Sequence[str] | None = None,
    label: str,
    risk: str,
    oracle: str | None = None,
    cluster: str | None = "child_id",
    policy: DisclosurePolicy | None = None,
    **spec_kwargs: Any,
) -> AuditResult:
    """Audit a model's calibrated risks group by group.

    Parameters
    ----------
    frame
        One row per prediction: the attribute columns, ``label`` (0/1; null = censored,
        excluded and counted), ``risk`` (the calibrated predicted probability), optionally
        ``oracle`` (the true probability, on simulated data) and ``cluster`` (the child id).
    spec
        An :class:`AuditSpec`; or give ``attributes=`` and its other fields as keywords.
    policy
        Disclosure policy applied to the published tables (default :data:`DEFAULT_POLICY`).

    Returns
    -------
    AuditResult

    Examples
    --------
    >>> import numpy as np, polars as pl
    >>> rng = np.random.default_rng(0)
    >>> n = 4000
    >>> p = rng.uniform(0.05, 0.6, n)
    >>> df = pl.DataFrame({"child_id": [f"c{i // 2}" for i in range(n)],
    ...                    "sex": rng.choice(["female", "male"], n),
    ...                    "risk": p, "y": (rng.random(n) < p).astype(int)})
    >>> res = audit(df, attributes=["sex"], label="y", risk="risk", n_boot=50)
    >>> res.groups.select("group", "n").sort("group").rows()[0][0]
    'all'
    >>> res.flagged().height
    0
    """
    from scipy.stats import norm

    if spec is None:
        if attributes is None:
            raise ValueError("audit: give a spec or attributes=[...]")
        spec = AuditSpec(attributes=tuple(attributes), **spec_kwargs)
    elif attributes is not None or spec_kwargs:
        raise ValueError("audit: give either a spec or its fields as keywords, not both")
    pol = policy or DEFAULT_POLICY
    attrs = list(spec.attributes)
    needed = [*attrs, label, risk] + ([oracle] if oracle else []) + ([cluster] if cluster else [])
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise KeyError(f"audit: the frame lacks columns {missing}; it has {frame.columns}")
    n_excluded = int(frame.get_column(label).null_count())
    data = _labels(frame.filter(pl.col(label).is_not_null()), attrs)
    if data.height == 0:
        raise ValueError("audit: no rows with a label to audit (all censored?)")
    y = data.get_column(label).cast(pl.Float64).to_numpy()
    if not np.isin(y, [0.0, 1.0]).all():
        raise ValueError(f"audit: label column {label!r} must hold 0/1 (or null when censored)")
    p = data.get_column(risk).cast(pl.Float64).to_numpy()
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError(f"audit: risk column {risk!r} must hold probabilities in [0, 1]")
    po = data.get_column(oracle).cast(pl.Float64).to_numpy() if oracle else None
    if spec.threshold is not None:
        thr = float(spec.threshold)
    else:
        cap = 0.1 if spec.capacity is None else spec.capacity
        thr = float(np.quantile(p, 1.0 - cap, method="higher"))
    f = (p >= thr).astype(np.float64)
    fo = None
    if po is not None:
        thr_o = (
            thr
            if spec.threshold is not None
            else float(np.quantile(po, 1.0 - (spec.capacity or 0.1), method="higher"))
        )
        fo = (po >= thr_o).astype(np.float64)

    # clusters and bootstrap weights (B, n)
    if cluster:
        _, inv = np.unique(data.get_column(cluster).cast(pl.String).to_numpy(), return_inverse=True)
    else:
        inv = np.arange(data.height)
    k = int(inv.max()) + 1
    rng = np.random.default_rng(spec.seed)
    counts = rng.multinomial(k, np.full(k, 1.0 / k), size=spec.n_boot).astype(np.float64)

    # groups: overall, each attribute, each intersection
    rows: list[dict[str, Any]] = []
    boots: dict[tuple[str, str], dict[str, np.ndarray]] = {}
    masks: dict[tuple[str, str], np.ndarray] = {}
    overall_mask = np.ones(data.height, dtype=bool)
    combos = spec.combos()
    groups_spec: list[
        tuple[str, str, dict[str, str | None], np.ndarray, bool, dict[str, float] | None]
    ] = [("all", "all", dict.fromkeys(attrs), overall_mask, False, None)]
    for combo in combos:
        unknown = [c for c in combo if c not in attrs]
        if unknown:
            raise ValueError(f"audit: intersection {combo} names attributes not audited {unknown}")
        mf = _metric_frame(data, combo, y=y, p=p, f=f, n_bins=spec.n_bins)
        values = data.select(list(combo)).to_numpy().astype(str)
        for key in sorted(mf):
            mask = np.all(values == np.asarray(key), axis=1)
            keyvals: dict[str, str | None] = dict.fromkeys(attrs)
            keyvals.update(dict(zip(combo, key, strict=True)))
            testable = len(combo) == 1 or spec.test_intersections
            groups_spec.append((SEP.join(combo), SEP.join(key), keyvals, mask, testable, mf[key]))
    tot_obs = counts[:, inv] @ y
    tot_exp = counts[:, inv] @ p
    for attribute, group, keyvals, mask, testable, from_fairlearn in groups_spec:
        yg, pg, fg = y[mask], p[mask], f[mask]
        bins = _bins(pg, spec.n_bins)
        if from_fairlearn is None:  # the overall row
            ones = np.ones((1, yg.size))
            point = {m: float(v[0]) for m, v in _metrics_w(yg, pg, fg, ones, bins).items()}
        else:
            point = from_fairlearn
        w = counts[:, inv[mask]]
        bs = _metrics_w(yg, pg, fg, w, bins)
        boots[(attribute, group)] = bs
        masks[(attribute, group)] = mask
        row: dict[str, Any] = {"attribute": attribute, "group": group, **keyvals}
        row.update(
            n=int(mask.sum()),
            n_pos=int(yg.sum()),
            n_neg=int(mask.sum() - yg.sum()),
            n_flagged=int(fg.sum()),
        )
        for m in METRICS:
            v = bs[m][np.isfinite(bs[m])]
            row[m] = point[m]
            row[m + "_lo"] = float(np.quantile(v, 0.025)) if v.size else None
            row[m + "_hi"] = float(np.quantile(v, 0.975)) if v.size else None
        if po is not None and fo is not None:
            ob = _metrics_w(
                yg, po[mask], fo[mask], np.ones((1, yg.size)), _bins(po[mask], spec.n_bins)
            )
            for m in METRICS:
                row[m + "_oracle"] = float(ob[m][0])
        # calibration-gap test: log(O/E in the group) - log(O/E in the rest)
        row["gap_log_oe"] = row["gap_se"] = row["gap_z"] = row["gap_p"] = None
        row["gap_tested"] = testable
        if attribute != "all":
            obs_g, exp_g = w @ yg, w @ pg
            obs_r, exp_r = tot_obs - obs_g, tot_exp - exp_g
            rest_o, rest_e = float(y[~mask].sum()), float(p[~mask].sum())
            if point["oe_ratio"] > 0 and rest_o > 0 and rest_e > 0 and yg.sum() > 0:
                gap = math.log(point["oe_ratio"]) - math.log(rest_o / rest_e)
                with np.errstate(divide="ignore", invalid="ignore"):
                    bgap = np.log(obs_g / exp_g) - np.log(obs_r / exp_r)
                bgap = bgap[np.isfinite(bgap)]
                se = float(bgap.std(ddof=1)) if bgap.size > 2 else float("nan")
                if se > 0:
                    z = gap / se
                    row.update(gap_log_oe=gap, gap_se=se, gap_z=z, gap_p=float(2 * norm.sf(abs(z))))
        rows.append(row)
    n_tests = sum(1 for r in rows if r["gap_tested"] and r["gap_p"] is not None)
    for r in rows:
        r["gap_flag"] = (
            None
            if r["gap_p"] is None or not r["gap_tested"]
            else bool(r["gap_p"] < spec.alpha / max(n_tests, 1))
        )
    groups = pl.DataFrame(rows, infer_schema_length=None)
    for c in [
        *(f"{m}{s}" for m in METRICS for s in ("", "_lo", "_hi")),
        "gap_log_oe",
        "gap_se",
        "gap_z",
        "gap_p",
    ]:
        groups = groups.with_columns(pl.col(c).cast(pl.Float64))

    # differences and ratios against the reference group of each attribute
    long_rows: list[dict[str, Any]] = []
    for attribute in dict.fromkeys(groups.get_column("attribute").to_list()):
        sub = groups.filter(pl.col("attribute") == attribute)
        if attribute == "all":
            ref = "all"
        else:
            ref = (
                spec.reference.get(attribute)
                or sub.sort(["n", "group"], descending=[True, False])["group"][0]
            )
            if ref not in sub["group"].to_list():
                raise ValueError(
                    f"audit: reference group {ref!r} of {attribute!r} is not among its groups "
                    f"{sub['group'].to_list()}"
                )
        rb = boots[(attribute, ref)]
        for r in sub.iter_rows(named=True):
            gb = boots[(attribute, r["group"])]
            for m in METRICS:
                with np.errstate(divide="ignore", invalid="ignore"):
                    d = gb[m] - rb[m]
                    q = gb[m] / rb[m]
                d, q = d[np.isfinite(d)], q[np.isfinite(q)]
                refv = groups.filter((pl.col("attribute") == attribute) & (pl.col("group") == ref))[
                    m
                ][0]
                val = r[m]
                long_rows.append(
                    {
                        "attribute": attribute,
                        "group": r["group"],
                        "metric": m,
                        "value": val,
                        "lo": r[m + "_lo"],
                        "hi": r[m + "_hi"],
                        "reference": ref,
                        "diff": None if val is None or refv is None else val - refv,
                        "diff_lo": float(np.quantile(d, 0.025)) if d.size else None,
                        "diff_hi": float(np.quantile(d, 0.975)) if d.size else None,
                        "ratio": None if val is None or not refv else val / refv,
                        "ratio_lo": float(np.quantile(q, 0.025)) if q.size else None,
                        "ratio_hi": float(np.quantile(q, 0.975)) if q.size else None,
                        "oracle": r.get(m + "_oracle"),
                    }
                )
    schema = {
        "attribute": pl.String,
        "group": pl.String,
        "metric": pl.String,
        "value": pl.Float64,
        "lo": pl.Float64,
        "hi": pl.Float64,
        "reference": pl.String,
        "diff": pl.Float64,
        "diff_lo": pl.Float64,
        "diff_hi": pl.Float64,
        "ratio": pl.Float64,
        "ratio_lo": pl.Float64,
        "ratio_hi": pl.Float64,
        "oracle": pl.Float64,
    }
    long = pl.DataFrame(long_rows, schema=schema)

    # disclosure control on the group table, then on the long table through it
    metric_cols = [m for m in METRICS]
    linked = {
        m: [c for c in (f"{m}_lo", f"{m}_hi", f"{m}_oracle") if c in groups.columns]
        for m in metric_cols
    }
    linked["oe_ratio"] += ["gap_log_oe", "gap_se", "gap_z", "gap_p", "gap_flag"]
    # Every rate is supported by every count of its row: a rate beside a hidden count would
    # give that count back (base_rate x n = n_pos, selection_rate x n = n_flagged, ...), so it
    # is hidden with it; and under min_class positives or negatives it is hidden anyway.
    protected = protect(
        groups,
        count_cols=list(COUNTS),
        by=attrs,
        rate_cols=metric_cols,
        rate_support=list(COUNTS),
        linked=linked,
        row_sums={"n": ["n_pos", "n_neg"]},
        policy=pol,
    )
    hidden = protected.select(
        "attribute", "group", *[pl.col(f"{m}_flag") for m in metric_cols]
    ).unpivot(index=["attribute", "group"], variable_name="metric", value_name="flag")
    hidden = hidden.with_columns(pl.col("metric").str.strip_suffix("_flag"))
    long = long.join(hidden, on=["attribute", "group", "metric"], how="left", maintain_order="left")
    # a difference or ratio is hidden when either its group's or the reference's value is hidden
    ref_flag = hidden.rename({"group": "reference", "flag": "ref_flag"})
    long = long.join(
        ref_flag, on=["attribute", "reference", "metric"], how="left", maintain_order="left"
    )
    value_cols = ["value", "lo", "hi", "oracle"]
    compare_cols = ["diff", "diff_lo", "diff_hi", "ratio", "ratio_lo", "ratio_hi"]
    long = (
        long.with_columns(
            [
                pl.when(pl.col("flag").is_null()).then(pl.col(c)).otherwise(None).alias(c)
                for c in value_cols
            ]
            + [
                pl.when(pl.col("flag").is_null() & pl.col("ref_flag").is_null())
                .then(pl.col(c))
                .otherwise(None)
                .alias(c)
                for c in compare_cols
            ]
        )
        .with_columns(pl.coalesce("flag", "ref_flag").alias("flag"))
        .drop("ref_flag")
    )
    return AuditResult(
        groups=protected,
        metrics=long,
        spec=spec,
        threshold=thr,
        n_rows=data.height,
        n_excluded=n_excluded,
    )
