"""Cumulative incidence of return home with competing risks (Aalen-Johansen), by group.

For each care episode the time from its start to its end, and how it ended: ``return_home``
(the event), another ending (permanence, turning 18, ...: a competing event) or still in care
at ``observed_until`` (censored). :func:`aalen_johansen` gives the cumulative incidence of
each cause, ``CIF_k(t) = sum_{s <= t} S(s-) d_k(s) / n(s)`` with ``S`` the all-cause
Kaplan-Meier survival, not ``1 - KM`` of the event alone, which overstates the return when
other endings compete (DOMAIN.md, "Methods the field uses"). Written here (about twenty lines)
rather than adding ``lifelines`` and its dependencies for one estimator; a test checks it
against a hand computation.

:func:`return_home_incidence` tabulates it by setting, age at entry and whether the parents
received help during the episode (a ``statuses`` row of kind ``parent_help`` in force at the
episode's start), at given days, under disclosure control: cells count distinct children,
groups under the minimum cell are hidden, counts are rounded to 5, and the incidences are
rounded to a step no finer than 5 children in the group. These are ASSOCIATIONS: a group
difference is confounded by why children are placed, their age, the family's situation and
the help offered (help is given where return is planned); the data returned says so
(``confounders``), and cards and reports must carry it.

Examples
--------
>>> import numpy as np
>>> t = np.array([2, 3, 3, 5, 8]); cause = np.array([1, 2, 0, 1, 0])
>>> cif = aalen_johansen(t, cause, times=[3, 5, 8])
>>> [round(x, 3) for x in cif[1]], [round(x, 3) for x in cif[2]]
([0.2, 0.5, 0.5], [0.2, 0.2, 0.2])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from earlysignal.cohort import placement_timeline
from earlysignal.data.history import CareHistory
from earlysignal.disclosure import DEFAULT_POLICY, DisclosurePolicy, protect

__all__ = ["CONFOUNDERS", "aalen_johansen", "return_home_episodes", "return_home_incidence"]

CONFOUNDERS: tuple[str, ...] = (
    "reason for the placement and the family's situation",
    "age and behaviour of the child",
    "help is offered where a return is planned (reverse direction)",
    "court decisions and the length of the measure",
)
"""Confounders named with every incidence by group (association, not effect)."""

GROUPINGS: tuple[str, ...] = ("setting", "age_band", "parent_help")


def aalen_johansen(
    time: npt.ArrayLike, cause: npt.ArrayLike, *, times: Sequence[float]
) -> dict[int, list[float]]:
    """Cumulative incidence of each cause at ``times`` (Aalen-Johansen).

    Parameters
    ----------
    time
        Follow-up time of each subject (ties allowed).
    cause
        ``0`` censored, ``1, 2, ...`` the cause that ended follow-up.
    times
        Where to evaluate the incidence.

    Returns
    -------
    dict
        Cause -> incidence at each of ``times``.
    """
    t = np.asarray(time, dtype=np.float64)
    c = np.asarray(cause, dtype=np.int64)
    causes = sorted(int(k) for k in np.unique(c) if k > 0)
    grid = np.unique(t[c > 0])
    surv = 1.0
    cif = {k: np.zeros(grid.size) for k in causes}
    run = dict.fromkeys(causes, 0.0)
    for i, s in enumerate(grid):
        at_risk = float(np.sum(t >= s))
        d_all = 0.0
        for k in causes:
            d = float(np.sum((t == s) & (c == k)))
            run[k] += surv * d / at_risk
            cif[k][i] = run[k]
            d_all += d
        surv *= 1.0 - d_all / at_risk
    out: dict[int, list[float]] = {}
    for k in causes:
        idx = np.searchsorted(grid, np.asarray(times, dtype=np.float64), side="right") - 1
        out[k] = [float(cif[k][j]) if j >= 0 else 0.0 for j in idx]
    return out


def return_home_episodes(history: CareHistory) -> pl.DataFrame:
    """One row per care episode: ``child_id``, ``days``, ``cause`` (1 return, 2 other, 0
    censored) and the groupings ``setting`` (first placement), ``age_band`` at entry and
    ``parent_help`` (``"yes"``/``"no"``)."""
    tl = placement_timeline(history)
    ep = (
        tl.group_by("child_id", "episode")
        .agg(
            pl.col("start").min().alias("start"),
            pl.col("end").last().alias("end"),
            pl.col("end_reason").last().cast(pl.String).alias("reason"),
            pl.col("setting").first().cast(pl.String).alias("setting"),
        )
        .join(history.children.select("child_id", "birth_date"), on="child_id", how="left")
    )
    ou = history.observed_until
    age = (pl.col("start") - pl.col("birth_date")).dt.total_days() / 365.25
    ep = ep.with_columns(
        (pl.col("end").fill_null(ou) - pl.col("start")).dt.total_days().alias("days"),
        pl.when(pl.col("end").is_null())
        .then(0)
        .when(pl.col("reason") == "return_home")
        .then(1)
        .otherwise(2)
        .alias("cause"),
        pl.when(age < 6)
        .then(pl.lit("0-5"))
        .when(age < 12)
        .then(pl.lit("6-11"))
        .otherwise(pl.lit("12+"))
        .alias("age_band"),
    )
    if history.statuses is not None:
        helped = history.statuses.filter(pl.col("kind") == "parent_help").select(
            "child_id", pl.col("start").alias("_hs"), pl.col("end").alias("_he")
        )
        hit = (
            ep.select("child_id", "episode", "start")
            .join(helped, on="child_id", how="inner")
            .filter(
                (pl.col("_hs") <= pl.col("start"))
                & (pl.col("_he").is_null() | (pl.col("_he") >= pl.col("start")))
            )
            .select("child_id", "episode")
            .unique()
            .with_columns(pl.lit("yes").alias("parent_help"))
        )
        ep = ep.join(hit, on=["child_id", "episode"], how="left")
        ep = ep.with_columns(pl.col("parent_help").fill_null("no"))
    else:
        ep = ep.with_columns(pl.lit(None, pl.String).alias("parent_help"))
    return ep.select("child_id", "episode", "days", "cause", *GROUPINGS).sort("child_id", "episode")


def return_home_incidence(
    history: CareHistory,
    *,
    by: str,
    days: Sequence[int] = (180, 365, 730),
    policy: DisclosurePolicy | None = None,
) -> dict[str, Any]:
    """Published cumulative incidence of return home (and of other endings) by a grouping.

    Parameters
    ----------
    history
        The care histories.
    by
        ``setting``, ``age_band`` or ``parent_help``.
    days
        Days since the episode's start at which the incidence is given.
    policy
        Disclosure policy (default :data:`earlysignal.disclosure.DEFAULT_POLICY`).

    Returns
    -------
    dict
        ``table`` (rows: group, day, ``children`` in the group and ``returned`` by the day,
        both rounded, ``cif_return``, ``cif_other``, flags), ``method``, ``kind``
        (``"association"``) and ``confounders``. Only each child's first episode is used, so
        a child counts once.

    Examples
    --------
    >>> from earlysignal.synth.at_home import simulate_at_home
    >>> h = simulate_at_home(3000, years=6, seed=1).history
    >>> out = return_home_incidence(h, by="parent_help", days=[365])
    >>> sorted(out["table"]["parent_help"].to_list()), out["kind"]
    (['no', 'yes'], 'association')
    """
    if by not in GROUPINGS:
        raise ValueError(f"return_home_incidence: by={by!r} is not one of {GROUPINGS}")
    pol = policy or DEFAULT_POLICY
    ep = return_home_episodes(history).filter(pl.col("episode") == 1)
    rows: list[dict[str, Any]] = []
    for (group,), g in ep.group_by(by, maintain_order=True):
        t, c = g["days"].to_numpy(), g["cause"].to_numpy()
        cif = aalen_johansen(t, c, times=list(days))
        n = g["child_id"].n_unique()
        step = max(0.01, pol.rounding / max(n, 1))  # never finer than a rounded count
        for j, d in enumerate(days):
            ret = cif.get(1, [0.0] * len(days))[j]
            oth = cif.get(2, [0.0] * len(days))[j]
            rows.append(
                {
                    by: "(missing)" if group is None else str(group),
                    "day": int(d),
                    "children": int(n),
                    "returned": int(np.sum((c == 1) & (t <= d))),
                    "cif_return": round(round(ret / step) * step, 4),
                    "cif_other": round(round(oth / step) * step, 4),
                }
            )
    raw = pl.DataFrame(rows).sort(by, "day")
    table = protect(
        raw,
        count_cols=["children", "returned"],
        by=[by],
        strata=["day"],
        rate_cols=["cif_return", "cif_other"],
        rate_support={"cif_return": ["children"], "cif_other": ["children"]},
        policy=pol,
    )
    return {
        "table": table,
        "by": by,
        "method": "Aalen-Johansen cumulative incidence, first care episodes, competing endings",
        "kind": "association",
        "confounders": list(CONFOUNDERS),
    }
