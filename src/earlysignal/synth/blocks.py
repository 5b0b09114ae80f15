"""The simulator in blocks: large cohorts simulated block by block into a partitioned folder.

Children are simulated in blocks of a fixed size (``block_size``, default
:data:`DEFAULT_BLOCK_SIZE`); block ``b`` is a :func:`~earlysignal.synth.simulate` run with its
own seed derived from ``(seed, b)`` (``numpy.random.SeedSequence``), and every block shares
the state drawn once for the cohort: the provider pool (:class:`ProviderPool`, sized for the
whole cohort) and the calendar (start, years, observed_until). Identifiers are made
cohort-wide: children ``C`` + 9 digits and placements ``P`` + 10 digits numbered on from the
previous blocks, sibling groups numbered by child, and the block's own carers (kinship ``K``,
family homes ``H``, respite ``R``) prefixed by the block number; pool providers (``V``) are
shared. Blocks are grouped into partitions of ``partition_size`` children (a multiple of the
block size) and written with :class:`~earlysignal.data.partitions.PartitionWriter`, so memory
holds one partition at a time.

**This is its own reproducible process, not the one-shot simulation cut in pieces**: the
one-shot :func:`~earlysignal.synth.simulate` draws every child from one random stream, so its
children differ from the blocks' children for the same seed. For a given ``seed`` and
``block_size`` the cohort is the same whatever ``partition_size`` (the partitions only group
the same blocks), which ``tests/synth/test_blocks.py`` checks.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "cohort"
>>> m = simulate_partitioned(120, folder, partition_size=60, block_size=60, years=2, seed=1)
>>> m.n_partitions, m.counts()["children"]
(2, 120)
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.data.partitions import PartitionManifest, PartitionWriter
from earlysignal.synth.params import SimParams
from earlysignal.synth.providers import ProviderPool
from earlysignal.synth.scenarios import BiasScenario, get_scenario
from earlysignal.synth.simulation import (
    CANDIDATE_FACTOR,
    DEFAULT_START,
    Simulation,
    simulate,
)

__all__ = ["DEFAULT_BLOCK_SIZE", "block_seed", "simulate_block", "simulate_partitioned"]

DEFAULT_BLOCK_SIZE = 50_000
"""Children per simulated block (part of the process: another block size, other children)."""


def block_seed(seed: int, block: int) -> int:
    """The seed of block ``block`` of a cohort simulated with ``seed`` (a 32-bit integer).

    Examples
    --------
    >>> block_seed(0, 0) == block_seed(0, 0) != block_seed(0, 1)
    True
    """
    return int(np.random.SeedSequence([seed, 8, block]).generate_state(1, np.uint32)[0])


def _renumber(col: str, prefix: str, offset: int, width: int) -> pl.Expr:
    number = pl.col(col).str.slice(1).cast(pl.Int64()) + offset
    return (pl.lit(prefix) + number.cast(pl.String()).str.zfill(width)).alias(col)


def _own_carer(block: int) -> pl.Expr:
    pid = pl.col("provider_id")
    tag = pl.lit(f"{block:05d}.")
    return (
        pl.when(pid.str.starts_with("V"))
        .then(pid)
        .otherwise(pid.str.slice(0, 1) + tag + pid.str.slice(1))
        .alias("provider_id")
    )


def simulate_block(
    n_children: int,
    block: int,
    *,
    block_size: int,
    placement_offset: int,
    providers: ProviderPool,
    years: int = 10,
    seed: int = 0,
    start: date = DEFAULT_START,
    scenario: BiasScenario | str | None = None,
    params: SimParams | None = None,
) -> Simulation:
    """Simulate block ``block`` of a cohort, with cohort-wide identifiers.

    Children are numbered from ``block * block_size``, placements from ``placement_offset``
    (the placements of the earlier blocks).
    """
    sim = simulate(
        n_children,
        years,
        block_seed(seed, block),
        start=start,
        scenario=scenario,
        params=params,
        providers=providers,
    )
    child_off = block * block_size
    h = sim.history
    child = _renumber("child_id", "C", child_off, 9)
    placement = _renumber("placement_id", "P", placement_offset, 10)
    history = replace(
        h,
        children=h.children.with_columns(child, _renumber("sibling_group", "S", child_off, 9)),
        placements=h.placements.with_columns(child, placement, _own_carer(block)),
        events=h.events.with_columns(child),
        meta={**h.meta, "block": block, "block_seed": sim.seed},
    )
    truth = {
        "children": sim.truth["children"].with_columns(child),
        "placements": sim.truth["placements"].with_columns(child, placement),
        "providers": sim.truth["providers"],
    }
    return replace(sim, history=history, truth=truth)


def simulate_partitioned(
    n_children: int,
    out: str | Path,
    *,
    partition_size: int,
    block_size: int = DEFAULT_BLOCK_SIZE,
    years: int = 10,
    seed: int = 0,
    start: date = DEFAULT_START,
    scenario: BiasScenario | str | None = None,
    params: SimParams | None = None,
    validate: bool = True,
) -> PartitionManifest:
    """Simulate ``n_children`` in blocks and write them as a partitioned folder.

    Parameters
    ----------
    n_children
        Children in the cohort.
    out
        The partitioned folder to create (``manifest.json``, ``part-*/``, ``truth/``).
    partition_size
        Children per partition: a multiple of ``block_size`` (or at least ``n_children``).
    block_size
        Children per simulated block (seeded per block; changes the cohort).
    years, seed, start, scenario, params
        As for :func:`~earlysignal.synth.simulate`.
    validate
        Check every partition (``CareHistory.validate(strict=True)``) before writing it.

    Returns
    -------
    PartitionManifest
    """
    if n_children < 1 or block_size < 1:
        raise ValueError(f"n_children ({n_children}) and block_size ({block_size}) must be >= 1")
    if partition_size < n_children and partition_size % block_size:
        raise ValueError(
            f"partition_size ({partition_size}) must be a multiple of the block size "
            f"({block_size}) so that the cohort does not depend on it; pass a multiple"
        )
    p = params or SimParams()
    scen = get_scenario(scenario)
    frac = years / (years + p.burn_in_years)
    n_cand = int(np.ceil(n_children / min(1.0, frac * CANDIDATE_FACTOR))) + 50
    providers = ProviderPool.draw(n_cand, seed, p)
    n_blocks = -(-n_children // block_size)
    per_part = max(1, partition_size // block_size)
    folder = Path(out)
    meta = {
        "source": "earlysignal.synth.blocks",
        "seed": seed,
        "block_size": block_size,
        "n_children": n_children,
        "years": years,
        "period_start": start.isoformat(),
        "scenario": None if scen is None else scen.name,
    }
    writer: PartitionWriter | None = None
    placements = 0
    pending: list[Simulation] = []
    tdir = folder / "truth"
    for b in range(n_blocks):
        size = min(block_size, n_children - b * block_size)
        sim = simulate_block(
            size, b, block_size=block_size, placement_offset=placements, providers=providers,
            years=years, seed=seed, start=start, scenario=scen, params=p,
        )  # fmt: skip
        placements += sim.history.placements.height
        if writer is None:
            writer = PartitionWriter(folder, sim.history.observed_until, meta)
            tdir.mkdir(parents=True, exist_ok=True)
            sim.truth["providers"].write_parquet(tdir / "providers.parquet")
        pending.append(sim)
        if len(pending) == per_part or b == n_blocks - 1:
            _flush(writer, pending, tdir, validate=validate)
            pending = []
    assert writer is not None
    (tdir / "params.json").write_text(
        json.dumps({"params": p.to_dict(), **meta}, indent=2, sort_keys=True, default=str)
    )
    return writer.close()


def _flush(writer: PartitionWriter, sims: list[Simulation], tdir: Path, *, validate: bool) -> None:
    hs = [s.history for s in sims]
    history = CareHistory(
        children=pl.concat([h.children for h in hs]),
        placements=pl.concat([h.placements for h in hs]),
        events=pl.concat([h.events for h in hs]),
        observed_until=hs[0].observed_until,
    )
    del hs
    if validate:
        history.validate(strict=True)
    entry = writer.add(history)
    for name in ("children", "placements"):
        frame = pl.concat([s.truth[name] for s in sims])
        frame.write_parquet(tdir / f"{entry['name']}-{name}.parquet", compression="zstd")
