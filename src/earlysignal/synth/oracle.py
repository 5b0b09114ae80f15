"""The oracle: the true risk of each outcome given the simulator's full latent state.

``oracle_risk`` re-runs the simulation deterministically (same seed, same draws) and keeps the
state of the requested children after day ``t`` (everything dated ``t`` or earlier has
happened; by the contract in ``docs/architecture.md`` nothing dated ``t`` counts in a label's
window ``(t, t + horizon]``, and a placement starting or ending on ``t`` is not in effect at
``t``). Each state is replicated ``n_draws`` times and carried forward with the engine's own
:func:`~earlysignal.synth.engine.hazards`, :func:`~earlysignal.synth.engine.step_day` and
:func:`~earlysignal.synth.engine.weekly_update`, ignoring ``observed_until``.

* ``breakdown``: per draw, the future path of the latent severity is simulated and the
  probability that the placement in effect at ``t`` ends with a breakdown in the window is
  integrated exactly over the competing daily hazards (a Rao-Blackwellised estimator: lower
  variance than counting simulated endings, same expectation). ``method="simulate"`` counts
  simulated endings instead (used to test the integration). Null when no placement is in
  effect at ``t``. The engine's unplanned ending is recorded as the child's ``breakdown`` or,
  with a provider-side detail drawn independently of everything else, as ``provider_ended``
  (:meth:`~earlysignal.synth.params.SimParams.child_side_share`); so under
  ``definition="child_side"`` (the default, as for labels) the risk is that share of the
  unplanned-ending risk (a provider-side ending is a competing event), and under
  ``"any_unplanned"`` it is the whole of it.

The window is always the whole of ``(t, t + horizon]``, ignoring ``observed_until``: compare
it only with labels whose window is complete, which are the only labels
:func:`earlysignal.outcomes.label` gives by default (``censor="window"``).
* ``carousel``: at least ``k`` moves (new non-temporary placements that are not the first of an
  episode) in the window. Per draw the path is simulated and, on every day on which the draw
  has made ``k - 1`` moves, the day's exact probability of one more move (the competing daily
  hazards of a breakdown, planned, status-only or other change) is added: the expected number
  of ``k``-th moves, which is the probability of at least ``k`` moves (a Rao-Blackwellised
  estimator of the last step: same expectation as counting simulated paths, lower variance).
  ``method="simulate"`` counts simulated paths instead (used to test the integration).
* ``return_home``: a placement ends with a return home in the window, by full simulation.

Children not yet in care at ``t`` get null; children the engine no longer follows (adopted,
aged out, or back home longer than ``home_watch_years``) get 0 for ``carousel`` and
``return_home``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import polars as pl

from earlysignal.synth.engine import (
    AGED_OUT,
    BREAKDOWN,
    OTHER,
    PLANNED,
    RETURN_HOME,
    TRANSFER,
    EngineContext,
    State,
    hazards,
    step_day,
    weekly_update,
)
from earlysignal.synth.simulation import EPOCH, Simulation, rerun_snapshots

__all__ = ["OUTCOMES", "oracle_risk"]

OUTCOMES = ("breakdown", "carousel", "return_home")
CHUNK_ROWS = 400_000  # replicated rows carried forward at once (memory bound)


def _forward(  # noqa: PLR0917
    st: State,
    t: npt.NDArray[np.int64],
    outcome: str,
    horizon: int,
    k: int,
    ctx: EngineContext,
    rng: np.random.Generator,
    method: str,
    share: float = 1.0,
) -> npt.NDArray[np.float64]:
    """One value per replicated row: the outcome (0/1) or its integrated probability.

    ``share``: the part of the engine's unplanned endings that counts (breakdown only).
    """
    n = len(st)
    out = np.zeros(n)
    if outcome == "breakdown" and method == "integrated":
        surv = np.ones(n)
        rows = np.arange(n)
        for r in range(1, horizon + 1):
            day = t + r
            h = hazards(st, rows, day, ctx)
            tot = h.sum(axis=1)
            p_any = -np.expm1(-tot)
            share_bd = np.divide(h[:, BREAKDOWN], tot, out=np.zeros(n), where=tot > 0)
            aged = st["b18"] <= day
            p_bd = np.where(aged, 0.0, p_any * share_bd * share)
            p_any = np.where(aged, 1.0, p_any)
            out += surv * p_bd
            surv *= 1.0 - p_any
            weekly_update(st, day, ctx, rng)
        return out
    moves = np.zeros(n, dtype=np.int64)
    if outcome == "carousel" and method == "integrated":
        for r in range(1, horizon + 1):
            day = t + r
            rows = np.flatnonzero((st["phase"] == 1) & (moves == k - 1))
            if rows.size:
                d = day[rows]
                h = hazards(st, rows, d, ctx)
                tot = h.sum(axis=1)
                p_any = -np.expm1(-tot)
                move = h[:, BREAKDOWN] + h[:, PLANNED] + h[:, TRANSFER] + h[:, OTHER]
                share = np.divide(move, tot, out=np.zeros(rows.size), where=tot > 0)
                out[rows] += np.where(st["b18"][rows] <= d, 0.0, p_any * share)
            res = step_day(st, day, ctx, rng)
            np.add.at(moves, res.moved, 1)
            weekly_update(st, day, ctx, rng)
        return out
    pid0 = st["pid"].copy()
    open_ = np.ones(n, dtype=np.bool_)
    for r in range(1, horizon + 1):
        day = t + r
        res = step_day(st, day, ctx, rng)
        if outcome == "breakdown":
            first = open_[res.ended] & (res.pid_ended == pid0[res.ended])
            rows = res.ended[first]
            counted = rng.random(rows.size) < share  # the recorded part (child side)
            out[rows] = (res.reason[first] == BREAKDOWN) & counted
            open_[rows] = False
        elif outcome == "carousel":
            np.add.at(moves, res.moved, 1)
        else:
            out[res.ended[res.reason == RETURN_HOME]] = 1.0
        weekly_update(st, day, ctx, rng)
    if outcome == "carousel":
        out = (moves >= k).astype(np.float64)
    _ = AGED_OUT
    return out


def oracle_risk(
    sim: Simulation,
    times: pl.DataFrame,
    *,
    outcome: str,
    horizon: int,
    n_draws: int = 200,
    seed: int = 0,
    k: int = 2,
    method: str = "integrated",
    definition: str = "child_side",
) -> pl.DataFrame:
    """True probability of ``outcome`` in ``(t, t + horizon]`` given the full latent state.

    Parameters
    ----------
    sim
        A :class:`~earlysignal.synth.simulation.Simulation`.
    times
        Frame with ``child_id`` and ``prediction_time`` (dates up to ``observed_until``).
    outcome
        ``breakdown``, ``carousel`` or ``return_home`` (definitions of ``docs/architecture.md``).
    horizon
        Window length in days.
    n_draws
        Monte Carlo replicates of each state.
    seed
        Seed of the forward simulation (independent of the simulation's seed).
    k
        Moves that make a carousel.
    method
        ``integrated`` (default; breakdown and carousel, see above) or ``simulate``.
    definition
        Breakdown only: ``child_side`` (default) or ``any_unplanned``, as for
        :func:`earlysignal.outcomes.label`.

    Returns
    -------
    polars.DataFrame
        ``child_id``, ``prediction_time``, ``risk``, ``se`` (Monte Carlo standard error), one
        row per input row, in input order.

    Examples
    --------
    >>> from datetime import date
    >>> from earlysignal.synth import simulate
    >>> sim = simulate(200, years=2, seed=0)
    >>> times = pl.DataFrame({"child_id": ["C0000001", "C0000002"],
    ...                       "prediction_time": [date(2016, 1, 1), date(2016, 1, 1)]})
    >>> r = oracle_risk(sim, times, outcome="carousel", horizon=90, n_draws=20)
    >>> r.columns
    ['child_id', 'prediction_time', 'risk', 'se']
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"oracle_risk: outcome {outcome!r} is not one of {OUTCOMES}")
    if definition not in ("child_side", "any_unplanned"):
        raise ValueError(
            f"oracle_risk: definition {definition!r} is not 'child_side' or 'any_unplanned'"
        )
    share = sim.params.child_side_share() if definition == "child_side" else 1.0
    if method not in ("integrated", "simulate"):
        raise ValueError(f"oracle_risk: method {method!r} is not 'integrated' or 'simulate'")
    if horizon < 1 or n_draws < 2 or k < 1:
        raise ValueError(
            f"oracle_risk: horizon ({horizon}) must be >= 1, n_draws ({n_draws}) >= 2, k ({k}) >= 1"
        )
    missing = {"child_id", "prediction_time"} - set(times.columns)
    if missing:
        raise ValueError(f"oracle_risk: times lacks column(s) {sorted(missing)}")
    tt = times.select(
        pl.col("child_id").cast(pl.String), pl.col("prediction_time").cast(pl.Date)
    ).with_row_index("__row")
    cmap = sim.truth["children"].select("child_id", "candidate")
    j = tt.join(cmap, on="child_id", how="left").sort("__row")
    bad = j.filter(pl.col("candidate").is_null() | pl.col("prediction_time").is_null())
    if bad.height:
        r0 = bad.row(0, named=True)
        raise ValueError(
            f"oracle_risk: times row {r0['__row']} (child {r0['child_id']!r}, time "
            f"{r0['prediction_time']}): the child is not in the simulation or the time is null; "
            "pass children of this simulation and dates"
        )
    day = (j["prediction_time"].cast(pl.Int32).to_numpy()).astype(np.int64)
    if day.size and (day.max() > sim.last_day or day.min() < sim.first_day):
        raise ValueError(
            f"oracle_risk: prediction times must lie in [{EPOCH.fromordinal(1)}..] the simulated "
            f"days {sim.first_day}..{sim.last_day} (up to observed_until "
            f"{sim.history.observed_until}); got a day outside"
        )
    cand = j["candidate"].to_numpy().astype(np.int64)
    n = cand.size
    risk = np.full(n, np.nan)
    se = np.full(n, np.nan)
    requests: dict[int, npt.NDArray[np.int64]] = {}
    rows_by_day: dict[int, npt.NDArray[np.int64]] = {}
    order = np.argsort(day, kind="stable")
    uday, starts = np.unique(day[order], return_index=True)
    bounds = [*starts[1:], n]
    for d, lo, hi in zip(uday, starts, bounds, strict=True):
        rr = order[lo:hi]
        requests[int(d)] = cand[rr]
        rows_by_day[int(d)] = rr
    if n:
        snaps, ctx = rerun_snapshots(sim, requests)
    else:
        snaps, ctx = {}, None
    parts: list[State] = []
    prow: list[npt.NDArray[np.int64]] = []
    pday: list[npt.NDArray[np.int64]] = []
    entry = sim.truth["children"]["candidate"].to_numpy()
    _ = entry
    for d, (st0, found0, _cids) in snaps.items():
        st, found = st0, found0
        rr = rows_by_day[d]
        notfound = np.setdiff1d(np.arange(rr.size), found)
        # followed and left for good: outcomes other than breakdown are certainly 0
        if outcome != "breakdown" and notfound.size:
            gone = rr[notfound]
            risk[gone] = 0.0
            se[gone] = 0.0
        if outcome == "breakdown":
            keep = (st["phase"] == 1) & (st["pstart"] < d)
            st = st.take(np.flatnonzero(keep))
            found = found[keep]
        parts.append(st)
        prow.append(rr[found])
        pday.append(np.full(found.size, d, np.int64))
    if outcome != "breakdown":
        # children who had not entered care by t: null, not 0
        first_entry = _first_entry(sim)
        not_yet = first_entry[cand] > day
        risk[not_yet] = np.nan
        se[not_yet] = np.nan
    if parts and ctx is not None:
        allst = parts[0]
        for s in parts[1:]:
            allst = allst.concat(s)
        rows = np.concatenate(prow)
        days = np.concatenate(pday)
        ctx.record = False
        per = max(1, CHUNK_ROWS // n_draws)
        for ci, lo in enumerate(range(0, rows.size, per)):
            sl = np.arange(lo, min(lo + per, rows.size))
            rep = np.repeat(sl, n_draws)
            st = allst.take(rep)
            rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 3, ci])))
            vals = _forward(st, days[rep], outcome, horizon, k, ctx, rng, method, share)
            v = vals.reshape(sl.size, n_draws)
            risk[rows[sl]] = v.mean(axis=1)
            se[rows[sl]] = v.std(axis=1, ddof=1) / np.sqrt(n_draws)
    return pl.DataFrame(
        {
            "child_id": j["child_id"],
            "prediction_time": j["prediction_time"],
            "risk": pl.Series(risk).fill_nan(None),
            "se": pl.Series(se).fill_nan(None),
        }
    )


def _first_entry(sim: Simulation) -> npt.NDArray[np.int64]:
    """First entry day of every candidate (re-derived from the simulation's own draws)."""
    from earlysignal.synth.simulation import candidate_entries

    return candidate_entries(sim)


_ = date
