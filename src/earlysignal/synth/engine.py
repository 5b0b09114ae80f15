"""The vectorised care-history engine: one daily step function shared by simulation and oracle.

The simulator is a discrete-time (daily) competing-risks process over all children at once. A
child is *in care* (phase 1: a current placement), *back home* after a return home (phase 2:
followed for re-entry), or gone (phase 0: not yet entered, permanence, aged out, or followed
long enough at home). Every day, each child in care may leave the current placement by

* ``breakdown``: a Weibull hazard in days with the current carer (shape below 1: front-loaded)
  times ``exp(lp)``, where ``lp`` adds the latent severity, adolescence, age, maltreatment,
  siblings together, setting, earlier moves in the episode, support, hidden carer quality,
  provider and region (see :class:`~earlysignal.synth.params.SimParams`);
* ``planned`` (care plan; high for short emergency placements), ``transfer`` (status-only
  change with the same carer), ``other``: constant hazards;
* ``return_home`` (decaying with time in care, lower with severity, higher with help for the
  parents), ``permanence`` (adoption or guardianship, mostly young children), and ``aged_out``
  on the 18th birthday.

A breakdown, planned, transfer or other ending starts a new placement the same day (a move);
a breakdown raises the latent severity. Back home, a re-entry hazard decays with time at home.
Once a week the latent severity moves (AR(1) on the log-hazard scale) and the recorded events
(incidents, missing episodes, police contacts, crises) are drawn from Poisson rates that rise
with it, dated uniformly within the week.

The oracle (:mod:`earlysignal.synth.oracle`) calls the same :func:`refresh`, :func:`hazards`,
:func:`step_day` and :func:`weekly_update` on replicated snapshots of this state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from earlysignal.synth.params import SETTINGS, SimParams

__all__ = ["END_REASONS", "EngineContext", "State", "hazards", "refresh", "step_day"]

F = npt.NDArray[np.float64]
IA = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

END_REASONS: tuple[str, ...] = (
    "breakdown",
    "planned",
    "transfer",
    "other",
    "return_home",
    "permanence",
    "aged_out",
)
"""End reasons in the engine's integer coding (a subset of ``schema.EndReason``)."""
BREAKDOWN, PLANNED, TRANSFER, OTHER, RETURN_HOME, PERMANENCE, AGED_OUT = range(7)
MOVE_REASONS = (BREAKDOWN, PLANNED, TRANSFER, OTHER)

KIN, FOSTER, FAMILY_HOME, RESIDENTIAL, SECURE, INDEPENDENT, WITH_PARENTS, OTHER_SETTING = range(8)
YEAR = 365.25

# Base setting weights by age band (<1, 1-11, 12-15, 16-17); columns follow SETTINGS.
# Assumption shaped on CBS 2019 (foster 21,500; family homes 5,500; secure 2,500; other 18,000).
_SETTING_BASE = np.array(
    [
        [0.36, 0.58, 0.04, 0.00, 0.00, 0.00, 0.02, 0.00],
        [0.33, 0.50, 0.10, 0.03, 0.00, 0.00, 0.04, 0.00],
        [0.20, 0.38, 0.13, 0.20, 0.02, 0.00, 0.03, 0.04],
        [0.12, 0.28, 0.08, 0.25, 0.03, 0.18, 0.02, 0.04],
    ]
)

