"""Calibration targets of the simulator and the table that checks a cohort against them.

Each target has a published source (see ``../shared/DOMAIN.md`` and the DfE tables in
``../shared/data/dfe-stability/``) and a band the default cohort must land in. The DfE
measures come from :mod:`earlysignal.indicators.measures`, pooled over the 31 March year ends
inside the period.

Examples
--------
>>> [t.name for t in TARGETS][:2]
['three_plus_placements_year', 'three_plus_placements_2y']
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.indicators.measures import (
    care_episodes,
    long_term_stability,
    placements_during_year,
    two_year_placements,
)

__all__ = ["TARGETS", "Target", "calibration_table", "format_table"]

MOVE_REASONS = ("breakdown", "provider_ended", "planned", "transfer", "other")
UNPLANNED = ("breakdown", "provider_ended")
"""Endings counted as a foster breakdown in the literature targets (any unplanned ending: the
meta-analyses count endings the carers, the child or the agency did not plan)."""
FOSTER = ("foster", "kinship_foster")


@dataclass(frozen=True)
class Target:
    """One calibration target: a measure, its band and the source of the figure."""

    name: str
    description: str
    low: float
    high: float
    source: str


TARGETS: tuple[Target, ...] = (
    Target("three_plus_placements_year", "3+ placements during the year, CLA at 31 March",
           0.09, 0.11, "DfE CLA 2021-2025: 10-11 %"),
    Target("three_plus_placements_2y", "3+ placements in 2 years, CLA 2+ years at 31 March",
           0.20, 0.25, "DfE CLA 2021-2025: 21-23 %"),
    Target("long_term_stability", "under-16s in care 2.5+ years, same carer 2+ years",
           0.65, 0.72, "DfE CLA 2021-2025: 68-71 %"),
    Target("breakdown_share_of_changes",
           "carer- or child-initiated breakdowns (child_side) among all placement changes",
           0.20, 0.25, "DfE reasons for placement change 2021-2025: 20-22 %"),
    Target("provider_share_of_changes",
           "provider-side endings (allegation, standards, closure) among all changes",
           0.02, 0.045, "DfE reasons for placement change 2021-2025: about 1 % each"),
    Target("foster_breakdown_adolescents",
           "foster placements ending unplanned (breakdown or provider_ended), age 12+",
           0.28, 0.40, "Eltink et al. 2025: 34.2 %"),
    Target("foster_breakdown_younger",
           "foster placements ending unplanned (breakdown or provider_ended), under 12",
           0.12, 0.20, "Eltink et al. 2025: 16.3 %"),
    Target("foster_breakdown_ratio", "adolescents / younger children, foster breakdown",
           1.6, 2.6, "Eltink et al. 2025: 34.2 / 16.3 = 2.1"),
    Target("kinship_vs_foster_ratio", "kinship / other foster breakdown",
           0.45, 0.85, "Lopez et al. 2011: 19.7 % vs 31.2 % (0.63)"),
    Target("moves_per_year_first_year", "moves per child-year in the first year in care",
           0.95, 1.25, "Illinois: 3.2 per 1,000 days (1.17 a year)"),
    Target("returned_home_5y", "entries returned home within 5 years",
           0.35, 0.45, "Leiden/WODC 2025: 39 %"),
    Target("reentry_after_return", "of those returned home within 5 years, re-entered by then",
           0.18, 0.32, "Leiden/WODC 2025: a quarter"),
)  # fmt: skip
"""The calibration targets with their bands."""


def _year_ends(start: date, end: date) -> list[date]:
    out = []
    y = start.year if (start.month, start.day) <= (3, 31) else start.year + 1
    while date(y, 3, 31) <= end:
        out.append(date(y, 3, 31))
        y += 1
    return out


def _add_days(col: str, days: int) -> pl.Expr:
    return pl.col(col) + timedelta(days=days)


def measure_values(history: CareHistory, period_start: date) -> dict[str, float]:
    """Compute every target's measure on a history whose period starts at ``period_start``."""
    end = history.observed_until
    ends = _year_ends(period_start, end)
    py = pl.concat([placements_during_year(history, d) for d in ends])
    p2 = pl.concat([two_year_placements(history, d) for d in ends if d.year - 2 >= 0])
    lts = [long_term_stability(history, d) for d in ends]
    lts_w = [v for v in lts if not math.isnan(v)]  # year ends without eligible children
    pls = history.placements.filter(~pl.col("temporary"))
    changes = pls.filter(
        (pl.col("end") >= period_start) & pl.col("end_reason").is_in(list(MOVE_REASONS))
    )
    births = history.children.select("child_id", "birth_date")
    half = period_start + (end - period_start) / 2
    # foster placements as carer spells: status-only changes with the same carer are merged
    spells = (
        pls.sort("child_id", "start", "placement_id")
        .with_columns(
            (
                (pl.col("provider_id") != pl.col("provider_id").shift(1).over("child_id"))
                | (pl.col("start") != pl.col("end").shift(1).over("child_id"))
            )
            .fill_null(True)
            .cum_sum()
            .over("child_id")
            .alias("__spell")
        )
        .group_by("child_id", "__spell")
        .agg(
            pl.col("start").first(),
            pl.col("setting").first(),
            pl.col("end_reason").last(),
        )
    )
    foster = (
        spells.filter(
            pl.col("setting").is_in(list(FOSTER))
            & (pl.col("start") >= period_start)
            & (pl.col("start") < half)
        )
        .join(births, on="child_id", how="left")
        .with_columns(
            (pl.col("start") >= pl.col("birth_date").dt.offset_by("12y")).alias("adol"),
            pl.col("end_reason").is_in(list(UNPLANNED)).fill_null(False).alias("bd"),
        )
    )
    adol = float(foster.filter(pl.col("adol"))["bd"].mean())  # type: ignore[arg-type]
    young = float(foster.filter(~pl.col("adol"))["bd"].mean())  # type: ignore[arg-type]
    kin = float(foster.filter(pl.col("setting") == "kinship_foster")["bd"].mean())  # type: ignore[arg-type]
    fos = float(foster.filter(pl.col("setting") == "foster")["bd"].mean())  # type: ignore[arg-type]

    ep = care_episodes(history)
    # moves in the first year of episodes starting in the period with a year of follow-up
    eps = ep.filter(
        (pl.col("start") >= period_start) & (_add_days("start", 365) <= pl.lit(end))
    ).with_columns(
        pl.min_horizontal(pl.col("end").fill_null(end), _add_days("start", 365)).alias("stop")
    )
    mv = (
        pls.join(eps.select("child_id", "start", "stop", pl.col("start").alias("es")),
                 on="child_id", how="inner", suffix="_ep")
        .filter((pl.col("start") > pl.col("es")) & (pl.col("start") <= pl.col("stop")))
        .height
    )  # fmt: skip
    exposure = float((eps["stop"] - eps["start"]).dt.total_days().sum()) / 365.25
    moves = mv / exposure if exposure else float("nan")

    # returns home within 5 years of a child's first entry, and re-entry by then
    first = ep.filter(pl.col("episode") == 1).filter(
        (pl.col("start") >= period_start) & (_add_days("start", 1826) <= pl.lit(end))
    )
    horizon = first.select("child_id", pl.col("start").alias("t0"))
    later = ep.join(horizon, on="child_id").filter(pl.col("start") <= _add_days("t0", 1826))
    ret = (
        later.filter(
            (pl.col("last_end_reason") == "return_home") & (pl.col("end") <= _add_days("t0", 1826))
        )
        .group_by("child_id")
        .agg(pl.col("end").min().alias("ret"))
    )
    reent = later.join(ret, on="child_id").filter(pl.col("start") > pl.col("ret"))
    n_first = first.height
    returned = ret.height / n_first if n_first else float("nan")
    reentered = reent["child_id"].n_unique() / ret.height if ret.height else float("nan")
    return {
        "three_plus_placements_year": float((py["placements"] >= 3).mean()),  # type: ignore[arg-type]
        "three_plus_placements_2y": float((p2["placements"] >= 3).mean()),  # type: ignore[arg-type]
        "long_term_stability": sum(lts_w) / len(lts_w) if lts_w else float("nan"),
        "breakdown_share_of_changes": float((changes["end_reason"] == "breakdown").mean()),  # type: ignore[arg-type]
        "provider_share_of_changes": float((changes["end_reason"] == "provider_ended").mean()),  # type: ignore[arg-type]
        "foster_breakdown_adolescents": adol,
        "foster_breakdown_younger": young,
        "foster_breakdown_ratio": adol / young if young else float("nan"),
        "kinship_vs_foster_ratio": kin / fos if fos else float("nan"),
        "moves_per_year_first_year": moves,
        "returned_home_5y": returned,
        "reentry_after_return": reentered,
    }


