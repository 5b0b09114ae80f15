"""DfE's own SSDA903 validator, run in an isolated environment, folded into the import report.

DfE publishes its validation rules as ``csc-validator-be-903`` (PyPI, MIT). It pins
``pandas<2`` and ``numpy<1.25``, so it cannot share earlysignal's environment: it runs in its
own tool environment through a subprocess, ``uv tool run --from csc-validator-be-903 python
<driver>`` (uv installs it from the package index the first time, nothing else is fetched), or
with the Python named by ``EARLYSIGNAL_DFE_PYTHON`` (a venv made with ``uv venv`` +
``uv pip install csc-validator-be-903``). The driver (``resources/dfe903_driver.py``) prints
findings as JSON; :func:`fold_findings` counts them by rule code for ``report.dfe``. If the
validator cannot be installed or run, :class:`DfEValidatorUnavailable` says so plainly.

Examples
--------
>>> fold_findings([{"year": 2021, "code": "103", "table": "Header", "row": 0, "child": "1"},
...                {"year": 2021, "code": "103", "table": "Header", "row": 4, "child": "2"},
...                {"year": 2021, "failed": ["529"]}])
{'103': 2, 'not_run': 1}
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_RULESET",
    "DfEValidatorUnavailable",
    "dfe_command",
    "fold_findings",
    "run_dfe_validator",
]

DEFAULT_RULESET = "lac2025_26"
DRIVER = Path(__file__).parent / "resources" / "dfe903_driver.py"
MARKER = "@@earlysignal-dfe-findings@@ "
"""Prefix of the driver's one line of findings (the validator's own prints are not JSON)."""


class DfEValidatorUnavailable(RuntimeError):
    """DfE's validator could not be installed or run (the message says why and what to do)."""


def dfe_command() -> list[str]:
    """The command that runs the driver with DfE's validator importable."""
    python = os.environ.get("EARLYSIGNAL_DFE_PYTHON")
    if python:
        return [python, str(DRIVER)]
    uv = shutil.which("uv")
    if uv is None:
        raise DfEValidatorUnavailable(
            "--dfe-rules needs uv (to run csc-validator-be-903 in its own environment) or "
            "EARLYSIGNAL_DFE_PYTHON naming a Python where csc-validator-be-903 is installed"
        )
    return [
        uv,
        "tool",
        "run",
        "--python",
        "3.11",
        "--from",
        "csc-validator-be-903",
        "python",
        str(DRIVER),
    ]


def fold_findings(findings: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Count the validator's findings by rule code; rules that failed to run: ``not_run``."""
    counts: Counter[str] = Counter()
    for f in findings:
        if "failed" in f:
            counts["not_run"] += len(f["failed"])
        else:
            counts[str(f["code"])] += 1
    return dict(sorted(counts.items()))


def run_dfe_validator(
    found: Sequence[tuple[Path, str, int | None]],
    label: str,
    *,
    ruleset: str = DEFAULT_RULESET,
    timeout: float = 1800,
) -> dict[str, int]:
    """Run DfE's validator on each year's return (with the previous year's as context).

    ``found`` lists (path, table, year) as :func:`.ssda903_read.discover` gives them; ``label``
    says whether a year names the collection year's start or end.
    """
    by_year: dict[int, list[str]] = {}
    for path, _table, year in found:
        if year is not None:
            by_year.setdefault(year, []).append(str(path.resolve()))
    if not by_year:
        raise DfEValidatorUnavailable(
            "--dfe-rules needs returns whose year is in the file or folder name"
        )
    returns = [
        {
            "year": y,
            "collection_year": str(y + 1 if label == "start" else y),
            "files": sorted(files),
            "previous": sorted(by_year.get(y - 1, [])),
        }
        for y, files in sorted(by_year.items())
    ]
    spec = json.dumps({"ruleset": ruleset, "returns": returns})
    cmd = dfe_command()
    try:
        done = subprocess.run(
            cmd, input=spec, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DfEValidatorUnavailable(f"DfE's validator could not run ({exc})") from exc
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        raise DfEValidatorUnavailable(
            "DfE's validator (csc-validator-be-903) could not be installed or run: "
            + " | ".join(tail)
            + ". Import without --dfe-rules, or set EARLYSIGNAL_DFE_PYTHON to a Python 3.11 "
            "where `uv pip install csc-validator-be-903` succeeded"
        )
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith(MARKER)]
    try:
        findings = json.loads(lines[-1][len(MARKER) :])
    except (IndexError, json.JSONDecodeError) as exc:
        raise DfEValidatorUnavailable(
            f"DfE's validator gave no readable findings ({done.stdout[:200]!r})"
        ) from exc
    return fold_findings(findings)