STATE_FIELDS: dict[str, Any] = {
    "cid": np.int64,  # candidate index (sorted by first entry day)
    "entry": np.int64,  # first entry day
    "birth": np.int64,  # birth day (days since 1970-01-01)
    "b18": np.int64,  # 18th birthday
    "male": np.bool_,
    "malt": np.bool_,
    "unacc": np.bool_,
    "sib": np.bool_,
    "region": np.int64,
    "group": np.bool_,  # member of the bias scenario's group
    "mu": np.float64,  # child's mean latent severity
    "s": np.float64,  # latent severity now
    "phase": np.int64,  # 0 gone, 1 in care, 2 back home
    "setting": np.int64,
    "sibtog": np.bool_,
    "prov": np.int64,
    "q": np.float64,  # hidden carer quality
    "support": np.bool_,  # support given to the carer
    "psupport": np.bool_,  # help for the parents this episode
    "emerg": np.bool_,  # short emergency placement
    "pstart": np.int64,  # placement start day
    "cstart": np.int64,  # start with the current carer (kept over status-only transfers)
    "estart": np.int64,  # episode start day
    "young": np.bool_,  # under 6 at the episode's start
    "nmoves": np.int64,  # moves in the current episode
    "epno": np.int64,  # episode number of the child
    "pid": np.int64,  # placement counter
    "home_since": np.int64,
    "lpb": np.float64,  # cached log breakdown scale (refresh)
    "hret": np.float64,  # cached daily return-home hazard
    "hperm": np.float64,  # cached daily permanence hazard
}


@dataclass
class State:
    """Column arrays of the children the engine follows (one row each)."""

    cols: dict[str, npt.NDArray[Any]]

    @classmethod
    def empty(cls, n: int = 0) -> State:
        """A state of ``n`` zeroed rows."""
        return cls({k: np.zeros(n, dtype=t) for k, t in STATE_FIELDS.items()})

    def __len__(self) -> int:
        return int(self.cols["cid"].shape[0])

    def __getitem__(self, key: str) -> npt.NDArray[Any]:
        return self.cols[key]

    def take(self, idx: npt.NDArray[Any]) -> State:
        """Rows ``idx`` (a copy)."""
        return State({k: v[idx] for k, v in self.cols.items()})

    def concat(self, other: State) -> State:
        """Rows of ``self`` then ``other``."""
        return State({k: np.concatenate([v, other.cols[k]]) for k, v in self.cols.items()})


@dataclass
class EngineContext:
    """What the dynamics need beyond the state: parameters, providers, bias and a recorder."""

    params: SimParams
    day0: int  # first simulated day (weekly updates fall on days with (day - day0) % 7 == 6)
    prov_eff: F  # provider log hazard ratio, by provider index (pool providers only)
    pool_start: IA  # first provider index of each setting's pool
    pool_size: IA
    next_pid: int = 0
    record: bool = False
    event_mult: F = field(default_factory=lambda: np.ones(4))  # recording bias in the group
    rec_rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(0))
    """Generator of what is only recorded (event counts and days, end-reason details): kept
    apart from the dynamics' generator so that recording never changes a trajectory."""
    ev_rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(1))
    """Generator of the recorded events (apart again, so a recording bias changes nothing else)."""
    closed: list[dict[str, npt.NDArray[Any]]] = field(default_factory=list)
    events: list[tuple[npt.NDArray[Any], ...]] = field(default_factory=list)


def _age_years(st: State, rows: IA, day: IA | int) -> F:
    return np.asarray((day - st["birth"][rows]) / YEAR, dtype=np.float64)


def refresh(st: State, rows: IA, day: IA | int, ctx: EngineContext) -> None:
    """Recompute the cached log breakdown scale and the return-home and permanence hazards."""
    if rows.size == 0:
        return
    p = ctx.params
    age = _age_years(st, rows, day)
    setting = st["setting"][rows]
    prov = st["prov"][rows]
    n_pool = ctx.prov_eff.shape[0]
    peff = np.where(prov < n_pool, ctx.prov_eff[np.minimum(prov, n_pool - 1)], 0.0)
    lp = (
        np.log(p.breakdown_rate_year)
        + p.b_severity * st["s"][rows]
        + p.b_adolescent * (age >= 12.0)
        + p.b_age_year * (age - 8.0)
        + p.b_male * st["male"][rows]
        + p.b_maltreatment * st["malt"][rows]
        + p.b_siblings_together * st["sibtog"][rows]
        + p.b_prev_moves * np.minimum(st["nmoves"][rows], p.b_prev_moves_cap)
        + p.b_support * st["support"][rows]
        + p.b_carer_quality * st["q"][rows]
        + np.asarray(p.b_setting)[setting]
        + np.asarray(p.region_effect)[st["region"][rows]]
        + peff
    )
    st["lpb"][rows] = lp
    in_care_years = np.asarray((day - st["estart"][rows]) / YEAR, dtype=np.float64)
    ret = (
        p.return_rate_year
        * np.exp(
            p.return_severity * st["s"][rows]
            + p.return_support * st["psupport"][rows]
            - in_care_years / p.return_decay_years
            + 0.7 * (setting == WITH_PARENTS)
        )
        / YEAR
    )
    st["hret"][rows] = np.where(st["unacc"][rows] | (age >= 17.5), 0.0, ret)
    perm = np.where(
        st["young"][rows] & (in_care_years >= 1.0),
        p.permanence_rate_year_young,
        p.permanence_rate_year_old,
    )
    st["hperm"][rows] = np.where(age >= 16.0, 0.0, perm / YEAR)


