"""Group audit of a risk model: calibration and error rates per group, with intervals, oracle
values, a calibration-gap test and disclosure control.

One engine for each metric: AUROC, ECE (equal-mass bins) and the child-clustered bootstrap
weights are :mod:`earlysignal.evaluate`'s (``metrics.auroc``, ``metrics.ece``,
``core.cluster_bootstrap_weights``'s blocks, run as compute tasks by
:mod:`earlysignal.fairness.bootstrap`), so the audit's overall row equals ``evaluate``'s figures on
the same rows. Point estimates per group are computed by fairlearn's ``MetricFrame`` (its
``by_group``, one column per metric) calling those functions; the bootstrap replicates call the
same functions with a batch of weights. Every published cell counts distinct children (the
``n_children*`` columns decide suppression); the ``n_rows*`` columns count prediction rows and
are hidden with their children count. See ``docs/fairness.md`` for every metric and the flagging
rule.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from earlysignal.disclosure import DEFAULT_POLICY, DisclosurePolicy, protect
from earlysignal.evaluate import metrics as M
from earlysignal.fairness.bootstrap import audit_bootstrap
from earlysignal.ledger import current_ledger

if TYPE_CHECKING:
    from earlysignal.compute.spec import ComputeSpec

__all__ = [
    "COUNTS",
    "METRICS",
    "ROW_COUNTS",
    "AuditResult",
    "AuditSpec",
    "audit",
]

COUNTS: tuple[str, ...] = ("n_children", "n_children_pos", "n_children_neg", "n_children_flagged")
"""Distinct children per group: all, with a positive row, with a negative row, flagged at least
once. They decide suppression (no published cell under ``min_count`` children)."""

ROW_COUNTS: tuple[str, ...] = ("n_rows", "n_rows_pos", "n_rows_neg", "n_rows_flagged")
"""Prediction rows (child x prediction time) per group, each hidden with its children count."""

_ROW_OF: dict[str, str] = dict(zip(ROW_COUNTS, COUNTS, strict=True))
_MEMBERS = "_members_"
LEDGER_TABLE = "fairness.audit"
"""The audit's definition name in the publication ledger (:mod:`earlysignal.ledger`)."""
_SUPPORT_ONLY: tuple[str, ...] = (
    "n_children_tp", "n_children_fn", "n_children_fp", "n_children_tn", "n_children_unflagged",
    "n_rows_tp", "n_rows_fn", "n_rows_fp",
)  # fmt: skip
_RATE_OF: dict[str, tuple[str, str]] = {
    "base_rate": ("n_rows_pos", "n_rows"),
    "selection_rate": ("n_rows_flagged", "n_rows"),
    "tpr": ("n_rows_tp", "n_rows_pos"),
    "fnr": ("n_rows_fn", "n_rows_pos"),
    "fpr": ("n_rows_fp", "n_rows_neg"),
    "ppv": ("n_rows_tp", "n_rows_flagged"),
}
"""Shares of rows published from the rounded row counts (never finer than those counts)."""
_EXTRA_SUPPORT: dict[str, tuple[str, ...]] = {
    "selection_rate": ("n_children_unflagged",),
    "tpr": ("n_children_tp", "n_children_fn"),
    "fnr": ("n_children_tp", "n_children_fn"),
    "fpr": ("n_children_fp", "n_children_tn"),
    "ppv": ("n_children_tp", "n_children_fp"),
}
"""Children counts behind an error rate: under ``min_class`` children the rate is hidden."""

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
        flag the top ``capacity`` share of rows (0.1 = top 10 %). Default: capacity 0.1. Rows
        of equal risk are ranked by the model's raw score when the audit is given one
        (``audit(score=...)``) and never more than the share is flagged
        (:func:`earlysignal.models.capacity_rule`, the tie rule of the decision).
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
    score_threshold
        With ``threshold``: the decision rule's second key (a capacity rule fixed on the
        calibration period): rows with risk equal to ``threshold`` are flagged when their raw
        score is at least this (``audit(score=...)`` names the score column).
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
    score_threshold: float | None = None

    def __post_init__(self) -> None:
        if not self.attributes:
            raise ValueError("AuditSpec: name at least one sensitive attribute")
        if self.threshold is not None and self.capacity is not None:
            raise ValueError("AuditSpec: give a threshold or a capacity, not both")
        if self.score_threshold is not None and self.threshold is None:
            raise ValueError("AuditSpec: a score_threshold needs the risk threshold it goes with")
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
def _n_bins(size: int, n_bins: int) -> int:
    """At most ``n_bins`` equal-mass bins and about 10 rows or more per bin in small groups."""
    return max(1, min(n_bins, size // 10))


def _metrics_w(
    y: np.ndarray, p: np.ndarray, f: np.ndarray, w: np.ndarray, bins: np.ndarray
) -> dict[str, np.ndarray]:
    """Every metric of one group for each row of weights ``w`` (B, n).

    AUROC and ECE are :mod:`earlysignal.evaluate.metrics`'s; the rest are weighted shares.
    """
    tot = w.sum(axis=1)
    obs = w @ y
    exp = w @ p
    flagged = w @ f
    tp = w @ (y * f)
    fp = w @ ((1 - y) * f)
    pos = obs
    neg = tot - obs
    div = M._safe_div
    return {
        "base_rate": div(obs, tot),
        "mean_risk": div(exp, tot),
        "oe_ratio": div(obs, exp),
        "citl": div(obs - exp, tot),
        "ece": np.atleast_1d(M.ece(y, p, w, bins=bins)),
        "auroc": np.atleast_1d(M.auroc(y, p, w)),
        "selection_rate": div(flagged, tot),
        "tpr": div(tp, pos),
        "fpr": div(fp, neg),
        "fnr": div(pos - tp, pos),
        "ppv": div(tp, flagged),
    }


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
    """Point estimates per group: fairlearn's ``MetricFrame.by_group``, all metrics at once.

    One metric function of (labels, row positions) returns every metric of :data:`METRICS` as
    a dict: it calls the same engine as the bootstrap (:func:`_metrics_w`, i.e.
    :mod:`earlysignal.evaluate.metrics`) with unit weights on the group's risks and flags
    (``y_pred`` carries row positions so that fairlearn splits plain 1-d arrays). One function
    rather than one per metric: fairlearn copies a group's columns element by element
    (``np.stack``) on every metric call, which cost eleven times the metrics themselves
    (``benchmarks/demo.py``).
    """
    import pandas as pd
    from fairlearn.metrics import MetricFrame

    def values(y_true: Any, rows: Any) -> dict[str, float]:
        idx = np.asarray(rows, dtype=np.int64)
        yy = np.asarray(y_true, dtype=np.float64)
        rr, ff = p[idx], f[idx]
        bins = M.equal_mass_bins(rr, _n_bins(yy.size, n_bins))
        got = _metrics_w(yy, rr, ff, np.ones((1, yy.size)), bins)
        return {m: float(got[m][0]) for m in METRICS}

    sens = pd.DataFrame({c: frame.get_column(c).to_list() for c in cols})
    mf = MetricFrame(
        metrics={"metrics": values},
        y_true=y,
        y_pred=np.arange(y.size),
        sensitive_features=sens,
    )
    out: dict[tuple[str, ...], dict[str, float]] = {}
    for key, row in mf.by_group.iterrows():
        k = key if isinstance(key, tuple) else (key,)
        out[tuple(str(v) for v in k)] = dict(row["metrics"])
    return out


def _children(ids: np.ndarray, mask: np.ndarray) -> int:
    """Distinct children among the rows of ``mask``."""
    return int(np.unique(ids[mask]).size)


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True)
class AuditResult:
    """The audit, already under disclosure control.

    Attributes
    ----------
    groups
        One row per group: ``attribute`` (e.g. ``"origin"`` or ``"sex & origin"``), ``group``
        (``"migrant"``, ``"female & migrant"``, ``"all"``), one column per audited attribute
        (its value, null when the row is a margin over it), the children counts :data:`COUNTS`
        and the row counts :data:`ROW_COUNTS` (rounded to 5; a cell under ``min_count``
        children is hidden with its row count), every metric of :data:`METRICS` with
        ``_lo``/``_hi`` (95 % bootstrap interval) and ``_oracle``, all to ``policy.decimals``
        (shares of rows from the rounded row counts), the calibration-gap test
        (``gap_log_oe``, ``gap_se``, ``gap_z``, ``gap_p``, ``gap_flag``), ``<col>_flag`` marks
        and ``suppressed``.
    metrics
        The same numbers, long and tidy: ``attribute``, ``group``, ``metric``, ``value``,
        ``lo``, ``hi``, ``reference``, ``diff``, ``diff_lo``, ``diff_hi``, ``ratio``,
        ``ratio_lo``, ``ratio_hi``, ``oracle``, ``flag`` (null when published).
    spec
        The audit's spec.
    threshold
        The risk threshold used (from the capacity when a capacity was given).
    n_rows, n_excluded
        Rows audited, and rows excluded because the label was missing (censored): for the
        data team's log, not for publication (exact counts).
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

    def plot(self, metric: str = "oe_ratio", *, lang: str | None = None) -> Any:
        """Forest plot of one metric by group (see :func:`earlysignal.fairness.plot_metric`)."""
        from earlysignal.fairness.plots import plot_metric

        return plot_metric(self, metric, lang=lang)


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
    score: str | None = None,
    compute: ComputeSpec | None = None,
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
    score
        Column of the model's raw (uncalibrated) score: breaks ties in risk for the decision
        rule (a capacity, or a threshold with ``score_threshold``), as the run and scoring do.
    compute
        Where the bootstrap's blocks run (:mod:`earlysignal.fairness.bootstrap`; default: one
        after the other in this process). The intervals are the same with any backend.

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
    >>> res.groups.select("group", "n_children").sort("group").rows()[0][0]
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
    needed += [score] if score else []
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
    s = data.get_column(score).cast(pl.Float64).to_numpy() if score else None
    if spec.score_threshold is not None and s is None:
        raise ValueError("audit: the spec's score_threshold needs score= (the raw score column)")
    from earlysignal.models.decision import CapacityRule, capacity_rule

    cap = 0.1 if spec.capacity is None else spec.capacity
    if spec.threshold is not None:
        rule = CapacityRule(float(spec.threshold), spec.score_threshold)
    else:
        rule = capacity_rule(p, s, cap)
    thr = rule.risk_threshold
    f = rule.flag(p, s).astype(np.float64)
    fo = None
    if po is not None:
        rule_o = CapacityRule(thr) if spec.threshold is not None else capacity_rule(po, None, cap)
        fo = rule_o.flag(po).astype(np.float64)

    # clusters: evaluate's child-clustered bootstrap (its blocks and seeds), run after the groups
    if cluster:
        ids = data.get_column(cluster).cast(pl.String).to_numpy()
    else:
        ids = np.arange(data.height).astype(str)

    keep_members = current_ledger() is not None
    # groups: overall, each attribute, each intersection
    rows: list[dict[str, Any]] = []
    boots: dict[tuple[str, str], dict[str, np.ndarray]] = {}
    overall_mask = np.ones(data.height, dtype=bool)
    combos = spec.combos()
    groups_spec: list[tuple[str, str, dict[str, str | None], np.ndarray, bool]] = [
        ("all", "all", dict.fromkeys(attrs), overall_mask, False)
    ]
    points: dict[tuple[str, str], dict[str, float]] = {}
    points[("all", "all")] = _metric_frame(
        data.with_columns(pl.lit("all").alias("_all")), ["_all"], y=y, p=p, f=f, n_bins=spec.n_bins
    )[("all",)]
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
            points[(SEP.join(combo), SEP.join(key))] = mf[key]
            groups_spec.append((SEP.join(combo), SEP.join(key), keyvals, mask, testable))
    boot = audit_bootstrap(
        ids, y, p, f,
        [(g[3], M.equal_mass_bins(p[g[3]], _n_bins(int(g[3].sum()), spec.n_bins)))
         for g in groups_spec],
        n_boot=spec.n_boot, seed=spec.seed, compute=compute,
    )  # fmt: skip
    tot_obs, tot_exp = boot.total_observed, boot.total_expected
    yb, fb = y.astype(bool), f.astype(bool)
    for (attribute, group, keyvals, mask, testable), (bs, obs_g, exp_g) in zip(
        groups_spec, boot.groups, strict=True
    ):
        yg = y[mask]
        point = points[(attribute, group)]
        boots[(attribute, group)] = bs
        row: dict[str, Any] = {"attribute": attribute, "group": group, **keyvals}
        row.update(
            n_children=_children(ids, mask),
            n_children_pos=_children(ids, mask & yb),
            n_children_neg=_children(ids, mask & ~yb),
            n_children_flagged=_children(ids, mask & fb),
            n_rows=int(mask.sum()),
            n_rows_pos=int((mask & yb).sum()),
            n_rows_neg=int((mask & ~yb).sum()),
            n_rows_flagged=int((mask & fb).sum()),
            n_children_tp=_children(ids, mask & yb & fb),
            n_children_fn=_children(ids, mask & yb & ~fb),
            n_children_fp=_children(ids, mask & ~yb & fb),
            n_children_tn=_children(ids, mask & ~yb & ~fb),
            n_children_unflagged=_children(ids, mask & ~fb),
            n_rows_tp=int((mask & yb & fb).sum()),
            n_rows_fn=int((mask & yb & ~fb).sum()),
            n_rows_fp=int((mask & ~yb & fb).sum()),
        )
        if keep_members:  # the children of each published count, for the publication ledger
            for c, m in zip(COUNTS, (mask, mask & yb, mask & ~yb, mask & fb), strict=True):
                row[_MEMBERS + c] = np.unique(ids[m]).tolist()
        for m in METRICS:
            v = bs[m][np.isfinite(bs[m])]
            row[m] = point[m] if math.isfinite(point[m]) else None
            row[m + "_lo"] = float(np.quantile(v, 0.025)) if v.size else None
            row[m + "_hi"] = float(np.quantile(v, 0.975)) if v.size else None
        if po is not None and fo is not None:
            pom = po[mask]
            ob = _metrics_w(
                yg,
                pom,
                fo[mask],
                np.ones((1, yg.size)),
                M.equal_mass_bins(pom, _n_bins(yg.size, spec.n_bins)),
            )
            for m in METRICS:
                row[m + "_oracle"] = float(ob[m][0])
        # calibration-gap test: log(O/E in the group) - log(O/E in the rest)
        row["gap_log_oe"] = row["gap_se"] = row["gap_z"] = row["gap_p"] = None
        row["gap_tested"] = testable
        if attribute != "all":
            obs_r, exp_r = tot_obs - obs_g, tot_exp - exp_g
            rest_o, rest_e = float(y[~mask].sum()), float(p[~mask].sum())
            oe = point["oe_ratio"]
            if oe > 0 and rest_o > 0 and rest_e > 0 and yg.sum() > 0:
                gap = math.log(oe) - math.log(rest_o / rest_e)
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

    # reference group of each attribute (default: the most children)
    refs: dict[str, str] = {"all": "all"}
    for attribute in dict.fromkeys(groups.get_column("attribute").to_list()):
        if attribute == "all":
            continue
        sub = groups.filter(pl.col("attribute") == attribute)
        ref = (
            spec.reference.get(attribute)
            or sub.sort(["n_children", "group"], descending=[True, False])["group"][0]
        )
        if ref not in sub["group"].to_list():
            raise ValueError(
                f"audit: reference group {ref!r} of {attribute!r} is not among its groups "
                f"{sub['group'].to_list()}"
            )
        refs[attribute] = ref

    # disclosure control on the group table, then the long table from the published values
    metric_cols = list(METRICS)
    linked = {
        m: [c for c in (f"{m}_lo", f"{m}_hi", f"{m}_oracle") if c in groups.columns]
        for m in metric_cols
    }
    linked["oe_ratio"] += ["gap_log_oe", "gap_se", "gap_z", "gap_p", "gap_flag"]
    # Every rate is supported by every count of its row: a rate beside a hidden count would
    # give that count back (base_rate x n = n_pos, selection_rate x n = n_flagged, ...), so it
    # is hidden with it; and under min_class children in a class it is hidden anyway. Shares of
    # rows are published from the rounded row counts (rate_of).
    published = [*COUNTS, *ROW_COUNTS]
    members = {c: _MEMBERS + c for c in COUNTS} if keep_members else None
    support = {m: [*published, *_EXTRA_SUPPORT.get(m, ())] for m in metric_cols}
    protected = protect(
        groups,
        count_cols=published,
        by=attrs,
        rate_cols=metric_cols,
        rate_support=support,
        rate_of=_RATE_OF,
        linked=linked,
        row_sums={
            "n_children": ["n_children_pos", "n_children_neg"],
            "n_rows": ["n_rows_pos", "n_rows_neg"],
        },
        tied=_ROW_OF,
        policy=pol,
        members=members,
        table=LEDGER_TABLE,
    ).drop([c for c in _SUPPORT_ONLY if c in groups.columns], strict=False)
    long = _long_table(protected, boots, refs, pol.decimals)
    return AuditResult(
        groups=protected,
        metrics=long,
        spec=spec,
        threshold=thr,
        n_rows=data.height,
        n_excluded=n_excluded,
    )


def _long_table(
    groups: pl.DataFrame,
    boots: Mapping[tuple[str, str], Mapping[str, np.ndarray]],
    refs: Mapping[str, str],
    decimals: int | None,
) -> pl.DataFrame:
    """The tidy table of every metric, from the *published* group values.

    Differences and ratios against the reference group are computed from the published
    (rounded) values; their intervals from the paired bootstrap replicates. Every figure is
    rounded like the group table, and hidden when either value is hidden.
    """

    def rnd(v: float | None) -> float | None:
        if v is None or not math.isfinite(v):
            return None
        return v if decimals is None else round(v, decimals)

    def q(a: np.ndarray, level: float) -> float | None:
        return rnd(float(np.quantile(a, level))) if a.size else None

    by_key = {(r["attribute"], r["group"]): r for r in groups.iter_rows(named=True)}
    long_rows: list[dict[str, Any]] = []
    for (attribute, group), r in by_key.items():
        ref = refs[attribute]
        rr = by_key[(attribute, ref)]
        for m in METRICS:
            flag = r.get(f"{m}_flag")
            ref_flag = rr.get(f"{m}_flag")
            val, refv = r[m], rr[m]
            with np.errstate(divide="ignore", invalid="ignore"):
                d = boots[(attribute, group)][m] - boots[(attribute, ref)][m]
                ratio = boots[(attribute, group)][m] / boots[(attribute, ref)][m]
            d, ratio = d[np.isfinite(d)], ratio[np.isfinite(ratio)]
            shown = flag is None
            both = shown and ref_flag is None and val is not None and refv is not None
            long_rows.append(
                {
                    "attribute": attribute,
                    "group": group,
                    "metric": m,
                    "value": val if shown else None,
                    "lo": r[f"{m}_lo"] if shown else None,
                    "hi": r[f"{m}_hi"] if shown else None,
                    "reference": ref,
                    "diff": rnd(val - refv) if both else None,
                    "diff_lo": q(d, 0.025) if both else None,
                    "diff_hi": q(d, 0.975) if both else None,
                    "ratio": rnd(val / refv) if both and refv else None,
                    "ratio_lo": q(ratio, 0.025) if both else None,
                    "ratio_hi": q(ratio, 0.975) if both else None,
                    "oracle": r.get(f"{m}_oracle") if shown else None,
                    "flag": flag if flag is not None else ref_flag,
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
        "flag": pl.String,
    }
    return pl.DataFrame(long_rows, schema=schema)
