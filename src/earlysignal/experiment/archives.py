"""Simulated source archives and source imports for experiments and the command line.

``synth`` and ``sources`` never import each other; this module sits on top of both and wires
them: ``earlysignal simulate --format ijw`` (simulate, then write an iJw archive) and an
experiment's ``[data] source = "ijw"`` (import an archive, or, without ``path``, simulate one
first so that the study runs from a clean clone).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as d:
...     simulate_archive("ijw", 30, 2, 0, Path(d) / "arc")
wrote ... iJw messages for 30 children to ...
0
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["load_ijw", "simulate_archive"]


def simulate_archive(
    fmt: str, children: int, years: int, seed: int, out: Path, *, scenario: str | None = None
) -> int:
    """Simulate a cohort and write it as a source archive (``fmt = "ijw"``); exit code."""
    from earlysignal.synth import simulate

    if fmt != "ijw":
        print(f"error: --format must be canonical, ijw or cbs, got {fmt!r}")
        return 2
    from earlysignal.sources.ijw_write import write_ijw_archive

    sim = simulate(children, years=years, seed=seed, scenario=scenario)
    arc = write_ijw_archive(sim.history, out, seed=seed)
    print(
        f"wrote {arc.messages} iJw messages for {sim.history.children.height} children to "
        f"{arc.path} ({arc.corrections} deliveries corrected by a deletion); mapping "
        f"{arc.mapping_path}; import with: earlysignal import-ijw {arc.path} --out DIR "
        f"--key-file KEY --mapping {arc.mapping_path} --observed-until {arc.extraction_date}"
    )
    return 0


def load_ijw(data: Any, *, workdir: Path | None = None) -> tuple[Any, Any, str]:
    """Import the iJw archive an experiment's ``[data]`` names, or a simulated one.

    Returns the history, the import report and a one-line description of the source.
    """
    from earlysignal.card.stored_words import source_description
    from earlysignal.sources.ijw import import_ijw

    if data.path:
        history, report = import_ijw(
            data.path,
            key_file=data.ijw_key_file,
            mapping=data.ijw_mapping,
            xsd_dir=data.ijw_xsd,
            observed_until=data.ijw_observed_until,
            errors=data.import_errors,
            validate=False,
        )
        return history, report, source_description("ijw", name=Path(data.path).name)
    from earlysignal.sources.ijw_write import write_ijw_archive
    from earlysignal.synth import simulate

    sim = simulate(data.n_children, years=data.years, seed=data.sim_seed)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        arc = write_ijw_archive(sim.history, Path(tmp) / "ijw", seed=data.sim_seed)
        history, report = import_ijw(
            arc.path,
            key=secrets.token_hex(32).encode(),
            mapping=data.ijw_mapping or arc.mapping_path,
            xsd_dir=data.ijw_xsd,
            observed_until=arc.extraction_date,
            errors=data.import_errors,
            validate=False,
        )
    desc = source_description(
        "ijw_simulated",
        children=data.n_children,
        years=data.years,
        seed=data.sim_seed,
        messages=arc.messages,
    )
    return history, report, desc
