"""Implementation of ``earlysignal simulate`` (the CLI body imports this lazily)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["run_simulate"]


def run_simulate(
    children: int,
    years: int,
    seed: int,
    out: Path,
    *,
    report: bool = False,
    scenario: str | None = None,
) -> int:
    """Simulate, validate and write a canonical folder plus ``truth/``; return an exit code.

    Prints the calibration table against its bands when ``report`` is true (exit code 1 when a
    target falls outside its band, so scripts can rely on it).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     run_simulate(100, 2, 0, Path(d) / "sim")
    wrote 100 children, ...placements, ...events to ...
    0
    """
    from earlysignal.synth.simulation import simulate
    from earlysignal.synth.targets import calibration_table, format_table

    sim = simulate(children, years, seed, scenario=scenario)
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
