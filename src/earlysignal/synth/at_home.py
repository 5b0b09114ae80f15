"""Children at home: the population placements come from, with the truth and an oracle.

``simulate_at_home`` follows children living at home under a youth-protection measure (an OTS,
*ondertoezichtstelling*: a ``statuses`` row of kind ``measure``, value ``ots``) or in youth
care at home (kind ``youth_care``, value ``ambulant``). Most are never placed. It is a weekly
discrete-time competing-risks process, kept apart from the placed cohort of
:func:`~earlysignal.synth.simulation.simulate` so that the default cohort's calibrated figures
do not move (see ``docs/simulator.md``, "Children at home"):

* at home (phase 1), a latent family stress ``r`` (AR(1) per week) drives recorded events at
  home (``crisis``, ``safety_report``, ``police_contact``, ``school_absence`` for ages 5-17,
  and ``support_given``, which does not depend on ``r``), dated strictly inside the week;
* the weekly entry hazard rises with ``r``, with an OTS, and with a crisis or safety report in
  the last 8 weeks (events recorded before the week: the hazard never looks at the week's own
  records), and falls a little with support given in the last 8 weeks; the measure ends with
  a constant hazard, and following stops at 18;
* placed (phase 2), one placement per episode; the parents get help during the episode (a
  ``statuses`` row ``parent_help`` / ``yes`` over the episode) with probability
  ``p_parent_help``; the return-home hazard decays with time in care, falls with ``r`` and is
  ``exp(return_help)`` times higher with help (Leiden/WODC 2025: more than twice as likely);
  ageing out ends the placement on the 18th birthday;
* back home (phase 3), a decaying re-entry hazard starts a new episode; following stops after
  ``home_watch_years`` or at 18.

Entries, returns and re-entries fall on the last day of a week (``day0 + 7 k + 6``).

Examples
--------
>>> sim = simulate_at_home(300, years=3, seed=1)
>>> sim.history.children.height
300
>>> sorted(sim.history.statuses["kind"].unique())
['measure', 'parent_help', 'youth_care']
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from earlysignal.data.history import CareHistory

__all__ = ["AT_HOME_EVENT_KINDS", "AtHomeParams", "AtHomeSimulation", "simulate_at_home"]

F = npt.NDArray[np.float64]
IA = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

EPOCH = date(1970, 1, 1)
YEAR = 365.25
AT_HOME_EVENT_KINDS: tuple[str, ...] = (
    "crisis",
    "safety_report",
    "police_contact",
    "school_absence",
    "support_given",
)
"""Event kinds recorded at home, in the process's integer coding."""
SETTINGS_AFTER_ENTRY: tuple[str, ...] = ("kinship_foster", "foster", "family_home", "residential")
REGIONS: tuple[str, ...] = ("north", "east", "south", "west")
ORIGINS: tuple[str, ...] = ("dutch", "migrant_child", "migrant")
AT_HOME, IN_CARE, BACK_HOME, GONE, NOT_YET = 1, 2, 3, 0, 4


