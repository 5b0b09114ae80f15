"""Tuning the logistic baseline inside the training period, on LightGBM's hold-out.

A baseline gets the same care as the main model: LightGBM picks its number of trees (and, in
``benchmarks/models.py``, its leaves) by the log loss on a hold-out of the training children;
``tune_logistic`` scores an equal number of logistic candidates (penalty ``C`` x transform of
counts and durations) on the *same* held-out children (``holdout_mask`` with the same fraction
and seed), picks the lowest hold-out log loss, and refits that setting on every training row.
The calibration and test periods are never looked at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from earlysignal.models._base import holdout_mask
from earlysignal.models.logistic import LogisticRiskModel, fit_over_c

__all__ = ["DEFAULT_C_GRID", "DEFAULT_TRANSFORMS", "LogisticSearch", "tune_logistic"]

DEFAULT_C_GRID: tuple[float, ...] = (0.01, 0.1, 1.0)
DEFAULT_TRANSFORMS: tuple[str, ...] = ("none", "log1p")


@dataclass(frozen=True)
class LogisticSearch:
    """Result of ``tune_logistic``.

    Attributes
    ----------
    model : LogisticRiskModel
        The chosen setting refitted on every training row.
    C, transform : float, str
        The chosen setting.
    candidates : tuple of dict
        Every candidate: ``C``, ``transform``, ``validation_log_loss``.
    holdout_fraction : float
        Share of the training children held out to score the candidates.
    """

    model: LogisticRiskModel
    C: float
    transform: str
    candidates: tuple[dict[str, Any], ...]
    holdout_fraction: float

    def summary(self) -> dict[str, Any]:
        """JSON-ready facts for a card or a run: the choice, the number of fits, the hold-out."""
        best = min(c["validation_log_loss"] for c in self.candidates)
        return {
            "C": self.C,
            "transform": self.transform,
            "candidate_fits": len(self.candidates),
            "holdout_children_share": self.holdout_fraction,
            "validation_log_loss": round(float(best), 5),
        }


def _log_loss(y: np.ndarray, p: np.ndarray) -> float:
    q = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log1p(-q)))


def tune_logistic(
    X: Any,
    y: Any,
    groups: Any = None,
    *,
    C_grid: Sequence[float] = DEFAULT_C_GRID,
    transforms: Sequence[str] = DEFAULT_TRANSFORMS,
    validation_fraction: float = 0.15,
    random_state: int = 0,
    max_iter: int = 1000,
) -> LogisticSearch:
    """Choose ``C`` and the transform of the logistic baseline on a hold-out of training children.

    Parameters
    ----------
    X, y : training features (frame or array) and 0/1 labels.
    groups : array-like, optional
        Child id per row: whole children are held out (rows when None).
    C_grid, transforms : sequences
        The candidates (``len(C_grid) * len(transforms)`` fits, plus one refit).
    validation_fraction, random_state : float, int
        The hold-out, drawn exactly like ``LightGBMRiskModel``'s early-stopping hold-out, so
        with the same values both models are scored on the same children.

    Returns
    -------
    LogisticSearch

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.column_stack([rng.geometric(0.05, 3000) - 1.0, rng.normal(size=3000)])
    >>> y = (rng.random(3000) < 1 / (1 + np.exp(3 - 1.2 * np.log1p(X[:, 0])))).astype(int)
    >>> search = tune_logistic(X, y, np.arange(3000) // 2)
    >>> len(search.candidates), search.transform
    (6, 'log1p')
    """
    from earlysignal.models._base import as_matrix

    matrix, names = as_matrix(X)
    labels = np.asarray(y)
    held = holdout_mask(labels.shape[0], groups, validation_fraction, random_state)
    if held.all() or not held.any():
        raise ValueError(
            "tuning rule 'rows on both sides of the hold-out': the hold-out is empty or holds "
            "every row; give more training children"
        )
    fit_rows = matrix[~held]
    candidates: list[dict[str, Any]] = []
    for transform in transforms:
        # the transform, imputer and scaler are fitted once per transform, not once per C
        fitted = fit_over_c(fit_rows, labels[~held], C_grid, count_transform=transform,
                            max_iter=max_iter)  # fmt: skip
        for C, candidate in zip(C_grid, fitted, strict=True):
            p = candidate.predict_proba(matrix[held])[:, 1]
            coded = (labels[held] == candidate.classes_[1]).astype(np.float64)
            candidates.append(
                {"C": float(C), "transform": transform, "validation_log_loss": _log_loss(coded, p)}
            )
    best = min(candidates, key=lambda c: c["validation_log_loss"])
    model = LogisticRiskModel(C=best["C"], count_transform=best["transform"], max_iter=max_iter)
    model.fit(X if names is not None else matrix, labels)
    return LogisticSearch(
        model=model,
        C=best["C"],
        transform=best["transform"],
        candidates=tuple(candidates),
        holdout_fraction=validation_fraction,
    )
