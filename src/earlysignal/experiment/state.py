"""What the steps of a run share: the run's state, its progress bars and small helpers.

:class:`_State` carries everything one step passes on to the next (never logged as such);
:class:`_Steps` times each step of :data:`STEPS` and shows a rich progress bar when asked.
The card data a step fills is language-neutral: numbers, ids and keys of reader texts
(:func:`_say`), worded only when the card is rendered.

Examples
--------
>>> STEPS[:3]
('load data', 'validate', 'prediction times')
>>> _say("decision_rule", capacity=0.1, threshold=0.08, share=0.1)
{'text': 'decision_rule', 'args': {'capacity': 0.1, 'threshold': 0.08, 'share': 0.1}}
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from earlysignal.experiment.config import ExperimentConfig

__all__ = ["STEPS", "ExperimentError"]

STEPS: tuple[str, ...] = (
    "load data",
    "validate",
    "prediction times",
    "features and outcomes",
    "split",
    "fit",
    "calibrate",
    "evaluate",
    "explain",
    "audit",
    "save model",
    "model card",
)
"""The steps of a run, in order (each is timed and shown as a progress bar)."""


class ExperimentError(RuntimeError):
    """A study that cannot run on its data (names the step, what was found and the fix)."""


class _Steps:
    """Times each step; shows a rich progress bar when asked."""

    def __init__(self, show: bool) -> None:
        self.durations: dict[str, float] = {}
        self._progress: Any = None
        self._task: Any = None
        if show:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn("[bold blue]{task.description:<24}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )

    def __enter__(self) -> _Steps:
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task("starting", total=len(STEPS))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        if name not in STEPS:  # pragma: no cover - programming error
            raise ValueError(f"unknown step {name!r}")
        if self._progress is not None:
            self._progress.update(self._task, description=name)
        start = time.perf_counter()
        yield
        self.durations[name] = round(time.perf_counter() - start, 3)
        if self._progress is not None:
            self._progress.advance(self._task)


@dataclass
class _State:
    """Everything the steps pass on to each other (never logged as such)."""

    config: ExperimentConfig
    seed: int
    work: Path
    figures: Path
    card: dict[str, Any]
    history: Any = None
    simulation: Any = None
    times: Any = None
    frame: Any = None
    specs: tuple[Any, ...] = ()
    features: list[str] = field(default_factory=list)
    label: str = ""
    split: Any = None
    base: Any = None
    model: Any = None
    baselines: dict[str, Any] = field(default_factory=dict)
    metrics: Any = None
    threshold: float | None = None
    rule: Any = None  # the decision rule (earlysignal.models.CapacityRule), fixed on calibration
    p_test: Any = None
    score_test: Any = None  # the model's raw score on the test rows (breaks ties in risk)
    audit_published: list[dict[str, Any]] = field(default_factory=list)
    ledger: Any = None


def _say(name: str, /, **args: Any) -> dict[str, Any]:
    """A reader text of the card as data, for a card field: the key of its macro in
    ``earlysignal/card/templates/texts.j2`` and the numbers and ids it is worded from
    (:func:`earlysignal.card.texts.reader_text`); the card renderer words it."""
    from earlysignal.card.texts import reader_text

    return reader_text(name, **args)


def _iso(d: Any) -> str | None:
    return d.isoformat() if isinstance(d, date) else None


def _save_figure(
    state: _State, fig: Any, fig_id: str, caption: dict[str, Any], section: str
) -> str:
    """Save a figure of the card; ``caption`` is a reader text (:func:`_say`)."""
    fig.savefig(state.figures / f"{fig_id}.png", dpi=90, bbox_inches="tight")
    try:
        import matplotlib.pyplot as plt

        plt.close(fig)
    except Exception:  # pragma: no cover - figures built without pyplot
        pass
    state.card["figures"].append(
        {"id": fig_id, "file": f"{fig_id}.png", "caption": caption, "section": section}
    )
    return fig_id


def _xy(state: _State, part: str) -> tuple[pl.DataFrame, Any, Any]:
    """Feature columns (a named frame, so models keep feature names), labels, child ids."""
    from earlysignal.models import to_xy

    frame = state.split.part(part)
    _, y, groups = to_xy(frame, state.features, state.label)
    return frame.select(state.features), y, groups
