"""``import earlysignal`` and ``earlysignal --help`` import no heavy library."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("sklearn", "lightgbm", "mlflow", "shap", "matplotlib", "fairlearn", "scipy", "pandas")

PROBE = """
import json, sys
sys.argv = ["earlysignal", "--help"]
import earlysignal, earlysignal.data
from earlysignal.cli import main
try:
    main()
except SystemExit:
    pass
print("@@" + json.dumps(sorted(m.split(".")[0] for m in sys.modules)))
"""


def test_help_imports_no_heavy_module() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert "Usage" in out
    modules = set(json.loads(out.split("@@", 1)[1]))
    assert "polars" in modules  # sanity: the probe really saw the imports
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))
