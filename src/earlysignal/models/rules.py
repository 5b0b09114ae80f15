"""A simple, calibrated rule baseline such as "2+ moves in the last year"."""

from __future__ import annotations

from typing import Any

import numpy as np

from earlysignal.models._base import RiskModel, logit

__all__ = ["RuleBaseline"]


class RuleBaseline(RiskModel):
    """A fixed probability per rule cell, estimated on the training data.

    The rule cuts one feature at ``cutpoints`` into cells (``x < c1``, ``c1 <= x < c2``, ...,
    ``x >= c_last``; a missing value is its own cell). The probability of a cell is its
    observed rate, shrunk towards the overall training rate with ``prior_weight`` pseudo-rows:
    ``(events + prior_weight * base_rate) / (rows + prior_weight)``. So the baseline is
    calibrated on its training period and a fair comparison: a complex model must beat the
    rule a caseworker could apply by hand, at equal honesty.

    Parameters
    ----------
    feature : str or int
        Feature name (when fitting on a frame) or column position.
    cutpoints : tuple of float
        Increasing cut points; the default ``(2.0,)`` means "fewer than 2" versus "2 or more".
    prior_weight : float
        Pseudo-rows of shrinkage towards the base rate (keeps empty cells finite).

    Attributes
    ----------
    feature_index_ : int
        Column used.
    cell_probability_, cell_rows_, cell_events_ : numpy.ndarray
        Per cell (``len(cutpoints) + 2`` cells, the last one for missing values).
    base_rate_ : float
        Training event rate.

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [0.0], [4.0]])
    >>> y = np.array([0, 0, 1, 1, 0, 0])
    >>> rule = RuleBaseline(feature=0, cutpoints=(2.0,), prior_weight=0.0).fit(X, y)
    >>> rule.cell_probability_[:2].round(3).tolist()
    [0.0, 0.667]
    """

    def __init__(
        self,
        feature: str | int = 0,
        cutpoints: tuple[float, ...] = (2.0,),
        prior_weight: float = 1.0,
    ) -> None:
        self.feature = feature
        self.cutpoints = cutpoints
        self.prior_weight = prior_weight

    def _cells(self, column: np.ndarray) -> np.ndarray:
        cuts = np.asarray(self.cutpoints, dtype=np.float64)
        cells = np.searchsorted(cuts, column, side="right")
        cells[np.isnan(column)] = cuts.size + 1
        return cells

    def fit(self, X: Any, y: Any) -> RuleBaseline:
        """Estimate the cell probabilities on the training data."""
        cuts = np.asarray(self.cutpoints, dtype=np.float64)
        if cuts.ndim != 1 or cuts.size == 0 or np.any(np.diff(cuts) <= 0):
            raise ValueError(
                f"rule baseline rule 'increasing cut points': got {self.cutpoints!r}; "
                "pass e.g. cutpoints=(2.0,)"
            )
        if self.prior_weight < 0:
            raise ValueError(f"prior_weight must be >= 0, got {self.prior_weight}")
        matrix, labels = self._validate_fit(X, y)
        if isinstance(self.feature, str):
            names = getattr(self, "feature_names_in_", None)
            if names is None or self.feature not in list(names):
                raise ValueError(
                    f"rule baseline rule 'feature present': {self.feature!r} is not among the "
                    "fitted columns; fit on a frame that has it or pass its position"
                )
            index = list(names).index(self.feature)
        else:
            index = int(self.feature)
            if not 0 <= index < matrix.shape[1]:
                raise ValueError(f"feature position {index} out of range 0..{matrix.shape[1]}")
        cells = self._cells(matrix[:, index])
        n_cells = cuts.size + 2
        rows = np.bincount(cells, minlength=n_cells).astype(np.float64)
        events = np.bincount(cells, weights=labels, minlength=n_cells)
        base = float(labels.mean())
        with np.errstate(invalid="ignore", divide="ignore"):
            prob = (events + self.prior_weight * base) / (rows + self.prior_weight)
        prob = np.where(rows + self.prior_weight > 0, prob, base)
        self.feature_index_ = index
        self.cell_rows_ = rows
        self.cell_events_ = events
        self.cell_probability_ = prob
        self.base_rate_ = base
        return self

    def raw_score(self, X: Any) -> np.ndarray:
        """Log-odds of the row's cell probability."""
        matrix = self._validate_predict(X)
        cells = self._cells(matrix[:, self.feature_index_])
        return logit(self.cell_probability_[cells])