def hazards(st: State, rows: IA, day: IA | int, ctx: EngineContext) -> F:
    """Daily exit hazards of the current placement, shape ``(len(rows), 6)``.

    Columns follow ``END_REASONS[:6]`` (breakdown, planned, transfer, other, return home,
    permanence); ageing out is deterministic. No exit on a placement's first day.
    """
    p = ctx.params
    k = p.weibull_shape
    tenure = np.asarray(day - st["cstart"][rows], dtype=np.float64)
    tip = np.asarray(day - st["pstart"][rows], dtype=np.float64)
    h = np.empty((rows.size, 6))
    h[:, 0] = np.exp(st["lpb"][rows] + (k - 1.0) * np.log((tenure + 0.5) / YEAR)) * (k / YEAR)
    mult = np.asarray(p.planned_setting_mult)[st["setting"][rows]]
    h[:, 1] = np.where(
        st["emerg"][rows], 1.0 / p.emergency_mean_days, mult * (p.planned_rate_year / YEAR)
    )
    h[:, 2] = p.transfer_rate_year / YEAR
    h[:, 3] = mult * (p.other_rate_year / YEAR)
    h[:, 4] = st["hret"][rows]
    h[:, 5] = st["hperm"][rows]
    h[tip < 1.0] = 0.0
    return h


def choose_settings(
    st: State, rows: IA, day: IA | int, after_breakdown: B, rng: np.random.Generator
) -> IA:
    """Draw the setting of new placements (age band, severity, unaccompanied, last ending)."""
    age = _age_years(st, rows, day)
    band = np.digitize(age, [1.0, 12.0, 16.0])
    w = _SETTING_BASE[band].copy()
    s = st["s"][rows]
    w[:, RESIDENTIAL] *= np.exp(0.5 * s)
    w[:, SECURE] *= np.exp(1.0 * s)
    w[:, KIN] *= np.where(after_breakdown, 0.6, 1.0)
    w[:, RESIDENTIAL] *= np.where(after_breakdown, 1.5, 1.0)
    un = st["unacc"][rows]
    w[un, KIN] = 0.0
    w[un, WITH_PARENTS] = 0.0
    w[un, RESIDENTIAL] *= 2.0
    cum = np.cumsum(w, axis=1)
    u = rng.random(rows.size) * cum[:, -1]
    out: IA = np.minimum((u[:, None] > cum).sum(axis=1), len(SETTINGS) - 1).astype(np.int64)
    return out


