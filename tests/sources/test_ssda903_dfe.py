"""--dfe-rules: DfE's validator runs in its own environment; its findings are folded by code.

The real validator (csc-validator-be-903) pins pandas<2 and numpy<1.25, so these tests stand
in a fake interpreter for it (``EARLYSIGNAL_DFE_PYTHON``) and check the folding and the error
paths; running the real one is shown in docs/ssda903.md.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from ssda903_returns import write_return

from earlysignal.sources import import_ssda903
from earlysignal.sources.ssda903_dfe import MARKER, DfEValidatorUnavailable, fold_findings

FINDINGS = [
    {"year": 2020, "code": "103", "table": "Header", "row": 0, "child": "1"},
    {"year": 2020, "code": "351", "table": "Episodes", "row": 0, "child": "1"},
    {"year": 2020, "code": "351", "table": "Episodes", "row": 1, "child": "1"},
    {"year": 2020, "failed": ["529"]},
]


def fake_python(tmp_path: Path, body: str) -> Path:
    exe = tmp_path / "fake-python"
    exe.write_text(f"#!/bin/sh\ncat > {tmp_path / 'spec.json'}\n{body}\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe


def test_findings_fold_into_the_report_by_rule_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "findings.json"
    # the validator's own prints come first; the findings are on the marked line
    out.write_text("{'Episodes': [1, 2]}\n" + MARKER + json.dumps(FINDINGS) + "\n")
    monkeypatch.setenv("EARLYSIGNAL_DFE_PYTHON", str(fake_python(tmp_path, f"cat {out}")))
    returns = write_return(tmp_path / "returns", 2020, ["1,01/05/2020,S,C2,N1,U4,PR1,,,,A"])
    _, r = import_ssda903(returns, year_label="start", dfe_rules=True)
    assert r.dfe == {"103": 1, "351": 2, "not_run": 1}
    assert "351" in r.to_text() and r.summary()["dfe_rules"] == r.dfe
    spec = json.loads((tmp_path / "spec.json").read_text())
    assert spec["returns"][0]["collection_year"] == "2021"  # 2020 labelled by its start
    assert len(spec["returns"][0]["files"]) == 2


def test_a_validator_that_cannot_run_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "EARLYSIGNAL_DFE_PYTHON",
        str(fake_python(tmp_path, "echo 'No solution found for csc-validator-be-903' >&2; exit 1")),
    )
    returns = write_return(tmp_path / "returns", 2020, ["1,01/05/2020,S,C2,N1,U4,PR1,,,,A"])
    with pytest.raises(
        DfEValidatorUnavailable, match=r"could not be installed or run.*No solution"
    ):
        import_ssda903(returns, year_label="start", dfe_rules=True)


def test_output_without_findings_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EARLYSIGNAL_DFE_PYTHON", str(fake_python(tmp_path, "echo '{}'")))
    returns = write_return(tmp_path / "returns", 2020, ["1,01/05/2020,S,C2,N1,U4,PR1,,,,A"])
    with pytest.raises(DfEValidatorUnavailable, match="no readable findings"):
        import_ssda903(returns, year_label="start", dfe_rules=True)


def test_fold_findings_counts_codes() -> None:
    assert fold_findings([]) == {}
    assert fold_findings(FINDINGS[:2]) == {"103": 1, "351": 1}
