"""CBS data for experiments and the command line: simulated CBS archives and their import.

This glue sits in the top layer because it joins the simulator and the CBS adapter, which never
import each other (docs/architecture.md). ``[data] source = "cbs"`` imports the files at
``path``; without a ``path`` it simulates ``n_children`` over ``years`` (seed ``sim_seed``),
writes them as CBS yearly ``.sav`` files in a temporary folder and imports those, so the study
runs from a clean clone exactly as it would on files from CBS Remote Access.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> res = simulate_cbs_archive(40, 3, 0, Path(tempfile.mkdtemp()), fmt="csv")
>>> res.through.month, res.through.day
(12, 31)
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from earlysignal.data.history import CareHistory
    from earlysignal.experiment.config import DataConfig
    from earlysignal.sources.cbs_write import CBSWriteResult

__all__ = ["load_cbs", "run_simulate_cbs", "simulate_cbs_archive"]


def simulate_cbs_archive(
    n_children: int,
    years: int,
    seed: int,
    out: Path,
    *,
    fmt: Literal["sav", "csv"] = "sav",
    scenario: str | None = None,
) -> CBSWriteResult:
    """Simulate care histories and write them as CBS-shaped yearly files in ``out``."""
    from earlysignal.sources.cbs_write import write_cbs
    from earlysignal.synth import simulate

    sim = simulate(n_children, years=years, seed=seed, scenario=scenario)
    return write_cbs(sim.history, out, fmt=fmt)


def run_simulate_cbs(
    children: int,
    years: int,
    seed: int,
    out: Path,
    *,
    fmt: str = "sav",
    scenario: str | None = None,
) -> int:
    """Body of ``earlysignal simulate --format cbs``: write the archive, print what it holds.

    Examples
    --------
    >>> import tempfile
    >>> run_simulate_cbs(40, 3, 0, Path(tempfile.mkdtemp()) / "cbs", fmt="csv")
    wrote ... CBS files for ... children to ...; complete years through ...-12-31; left out: ...
    0
    """
    if fmt not in ("sav", "csv"):
        print(f"error: the CBS file format must be sav or csv, got {fmt!r}")
        return 2
    res = simulate_cbs_archive(children, years, seed, out, fmt=fmt, scenario=scenario)  # type: ignore[arg-type]
    left_out = ", ".join(f"{k} {v}" for k, v in res.dropped.items())
    print(
        f"wrote {len(res.files)} CBS files for {res.key.height} children to {out}; complete "
        f"years through {res.through}; left out: {left_out}"
    )
    return 0


def load_cbs(cfg: DataConfig) -> tuple[CareHistory, dict[str, Any]]:
    """Import the CBS files of a study (or a simulated archive); return the card's data items.

    The card items are ``source`` (a sentence naming the files), ``import`` (counts only) and
    ``source_definitions`` (what placements, moves and breakdown are in CBS data, and its blind
    spots).
    """
    from earlysignal.card.stored_words import source_description
    from earlysignal.sources.cbs import import_cbs
    from earlysignal.sources.cbs_codes import load_codes, source_definitions

    codes = load_codes(cfg.codes) if cfg.codes else load_codes()
    if cfg.path:
        history, report = import_cbs(
            cfg.path, codes=codes, errors=cfg.import_errors, validate=False
        )
        source = source_description("cbs", name=Path(cfg.path).name)
    else:
        with tempfile.TemporaryDirectory(prefix="earlysignal-cbs-") as tmp:
            simulate_cbs_archive(cfg.n_children, cfg.years, cfg.sim_seed, Path(tmp))
            history, report = import_cbs(tmp, codes=codes, errors=cfg.import_errors, validate=False)
        source = source_description(
            "cbs_simulated", children=cfg.n_children, years=cfg.years, seed=cfg.sim_seed
        )
    summary = report.summary()
    items = {
        "source": source,
        "import": {
            "errors": cfg.import_errors,
            "files": len(summary["files"]),
            "rows_read": summary["rows_read"],
            "duplicates_merged": summary["duplicates_merged"],
            "overlaps_merged": summary["overlaps_merged"],
            "excluded": summary["excluded"],
            "kept": summary["kept"],
            "not_in_care": summary["not_in_care"],
            "issues": summary["issues"],
        },
        "source_definitions": source_definitions(),
    }
    return history, items
