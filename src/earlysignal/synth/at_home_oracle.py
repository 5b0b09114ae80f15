"""The oracle of the at-home process: true ``entry`` and ``stable_return`` risks.

``at_home_oracle`` re-runs :func:`~earlysignal.synth.at_home.simulate_at_home` with the same
seed (same draws, same history) and keeps the full state of the requested children after the
last week-end day before each prediction time ``t`` (everything dated before ``t`` has
happened; the process moves only on week-end days, so nothing happens between that day and
``t``). Each state is replicated ``n_draws`` times and carried forward with the process's own
:func:`~earlysignal.synth.at_home.step_week`, ignoring ``observed_until``:

* ``entry``: for a child at home under a measure or in youth care at ``t`` and never placed,
  the probability of a first placement in ``(t, t + horizon]``; null otherwise. The measure
  ending and ageing out at 18 are competing events (no entry follows while the child is not
  followed). Per draw the at-home path (latent stress, events) is simulated with the child
  kept at home and the weekly entry probability is integrated exactly over the competing
  weekly hazards (Rao-Blackwellised).
* ``stable_return``: for a child in care at ``t``, the probability of a return home in
  ``(t, t + horizon]`` with no re-entry within 365 days after that return; null otherwise.
  Ageing out is a competing event.

Examples
--------
>>> from earlysignal.synth.at_home import simulate_at_home
>>> import polars as pl
>>> from datetime import date
>>> sim = simulate_at_home(300, years=3, seed=1)
>>> times = sim.history.children.select("child_id").with_columns(
...     pl.lit(date(2016, 4, 1)).alias("prediction_time"))
>>> r = at_home_oracle(sim, times, outcome="entry", horizon=180, n_draws=5)
>>> 0.0 <= r["risk"].drop_nulls().max() <= 1.0
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from earlysignal.synth.at_home import (
    AT_HOME,
    BACK_HOME,
    EPOCH,
    IN_CARE,
    AtHomeSimulation,
    _draw_children,
    new_state,
    period_days,
    step_week,
    take,
)

__all__ = ["AT_HOME_OUTCOMES", "at_home_oracle"]

AT_HOME_OUTCOMES = ("entry", "stable_return")
STABLE_DAYS = 365


def at_home_oracle(
    sim: AtHomeSimulation,
    times: pl.DataFrame,
    *,
    outcome: str,
    horizon: int,
    n_draws: int = 50,
    seed: int = 0,
    method: str = "integrate",
) -> pl.DataFrame:
    """True risk of ``outcome`` in ``(t, t + horizon]`` for each ``(child_id, prediction_time)``.

    Parameters
    ----------
    sim
        An :class:`~earlysignal.synth.at_home.AtHomeSimulation`.
    times
        ``child_id`` and ``prediction_time`` (dates).
    outcome
        ``"entry"`` or ``"stable_return"``.
    horizon
        Days.
    n_draws
        Replicates per row (Monte Carlo standard error at most ``0.5 / sqrt(n_draws)``).
    seed
        Seed of the replicates' generator.
    method
        ``"integrate"`` (default; ``entry`` integrates the weekly entry probability) or
        ``"simulate"`` (counts simulated entries; used to test the integration).

    Returns
    -------
    polars.DataFrame
        ``times`` with ``risk`` (null where the outcome does not apply at ``t``).
    """
    if outcome not in AT_HOME_OUTCOMES:
        raise ValueError(f"at_home_oracle: outcome {outcome!r} is not one of {AT_HOME_OUTCOMES}")
    if method not in {"integrate", "simulate"}:
        raise ValueError(f"at_home_oracle: method {method!r} is not 'integrate' or 'simulate'")
    if horizon < 1 or n_draws < 1:
        raise ValueError("at_home_oracle: horizon and n_draws must be at least 1")
    p = sim.params
    n = sim.history.children.height
    first_week, _, last = period_days(sim.start, _years(sim), sim.lookback_years)
    ch = _draw_children(n, first_week - 6, last, p, sim.seed)
    idx = times["child_id"].str.slice(1).cast(pl.Int64).to_numpy()  # ids are H + the child's index
    tday = (times["prediction_time"].cast(pl.Int32).to_numpy()).astype(np.int64)
    snap_day = first_week + 7 * np.floor((tday - 1 - first_week) / 7).astype(np.int64)
    risk = np.full(idx.size, np.nan)
    st = new_state(ch)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([sim.seed, 22])))
    frng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 99])))
    wanted = {int(d) for d in np.unique(snap_day)}
    stop = int(snap_day.max()) if snap_day.size else first_week - 7
    for day in range(first_week, stop + 1, 7):
        step_week(st, ch, day, p, rng, None)
        if day in wanted:
            rows = np.flatnonzero(snap_day == day)
            risk[rows] = _forward(take(st, idx[rows]), ch, tday[rows], day, outcome, horizon,
                                  n_draws, p, frng, integrate=method == "integrate")  # fmt: skip
    early = snap_day < first_week  # before the process starts: not followed
    risk[early] = np.nan
    return times.with_columns(pl.Series("risk", risk, nan_to_null=True))


def _years(sim: AtHomeSimulation) -> int:
    return sim.history.observed_until.year - sim.start.year


def _forward(  # noqa: PLR0917
    st0: dict[str, npt.NDArray[Any]],
    ch: dict[str, Any],
    t: npt.NDArray[np.int64],
    day0: int,
    outcome: str,
    horizon: int,
    n_draws: int,
    p: Any,
    rng: np.random.Generator,
    *,
    integrate: bool = True,
) -> npt.NDArray[np.float64]:
    m = t.size
    if outcome == "entry":
        ok = (st0["phase"] == AT_HOME) & (st0["entries"] == 0)
    else:
        ok = st0["phase"] == IN_CARE
    rep = np.repeat(np.arange(m), n_draws)
    st = take(st0, rep)
    tt = t[rep]
    end = tt + horizon + (STABLE_DAYS if outcome == "stable_return" else 0)
    hit = np.zeros(rep.size, np.bool_)
    prob = np.zeros(rep.size)
    surv = np.ones(rep.size)
    ret_day = np.full(rep.size, -1, np.int64)
    day = day0 + 7
    while day <= int(end.max()):
        before = st["phase"].copy()
        # entry: the at-home path is simulated with the child kept at home, and the week's
        # exact entry probability is integrated over it (Rao-Blackwellised: same expectation
        # as counting simulated entries, far less noise for small risks)
        rb = integrate and outcome == "entry"
        p_entry, p_leave = step_week(st, ch, day, p, rng, None, stay_home=rb)
        after = st["phase"]
        inwin = (day > tt) & (day <= tt + horizon)
        if rb:
            prob += np.where(inwin, surv * p_entry, 0.0)
            surv *= 1.0 - p_leave
        elif outcome == "entry":
            hit |= inwin & (before == AT_HOME) & (after == IN_CARE)
        else:
            newret = inwin & (ret_day < 0) & (before == IN_CARE) & (after == BACK_HOME)
            ret_day[newret] = day
            back = (ret_day >= 0) & (before == BACK_HOME) & (after == IN_CARE)
            ret_day[back & (day <= ret_day + STABLE_DAYS)] = -2  # re-entered: not stable
        day += 7
    if outcome == "stable_return":
        hit = ret_day >= 0
    if not (integrate and outcome == "entry"):
        prob = hit.astype(np.float64)
    out = prob.reshape(m, n_draws).mean(axis=1)
    return np.where(ok, out, np.nan)


_ = EPOCH
