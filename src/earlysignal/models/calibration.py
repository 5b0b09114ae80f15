"""Calibration on a held-out period and Venn-ABERS probability intervals.

Three methods: isotonic, sigmoid and the Venn-ABERS merged probability. The isotonic and
sigmoid calibrators are fitted with scikit-learn's ``CalibratedClassifierCV`` around a
``FrozenEstimator`` (the base model is already trained on the training period and must not see
the calibration rows). Its learnt map is then extracted into plain arrays (isotonic: the
thresholds; sigmoid: ``a`` and ``b``) and applied with numpy, so that the saved JSON *is* the
calibrator and a loaded model scores identically. A test checks that the extracted map agrees
with scikit-learn's own ``predict_proba``.

Venn-ABERS (Vovk and Petej 2014; inductive form) gives each score an interval ``[p0, p1]``:
``p0`` is the isotonic calibration of the score after adding it to the calibration set with
label 0, ``p1`` with label 1. Scores are first rounded to ``resolution`` on the log-odds scale
so that only a bounded set of distinct slots exists; ``p0`` and ``p1`` are then computed once
per slot with ``sklearn.isotonic.isotonic_regression`` (exactly the definition, for the rounded
scores) and looked up at prediction time. The width of the interval shows how much the
calibration data can say about that region of risk.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from earlysignal.models._base import RiskModel, check_binary, expit, logit

__all__ = ["CalibratedRiskModel", "VennAbers"]

_METHODS = ("isotonic", "sigmoid", "venn_abers")


class VennAbers:
    """Inductive Venn-ABERS probability intervals for scores (log-odds).

    Parameters
    ----------
    resolution : float
        Scores are rounded to multiples of this value before calibration (log-odds units;
        0.01 changes a probability by at most 0.25 % of its odds).

    Attributes
    ----------
    grid_ : numpy.ndarray of int64
        The distinct rounded calibration scores, in units of ``resolution``.
    p0_at_, p1_at_ : numpy.ndarray
        Interval ends for a test score equal to ``grid_[j]``.
    p0_between_, p1_between_ : numpy.ndarray
        Interval ends for a test score strictly between ``grid_[j - 1]`` and ``grid_[j]``
        (``len(grid_) + 1`` slots, the first below all, the last above all).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> s = rng.normal(size=2000)
    >>> y = (rng.random(2000) < 1 / (1 + np.exp(-s))).astype(int)
    >>> va = VennAbers().fit(s, y)
    >>> p0, p1 = va.predict_interval(np.array([0.0]))
    >>> bool(p0[0] <= 0.5 <= p1[0] and p1[0] - p0[0] < 0.1)
    True
    """

    def __init__(self, resolution: float = 0.01) -> None:
        self.resolution = resolution

    def _keys(self, scores: np.ndarray) -> np.ndarray:
        s = np.asarray(scores, dtype=np.float64)
        if not np.all(np.isfinite(s)):
            raise ValueError("Venn-ABERS rule 'finite scores': got NaN or infinite scores")
        return np.asarray(np.round(s / self.resolution), dtype=np.int64)

    def fit(self, scores: np.ndarray, y: np.ndarray) -> VennAbers:
        """Precompute the interval ends for every slot of the calibration scores."""
        from sklearn.isotonic import isotonic_regression

        if not self.resolution > 0:
            raise ValueError(f"resolution must be > 0, got {self.resolution}")
        labels = check_binary(y, "calibration labels")
        keys = self._keys(scores)
        if keys.shape != labels.shape or keys.size == 0:
            raise ValueError("Venn-ABERS needs one label per score and at least one score")
        grid, inverse = np.unique(keys, return_inverse=True)
        k = grid.size
        weight = np.bincount(inverse, minlength=k).astype(np.float64)
        events = np.bincount(inverse, weights=labels, minlength=k)

        def fitted_at(position: int, w: np.ndarray, e: np.ndarray) -> float:
            fit = isotonic_regression(e / w, sample_weight=w, increasing=True)
            return float(fit[position])

        p0_at = np.empty(k)
        p1_at = np.empty(k)
        for j in range(k):
            w = weight.copy()
            w[j] += 1.0
            e = events.copy()
            p0_at[j] = fitted_at(j, w, e)
            e[j] += 1.0
            p1_at[j] = fitted_at(j, w, e)
        p0_between = np.empty(k + 1)
        p1_between = np.empty(k + 1)
        for j in range(k + 1):
            w = np.insert(weight, j, 1.0)
            p0_between[j] = fitted_at(j, w, np.insert(events, j, 0.0))
            p1_between[j] = fitted_at(j, w, np.insert(events, j, 1.0))
        self.grid_ = grid
        self.p0_at_, self.p1_at_ = p0_at, p1_at
        self.p0_between_, self.p1_between_ = p0_between, p1_between
        return self

    def predict_interval(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(p0, p1)``, the lower and upper Venn-ABERS probabilities per score."""
        keys = self._keys(scores)
        position = np.searchsorted(self.grid_, keys)
        inside = position < self.grid_.size
        at = np.zeros(keys.shape, dtype=bool)
        at[inside] = self.grid_[position[inside]] == keys[inside]
        p0 = np.where(at, self.p0_at_[np.minimum(position, self.grid_.size - 1)], 0.0)
        p1 = np.where(at, self.p1_at_[np.minimum(position, self.grid_.size - 1)], 0.0)
        p0 = np.where(at, p0, self.p0_between_[position])
        p1 = np.where(at, p1, self.p1_between_[position])
        return p0, p1

    def predict_proba(self, scores: np.ndarray) -> np.ndarray:
        """The merged Venn-ABERS probability ``p1 / (1 - p0 + p1)`` (log-loss optimal)."""
        p0, p1 = self.predict_interval(scores)
        return np.asarray(p1 / (1.0 - p0 + p1), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters."""
        return {
            "resolution": self.resolution,
            "grid": self.grid_.tolist(),
            "p0_at": self.p0_at_.tolist(),
            "p1_at": self.p1_at_.tolist(),
            "p0_between": self.p0_between_.tolist(),
            "p1_between": self.p1_between_.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VennAbers:
        """Rebuild from ``to_dict`` output."""
        va = cls(resolution=float(data["resolution"]))
        va.grid_ = np.asarray(data["grid"], dtype=np.int64)
        va.p0_at_ = np.asarray(data["p0_at"], dtype=np.float64)
        va.p1_at_ = np.asarray(data["p1_at"], dtype=np.float64)
        va.p0_between_ = np.asarray(data["p0_between"], dtype=np.float64)
        va.p1_between_ = np.asarray(data["p1_between"], dtype=np.float64)
        return va


class _ScoreColumn(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """A fitted stand-in classifier whose decision function is its single input column.

    Lets scikit-learn's ``CalibratedClassifierCV`` learn the map from log-odds that were
    computed elsewhere (the base model's scores, or its out-of-fold scores when cross-fitting).
    """

    def __init__(self) -> None:
        self.classes_ = np.array([0, 1])

    def fit(self, X: Any, y: Any) -> _ScoreColumn:  # pragma: no cover - always frozen
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        return np.asarray(X, dtype=np.float64)[:, 0]

    def predict(self, X: Any) -> np.ndarray:  # pragma: no cover - required by the API only
        return (self.decision_function(X) > 0).astype(np.int64)


class CalibratedRiskModel(RiskModel):
    """A base risk model plus a calibrator learnt on the calibration period.

    Three ways to give the base model (the ``FrozenEstimator`` pattern of scikit-learn):

    - ``FrozenEstimator(fitted_model)``: ``fit(X_cal, y_cal)`` only learns the calibration map;
      the base is never refitted, also not after ``clone`` (what ``GridSearchCV`` and
      ``cross_val_score`` do), because a ``FrozenEstimator`` clones to itself.
    - a fitted model: used as is, like a frozen one (the library's own calls). ``clone``
      returns an *unfitted* copy of it, which then takes the next route.
    - an unfitted model: ``fit(X, y, groups)`` cross-fits: the calibration map is learnt on
      out-of-fold scores of ``cv`` folds (whole children per fold when ``groups`` are given),
      then a clone of the base is fitted on all rows (scikit-learn's ``ensemble=False``).

    The fitted base actually used is ``base_``; ``base`` is never changed by ``fit``.

    Parameters
    ----------
    base : RiskModel or FrozenEstimator
        A ``LightGBMRiskModel``, ``LogisticRiskModel`` or ``RuleBaseline`` (see above).
    method : {"isotonic", "sigmoid", "venn_abers"}
        Isotonic regression (non-parametric, needs a few thousand calibration rows; its
        extreme blocks can be exactly 0 or 1 when they hold no event or no non-event), Platt's
        sigmoid on the log-odds (two parameters, rank-preserving), or the Venn-ABERS merged
        probability ``p1 / (1 - p0 + p1)`` (isotonic in spirit, never exactly 0 or 1).
    intervals : bool
        Also fit Venn-ABERS intervals (``predict_interval``); always on for ``"venn_abers"``.
    resolution : float
        Rounding of the log-odds for Venn-ABERS.
    cv : int
        Folds for cross-fitting an unfitted base (ignored for a fitted or frozen one).

    Attributes
    ----------
    base_ : RiskModel
        The fitted base model whose log-odds are calibrated.
    thresholds_x_, thresholds_y_ : numpy.ndarray
        Isotonic map (log-odds -> probability), linear between thresholds, clipped outside.
    a_, b_ : float
        Sigmoid map ``p = 1 / (1 + exp(a * s + b))``.
    venn_abers_ : VennAbers or None

    Examples
    --------
    >>> from sklearn.base import clone
    >>> from sklearn.frozen import FrozenEstimator
    >>> from earlysignal.models import LogisticRiskModel
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 2))
    >>> y = (rng.random(2000) < 1 / (1 + np.exp(-(X[:, 0] - 1)))).astype(int)
    >>> base = LogisticRiskModel().fit(X[:1000], y[:1000])
    >>> model = CalibratedRiskModel(base, method="sigmoid").fit(X[1000:], y[1000:])
    >>> p = model.risk(X[:3]); lo, hi = model.predict_interval(X[:3])
    >>> bool(np.all(lo <= hi))
    True
    >>> frozen = clone(CalibratedRiskModel(FrozenEstimator(base), method="sigmoid"))
    >>> bool(np.allclose(frozen.fit(X[1000:], y[1000:]).risk(X[:3]), p))
    True
    """

    def __init__(
        self,
        base: Any = None,
        method: str = "isotonic",
        intervals: bool = True,
        resolution: float = 0.01,
        cv: int = 5,
    ) -> None:
        self.base = base
        self.method = method
        self.intervals = intervals
        self.resolution = resolution
        self.cv = cv

    def _fitted_base(self) -> RiskModel | None:
        """The fitted model inside ``base`` (frozen or fitted), or None when it needs fitting."""
        from sklearn.exceptions import NotFittedError
        from sklearn.frozen import FrozenEstimator
        from sklearn.utils.validation import check_is_fitted

        inner = self.base.estimator if isinstance(self.base, FrozenEstimator) else self.base
        try:
            check_is_fitted(inner)
        except NotFittedError:
            if isinstance(self.base, FrozenEstimator):
                raise
            return None
        return inner  # type: ignore[no-any-return]

    def _cross_fit(
        self, matrix: np.ndarray, labels: np.ndarray, groups: Any
    ) -> tuple[RiskModel, np.ndarray]:
        """Out-of-fold log-odds of a clone of ``base``, and the clone fitted on all rows."""
        from sklearn.base import clone
        from sklearn.model_selection import GroupKFold, StratifiedKFold

        smallest = int(np.bincount(labels, minlength=2).min())
        if groups is not None:
            g = np.asarray(groups)
            n_groups = np.unique(g).size
            folds = min(self.cv, n_groups)
            splitter: Any = GroupKFold(n_splits=folds)
            split_args: tuple[Any, ...] = (matrix, labels, g)
        else:
            folds = min(self.cv, smallest)
            splitter = StratifiedKFold(n_splits=max(folds, 2), shuffle=True, random_state=0)
            split_args = (matrix, labels)
        if folds < 2:
            raise ValueError(
                f"calibration rule 'rows to cross-fit': {smallest} row(s) of the smaller class "
                "(or one child); cross-fitting an unfitted base needs at least 2 per class. Fit "
                "the base on the training period and pass FrozenEstimator(base) instead"
            )
        scores = np.empty(labels.size, dtype=np.float64)
        for train, held in splitter.split(*split_args):
            fold_model = clone(self.base).fit(matrix[train], labels[train])
            scores[held] = fold_model.raw_score(matrix[held])
        full = clone(self.base).fit(matrix, labels)
        return full, scores

    def fit(self, X: Any, y: Any, groups: Any = None) -> CalibratedRiskModel:
        """Learn the calibration map on the calibration period's rows (see the class notes)."""
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.frozen import FrozenEstimator

        if self.method not in _METHODS:
            raise ValueError(
                f"calibration rule 'known method': got method={self.method!r}; use one of "
                f"{', '.join(_METHODS)}"
            )
        if self.base is None:
            raise ValueError("CalibratedRiskModel needs base=<a risk model>")
        base = self._fitted_base()
        if base is not None:
            # The base checks the input and selects a frame's columns by its own names.
            scores = base.raw_score(X)
            labels = self._encode_labels(y, scores.shape[0])
            base_classes = np.asarray(getattr(base, "classes_", np.array([0, 1])))
            if not np.array_equal(self.classes_, base_classes):
                raise ValueError(
                    f"label rule 'same classes as the base': calibration labels "
                    f"{self.classes_.tolist()}, base model {base_classes.tolist()}"
                )
            names = getattr(base, "feature_names_in_", None)
            if names is not None:
                self.feature_names_in_ = np.asarray(names, dtype=object)
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        else:
            matrix, labels = self._validate_fit(X, y)
            base, scores = self._cross_fit(matrix, labels, groups)
        self.base_ = base
        self.n_features_in_ = int(base.n_features_in_)
        if self.method != "venn_abers":
            calibrated = CalibratedClassifierCV(FrozenEstimator(_ScoreColumn()), method=self.method)
            calibrated.fit(scores[:, None], labels)
            calibrator = calibrated.calibrated_classifiers_[0].calibrators[0]
            if self.method == "isotonic":
                self.thresholds_x_ = np.asarray(calibrator.X_thresholds_, dtype=np.float64)
                self.thresholds_y_ = np.asarray(calibrator.y_thresholds_, dtype=np.float64)
            else:
                self.a_ = float(calibrator.a_)
                self.b_ = float(calibrator.b_)
        self.venn_abers_ = (
            VennAbers(resolution=self.resolution).fit(scores, labels)
            if self.intervals or self.method == "venn_abers"
            else None
        )
        self.n_calibration_rows_ = int(labels.size)
        return self

    def raw_score(self, X: Any) -> np.ndarray:
        """The base model's uncalibrated log-odds (what explanations decompose)."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "n_calibration_rows_")
        if getattr(self.base_, "feature_names_in_", None) is None:
            X = self._validate_predict(X)  # a cross-fitted base saw a plain matrix
        return np.asarray(self.base_.raw_score(X), dtype=np.float64)

    def calibrate_scores(self, scores: np.ndarray) -> np.ndarray:
        """Apply the learnt map to base log-odds."""
        s = np.asarray(scores, dtype=np.float64)
        if self.method == "venn_abers":
            assert self.venn_abers_ is not None
            return self.venn_abers_.predict_proba(s)
        if self.method == "isotonic":
            clipped = np.clip(s, self.thresholds_x_[0], self.thresholds_x_[-1])
            return np.asarray(
                np.interp(clipped, self.thresholds_x_, self.thresholds_y_), dtype=np.float64
            )
        return expit(-(self.a_ * s + self.b_))

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds of the *calibrated* risk (so ``predict`` is ``decision_function > 0``).

        ``raw_score`` stays the base model's log-odds, which explanations decompose.
        """
        return logit(self.risk(X))

    def risk(self, X: Any) -> np.ndarray:
        """Calibrated probability of the outcome, one per row."""
        return self.calibrate_scores(self.raw_score(X))

    @property
    def score_to_risk(self) -> str:
        """How the calibrated risk follows the base score, read from the fitted map.

        ``"strictly_increasing"``: every higher score gives a higher risk (sigmoid with
        ``a_ < 0``). ``"steps"``: never lower, but flat over ranges of scores, so a factor can
        raise the score without changing the risk: isotonic (piecewise constant between its
        thresholds where they tie, and always flat beyond the lowest and highest calibration
        score) and Venn-ABERS (one value per rounded score slot, isotonic in each). A sigmoid
        with ``a_ == 0`` is flat (``"steps"``) and one with ``a_ > 0`` (a higher score, a lower
        risk) is ``"not_increasing"``.

        Examples
        --------
        >>> import numpy as np
        >>> from earlysignal.models import LogisticRiskModel
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(2000, 2))
        >>> y = (rng.random(2000) < 1 / (1 + np.exp(-X[:, 0]))).astype(int)
        >>> base = LogisticRiskModel().fit(X[:1000], y[:1000])
        >>> CalibratedRiskModel(base, method="sigmoid").fit(X[1000:], y[1000:]).score_to_risk
        'strictly_increasing'
        >>> CalibratedRiskModel(base, method="isotonic").fit(X[1000:], y[1000:]).score_to_risk
        'steps'
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "n_calibration_rows_")
        if self.method == "sigmoid":
            if self.a_ < 0:
                return "strictly_increasing"
            return "steps" if self.a_ == 0 else "not_increasing"
        return "steps"

    def predict_interval(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """Venn-ABERS lower and upper probabilities per row."""
        if getattr(self, "venn_abers_", None) is None:
            raise ValueError(
                "this calibrated model was fitted with intervals=False: refit with "
                "intervals=True to get Venn-ABERS intervals"
            )
        assert self.venn_abers_ is not None
        return self.venn_abers_.predict_interval(self.raw_score(X))
