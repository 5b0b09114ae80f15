"""Implementation of ``earlysignal simulate`` (the CLI body imports this lazily)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["run_simulate", "run_simulate_partitioned"]


def run_simulate(
    children: int,
    years: int,
    seed: int,
    out: Path,
    *,
    report: bool = False,
    scenario: str | None = None,
    population: str = "placed",
    provider_size: int | None = None,
) -> int:
    """Simulate, validate and write a canonical folder plus ``truth/``; return an exit code.

    Prints the calibration table against its bands when ``report`` is true (exit code 1 when a
    target falls outside its band, so scripts can rely on it). ``population="at_home"``
    simulates children at home under a measure or in youth care
    (:func:`~earlysignal.synth.at_home.simulate_at_home`) and reports its own targets.
    ``provider_size`` sets ``SimParams.candidates_per_provider`` (default 25: providers the
    size of a foster household; 1000 gives organisations a steering report can compare).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     run_simulate(100, 2, 0, Path(d) / "sim")
    wrote 100 children, ...placements, ...events to ...
    0
    """
    if population not in {"placed", "at_home"}:
        print(f"error: --population must be placed or at_home, got {population!r}")
        return 2
    if population == "at_home":
        return _run_at_home(children, years, seed, out, report=report)
    from earlysignal.synth.simulation import simulate
    from earlysignal.synth.targets import calibration_table, format_table

    params = None
    if provider_size is not None:
        from dataclasses import replace

        from earlysignal.synth.params import SimParams

        if provider_size < 1:
            print(f"error: --provider-size must be at least 1, got {provider_size}")
            return 2
        params = replace(SimParams(), candidates_per_provider=provider_size)
    sim = simulate(children, years, seed, scenario=scenario, params=params)
    sim.history.validate(strict=True)
    folder = sim.write(out)
    counts = sim.history.counts()
    print(
        f"wrote {counts['children']} children, {counts['placements']} placements, "
        f"{counts['events']} events to {folder} (truth in {folder / 'truth'}); "
        f"observed_until {sim.history.observed_until}"
    )
    if report:
        table = calibration_table(sim.history, sim.start)
        print(format_table(table))
        return 0 if bool(table["inside"].all()) else 1
    return 0


def _run_at_home(children: int, years: int, seed: int, out: Path, *, report: bool) -> int:
    from earlysignal.synth.at_home import simulate_at_home
    from earlysignal.synth.targets import at_home_calibration_table, format_table

    sim = simulate_at_home(children, years, seed)
    folder = sim.write(out)
    counts = sim.history.counts()
    print(
        f"wrote {counts['children']} children at home, {counts['placements']} placements, "
        f"{counts['events']} events, {counts['statuses']} statuses to {folder}; "
        f"observed_until {sim.history.observed_until}"
    )
    if report:
        table = at_home_calibration_table(sim.history, sim.start)
        print(format_table(table))
        return 0 if bool(table["inside"].all()) else 1
    return 0


def run_simulate_partitioned(
    children: int,
    years: int,
    seed: int,
    out: Path,
    partition_size: int,
    *,
    scenario: str | None = None,
) -> int:
    """Simulate in blocks into a partitioned folder (``--partition-size``); return an exit code.

    Blocks hold :data:`~earlysignal.synth.blocks.DEFAULT_BLOCK_SIZE` children (fewer when the
    partition is smaller); each partition is validated before it is written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     run_simulate_partitioned(100, 2, 0, Path(d) / "sim", 50)
    wrote 100 children in 2 partitions, ...placements, ...events to ...
    0
    """
    from earlysignal.synth.blocks import DEFAULT_BLOCK_SIZE, simulate_partitioned

    if partition_size < 1:
        print(f"error: --partition-size must be at least 1, got {partition_size}")
        return 2
    block = min(DEFAULT_BLOCK_SIZE, partition_size)
    try:
        manifest = simulate_partitioned(
            children, out, partition_size=partition_size, block_size=block, years=years,
            seed=seed, scenario=scenario,
        )  # fmt: skip
    except (ValueError, FileExistsError) as exc:
        print(f"error: {exc}")
        return 2
    counts = manifest.counts()
    print(
        f"wrote {counts['children']} children in {manifest.n_partitions} partitions, "
        f"{counts['placements']} placements, {counts['events']} events to {out} "
        f"(blocks of {block} children; truth in {out / 'truth'}); "
        f"observed_until {manifest.observed_until}"
    )
    return 0
