"""Body of the ``earlysignal import-ssda903`` command (kept apart from the importer).

Examples
--------
>>> callable(run_import_cli)
True
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from earlysignal.sources.ssda903 import import_ssda903
from earlysignal.sources.ssda903_report import SSDA903Error

__all__ = ["run_import_cli"]

_UNUSABLE = {"ssda903.no_episodes", "ssda903.no_header"}


def run_import_cli(
    src: Path,
    out: Path,
    observed_until: str | None,
    year_label: str,
    repair: bool,
    *,
    two_digit_year_pivot: int | None = None,
    dfe_rules: bool = False,
) -> int:
    """Import, print the report, return the exit code.

    Exit codes: 0 imported and valid, 1 errors in the returns (all written to
    ``OUT/import_issues.csv``, the first ten printed) or an invalid result, 2 unusable input
    (no such folder, no episodes or header file, bad option, DfE's validator unavailable).
    """
    import typer

    try:
        obs = date.fromisoformat(observed_until) if observed_until else None
        if year_label not in ("auto", "start", "end"):
            raise ValueError(f"--year-label must be auto, start or end, got {year_label!r}")
        history, report = import_ssda903(
            src,
            out,
            observed_until=obs,
            year_label=year_label,  # type: ignore[arg-type]
            errors="repair" if repair else "raise",
            two_digit_year_pivot=two_digit_year_pivot,
            dfe_rules=dfe_rules,
        )
    except FileNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    except SSDA903Error as exc:
        head = "\n".join(f"  {i}" for i in exc.issues[:10])
        more = f"\n  ... and {len(exc.issues) - 10} more" if len(exc.issues) > 10 else ""
        Path(out).mkdir(parents=True, exist_ok=True)
        issues_file = Path(out) / "import_issues.csv"
        exc.issues_frame().write_csv(issues_file)
        typer.echo(
            f"error: {len(exc.issues)} error(s) in the SSDA903 returns ({exc.rule_summary()}):\n"
            f"{head}{more}\n"
            f"Every issue ({len(exc.all_issues)}, errors and warnings) is in {issues_file}.\n"
            "Correct the returns, or run again with --repair to exclude or repair these rows "
            "(each one is counted in the import report).",
            err=True,
        )
        return 2 if any(i.rule in _UNUSABLE for i in exc.issues) else 1
    except (ValueError, RuntimeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    typer.echo(report.to_text())
    ok = report.validation is None or bool(report.validation.get("ok"))
    typer.echo(
        f"wrote {out} ({'valid' if ok else 'INVALID'}); row-level issues in "
        f"{Path(out) / 'import_issues.csv'}"
    )
    del history
    return 0 if ok else 1
