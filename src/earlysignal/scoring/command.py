"""Bodies of ``earlysignal score`` and ``earlysignal monitor`` (imported lazily by the CLI).

``score`` returns 0 on success, 1 when the data are refused (invalid, unknown vocabulary, out
of the model's scope, nobody to score), 2 when the model or the output folder is unusable.
``monitor`` returns 0 when every stop rule holds (or is not yet measurable), 1 when one is
breached, 2 when it could not run.

Examples
--------
>>> from datetime import date
>>> score_command("no-such-model", Path("no-such-data"), date(2024, 1, 1), Path("out"))
2
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["monitor_command", "score_command"]

EXIT_OK, EXIT_REFUSED, EXIT_UNUSABLE = 0, 1, 2
_UNUSABLE_RULES = ("S01", "S02", "S03", "S09")


def _err(message: str) -> None:
    from rich.console import Console

    Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] {message}", markup=True)


def _print(text: str) -> None:
    from rich.console import Console

    Console(soft_wrap=True).print(text, markup=False)


def score_command(  # noqa: PLR0917
    model: str,
    data: Path,
    as_of: date,
    out: Path,
    override: str | None = None,
    tracking_uri: str | None = None,
    lang: str | None = None,
) -> int:
    """``earlysignal score MODEL DATA --as-of DATE --out DIR [--lang nl|en]``."""
    from earlysignal.i18n import UnsupportedLanguageError
    from earlysignal.scoring.model_ref import ScoringError
    from earlysignal.scoring.score import score

    try:
        result = score(
            model,
            data,
            as_of=as_of,
            out=out,
            override=override,
            tracking_uri=tracking_uri,
            lang=lang,
        )
    except UnsupportedLanguageError as exc:
        _err(str(exc))
        return EXIT_UNUSABLE
    except ScoringError as exc:
        text = str(exc)
        _err(text)
        return EXIT_UNUSABLE if any(r in text[:40] for r in _UNUSABLE_RULES) else EXIT_REFUSED
    s: dict[str, Any] = result.summary
    _print(
        f"scored {s['children_scored']} children in placement on {s['as_of']}; "
        f"{s['children_flagged']} flagged by the card's {s['decision_rule']['kind']} rule\n"
        f"overview:     {result.out / 'overview.html'}\n"
        f"ranked table: {result.out / 'ranked.csv'}\n"
        f"sheets:       {result.out / 'sheets'}\n"
        f"MLflow run:   {result.run_id}"
    )
    return EXIT_OK


def monitor_command(  # noqa: PLR0917
    model: str,
    data: Path,
    out: Path | None = None,
    since: date | None = None,
    tracking_uri: str | None = None,
    lang: str | None = None,
) -> int:
    """``earlysignal monitor MODEL DATA [--out DIR] [--lang nl|en]``."""
    from earlysignal.i18n import UnsupportedLanguageError
    from earlysignal.monitoring.monitor import monitor
    from earlysignal.scoring.model_ref import ScoringError

    try:
        result = monitor(model, data, out=out, since=since, tracking_uri=tracking_uri, lang=lang)
    except (ScoringError, UnsupportedLanguageError) as exc:
        _err(str(exc))
        return EXIT_UNUSABLE
    for rule in result.summary["rules"]:
        _print(
            f"rule {rule['rule']} {rule['metric']} in [{rule['lower']}, {rule['upper']}] "
            f"on {rule['judge_on']} children: {rule['verdict']}"
        )
    if result.summary["major_drift"]:
        _print(f"major drift (PSI > 0.25): {', '.join(result.summary['major_drift'])}")
    if result.out is not None:
        _print(f"report: {result.out / 'monitoring.html'}")
    _print(f"MLflow run: {result.run_id}")
    return result.exit_code
