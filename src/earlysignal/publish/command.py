"""The exports of ``earlysignal card RUN``: ``--algoritmeregister``, ``--iama``,
``--review-pack`` and ``--reviews`` (called by :mod:`earlysignal.experiment.cli`).

Returns exit codes like the other commands: 0 done, 1 an export could not be made (the
message names the rule and the fix), 2 unusable input.

Examples
--------
>>> import tempfile, pathlib
>>> publish_exports(pathlib.Path(tempfile.mkdtemp()), run_id="r1")
2
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["publish_exports"]

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2


def _print(message: str) -> None:
    from rich.console import Console

    Console(soft_wrap=True).print(message, markup=False)


def _err(message: str) -> None:
    from rich.console import Console

    Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] {message}", markup=True)


def _download_model(run_id: str, tracking_uri: str | None, dst: str) -> Path | None:
    import mlflow

    from earlysignal.tracking import resolve_tracking_uri

    uri = resolve_tracking_uri(tracking_uri)
    try:
        local = mlflow.artifacts.download_artifacts(
            run_id=run_id, artifact_path="model", dst_path=dst, tracking_uri=uri
        )
    except Exception:  # mlflow raises its own types for a missing artifact
        return None
    return Path(local)


def publish_exports(
    card_folder: Path,
    *,
    run_id: str,
    tracking_uri: str | None = None,
    algoritmeregister: Path | None = None,
    iama: Path | None = None,
    review_pack: Path | None = None,
    reviews: Path | None = None,
) -> int:
    """Write the requested exports from the card in ``card_folder`` (re-rendered first)."""
    from earlysignal.card import CardValidationError, validate_card, write_card
    from earlysignal.publish.algoritmeregister import write_algoritmeregister
    from earlysignal.publish.iama import write_iama
    from earlysignal.publish.review import (
        ReviewPackError,
        apply_reviews,
        read_reviews,
        write_review_pack,
    )

    data_file = card_folder / "model_card.json"
    if not data_file.is_file():
        _err(f"no card data at {data_file}: render the card first (earlysignal card RUN)")
        return EXIT_UNUSABLE
    card: dict[str, Any] = json.loads(data_file.read_text(encoding="utf-8"))
    if reviews is not None:
        try:
            reviewers = read_reviews(reviews)
            card = apply_reviews(card, reviewers)
            validate_card(card)
        except (ReviewPackError, CardValidationError) as exc:
            _err(str(exc))
            return EXIT_FAILED
        write_card(card, card_folder, figures_dir=card_folder / "figures")
        named = sum(r["named"] for r in card["lived_experience"]["reviewers"])
        _print(
            f"lived experience: {len(reviewers)} review(s) taken into the card "
            f"({named} named with consent): {card_folder / 'model_card.html'}"
        )
    if algoritmeregister is not None:
        js, csv, report = write_algoritmeregister(card, algoritmeregister)
        _print(f"Algoritmeregister: {js}\n                   {csv}")
        for p in report.problems:
            _print(f"  problem  {p}")
        _print(
            f"  field checks {'passed' if report.ok else 'FAILED'}; "
            f"{len(report.open_fields)} field(s) to be completed by the organisation: "
            + ", ".join(report.open_fields)
        )
        if not report.ok:
            return EXIT_FAILED
    if iama is not None:
        md, js = write_iama(card, iama)
        _print(f"IAMA: {md}\n      {js}")
    if review_pack is not None:
        with tempfile.TemporaryDirectory(prefix="earlysignal-model-") as tmp:
            model_dir = _download_model(run_id, tracking_uri, tmp)
            try:
                files = write_review_pack(card, review_pack, model_dir=model_dir)
            except ReviewPackError as exc:
                _err(str(exc))
                return EXIT_FAILED
        _print(f"review pack: {files.folder} ({len(files.sheets)} simulated signal sheets)")
    return EXIT_OK