def calibration_table(
    history: CareHistory, period_start: date, *, extra: dict[str, float] | None = None
) -> pl.DataFrame:
    """The calibration table: each target's measure, band, whether it is inside, and source.

    Parameters
    ----------
    history
        A (simulated) history.
    period_start
        First day of the period (measures use year ends and entries inside it).
    extra
        Values of targets measured elsewhere, e.g. ``{"oracle_auroc_breakdown_180d": 0.8}``
        (added with the band 0.72-0.88).

    Returns
    -------
    polars.DataFrame
        ``target``, ``description``, ``value``, ``low``, ``high``, ``inside``, ``source``.

    Examples
    --------
    >>> from earlysignal.synth import simulate
    >>> sim = simulate(400, years=6, seed=5)
    >>> calibration_table(sim.history, sim.start).columns[:4]
    ['target', 'description', 'value', 'low']
    """
    values = measure_values(history, period_start)
    rows = [(t, values[t.name]) for t in TARGETS]
    if extra:
        for name, v in extra.items():
            rows.append((ORACLE_TARGET if name == ORACLE_TARGET.name else
                         Target(name, name, float("-inf"), float("inf"), ""), v))  # fmt: skip
    return pl.DataFrame(
        {
            "target": [t.name for t, _ in rows],
            "description": [t.description for t, _ in rows],
            "value": [float(v) for _, v in rows],
            "low": [t.low for t, _ in rows],
            "high": [t.high for t, _ in rows],
            "inside": [bool(t.low <= v <= t.high) for t, v in rows],
            "source": [t.source for t, _ in rows],
        }
    )