def start_placements(
    st: State,
    rows: IA,
    day: IA | int,
    ctx: EngineContext,
    rng: np.random.Generator,
    *,
    first: B,
    after_breakdown: B,
) -> None:
    """Start a new placement (new carer) for ``rows`` on ``day``."""
    if rows.size == 0:
        return
    p = ctx.params
    setting = choose_settings(st, rows, day, after_breakdown, rng)
    u = rng.random((rows.size, 4))
    pool = ctx.pool_start[setting] + np.floor(u[:, 0] * ctx.pool_size[setting]).astype(np.int64)
    family = (setting == KIN) | (setting == WITH_PARENTS)
    n_pool = ctx.prov_eff.shape[0]
    st["prov"][rows] = np.where(family, n_pool + st["cid"][rows] * 2 + (setting == KIN), pool)
    st["setting"][rows] = setting
    st["q"][rows] = rng.normal(0.0, p.carer_quality_sd, rows.size)
    st["support"][rows] = u[:, 1] < 0.3
    st["emerg"][rows] = first & (u[:, 2] < p.p_emergency_first)
    st["sibtog"][rows] = st["sib"][rows] & (u[:, 3] < p.p_siblings_together) & (setting <= 2)
    st["pstart"][rows] = day
    st["cstart"][rows] = day
    st["pid"][rows] = ctx.next_pid + np.arange(rows.size)
    ctx.next_pid += rows.size
    refresh(st, rows, day, ctx)


def start_episodes(
    st: State, rows: IA, day: IA | int, ctx: EngineContext, rng: np.random.Generator
) -> None:
    """Enter or re-enter care: a new episode and its first placement."""
    if rows.size == 0:
        return
    st["phase"][rows] = 1
    st["estart"][rows] = day
    st["nmoves"][rows] = 0
    st["epno"][rows] += 1
    st["young"][rows] = _age_years(st, rows, day) < 6.0
    st["psupport"][rows] = rng.random(rows.size) < ctx.params.p_parent_support
    false = np.zeros(rows.size, dtype=np.bool_)
    start_placements(st, rows, day, ctx, rng, first=~false, after_breakdown=false)


def _close(  # noqa: PLR0917
    st: State, rows: IA, day: IA | int, reason: IA, ctx: EngineContext, rng: np.random.Generator
) -> None:
    if not ctx.record or rows.size == 0:
        return
    ctx.closed.append(
        {
            "cid": st["cid"][rows].copy(),
            "pid": st["pid"][rows].copy(),
            "epno": st["epno"][rows].copy(),
            "start": st["pstart"][rows].copy(),
            "end": np.broadcast_to(np.asarray(day), rows.shape).astype(np.int64),
            "setting": st["setting"][rows].copy(),
            "prov": st["prov"][rows].copy(),
            "reason": reason.astype(np.int64),
            "sibtog": st["sibtog"][rows].copy(),
            "support": st["support"][rows].copy(),
            "q": st["q"][rows].copy(),
            "emerg": st["emerg"][rows].copy(),
            "nmoves": st["nmoves"][rows].copy(),
            "group": st["group"][rows].copy(),
            "u": ctx.rec_rng.random(rows.size),
        }
    )


@dataclass
class StepResult:
    """What happened on one day: rows whose placement ended, why, and which started a move."""

    ended: IA
    reason: IA
    pid_ended: IA
    moved: IA
    reentered: IA