@dataclass(frozen=True)
class AtHomeParams:
    """Parameters of the at-home process (frozen). Rates are per year unless named weekly."""

    p_ots: float = 0.3
    """Share of followed children under an OTS; the rest get youth care at home (assumption:
    an agency's caseload, not all 474,000 youth-care users, CBS 2023)."""
    p_male: float = 0.52  # assumption
    origin_probs: tuple[float, float, float] = (0.62, 0.23, 0.15)  # as the placed cohort
    region_probs: tuple[float, ...] = (0.2, 0.3, 0.3, 0.2)
    p_maltreatment: float = 0.4  # assumption: recorded maltreatment concern at the start
    r_mean: float = -0.3  # latent stress: child's mean (calibrated)
    r_mean_ots: float = 0.5  # higher under an OTS (assumption)
    r_mean_sd: float = 0.6
    r_phi_week: float = 0.98  # persistence per week (one-year autocorrelation 0.35)
    r_sd_week: float = 0.12
    ev_base: tuple[float, ...] = (-5.6, -5.0, -5.9, -3.9, -2.5)
    """Log weekly rate at ``r = 0`` of crisis, safety report, police contact, school absence,
    support given (assumption: a few records a year)."""
    ev_r: tuple[float, ...] = (0.9, 0.8, 0.7, 0.5, 0.0)
    entry_rate_year: float = 0.035  # calibrated: entry within a year (targets)
    e_r: float = 0.9  # log HR per unit of latent stress
    e_ots: float = 1.1  # log HR under an OTS (calibrated: OTS entry within a year)
    e_recent_crisis: float = 0.8  # crisis or safety report in the last 8 weeks
    e_recent_support: float = -0.2  # support in the last 8 weeks (assumption)
    e_maltreatment: float = 0.3
    recent_weeks: int = 8
    measure_end_rate_year: float = 0.5  # OTS: a year, often extended (assumption: mean 2 y)
    care_end_rate_year: float = 0.8  # youth care at home (assumption: mean 15 months)
    p_parent_help: float = 0.35  # share of episodes with help to the parents (assumption)
    return_rate_year: float = 0.28  # as the placed cohort (WODC 2025: 39 % home in 5 years)
    return_decay_years: float = 1.6
    return_r: float = -0.25
    return_help: float = 0.95  # calibrated: return with help >2x (Leiden/WODC 2025)
    reentry_rate_year: float = 0.36  # as the placed cohort (a quarter re-enter)
    reentry_decay_years: float = 1.0
    home_watch_years: float = 4.0
    setting_probs: tuple[float, ...] = (0.33, 0.45, 0.1, 0.12)
    """First setting after entry (kinship, foster, family home, residential; CBS 2019 shares)."""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of every parameter."""
        return asdict(self)


@dataclass
class AtHomeSimulation:
    """The recorded history of children at home (and their placements) with the truth."""

    history: CareHistory
    truth: dict[str, pl.DataFrame]
    params: AtHomeParams
    seed: int
    start: date
    lookback_years: int

    def write(self, path: str | Path) -> Path:
        """Write the canonical folder plus ``truth/`` (Parquet and ``params.json``)."""
        folder = Path(self.history.write(path))
        tdir = folder / "truth"
        tdir.mkdir(exist_ok=True)
        for name, frame in self.truth.items():
            frame.write_parquet(tdir / f"{name}.parquet")
        meta = {"params": self.params.to_dict(), "seed": self.seed, "start": str(self.start),
                "lookback_years": self.lookback_years}  # fmt: skip
        (tdir / "params.json").write_text(json.dumps(meta, indent=2, sort_keys=True))
        return folder


def _day(d: date) -> int:
    return (d - EPOCH).days


def _draw_children(n: int, first: int, last: int, p: AtHomeParams, seed: int) -> dict[str, Any]:
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 21])))
    mstart = np.sort(rng.integers(first, last + 1, n)).astype(np.int64)
    age = rng.random(n) * 16.5
    birth = mstart - np.floor(age * YEAR).astype(np.int64)
    ots = rng.random(n) < p.p_ots
    mu = p.r_mean + p.r_mean_ots * ots + rng.normal(0.0, p.r_mean_sd, n)
    stat_sd = p.r_sd_week / np.sqrt(1.0 - p.r_phi_week**2)
    b18 = (
        pl.Series(birth).cast(pl.Int32).cast(pl.Date).dt.offset_by("18y").cast(pl.Int32)
    ).to_numpy()
    return {
        "mstart": mstart,
        "birth": birth,
        "b18": b18.astype(np.int64),
        "male": rng.random(n) < p.p_male,
        "origin": rng.choice(3, size=n, p=np.asarray(p.origin_probs)),
        "region": rng.choice(4, size=n, p=np.asarray(p.region_probs)),
        "malt": rng.random(n) < p.p_maltreatment,
        "ots": ots,
        "mu": mu,
        "r0": mu + rng.normal(0.0, stat_sd, n),
    }


def new_state(ch: dict[str, Any]) -> dict[str, npt.NDArray[Any]]:
    """The process state of every child before its measure starts."""
    n = ch["mstart"].size
    return {
        "i": np.arange(n, dtype=np.int64),
        "phase": np.full(n, NOT_YET, np.int64),
        "r": ch["r0"].astype(np.float64).copy(),
        "last_crisis": np.full(n, -(10**6), np.int64),
        "last_support": np.full(n, -(10**6), np.int64),
        "estart": np.zeros(n, np.int64),
        "help": np.zeros(n, np.bool_),
        "home_since": np.zeros(n, np.int64),
        "mend": np.full(n, -1, np.int64),
        "entries": np.zeros(n, np.int64),
    }


def take(st: dict[str, npt.NDArray[Any]], idx: IA) -> dict[str, npt.NDArray[Any]]:
    """Rows ``idx`` of a state (a copy)."""
    return {k: v[idx].copy() for k, v in st.items()}


@dataclass
class Recorder:
    """What the main run writes down (the oracle runs without one)."""

    events: list[tuple[IA, IA, IA]]
    entries: list[tuple[IA, IA, B]]  # child, day, help
    exits: list[tuple[IA, IA, IA]]  # child, day, code (0 return home, 1 aged out)
    mends: list[tuple[IA, IA]]  # child, day the measure ended


def step_week(  # noqa: PLR0917
    st: dict[str, npt.NDArray[Any]],
    ch: dict[str, Any],
    day: int,
    p: AtHomeParams,
    rng: np.random.Generator,
    rec: Recorder | None,
    *,
    stay_home: bool = False,
) -> tuple[F, F]:
    """Advance every row by the week ending on ``day`` (transitions dated ``day``).

    ``ch`` holds the fixed child attributes indexed by ``st["i"]``. Draw order is fixed and
    independent of ``rec`` so the oracle's replicates follow the same law as the main run.
    Returns, per row, the week's probability of entering care and of leaving home by any
    route (0 for rows not at home). ``stay_home`` keeps children at home (no entry, no end of
    the measure) so the oracle can integrate those probabilities over the at-home path.
    """
    i = st["i"]
    ph = st["phase"]
    n = i.size
    start_now = (ph == NOT_YET) & (ch["mstart"][i] <= day)
    ph[start_now] = AT_HOME
    b18 = ch["b18"][i]
    age = (day - ch["birth"][i]) / YEAR
    r = st["r"]
    u = rng.random((n, 4))
    # ---- at home: hazards from what happened before this week, then the week's events
    home = (ph == AT_HOME) & (ch["mstart"][i] < day)  # nothing on the start day itself
    recent = p.recent_weeks * 7
    lp = (
        np.log(p.entry_rate_year / 52.18)
        + p.e_r * r
        + p.e_ots * ch["ots"][i]
        + p.e_maltreatment * ch["malt"][i]
        + p.e_recent_crisis * (day - st["last_crisis"] < recent)
        + p.e_recent_support * (day - st["last_support"] < recent)
    )
    h_entry = np.exp(lp)
    h_end = np.where(ch["ots"][i], p.measure_end_rate_year, p.care_end_rate_year) / 52.18
    tot = h_entry + h_end
    hit = home & (u[:, 0] < -np.expm1(-tot))
    enter = hit & (u[:, 1] * tot < h_entry) & (b18 > day)
    mend = home & ((hit & ~enter) | (b18 <= day))
    q = -np.expm1(-tot)
    p_entry = np.where(home & (b18 > day), q * h_entry / tot, 0.0)
    p_leave = np.where(home, np.where(b18 > day, q, 1.0), 0.0)
    if stay_home:
        enter = np.zeros(n, np.bool_)
        mend = np.zeros(n, np.bool_)
    # events of the week, dated from max(day-6, start) to day-1 (before a transition dated day)
    for k in range(len(AT_HOME_EVENT_KINDS)):
        lam = np.exp(p.ev_base[k] + p.ev_r[k] * r) * 7.0
        if k == 3:
            lam = np.where((age >= 5.0) & (age < 17.0), lam, 0.0)
        cnt = np.where(home, rng.poisson(lam), 0)
        has = np.flatnonzero(cnt)
        if has.size == 0:
            continue
        lo = np.maximum(day - 6, ch["mstart"][i[has]])
        d = lo + np.floor(rng.random(has.size) * (day - lo)).astype(np.int64)
        if k in {0, 1}:
            st["last_crisis"][has] = np.maximum(st["last_crisis"][has], d)
        if k == 4:
            st["last_support"][has] = np.maximum(st["last_support"][has], d)
        if rec is not None:
            rec.events.append((i[has], d, np.full(has.size, k, np.int64)))
    help_draw = rng.random(n) < p.p_parent_help
    # ---- in care: return home or age out
    care = ph == IN_CARE
    yrs = (day - st["estart"]) / YEAR
    h_ret = (
        p.return_rate_year
        * np.exp(p.return_r * r + p.return_help * st["help"] - yrs / p.return_decay_years)
        / 52.18
    )
    aged = care & (b18 <= day)
    ret = care & ~aged & (u[:, 2] < -np.expm1(-h_ret)) & (age < 17.5)
    # ---- back home: re-entry or stop following
    back = ph == BACK_HOME
    hy = (day - st["home_since"]) / YEAR
    h_re = p.reentry_rate_year * np.exp(-hy / p.reentry_decay_years) / 52.18
    reenter = back & (u[:, 3] < -np.expm1(-h_re)) & (b18 > day) & (day > st["home_since"])
    stop = back & ~reenter & ((hy > p.home_watch_years) | (b18 <= day))
    # ---- apply
    new_ep = enter | reenter
    st["estart"][new_ep] = day
    st["help"][new_ep] = help_draw[new_ep]
    st["entries"][new_ep] += 1
    ph[new_ep] = IN_CARE
    st["mend"][enter] = day
    st["mend"][mend] = day
    ph[mend] = GONE
    ph[ret] = BACK_HOME
    st["home_since"][ret] = day
    ph[aged | stop] = GONE
    if rec is not None:
        e = np.flatnonzero(new_ep)
        rec.entries.append((i[e], np.full(e.size, day, np.int64), st["help"][e].copy()))
        x = np.flatnonzero(ret | aged)
        rec.exits.append((i[x], np.full(x.size, day, np.int64), aged[x].astype(np.int64)))
        m = np.flatnonzero(mend | enter)
        rec.mends.append((i[m], np.full(m.size, day, np.int64)))
    # ---- latent stress moves for everyone followed
    fol = (ph == AT_HOME) | (ph == IN_CARE) | (ph == BACK_HOME)
    mu = ch["mu"][i]
    noise = rng.normal(0.0, p.r_sd_week, n)
    st["r"] = np.where(fol, mu + p.r_phi_week * (r - mu) + noise, r)
    return p_entry, p_leave


def period_days(start: date, years: int, lookback_years: int) -> tuple[int, int, int]:
    """First week-end day of the process, first day of the period, last day (``observed_until``)."""
    end = date(start.year + years, start.month, start.day) - timedelta(days=1)
    first = _day(start) - round(lookback_years * YEAR)
    return first + 6, _day(start), _day(end)


def simulate_at_home(
    n_children: int = 20_000,
    years: int = 10,
    seed: int = 0,
    *,
    start: date = date(2015, 4, 1),
    lookback_years: int = 3,
    params: AtHomeParams | None = None,
) -> AtHomeSimulation:
    """Simulate children at home under a measure or in youth care, and their placements.

    Parameters
    ----------
    n_children
        Children followed (their measure or youth care starts between ``lookback_years``
        before ``start`` and ``observed_until``).
    years
        Length of the period; ``observed_until`` is the day before ``start + years``.
    seed
        Seed: same seed, same history.
    start, lookback_years
        First day of the period, and how long before it measures may start.
    params
        :class:`AtHomeParams` (defaults when omitted).

    Returns
    -------
    AtHomeSimulation
        ``.history`` (children, placements, events and statuses) and ``.truth`` (``children``:
        ``child_id``, ``stress_mean``, ``ots``).

    Examples
    --------
    >>> sim = simulate_at_home(200, years=2, seed=3)
    >>> sim.history.validate().ok
    True
    """
    if n_children < 1 or years < 1:
        raise ValueError(f"simulate_at_home: n_children ({n_children}) and years ({years}) >= 1")
    p = params or AtHomeParams()
    first_week, _, last = period_days(start, years, lookback_years)
    ch = _draw_children(n_children, first_week - 6, last, p, seed)
    st = new_state(ch)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 22])))
    rec = Recorder([], [], [], [])
    for day in range(first_week, last + 1, 7):
        step_week(st, ch, day, p, rng, rec)
    return _assemble(ch, rec, last, p, seed, start, lookback_years)


def _ids(prefix: str, idx: npt.NDArray[Any], width: int) -> pl.Series:
    return pl.lit(prefix) + pl.Series(idx).cast(pl.String).str.zfill(width)  # type: ignore[return-value]


def _assemble(  # noqa: PLR0917
    ch: dict[str, Any],
    rec: Recorder,
    last: int,
    p: AtHomeParams,
    seed: int,
    start: date,
    lookback_years: int,
) -> AtHomeSimulation:
    n = ch["mstart"].size
    cid = pl.Series("child_id", [f"H{k:07d}" for k in range(n)])
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 23])))
    children = pl.DataFrame(
        {
            "child_id": cid,
            "birth_date": pl.Series(ch["birth"]).cast(pl.Int32).cast(pl.Date),
            "sex": np.where(ch["male"], "male", "female"),
            "origin": np.asarray(ORIGINS)[ch["origin"]],
            "disability": rng.random(n) < 0.1,
            "region": np.asarray(REGIONS)[ch["region"]],
            "unaccompanied": np.zeros(n, np.bool_),
            "sibling_group": pl.Series([None] * n, dtype=pl.String),
            "maltreatment": ch["malt"],
        }
    )

    def cat(parts: Sequence[tuple[npt.NDArray[Any], ...]], k: int) -> npt.NDArray[Any]:
        return np.concatenate([x[k] for x in parts]) if parts else np.zeros(0, np.int64)

    # placements: one per episode, ended by the next exit of the same child
    ent = pl.DataFrame(
        {"i": cat(rec.entries, 0), "start": cat(rec.entries, 1), "help": cat(rec.entries, 2)}
    ).sort("i", "start")
    ex = pl.DataFrame(
        {"i": cat(rec.exits, 0), "end": cat(rec.exits, 1), "code": cat(rec.exits, 2)}
    ).sort("i", "end")
    pls = ent.join_asof(
        ex, left_on="start", right_on="end", by="i", strategy="forward", check_sortedness=False
    )
    setting = rng.choice(4, size=pls.height, p=np.asarray(p.setting_probs))
    pls = pls.with_columns(
        pl.Series("setting", np.asarray(SETTINGS_AFTER_ENTRY)[setting]),
    ).with_row_index("row")
    placements = pls.select(
        pl.Series("child_id", cid.gather(pls["i"].cast(pl.UInt32))),
        _ids("A", pls["row"].to_numpy(), 8).alias("placement_id"),
        pl.col("start").cast(pl.Int32).cast(pl.Date),
        pl.col("end").cast(pl.Int32).cast(pl.Date),
        "setting",
        _ids("AP", pls["row"].to_numpy(), 8).alias("provider_id"),
        pl.when(pl.col("end").is_null())
        .then(None)
        .when(pl.col("code") == 1)
        .then(pl.lit("aged_out"))
        .otherwise(pl.lit("return_home"))
        .alias("end_reason"),
        pl.lit(None, pl.String).alias("end_reason_detail"),
        pl.lit(False).alias("temporary"),
        pl.lit(None, pl.Boolean).alias("siblings_together"),
    )
    help_rows = placements.filter(pl.Series(pls["help"].to_numpy().astype(bool))).select(
        "child_id",
        pl.lit("parent_help").alias("kind"),
        pl.lit("yes").alias("value"),
        "start",
        (pl.col("end") - timedelta(days=1)).alias("end"),
    )
    mend = pl.DataFrame({"i": cat(rec.mends, 0), "end": cat(rec.mends, 1)})
    mend = mend.group_by("i").agg(pl.col("end").min())
    measures = (
        pl.DataFrame({"i": np.arange(n), "start": ch["mstart"], "ots": ch["ots"]})
        .filter(pl.col("start") <= last)
        .join(mend, on="i", how="left")
        .select(
            pl.Series("child_id", cid.gather(pl.Series(np.arange(n), dtype=pl.UInt32))).filter(
                pl.Series(ch["mstart"] <= last)
            ),
            pl.when(pl.col("ots")).then(pl.lit("measure")).otherwise(pl.lit("youth_care"))
            .alias("kind"),
            pl.when(pl.col("ots")).then(pl.lit("ots")).otherwise(pl.lit("ambulant")).alias("value"),
            pl.col("start").cast(pl.Int32).cast(pl.Date),
            (pl.col("end") - 1).cast(pl.Int32).cast(pl.Date).alias("end"),
        )
    )  # fmt: skip
    statuses = pl.concat([measures, help_rows]).sort("child_id", "start", "kind")
    ev = pl.DataFrame({"i": cat(rec.events, 0), "d": cat(rec.events, 1), "k": cat(rec.events, 2)})
    ev = ev.group_by("i", "d", "k").agg(pl.len().alias("value")).sort("i", "d", "k")
    events = ev.select(
        pl.Series("child_id", cid.gather(ev["i"].cast(pl.UInt32))),
        pl.col("d").cast(pl.Int32).cast(pl.Date).alias("date"),
        pl.Series("kind", list(AT_HOME_EVENT_KINDS)).gather(ev["k"].cast(pl.UInt32)),
        pl.col("value").cast(pl.Float64),
    )
    end_date = EPOCH + timedelta(days=last)
    history = CareHistory.from_frames(
        children=children,
        placements=placements,
        events=events,
        statuses=statuses,
        observed_until=end_date,
        meta={"source": "earlysignal.synth.at_home", "seed": seed,
              "period_start": start.isoformat()},
    )  # fmt: skip
    truth = {"children": pl.DataFrame({"child_id": cid, "stress_mean": ch["mu"], "ots": ch["ots"]})}
    return AtHomeSimulation(history, truth, p, seed, start, lookback_years)
