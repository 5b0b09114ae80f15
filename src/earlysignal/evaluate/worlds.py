"""The oracle comparison across simulator worlds, as measured by ``benchmarks/models.py``.

The share of the oracle's lift a model reaches depends on what the simulator hides (how fast
the latent severity drifts, how large the unrecorded carer and provider effects are). The
benchmark re-measures it in sensitivity worlds fixed in advance and writes its summary to
``oracle_worlds.json`` beside this module (``--write-json``); a card built on simulated data
quotes the range from there, with the benchmark's cohort size and seed, next to the lift share
of its own run. Nothing here is computed at run time: these are recorded benchmark figures.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["oracle_worlds"]

WORLDS_FILE = "oracle_worlds.json"


def oracle_worlds(
    outcome: str, horizon_days: int, path: str | Path | None = None
) -> dict[str, Any] | None:
    """Recorded lift shares across simulator worlds for one outcome, or None if not measured.

    ``path``: the benchmark's JSON (default: ``oracle_worlds.json`` in this package).

    Returns
    -------
    dict or None
        ``outcome``, ``lift_share_range`` ([lowest, highest] point estimate across worlds),
        ``per_world`` (world -> [estimate, lower, upper], 95 % child-clustered bootstrap),
        ``children``, ``years``, ``seed``, ``n_boot`` of the benchmark, and ``source``.

    Examples
    --------
    >>> oracle_worlds("no_such_outcome", 180) is None
    True
    """
    source: Any = (
        resources.files("earlysignal.evaluate").joinpath(WORLDS_FILE)
        if path is None
        else Path(path)
    )
    if not source.is_file():
        return None
    data = json.loads(source.read_text(encoding="utf-8"))
    entry = data.get("summary", {}).get(f"{outcome}_{horizon_days}d")
    if entry is None:
        return None
    return {
        "outcome": f"{outcome}_{horizon_days}d",
        "lift_share_range": entry["lift_share_range_across_worlds"],
        "per_world": {w: v["lift_share_of_oracle"] for w, v in entry["per_world"].items()},
        "children": data["children"],
        "years": data["years"],
        "seed": data["seed"],
        "n_boot": data["n_boot"],
        "source": "benchmarks/models.py",
    }