def step_day(st: State, day: IA | int, ctx: EngineContext, rng: np.random.Generator) -> StepResult:
    """Advance every followed child by one day (transitions dated ``day``).

    ``day`` is a scalar (main simulation) or one day per row (oracle replicates).
    """
    p = ctx.params
    phase = st["phase"]
    dayv = np.broadcast_to(np.asarray(day, dtype=np.int64), phase.shape)
    care = np.flatnonzero(phase == 1)
    dcare = dayv[care]
    h = hazards(st, care, dcare, ctx)
    tot = h.sum(axis=1)
    u = rng.random(care.size)
    hit = u < -np.expm1(-tot)
    aged = st["b18"][care] <= dcare
    ev = hit | aged
    rows = care[ev]
    hr = h[ev]
    cum = np.cumsum(hr, axis=1)
    v = rng.random(rows.size) * cum[:, -1]
    reason = np.minimum((v[:, None] > cum).sum(axis=1), 5).astype(np.int64)
    reason[aged[ev]] = AGED_OUT
    drows = dcare[ev]
    pid_ended = st["pid"][rows].copy()
    _close(st, rows, drows, reason, ctx, rng)

    move = (reason <= OTHER) & (reason != TRANSFER)
    mrows = rows[move]
    bd = reason[move] == BREAKDOWN
    brows = mrows[bd]
    st["s"][brows] = np.minimum(
        st["s"][brows] + p.sev_bump_breakdown, st["mu"][brows] + p.sev_max_above_mean
    )
    st["nmoves"][mrows] += 1
    start_placements(
        st, mrows, drows[move], ctx, rng, first=np.zeros(mrows.size, np.bool_), after_breakdown=bd
    )
    trows = rows[reason == TRANSFER]
    st["nmoves"][trows] += 1
    st["pstart"][trows] = drows[reason == TRANSFER]
    st["pid"][trows] = ctx.next_pid + np.arange(trows.size)
    ctx.next_pid += trows.size
    refresh(st, trows, drows[reason == TRANSFER], ctx)
    ret = reason == RETURN_HOME
    st["phase"][rows[ret]] = 2
    st["home_since"][rows[ret]] = drows[ret]
    st["phase"][rows[reason >= PERMANENCE]] = 0

    # back home: re-entry, or stop following
    home = np.flatnonzero(phase == 2)
    dh = dayv[home]
    yrs = (dh - st["home_since"][home]) / YEAR
    hre = p.reentry_rate_year * np.exp(-yrs / p.reentry_decay_years) / YEAR
    re = (rng.random(home.size) < hre) & (dh > st["home_since"][home]) & (st["b18"][home] > dh)
    stop = ~re & ((yrs > p.home_watch_years) | (st["b18"][home] <= dh))
    st["phase"][home[stop]] = 0
    rerows = home[re]
    start_episodes(st, rerows, dh[re], ctx, rng)

    moved = np.concatenate([rows[reason <= OTHER]])
    return StepResult(ended=rows, reason=reason, pid_ended=pid_ended, moved=moved, reentered=rerows)


def weekly_update(st: State, day: IA | int, ctx: EngineContext, rng: np.random.Generator) -> None:
    """Once a week: emit the week's recorded events, move the latent severity, refresh hazards.

    Applies to rows whose ``(day - day0) % 7 == 6``.
    """
    p = ctx.params
    if np.ndim(day) == 0 and (int(day) - ctx.day0) % 7 != 6:  # type: ignore[arg-type]
        return
    phase = st["phase"]
    dayv = np.broadcast_to(np.asarray(day, dtype=np.int64), phase.shape)
    weekly = (dayv - ctx.day0) % 7 == 6
    care = np.flatnonzero(weekly & (phase == 1))
    dcare = dayv[care]
    if ctx.record and care.size:
        age = _age_years(st, care, dcare)
        s = st["s"][care]
        res = (st["setting"][care] == RESIDENTIAL) | (st["setting"][care] == SECURE)
        grp = st["group"][care]
        for kind in range(4):
            lam = np.exp(
                p.ev_base[kind]
                + p.ev_severity[kind] * s
                + p.ev_adolescent[kind] * (age >= 12.0)
                + p.ev_residential[kind] * res
            ) * np.where(grp, ctx.event_mult[kind], 1.0)
            n = ctx.ev_rng.poisson(lam * 7.0)
            has = np.flatnonzero(n)
            if has.size == 0:
                continue
            r = np.repeat(has, n[has])
            lo = np.maximum(st["estart"][care][r], dcare[r] - 6)
            d = lo + np.floor(ctx.ev_rng.random(r.size) * (dcare[r] - lo + 1)).astype(np.int64)
            ctx.events.append(
                (
                    st["cid"][care][r].astype(np.int32),
                    d.astype(np.int32),
                    np.full(r.size, kind, np.int8),
                )
            )
    fol = np.flatnonzero(weekly & (phase >= 1))
    if fol.size == 0:
        return
    mu = st["mu"][fol]
    st["s"][fol] = (
        mu + p.sev_phi_week * (st["s"][fol] - mu) + rng.normal(0.0, p.sev_sd_week, fol.size)
    )
    care2 = fol[st["phase"][fol] == 1]
    refresh(st, care2, dayv[care2], ctx)