ORACLE_TARGET = Target(
    "oracle_auroc_breakdown_180d",
    "oracle AUROC, 180-day placement breakdown, times every 91 days in care",
    0.72,
    0.88,
    "issue 3: not easier to foresee than published models (AFST ~0.80; Hall et al. 2023)",
)


def format_table(table: pl.DataFrame) -> str:
    """Plain-text (Markdown) rendering of a calibration table.

    Examples
    --------
    >>> t = pl.DataFrame({"target": ["x"], "description": ["d"], "value": [0.1], "low": [0.0],
    ...                   "high": [1.0], "inside": [True], "source": ["s"]})
    >>> print(format_table(t).splitlines()[2])
    | x | d | 0.100 | 0.000-1.000 | yes | s |
    """
    lines = [
        "| target | description | value | band | inside | source |",
        "|---|---|---|---|---|---|",
    ]
    for r in table.iter_rows(named=True):
        lines.append(
            f"| {r['target']} | {r['description']} | {r['value']:.3f} | "
            f"{r['low']:.3f}-{r['high']:.3f} | {'yes' if r['inside'] else 'NO'} | {r['source']} |"
        )
    return "\n".join(lines)


AT_HOME_TARGETS: tuple[Target, ...] = (
    Target("entry_within_year_at_home",
           "children at home in youth care or under a measure at 1 April, placed within a year",
           0.03, 0.09,
           "CBS 2023: 41,000 of 474,000 youth-care users had accommodation (8.7 %, a stock share "
           "including children already placed: an upper bound for yearly first entries)"),
    Target("entry_within_year_ots",
           "children at home under an OTS at 1 April, first placed within a year",
           0.08, 0.25,
           "CBS StatLine 82965NED 2017: 9,130 of 39,455 young people with a protection "
           "measure also had youth care with accommodation (23 %, a stock share including "
           "children placed earlier and under guardianship: an upper bound); lower end assumed"),
    Target("return_help_ratio",
           "entries from home returned home within a year: with help to the parents / without",
           2.0, 3.2, "Leiden/WODC 2025: more than twice as likely with help"),
)  # fmt: skip
"""Targets of the at-home population (:func:`earlysignal.synth.at_home.simulate_at_home`)."""


