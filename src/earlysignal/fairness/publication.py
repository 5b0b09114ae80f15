"""The audit's published tables: disclosure control of the group table and the long table.

Every published cell counts distinct children (:data:`COUNTS` decide suppression); row counts
(:data:`ROW_COUNTS`) are hidden with their children count; shares of rows are published from
the rounded row counts; a rate is hidden with any count of its row. The long, tidy table is
built from the *published* values, with differences and ratios against each attribute's
reference group. :func:`earlysignal.fairness.audit` computes the values; this module decides
what of them is published (see ``docs/fairness.md`` and ``docs/disclosure.md``).

Examples
--------
>>> import polars as pl
>>> g = pl.DataFrame({"attribute": ["all", "sex", "sex"], "group": ["all", "f", "m"],
...                   "n_children": [100, 40, 60]})
>>> reference_groups(g, {})
{'all': 'all', 'sex': 'm'}
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from earlysignal.disclosure import DisclosurePolicy, protect
from earlysignal.evaluate.core import finite_replicates
from earlysignal.fairness.group_metrics import METRICS

__all__ = ["COUNTS", "LEDGER_TABLE", "ROW_COUNTS", "reference_groups"]

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


def reference_groups(groups: pl.DataFrame, reference: Mapping[str, str]) -> dict[str, str]:
    """The reference group of each attribute: ``reference``'s, else the group of most children.

    Raises ``ValueError`` when a named reference is not among the attribute's groups.

    Examples
    --------
    >>> import polars as pl
    >>> g = pl.DataFrame({"attribute": ["all", "sex", "sex"], "group": ["all", "f", "m"],
    ...                   "n_children": [100, 40, 60]})
    >>> reference_groups(g, {}), reference_groups(g, {"sex": "f"})["sex"]
    ({'all': 'all', 'sex': 'm'}, 'f')
    """
    refs: dict[str, str] = {"all": "all"}
    for attribute in dict.fromkeys(groups.get_column("attribute").to_list()):
        if attribute == "all":
            continue
        sub = groups.filter(pl.col("attribute") == attribute)
        ref = (
            reference.get(attribute)
            or sub.sort(["n_children", "group"], descending=[True, False])["group"][0]
        )
        if ref not in sub["group"].to_list():
            raise ValueError(
                f"audit: reference group {ref!r} of {attribute!r} is not among its groups "
                f"{sub['group'].to_list()}"
            )
        refs[attribute] = ref
    return refs


def _protect_groups(
    groups: pl.DataFrame, attrs: Sequence[str], pol: DisclosurePolicy, *, keep_members: bool
) -> pl.DataFrame:
    """Disclosure control of the audit's group table (:func:`earlysignal.disclosure.protect`).

    Counts of children decide suppression; row counts are hidden with their children count;
    every metric, its interval, oracle value and dropped replicates are hidden with its
    supporting counts; the support-only counts are dropped. ``keep_members`` passes each
    count's children to the publication ledger.
    """
    metric_cols = list(METRICS)
    linked = {
        m: [c for c in (f"{m}_lo", f"{m}_hi", f"{m}_oracle", f"{m}_dropped") if c in groups.columns]
        for m in metric_cols
    }
    linked["oe_ratio"] += ["gap_log_oe", "gap_se", "gap_z", "gap_p", "gap_flag", "gap_dropped"]
    # Every rate is supported by every count of its row: a rate beside a hidden count would
    # give that count back (base_rate x n = n_pos, selection_rate x n = n_flagged, ...), so it
    # is hidden with it; and under min_class children in a class it is hidden anyway. Shares of
    # rows are published from the rounded row counts (rate_of).
    published = [*COUNTS, *ROW_COUNTS]
    members = {c: _MEMBERS + c for c in COUNTS} if keep_members else None
    support = {m: [*published, *_EXTRA_SUPPORT.get(m, ())] for m in metric_cols}
    return protect(
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
            d, d_dropped = finite_replicates(d)
            ratio, ratio_dropped = finite_replicates(ratio)
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
                    "dropped": r.get(f"{m}_dropped") if shown else None,
                    "reference": ref,
                    "diff": rnd(val - refv) if both else None,
                    "diff_lo": q(d, 0.025) if both else None,
                    "diff_hi": q(d, 0.975) if both else None,
                    "diff_dropped": d_dropped if both and d.size + d_dropped else None,
                    "ratio": rnd(val / refv) if both and refv else None,
                    "ratio_lo": q(ratio, 0.025) if both else None,
                    "ratio_hi": q(ratio, 0.975) if both else None,
                    "ratio_dropped": ratio_dropped if both and ratio.size + ratio_dropped else None,
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
        "dropped": pl.Int64,
        "reference": pl.String,
        "diff": pl.Float64,
        "diff_lo": pl.Float64,
        "diff_hi": pl.Float64,
        "diff_dropped": pl.Int64,
        "ratio": pl.Float64,
        "ratio_lo": pl.Float64,
        "ratio_hi": pl.Float64,
        "ratio_dropped": pl.Int64,
        "oracle": pl.Float64,
        "flag": pl.String,
    }
    return pl.DataFrame(long_rows, schema=schema)
