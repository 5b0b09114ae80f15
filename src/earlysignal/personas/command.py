"""Body of ``earlysignal personas DIR --out REPORT_DIR``: sequences, personas, report.

Exit codes: 0 done, 1 the folder holds an invalid history, 2 unusable input or too few children.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from earlysignal.personas.spec import PersonaSpec, PersonaSpecError

__all__ = ["run_personas", "run_personas_cli"]


def run_personas(
    folder: Path, out: Path, *, spec: PersonaSpec, lang: str = "en", ledger: str = "auto"
) -> tuple[Path, int]:
    """Find and describe the personas of a canonical folder; return the report and ``k``.

    The persona counts are published through the publication ledger in use, else through
    ``ledger`` (``"auto"``: ``publication-ledger`` beside the report folder, as ``earlysignal
    steer`` and ``earlysignal monitor`` keep theirs; ``"off"``; or a folder), docs/disclosure.md.
    """
    from earlysignal.data.history import CareHistory
    from earlysignal.ledger import current_ledger, ledger_for, use_ledger
    from earlysignal.personas.cluster import assign, fit_personas
    from earlysignal.personas.describe import describe_personas
    from earlysignal.personas.report import write_report
    from earlysignal.personas.sequences import monthly_states

    history = CareHistory.read(folder)
    seqs = monthly_states(history, spec)
    model = fit_personas(seqs, spec)
    labels, _ = assign(model, seqs)
    with use_ledger(current_ledger() or ledger_for(ledger, out.parent)):
        desc = describe_personas(seqs, model, labels)
    return write_report(desc, out, lang=lang), model.k


def run_personas_cli(
    folder: Path,
    out: Path,
    *,
    window: int = 36,
    k: str = "auto",
    lang: str = "en",
    distance: str = "om",
) -> int:
    """Run :func:`run_personas` with errors as one clear line each (never a traceback)."""
    import typer

    from earlysignal.data.validate import DataValidationError, UnusableInputError
    from earlysignal.i18n import UnsupportedLanguageError

    try:
        n = None if k == "auto" else int(k)
    except ValueError:
        typer.echo(f"error: PERSONA-SPEC: --k must be a number or auto, got {k!r}", err=True)
        return 2
    try:
        spec = replace(PersonaSpec(window=window), k=n, distance=distance)  # type: ignore[arg-type]
        html, chosen = run_personas(folder, out, spec=spec, lang=lang)
    except DataValidationError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 1
    except (
        PersonaSpecError,
        UnusableInputError,
        UnsupportedLanguageError,
        FileNotFoundError,
        ValueError,
    ) as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    typer.echo(f"{chosen} personas; wrote {html} and {html.with_suffix('.json')}")
    from earlysignal.ledger import current_ledger, ledger_for

    led = current_ledger() or ledger_for("auto", out.parent)
    if led is not None:
        typer.echo(f"publication ledger (private, never publish): {led.path}")
    return 0
