"""``simulate``: run the engine over a cohort and turn it into a ``CareHistory`` plus the truth."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.synth.engine import (
    END_REASONS,
    STATE_FIELDS,
    EngineContext,
    State,
    start_episodes,
    step_day,
    weekly_update,
)
from earlysignal.synth.params import EVENT_KINDS, ORIGINS, REGIONS, SETTINGS, SimParams
from earlysignal.synth.providers import ProviderPool, pool_size_for
from earlysignal.synth.scenarios import BiasScenario, get_scenario

__all__ = ["Simulation", "simulate"]

EPOCH = date(1970, 1, 1)
CANDIDATE_FACTOR = 1.25  # candidates simulated per child kept (burn-in entries that left early)
DEFAULT_START = date(2015, 4, 1)


def _day(d: date) -> int:
    return (d - EPOCH).days


@dataclass
class Run:
    """Raw output of one engine run (internal)."""

    cand: dict[str, npt.NDArray[Any]]
    closed: dict[str, npt.NDArray[Any]]
    events: list[tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]]
    """The recorded events in weekly chunks of (candidate, day, kind) arrays."""
    snapshots: dict[int, tuple[State, npt.NDArray[np.int64], npt.NDArray[np.int64]]]
    ctx: EngineContext


def _candidates(
    n: int, first: int, last: int, p: SimParams, rng: np.random.Generator
) -> dict[str, npt.NDArray[Any]]:
    entry = np.sort(rng.integers(first, last + 1, n))
    band = rng.choice(5, size=n, p=np.asarray(p.entry_age_probs) / sum(p.entry_age_probs))
    lo = np.array([0.0, 1.0, 5.0, 10.0, 16.0])[band]
    hi = np.array([1.0, 5.0, 10.0, 16.0, 17.9])[band]
    age = lo + rng.random(n) * (hi - lo)
    birth = entry - np.floor(age * 365.25).astype(np.int64)
    b18 = np.array([_day(_add_years(EPOCH + timedelta(days=int(b)), 18)) for b in birth[:0]])
    del b18
    unacc = (age >= 15.0) & (rng.random(n) < p.p_unaccompanied_16plus)
    origin = rng.choice(3, size=n, p=np.asarray(p.origin_probs))
    origin = np.where(unacc, 2, origin)
    malt = (rng.random(n) < p.p_maltreatment) & ~unacc
    mu = (
        p.sev_mean_base
        + p.sev_mean_age * (age - 8.0)
        + p.sev_maltreatment * malt
        + rng.normal(0.0, p.sev_mean_sd, n)
    )
    stat_sd = p.sev_sd_week / np.sqrt(1.0 - p.sev_phi_week**2)
    return {
        "entry": entry.astype(np.int64),
        "birth": birth.astype(np.int64),
        "b18": _eighteenth(birth),
        "male": rng.random(n) < p.p_male,
        "malt": malt,
        "unacc": unacc,
        "sib": rng.random(n) < p.p_siblings,
        "region": rng.choice(len(REGIONS), size=n, p=np.asarray(p.region_probs)),
        "origin": origin.astype(np.int64),
        "disab": rng.random(n) < p.p_disability,
        "mu": mu,
        "s": mu + rng.normal(0.0, stat_sd, n),
    }


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _eighteenth(birth: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    s = pl.Series(birth).cast(pl.Int32).cast(pl.Date).dt.offset_by("18y")
    return s.cast(pl.Int32).cast(pl.Int64).to_numpy()


def _run(  # noqa: PLR0917
    n_cand: int,
    first: int,
    last: int,
    seed: int,
    p: SimParams,
    scenario: BiasScenario | None,
    *,
    record: bool,
    requests: dict[int, npt.NDArray[np.int64]] | None = None,
    providers: ProviderPool | None = None,
) -> Run:
    """Run the engine from ``first`` to ``last`` (days), deterministic in ``seed``.

    ``requests`` maps a day to candidate indices whose state after that day is kept.
    """
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 1])))
    cand = _candidates(n_cand, first, last, p, rng)
    # shared state: the provider pool (drawn here, or once for every block of a cohort)
    pool = providers or ProviderPool.from_rng(
        pool_size_for(n_cand, p.candidates_per_provider), rng, p
    )
    prov_eff, pool_start, pool_size = pool.prov_eff, pool.pool_start, pool.pool_size
    mult = np.ones(4)
    group = np.zeros(n_cand, dtype=np.bool_)
    if scenario is not None:
        mult[:] = scenario.event_multiplier
        group = cand["origin"] == ORIGINS.index(scenario.value)
    cand["group"] = group
    ctx = EngineContext(
        params=p,
        day0=first,
        prov_eff=prov_eff,
        pool_start=pool_start,
        pool_size=pool_size,
        record=record,
        event_mult=mult,
        rec_rng=np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 4]))),
        ev_rng=np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 5]))),
    )
    st = State.empty(0)
    nxt = 0
    snaps: dict[int, tuple[State, npt.NDArray[np.int64], npt.NDArray[np.int64]]] = {}
    req = requests or {}
    for day in range(first, last + 1):
        if (day - first) % 7 == 0:
            keep = (st["phase"] > 0) | (st["entry"] > day)
            if not keep.all():
                st = st.take(np.flatnonzero(keep))
            hi = int(np.searchsorted(cand["entry"], day + 7, side="left"))
            if hi > nxt:
                new = State.empty(hi - nxt)
                new.cols["cid"][:] = np.arange(nxt, hi)
                for k in ("entry", "birth", "b18", "male", "malt", "unacc", "sib", "region"):
                    new.cols[k][:] = cand[k][nxt:hi]
                for k in ("mu", "s", "group"):
                    new.cols[k][:] = cand[k][nxt:hi]
                st = st.concat(new)
                nxt = hi
        step_day(st, day, ctx, rng)
        entering = np.flatnonzero((st["entry"] == day) & (st["epno"] == 0))
        start_episodes(st, entering, day, ctx, rng)
        weekly_update(st, day, ctx, rng)
        if day in req:
            cids = req[day]
            slot = np.minimum(np.searchsorted(st["cid"], cids), max(len(st) - 1, 0))
            found = (
                (st["cid"][slot] == cids) & (st["phase"][slot] > 0)
                if len(st)
                else np.zeros(cids.size, np.bool_)
            )
            snaps[day] = (st.take(slot[found]), np.flatnonzero(found), cids)
    if record:
        care = np.flatnonzero(st["phase"] == 1)
        ctx.closed.append(
            {
                "cid": st["cid"][care],
                "pid": st["pid"][care],
                "epno": st["epno"][care],
                "start": st["pstart"][care],
                "end": np.full(care.size, -1, np.int64),
                "setting": st["setting"][care],
                "prov": st["prov"][care],
                "reason": np.full(care.size, -1, np.int64),
                "sibtog": st["sibtog"][care],
                "support": st["support"][care],
                "q": st["q"][care],
                "emerg": st["emerg"][care],
                "nmoves": st["nmoves"][care],
                "group": st["group"][care],
                "u": ctx.rec_rng.random(care.size),
            }
        )
    closed = (
        {k: np.concatenate([c[k] for c in ctx.closed]) for k in ctx.closed[0]}
        if (ctx.closed)
        else {}
    )
    ctx.closed = []  # the per-day chunks are in `closed` now
    # the weekly chunks are kept as they are: concatenating them would double their memory
    events = [(e[0], e[1], e[2]) for e in ctx.events]
    ctx.events = []
    return Run(cand=cand, closed=closed, events=events, snapshots=snaps, ctx=ctx)


@dataclass
class Simulation:
    """A simulated agency: the recorded history and the latent truth behind it.

    Attributes
    ----------
    history
        The recorded ``CareHistory`` (valid; ``observed_until`` is the end of the period).
    truth
        Polars frames of the latent state: ``children`` (``child_id``, ``severity_mean``,
        ``candidate``), ``placements`` (``placement_id``, ``child_id``, ``carer_quality``,
        ``provider_effect``, ``emergency``, ``true_end_reason``), ``providers``.
    params, seed, scenario
        What produced it; with ``n_candidates`` and the period, enough to re-run it exactly.
    """

    history: CareHistory
    truth: dict[str, pl.DataFrame]
    params: SimParams
    seed: int
    scenario: BiasScenario | None
    start: date
    n_candidates: int
    meta: dict[str, Any] = field(default_factory=dict)
    providers: ProviderPool | None = None
    """The shared provider pool when given to :func:`simulate` (``None``: drawn from ``seed``)."""

    @property
    def first_day(self) -> int:
        """First simulated day (the start of the burn-in), in days since 1970-01-01."""
        return _day(self.start) - round(self.params.burn_in_years * 365.25)

    @property
    def last_day(self) -> int:
        """Last simulated day (``observed_until``)."""
        return _day(self.history.observed_until)

    def write(self, path: str | Path) -> Path:
        """Write the canonical folder (``CareHistory.write``) plus ``truth/`` Parquet files."""
        folder = self.history.write(path)
        tdir = Path(folder) / "truth"
        tdir.mkdir(exist_ok=True)
        for name, frame in self.truth.items():
            frame.write_parquet(tdir / f"{name}.parquet", compression="zstd", statistics=False)
        (tdir / "params.json").write_text(
            json.dumps(
                {"params": self.params.to_dict(), "seed": self.seed,
                 "n_candidates": self.n_candidates, "start": self.start.isoformat(),
                 "scenario": None if self.scenario is None else self.scenario.name},
                indent=2, sort_keys=True, default=str,
            )
        )  # fmt: skip
        return Path(folder)


EVENT_CHUNK = 8_000_000  # sorted event keys turned into frame rows at once


def _release_freed_memory() -> None:
    """Give memory freed by numpy back to the operating system (glibc's ``malloc_trim``).

    glibc keeps freed heap memory for reuse; after the engine's many small chunks are freed it
    can hold gigabytes that the next (jemalloc-backed) polars allocations cannot use. A no-op
    where glibc is not the allocator.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass


def _event_frame(
    run: Run,
    newid: npt.NDArray[np.int64],
    parts: list[tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]],
    last: int,
    child_ids: pl.Series,
) -> pl.DataFrame:
    """The events table: one row per child, day and kind (``value`` = count), sorted.

    Every event gets the key ``child * 2**20 + (day - base) * 16 + kind``. The engine's weekly
    chunks (kept children only, each freed once written) and the post-hoc ``parts`` (child,
    day, kind) are written into one preallocated ``int64`` buffer that is sorted in place; the
    sorted keys are then deduplicated and turned into rows chunk by chunk (a chunk never splits
    a run of equal keys), so the temporaries stay small next to the table itself: what lets a
    million children (about 100 million events) fit in memory. Child ids are gathered from the
    children table's, never formatted per event.
    """
    base = last - (1 << 16) + 1
    chunks = run.events
    run.events = []
    total = sum(e[0].size for e in chunks) + sum(p[0].size for p in parts)
    buf = np.empty(total, dtype=np.int64)
    n = 0

    def put(i: npt.NDArray[Any], day: npt.NDArray[Any], kind: npt.NDArray[Any]) -> None:
        nonlocal n
        out = buf[n : n + i.size]
        np.multiply(i, 1 << 20, out=out, dtype=np.int64)
        d = day.astype(np.int64)
        d -= base
        d <<= 4
        out += d
        out += kind
        n += i.size

    chunks.reverse()
    while chunks:  # popped one by one, so each weekly chunk is freed once it is in the buffer
        ecid, eday, ekind = chunks.pop()
        c = newid[ecid]
        sel = c >= 0
        put(c[sel], eday[sel], ekind[sel])
    for i, day, kind in parts:
        put(i, day, kind)
    parts.clear()  # the caller's post-hoc arrays are in the buffer now
    _release_freed_memory()
    keys = buf[:n]
    keys.sort()
    kinds = pl.Series("kind", list(EVENT_KINDS), dtype=pl.String)
    frames: list[pl.DataFrame] = []
    lo = 0
    while lo < n:
        hi = min(n, lo + EVENT_CHUNK)
        if hi < n:  # extend to the end of a run of equal keys
            hi = int(np.searchsorted(keys, keys[hi - 1], side="right"))
        k = keys[lo:hi]
        first = np.empty(k.size, dtype=np.bool_)
        first[0] = True
        np.not_equal(k[1:], k[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        count = np.diff(np.append(starts, k.size))
        uk = k[starts]
        day = ((uk % (1 << 20)) // 16 + base).astype(np.int32)
        ok = day <= last
        frames.append(
            pl.DataFrame(
                {
                    "child_id": child_ids.gather(pl.Series((uk >> 20).astype(np.uint32)[ok])),
                    "date": pl.Series(day[ok]).cast(pl.Date),
                    "kind": kinds.gather(pl.Series((uk % 16).astype(np.uint32)[ok])),
                    "value": count[ok].astype(np.float64),
                }
            )
        )
        lo = hi
    if not frames:
        return pl.DataFrame(
            schema={"child_id": pl.String, "date": pl.Date, "kind": pl.String, "value": pl.Float64}
        )
    return pl.concat(frames, rechunk=False)


def _fmt(prefix: str, ids: pl.Expr, width: int) -> pl.Expr:
    return pl.lit(prefix) + ids.cast(pl.String).str.zfill(width)


def simulate(
    n_children: int = 20_000,
    years: int = 10,
    seed: int = 0,
    *,
    start: date = DEFAULT_START,
    scenario: BiasScenario | str | None = None,
    params: SimParams | None = None,
    providers: ProviderPool | None = None,
) -> Simulation:
    """Simulate the care histories of an agency's children over a period, with the truth.

    Parameters
    ----------
    n_children
        Children with a care history during the period (some already in care at ``start``
        after the burn-in, the rest entering during it).
    years
        Length of the period; ``observed_until`` is the day before ``start + years``.
    seed
        Seed of the PCG64 generators: same seed, same history, byte for byte.
    start
        First day of the period.
    scenario
        A :class:`~earlysignal.synth.scenarios.BiasScenario` or its name (none by default).
    params
        Simulator parameters (default :class:`~earlysignal.synth.params.SimParams`).
    providers
        A shared provider pool (:class:`~earlysignal.synth.providers.ProviderPool`, as the
        simulator in blocks passes to every block); by default the pool is drawn from ``seed``.

    Returns
    -------
    Simulation
        ``.history`` (a valid ``CareHistory``) and ``.truth`` (latent frames).

    Examples
    --------
    >>> sim = simulate(300, years=3, seed=1)
    >>> sim.history.children.height
    300
    >>> sim.history.validate().ok
    True
    """
    if years + (params or SimParams()).burn_in_years > 170:
        raise ValueError(f"simulate: years ({years}) plus burn-in must stay under 170")
    if n_children < 1 or years < 1:
        raise ValueError(
            f"simulate: n_children ({n_children}) and years ({years}) must be at least 1"
        )
    p = params or SimParams()
    scen = get_scenario(scenario)
    period_start = _day(start)
    end_date = _add_years(start, years) - timedelta(days=1)
    last = _day(end_date)
    first = period_start - round(p.burn_in_years * 365.25)
    frac = years / (years + p.burn_in_years)
    n_cand = int(np.ceil(n_children / min(1.0, frac * CANDIDATE_FACTOR))) + 50
    while True:
        run = _run(n_cand, first, last, seed, p, scen, record=True, providers=providers)
        end = run.closed["end"]
        kept_ids = np.unique(run.closed["cid"][(end < 0) | (end >= period_start)])
        del end
        if kept_ids.size >= n_children:
            break
        n_cand = int(n_cand * n_children / max(kept_ids.size, 1) * 1.05) + 50
    kept = kept_ids[:n_children]
    sim = _assemble(run, kept, seed, p, scen, start, end_date, n_cand)
    sim.providers = providers
    return sim


def _assemble(  # noqa: PLR0917
    run: Run,
    kept: npt.NDArray[np.int64],
    seed: int,
    p: SimParams,
    scen: BiasScenario | None,
    start: date,
    end_date: date,
    n_cand: int,
) -> Simulation:
    last = _day(end_date)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 2])))
    newid = np.full(run.cand["entry"].size, -1, np.int64)
    newid[kept] = np.arange(kept.size)
    cand = run.cand
    ch_id = _fmt("C", pl.col("i"), 7)
    sib_group = np.where(cand["sib"][kept], np.arange(kept.size) // 2, -1)
    children = pl.DataFrame(
        {
            "i": np.arange(kept.size),
            "birth_date": pl.Series(cand["birth"][kept]).cast(pl.Int32).cast(pl.Date),
            "sex": np.where(cand["male"][kept], "male", "female"),
            "origin": np.asarray(ORIGINS)[cand["origin"][kept]],
            "disability": cand["disab"][kept],
            "region": np.asarray(REGIONS)[cand["region"][kept]],
            "unaccompanied": cand["unacc"][kept],
            "sib": sib_group,
            "maltreatment": cand["malt"][kept],
        }
    ).with_columns(
        ch_id.alias("child_id"),
        pl.when(pl.col("sib") >= 0).then(_fmt("S", pl.col("sib"), 6)).alias("sibling_group"),
    )
    truth_children = (
        pl.DataFrame(
            {"i": np.arange(kept.size), "severity_mean": cand["mu"][kept], "candidate": kept}
        )
        .with_columns(ch_id.alias("child_id"))
        .select("child_id", "severity_mean", "candidate")
    )

    c = run.closed
    sel = newid[c["cid"]] >= 0
    raw = pl.DataFrame({k: v[sel] for k, v in c.items()}).with_columns(
        pl.Series("i", newid[c["cid"][sel]])
    )
    run.closed = {}  # the engine's output is in `raw` now: free it (memory at a million children)
    del c, sel
    raw = raw.sort("i", "start", "pid")
    n_pool = run.ctx.prov_eff.shape[0]
    # strings are built from integer codes by gathering from small vocabularies (polars string
    # views), never as numpy unicode arrays (80 bytes a row each)
    details = [d for d, _ in p.breakdown_details]
    vocab = [*details, "care_plan", "status_change", "other", "returned_home", "aged_18",
             "adoption", "special_guardianship", ""]  # fmt: skip
    nd = len(details)
    cum = np.cumsum([w for _, w in p.breakdown_details])
    u = raw["u"].to_numpy()
    reason = raw["reason"].to_numpy()
    bd_code = np.minimum(np.searchsorted(cum / cum[-1], u), nd - 1)
    other_code = np.asarray([-1, nd, nd + 1, nd + 2, nd + 3, -1, nd + 4, -1])[
        np.where(reason < 0, 7, reason)
    ]
    perm_code = np.where(u < 0.5, nd + 5, nd + 6)
    detail_code = np.where(reason == 0, bd_code, np.where(reason == 5, perm_code, other_code))
    detail_code = np.where(detail_code < 0, len(vocab) - 1, detail_code)
    true_code = np.where(reason < 0, len(END_REASONS), reason)
    # an unplanned ending with a provider-side detail (allegation, standards, closure) is
    # recorded, and true, as provider_ended: not the child's breakdown
    provider_side = np.isin(detail_code, [details.index(d) for d in p.provider_side_details])
    true_code = np.where((reason == 0) & provider_side, len(END_REASONS) + 1, true_code)
    rec_code = true_code.copy()
    if scen is not None and scen.label_flip > 0:
        flip = (
            raw["group"].to_numpy()
            & np.isin(reason, [1, 3])
            & (rng.random(reason.size) < scen.label_flip)
        )
        rec_code[flip] = 0
        detail_code[flip] = details.index("CREQB")
    del u, bd_code, other_code, perm_code
    prov = raw["prov"].to_numpy()
    setting = raw["setting"].to_numpy()
    pool_eff = np.where(prov < n_pool, run.ctx.prov_eff[np.minimum(prov, n_pool - 1)], 0.0)
    reasons = pl.Series([*END_REASONS, None, "provider_ended"], dtype=pl.String)

    def gather(name: str, vocabulary: pl.Series, codes: npt.NDArray[Any]) -> pl.Series:
        return vocabulary.gather(pl.Series(codes.astype(np.uint32))).alias(name)

    ended = pl.col("end") >= 0
    placements = raw.with_row_index("row").with_columns(
        ch_id.alias("child_id"),
        _fmt("P", pl.col("row"), 8).alias("placement_id"),
        pl.col("start").cast(pl.Int32).cast(pl.Date),
        pl.when(ended).then(pl.col("end")).cast(pl.Int32).cast(pl.Date).alias("end"),
        gather("setting", pl.Series(list(SETTINGS)), setting),
        pl.when(pl.col("prov") < n_pool)
        .then(_fmt("V", pl.col("prov"), 5))
        .otherwise(
            pl.when(pl.col("setting") == 0).then(pl.lit("K")).otherwise(pl.lit("H"))
            + (pl.col("prov") - n_pool).cast(pl.String).str.zfill(8)
        )
        .alias("provider_id"),
        pl.when(ended).then(gather("end_reason", reasons, rec_code)).alias("end_reason"),
        pl.when(ended)
        .then(gather("end_reason_detail", pl.Series(vocab).replace("", None), detail_code))
        .alias("end_reason_detail"),
        pl.lit(False).alias("temporary"),
        pl.col("sibtog").alias("siblings_together"),
        pl.col("q").alias("carer_quality"),
        pl.Series("provider_effect", pool_eff),
        pl.when(ended).then(gather("true_end_reason", reasons, true_code)).alias("true_end_reason"),
    )
    del rec_code, true_code, detail_code, pool_eff
    truth_pl = placements.select(
        "placement_id", "child_id", "carer_quality", "provider_effect",
        pl.col("emerg").alias("emergency"), "true_end_reason",
    )  # fmt: skip

    # ---- post-hoc records that do not feed back into the dynamics
    ev_parts: list[tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]] = []
    ep = (
        raw.with_columns(pl.when(pl.col("end") < 0).then(last).otherwise(pl.col("end")).alias("e"))
        .group_by("i", "epno")
        .agg(pl.col("start").min(), pl.col("e").max())
        .sort("i", "epno")
    )
    i_ep = ep["i"].to_numpy()
    s_ep = ep["start"].to_numpy()
    dur = ep["e"].to_numpy() - s_ep
    offsets = np.concatenate([[28, 91], 91 + 182 * np.arange(1, 40)])
    k = np.searchsorted(offsets, dur, side="left")
    r = np.repeat(np.arange(i_ep.size), k)
    pos = np.arange(r.size) - np.repeat(np.cumsum(k) - k, k)
    ev_parts.append((i_ep[r], s_ep[r] + offsets[pos], np.full(r.size, 4, np.int64)))
    ncw = rng.poisson(p.caseworker_change_rate_year * dur / 365.25)
    r = np.repeat(np.arange(i_ep.size), ncw)
    d = s_ep[r] + np.floor(rng.random(r.size) * (dur[r] + 1)).astype(np.int64)
    ev_parts.append((i_ep[r], d, np.full(r.size, 5, np.int64)))
    births = cand["birth"][kept]
    pi = raw["i"].to_numpy()
    pstart = raw["start"].to_numpy()
    page = (pstart - births[pi]) / 365.25
    moved = raw["nmoves"].to_numpy() > 0
    school = moved & (page >= 4) & (page < 17) & (rng.random(pi.size) < p.school_change_on_move)
    ev_parts.append((pi[school], pstart[school], np.full(int(school.sum()), 6, np.int64)))
    sup = raw["support"].to_numpy()
    ev_parts.append((pi[sup], pstart[sup], np.full(int(sup.sum()), 7, np.int64)))

    # ---- respite: temporary placements strictly inside foster placements
    pend = np.where(raw["end"].to_numpy() < 0, last, raw["end"].to_numpy())
    foster = setting <= 1
    span = pend - pstart
    nres = np.where(foster & (span > 60), rng.poisson(p.respite_rate_year * span / 365.25), 0)
    r = np.repeat(np.arange(pi.size), nres)
    length = rng.integers(2, 8, r.size)
    room = span[r] - 28 - length
    rs = pstart[r] + 14 + np.floor(rng.random(r.size) * np.maximum(room, 0)).astype(np.int64)
    ok = room > 0
    r, rs, length = r[ok], rs[ok], length[ok]
    respite = pl.DataFrame({"i": pi[r], "start": rs, "end": rs + length, "parent": r}).with_columns(
        ch_id.alias("child_id"),
        pl.col("start").cast(pl.Int32).cast(pl.Date),
        pl.col("end").cast(pl.Int32).cast(pl.Date),
        pl.lit("foster").alias("setting"),
        _fmt("R", pl.col("parent"), 8).alias("provider_id"),
        pl.lit("planned").alias("end_reason"),
        pl.lit("respite").alias("end_reason_detail"),
        pl.lit(True).alias("temporary"),
        pl.lit(None, pl.Boolean).alias("siblings_together"),
    )
    cols = ["child_id", "start", "end", "setting", "provider_id", "end_reason",
            "end_reason_detail", "temporary", "siblings_together"]  # fmt: skip
    allp = (
        pl.concat(
            [
                placements.select("i", *cols, pl.col("placement_id").alias("orig")),
                respite.select("i", *cols, pl.lit(None, pl.String).alias("orig")),
            ]
        )
        .sort("i", "start", "temporary", "orig")
        .with_row_index("row")
    )
    idmap = allp.filter(pl.col("orig").is_not_null()).select(
        "orig", _fmt("P", pl.col("row"), 8).alias("placement_id")
    )
    truth_pl = (
        truth_pl.rename({"placement_id": "orig"})
        .join(idmap, on="orig", how="left")
        .select("placement_id", pl.exclude("placement_id", "orig"))
        .sort("placement_id")
    )
    placements_out = allp.with_columns(_fmt("P", pl.col("row"), 8).alias("placement_id")).select(
        "child_id", "placement_id", *cols[1:]
    )
    # the events table last, once the placement intermediates are freed (the memory peak at a
    # million children is here)
    del raw, placements, allp, respite, idmap, ep, births, d, dur, foster, i_ep, k, length
    del moved, ncw, nres, ok, page, pend, pi, pos, pstart, r, room, rs, s_ep, school, span, sup
    del prov, reason, setting
    _release_freed_memory()
    events = _event_frame(run, newid, ev_parts, last, children["child_id"])
    del ev_parts
    providers = pl.DataFrame(
        {
            "provider_id": [f"V{i:05d}" for i in range(n_pool)],
            "setting": np.asarray(SETTINGS)[
                np.searchsorted(run.ctx.pool_start, np.arange(n_pool), side="right") - 1
            ],
            "effect": run.ctx.prov_eff,
        }
    )
    history = CareHistory.from_frames(
        children=children.select(
            "child_id", "birth_date", "sex", "origin", "disability", "region", "unaccompanied",
            "sibling_group", "maltreatment",
        ),
        placements=placements_out,
        events=events,
        observed_until=end_date,
        meta={
            "source": "earlysignal.synth",
            "seed": seed,
            "period_start": start.isoformat(),
            "scenario": None if scen is None else scen.name,
        },
    )  # fmt: skip
    return Simulation(
        history=history,
        truth={"children": truth_children, "placements": truth_pl, "providers": providers},
        params=p,
        seed=seed,
        scenario=scen,
        start=start,
        n_candidates=n_cand,
    )


def candidate_entries(sim: Simulation) -> npt.NDArray[np.int64]:
    """First entry day of every candidate of ``sim`` (the engine's first draws, re-drawn)."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([sim.seed, 1])))
    cand = _candidates(sim.n_candidates, sim.first_day, sim.last_day, sim.params, rng)
    return cand["entry"]


def rerun_snapshots(
    sim: Simulation, requests: dict[int, npt.NDArray[np.int64]]
) -> tuple[dict[int, tuple[State, npt.NDArray[np.int64], npt.NDArray[np.int64]]], EngineContext]:
    """Re-run ``sim``'s engine deterministically and keep the state after the requested days."""
    run = _run(
        sim.n_candidates,
        sim.first_day,
        sim.last_day,
        sim.seed,
        sim.params,
        sim.scenario,
        record=False,
        requests=requests,
        providers=sim.providers,
    )
    return run.snapshots, run.ctx


_ = STATE_FIELDS