def at_home_measure_values(history: CareHistory, period_start: date) -> dict[str, float]:
    """Compute every at-home target's measure (children at home on each 1 April of the period).

    Examples
    --------
    >>> from earlysignal.synth.at_home import simulate_at_home
    >>> sim = simulate_at_home(500, years=4, seed=2)
    >>> sorted(at_home_measure_values(sim.history, sim.start))[0]
    'entry_within_year_at_home'
    """
    end = history.observed_until
    pls = history.placements.filter(~pl.col("temporary"))
    first = pls.group_by("child_id").agg(pl.col("start").min().alias("first"))
    st = history.statuses if history.statuses is not None else pl.DataFrame()
    meas = st.filter(pl.col("kind").is_in(["measure", "youth_care"]))
    rows = []
    y = period_start.year
    while date(y + 1, 4, 1) <= end:
        t = date(y, 4, 1)
        at = (
            meas.filter((pl.col("start") < t) & (pl.col("end").is_null() | (pl.col("end") >= t)))
            .join(first, on="child_id", how="left")
            .filter(pl.col("first").is_null() | (pl.col("first") > t))
            .select(
                "child_id",
                (pl.col("value") == "ots").alias("ots"),
                (pl.col("first") <= pl.lit(t + timedelta(days=365))).fill_null(False).alias("y"),
            )
        )
        rows.append(at)
        y += 1
    at_all = pl.concat(rows) if rows else pl.DataFrame({"child_id": [], "ots": [], "y": []})
    helped = st.filter(pl.col("kind") == "parent_help").select(
        "child_id", pl.col("start"), pl.lit(True).alias("help")
    )
    eps = (
        pls.filter((pl.col("start") >= period_start) & (_add_days("start", 365) <= pl.lit(end)))
        .join(helped, on=["child_id", "start"], how="left")
        .with_columns(
            pl.col("help").fill_null(False),
            ((pl.col("end_reason") == "return_home") & (pl.col("end") <= _add_days("start", 365)))
            .fill_null(False)
            .alias("ret"),
        )
    )
    with_h = float(eps.filter(pl.col("help"))["ret"].mean() or float("nan"))  # type: ignore[arg-type]
    without = float(eps.filter(~pl.col("help"))["ret"].mean() or float("nan"))  # type: ignore[arg-type]
    return {
        "entry_within_year_at_home": float(at_all["y"].mean() or float("nan")),  # type: ignore[arg-type]
        "entry_within_year_ots": float(at_all.filter(pl.col("ots"))["y"].mean() or float("nan")),  # type: ignore[arg-type]
        "return_help_ratio": with_h / without if without else float("nan"),
    }


def at_home_calibration_table(history: CareHistory, period_start: date) -> pl.DataFrame:
    """The at-home calibration table (columns as :func:`calibration_table`).

    Examples
    --------
    >>> from earlysignal.synth.at_home import simulate_at_home
    >>> sim = simulate_at_home(500, years=4, seed=2)
    >>> at_home_calibration_table(sim.history, sim.start).height
    3
    """
    values = at_home_measure_values(history, period_start)
    return pl.DataFrame(
        {
            "target": [t.name for t in AT_HOME_TARGETS],
            "description": [t.description for t in AT_HOME_TARGETS],
            "value": [values[t.name] for t in AT_HOME_TARGETS],
            "low": [t.low for t in AT_HOME_TARGETS],
            "high": [t.high for t in AT_HOME_TARGETS],
            "inside": [bool(t.low <= values[t.name] <= t.high) for t in AT_HOME_TARGETS],
            "source": [t.source for t in AT_HOME_TARGETS],
        }
    )
