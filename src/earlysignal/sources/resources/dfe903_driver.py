"""Run DfE's SSDA903 validator (csc-validator-be-903) on yearly returns; print JSON findings.

Executed by the Python of an isolated environment holding ``csc-validator-be-903`` (never
imported by earlysignal, whose environment cannot hold that package's pins). Input: a JSON
object on stdin ``{"ruleset": "lac2025_26", "returns": [{"year": 2021, "collection_year":
"2022", "files": [...], "previous": [...]}]}``. Output on stdout: a JSON list of findings
``{"year", "code", "table", "row", "child"}`` (row: 0-based row of the table as the
validator read it), plus ``{"year", "failed": [codes]}`` for rules that could not run, on one
line starting with ``MARKER`` (some rules print to stdout: that goes to stderr).
"""

import contextlib
import json
import logging
import sys

logging.disable(logging.CRITICAL)
MARKER = "@@earlysignal-dfe-findings@@ "


def main() -> None:
    with contextlib.redirect_stdout(sys.stderr):
        out = findings()
    sys.stdout.write(MARKER + json.dumps(out) + "\n")


def findings() -> list[dict[str, object]]:
    import importlib

    from lac_validator import lac_validator  # type: ignore[import-not-found]

    spec = json.load(sys.stdin)
    registry = importlib.import_module(f"lac_validator.rules.{spec['ruleset']}").registry
    out: list[dict[str, object]] = []
    for ret in spec["returns"]:
        files = []
        for desc, paths in (("This year", ret["files"]), ("Prev year", ret["previous"])):
            for p in paths:
                with open(p, "rb") as f:
                    files.append({"name": p, "file_content": f.read(), "description": desc})
        v = lac_validator.LacValidator(
            metadata={"collectionYear": ret["collection_year"], "localAuthority": "E09000027"},
            files=files,
            registry=registry,
        )
        for table, frame in v.ds_results.items():
            if table == "metadata" or not hasattr(frame, "columns"):
                continue
            for col in [c for c in frame.columns if str(c).startswith("ERR_")]:
                hit = frame[frame[col] == True]  # noqa: E712
                for idx, child in zip(hit.index, hit.get("CHILD", [None] * len(hit)), strict=False):
                    out.append(
                        {
                            "year": ret["year"],
                            "code": col[4:],
                            "table": table,
                            "row": int(idx),
                            "child": None if child is None else str(child),
                        }
                    )
        out.append({"year": ret["year"], "failed": list(v.fails)})
    return out


if __name__ == "__main__":
    main()
