"""Bodies of ``earlysignal run``, ``earlysignal demo`` and ``earlysignal card``.

Each returns the exit code: 0 success, 1 the study failed on its data (invalid records, a
period without events), 2 unusable input (a bad config, a missing file or run), 130 when
interrupted. The commands in :mod:`earlysignal.cli` import this module lazily.

Examples
--------
>>> run_command(Path("no-such-config.toml"), tracking_uri="sqlite:///unused.db")
2
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["card_command", "demo_command", "run_command"]

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=False, soft_wrap=True)


def _bad_language(lang: str | None) -> bool:
    """Report an unsupported ``--lang`` (rule I18N-LANG) instead of a traceback."""
    from earlysignal.i18n import UnsupportedLanguageError, check_language

    try:
        check_language(lang)
    except UnsupportedLanguageError as exc:
        _err(f"--lang: {exc}")
        return True
    return False


def _err(message: str) -> None:
    from rich.console import Console

    Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] {message}", markup=True)


def _execute(config: Any, **kwargs: Any) -> int:
    from earlysignal.data.validate import DataValidationError
    from earlysignal.experiment.config import ConfigError
    from earlysignal.experiment.runner import ExperimentError, run_experiment

    try:
        result = run_experiment(config, progress=True, **kwargs)
    except ConfigError as exc:
        _err(str(exc))
        return EXIT_UNUSABLE
    except (DataValidationError, ExperimentError) as exc:
        _err(f"{exc}\nThe MLflow run is marked FAILED; no model card was written.")
        return EXIT_FAILED
    except KeyboardInterrupt:
        _err("interrupted: the MLflow run is marked FAILED; no model card was written.")
        return EXIT_INTERRUPTED
    from earlysignal.card.texts import card_language, render_text

    console = _console()
    summary = result.card["performance"]["summary"]
    with card_language(result.card.get("language")):
        for line in summary:
            console.print(f"  {render_text(line)}", markup=False)
    console.print(result.summary(), markup=False)
    return EXIT_OK


def run_command(
    config: Path,
    *,
    tracking_uri: str | None = None,
    output_dir: Path | None = None,
    lang: str | None = None,
) -> int:
    """``earlysignal run CONFIG``: validate the config, run the study, print where it is."""
    from earlysignal.experiment.config import ConfigError, load_config

    if _bad_language(lang):
        return EXIT_UNUSABLE
    try:
        cfg = load_config(config)
        if lang is not None:  # --lang overrides [card] language
            data = cfg.to_dict()
            data["card"]["language"] = lang
            cfg = type(cfg).from_dict(data, source=str(config))
    except ConfigError as exc:
        _err(str(exc))
        return EXIT_UNUSABLE
    text = config.read_text(encoding="utf-8") if config.is_file() else None
    return _execute(cfg, tracking_uri=tracking_uri, output_dir=output_dir, config_text=text)


def demo_command(
    *,
    children: int = 20_000,
    years: int = 10,
    tracking_uri: str | None = None,
    output_dir: Path | None = None,
    lang: str = "en",
) -> int:
    """``earlysignal demo``: the shipped breakdown study on a freshly simulated cohort."""
    from earlysignal.experiment.config import ExperimentConfig, default_config_path, load_config

    if _bad_language(lang):
        return EXIT_UNUSABLE

    base = load_config("breakdown_180d")
    data = base.to_dict()
    data["data"].update({"source": "simulated", "n_children": children, "years": years})
    data["card"]["language"] = lang
    cfg = ExperimentConfig.from_dict(data, source="earlysignal demo")
    text = default_config_path("breakdown_180d").read_text(encoding="utf-8")
    if (children, years) != (base.data.n_children, base.data.years):
        text += (
            f"\n# earlysignal demo overrides: data.n_children = {children}, data.years = {years}\n"
        )
    return _execute(cfg, tracking_uri=tracking_uri, output_dir=output_dir, config_text=text)


def card_command(
    run_id: str,
    *,
    tracking_uri: str | None = None,
    output_dir: Path = Path("earlysignal-output"),
    exports: dict[str, Path | None] | None = None,
    lang: str | None = None,
) -> int:
    """``earlysignal card RUN_ID``: re-render the card from the run's logged card data.

    ``exports`` (keys ``algoritmeregister``, ``iama``, ``review_pack``, ``reviews``) are
    written afterwards by :func:`earlysignal.publish.command.publish_exports`.
    """
    from earlysignal.card import CardValidationError
    from earlysignal.experiment.runner import ExperimentError, render_card_from_run

    if _bad_language(lang):
        return EXIT_UNUSABLE

    try:
        folder = render_card_from_run(
            run_id, tracking_uri=tracking_uri, output_dir=output_dir, lang=lang
        )
    except (ExperimentError, CardValidationError) as exc:
        _err(str(exc))
        return EXIT_FAILED
    except Exception as exc:  # mlflow raises its own types for unknown runs
        if type(exc).__name__ in {"MlflowException", "RestException"}:
            _err(f"no run {run_id!r} at this tracking URI: {exc}")
            return EXIT_UNUSABLE
        raise
    console = _console()
    console.print(f"model card: {folder / 'model_card.html'}", markup=False)
    console.print(f"            {folder / 'model_card.md'}", markup=False)
    console.print(f"            {folder / 'model_card.json'}", markup=False)
    if exports and any(v is not None for v in exports.values()):
        from earlysignal.publish.command import publish_exports

        return publish_exports(folder, run_id=run_id, tracking_uri=tracking_uri, **exports)
    return EXIT_OK
