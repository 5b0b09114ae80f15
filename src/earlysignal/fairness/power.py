"""The power of a fairness audit: the smallest gap in flag rates it could detect per attribute.

An audit that finds no gap says little when its groups are small. For each attribute and each
group, :func:`audit_power` gives the minimum detectable difference (MDD) in the share flagged
between the group and everyone else, for a two-sided test at level ``alpha`` with power
``power``, from the normal approximation

    MDD = (z(1 - alpha/2) + z(power)) * sqrt(p (1 - p) (1/n_g + 1/n_rest)),

with ``p`` the overall share flagged and ``n`` counted in distinct children (rows of one child
are not independent). Written here rather than taken from a library: it is one line of the
standard formula (``statistics.NormalDist`` gives the quantiles), and the disclosure rules
below need to sit next to it. Groups under ``min_cell`` children are reported as suppressed
(no count, no MDD); other counts are rounded to 5.

Examples
--------
>>> import polars as pl
>>> f = pl.DataFrame({"child_id": [str(i) for i in range(400)],
...                   "origin": ["a"] * 300 + ["b"] * 100,
...                   "_flag": [i % 10 == 0 for i in range(400)]})
>>> rows = audit_power(f, ["origin"], flag="_flag")
>>> [(r["group"], r["children"], round(r["mdd"], 3)) for r in rows]
[('a', 300, 0.097), ('b', 100, 0.097)]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist
from typing import Any

import polars as pl

from earlysignal.disclosure import round_count

__all__ = ["audit_power"]


def audit_power(
    frame: pl.DataFrame,
    attributes: Sequence[str],
    *,
    flag: str,
    alpha: float = 0.05,
    power: float = 0.8,
    min_cell: int = 10,
) -> list[dict[str, Any]]:
    """Minimum detectable difference in the share flagged, per attribute and group.

    Parameters
    ----------
    frame
        One row per prediction time: ``child_id``, the attributes and the Boolean ``flag``.
    attributes
        Columns to audit (nulls form their own group ``"(missing)"``).
    flag, alpha, power
        The flag column; the test's level and power.
    min_cell
        Groups with fewer distinct children are suppressed.

    Returns
    -------
    list of dict
        ``attribute``, ``group``, ``children`` (rounded to 5, ``None`` when suppressed),
        ``mdd`` (``None`` when suppressed), ``alpha``, ``power``.
    """
    z = NormalDist().inv_cdf(1 - alpha / 2) + NormalDist().inv_cdf(power)
    p = float(frame.select(pl.col(flag).cast(pl.Float64).mean()).item() or 0.0)
    total = frame["child_id"].n_unique()
    out: list[dict[str, Any]] = []
    for a in attributes:
        g = (
            frame.with_columns(pl.col(a).cast(pl.String).fill_null("(missing)").alias("_g"))
            .group_by("_g")
            .agg(pl.col("child_id").n_unique().alias("n"))
            .sort("_g")
        )
        for group, n in g.iter_rows():
            small = n < min_cell or total - n < min_cell
            mdd = None if small else z * math.sqrt(p * (1 - p) * (1 / n + 1 / (total - n)))
            out.append(
                {
                    "attribute": a,
                    "group": group,
                    "children": None if small else round_count(int(n)),
                    "mdd": mdd,
                    "alpha": alpha,
                    "power": power,
                }
            )
    return out
