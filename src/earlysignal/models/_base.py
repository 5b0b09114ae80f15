"""Shared pieces of the risk models: input conversion and the binary-classifier contract."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl
from sklearn.base import BaseEstimator, ClassifierMixin

__all__ = ["RiskModel", "as_matrix", "expit", "holdout_mask", "logit", "to_xy"]

FloatArray = np.ndarray


def expit(z: np.ndarray) -> np.ndarray:
    """Logistic function, numerically stable, float64.

    Examples
    --------
    >>> float(expit(np.array([0.0]))[0])
    0.5
    """
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def logit(p: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Log-odds of probabilities clipped to ``[eps, 1 - eps]``.

    Examples
    --------
    >>> float(logit(np.array([0.5]))[0])
    0.0
    """
    q = np.clip(np.asarray(p, dtype=np.float64), eps, 1.0 - eps)
    return np.asarray(np.log(q) - np.log1p(-q), dtype=np.float64)


def _column_names(X: Any) -> list[str] | None:
    if isinstance(X, pl.DataFrame):
        return list(X.columns)
    columns = getattr(X, "columns", None)
    if columns is not None and all(isinstance(c, str) for c in columns):
        return [str(c) for c in columns]
    return None


def as_matrix(X: Any, features: Sequence[str] | None = None) -> tuple[np.ndarray, list[str] | None]:
    """Turn a polars/pandas frame or an array into a float64 matrix (nulls become NaN).

    Parameters
    ----------
    X : polars.DataFrame, pandas.DataFrame or array-like of shape (n_rows, n_features)
    features : sequence of str, optional
        Columns to select, in this order (frames only).

    Returns
    -------
    (matrix, names)
        The float64 matrix and the column names (None for an array without names).

    Examples
    --------
    >>> m, names = as_matrix(pl.DataFrame({"a": [1, None], "b": [True, False]}))
    >>> m.tolist(), names
    ([[1.0, 1.0], [nan, 0.0]], ['a', 'b'])
    """
    names = _column_names(X)
    if names is not None:
        if features is not None:
            missing = [f for f in features if f not in names]
            if missing:
                raise ValueError(
                    f"model input rule 'feature columns present': missing {missing[:5]} "
                    f"(of {len(missing)}); build the features with the specs the model was "
                    "fitted on"
                )
            names = list(features)
        frame = X if isinstance(X, pl.DataFrame) else pl.from_pandas(X)
        frame = frame.select(names)
        bad = [c for c, t in frame.schema.items() if not (t.is_numeric() or t == pl.Boolean)]
        if bad:
            raise TypeError(
                f"model input rule 'numeric features': columns {bad[:5]} are not numeric "
                f"(types {[str(frame.schema[c]) for c in bad[:5]]}); encode them as numbers "
                "(e.g. one indicator column per category) before fitting"
            )
        matrix = frame.cast(pl.Float64).to_numpy()
        return np.ascontiguousarray(matrix, dtype=np.float64), names
    matrix = np.asarray(X, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(
            f"model input rule '2-d input': got an array of shape {matrix.shape}; pass "
            "(n_rows, n_features), e.g. x.reshape(-1, 1) for one feature"
        )
    return np.ascontiguousarray(matrix), None


def to_xy(
    frame: pl.DataFrame,
    features: Sequence[str],
    label: str,
    *,
    group_col: str = "child_id",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features matrix, labels and child groups from a features frame.

    Rows with a null label (censored) are refused with the count: exclude them first, as
    ``earlysignal.split.temporal_split`` does.

    Examples
    --------
    >>> f = pl.DataFrame({"child_id": ["a", "b"], "x": [0.5, 1.5], "label_breakdown_180d": [0, 1]})
    >>> X, y, g = to_xy(f, ["x"], "label_breakdown_180d")
    >>> X.shape, y.tolist(), g.tolist()
    ((2, 1), [0, 1], ['a', 'b'])
    """
    if label not in frame.columns:
        raise ValueError(f"no label column {label!r} in the features frame")
    n_null = frame.get_column(label).null_count()
    if n_null:
        raise ValueError(
            f"label rule 'no censored rows in fit or evaluation': {label!r} has {n_null} null "
            "(censored) rows; split with earlysignal.split.temporal_split(label=...), which "
            "excludes and counts them"
        )
    X, _ = as_matrix(frame, features)
    y = frame.get_column(label).cast(pl.Int64).to_numpy()
    groups = frame.get_column(group_col).cast(pl.String).to_numpy()
    return X, y, groups


def holdout_mask(n_rows: int, groups: Any, fraction: float, random_state: int | None) -> np.ndarray:
    """Rows held out for early stopping or tuning: a random ``fraction`` of the children.

    With ``groups`` (child ids) whole children are held out, so that no child is on both sides;
    without, single rows. The same ``n_rows``, ``groups``, ``fraction`` and ``random_state``
    always give the same mask, so every candidate of a search is scored on the same rows.

    Examples
    --------
    >>> m = holdout_mask(6, np.array(["a", "a", "b", "b", "c", "c"]), 0.5, 0)
    >>> bool(np.all(m[0::2] == m[1::2]))
    True
    """
    if not 0 < fraction < 1:
        raise ValueError(f"hold-out rule 'fraction in (0, 1)': got {fraction}")
    rng = np.random.default_rng(random_state)
    if groups is not None:
        g = np.asarray(groups)
        if g.shape[0] != n_rows:
            raise ValueError("groups must have one entry per row of X")
        uniques, inverse = np.unique(g, return_inverse=True)
        held = rng.random(uniques.size) < fraction
        return np.asarray(held[inverse], dtype=bool)
    return np.asarray(rng.random(n_rows) < fraction, dtype=bool)


def check_binary(y: Any, what: str = "y") -> np.ndarray:
    """Validate binary 0/1 labels and return them as an int64 array."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"label rule '1-d labels': {what} has shape {arr.shape}")
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise ValueError(
            f"label rule 'no censored rows': {what} has {int(np.isnan(arr).sum())} missing "
            "labels; exclude censored rows first (temporal_split does and counts them)"
        )
    values = np.unique(arr)
    if not np.isin(values, [0, 1]).all():
        raise ValueError(
            f"label rule 'binary 0/1 labels': {what} has values {values[:5].tolist()}; "
            "encode the outcome as 0/1"
        )
    return arr.astype(np.int64)


class RiskModel(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Base of earlysignal's binary risk models.

    Subclasses implement ``_fit_matrix(X, y)`` and ``raw_score``; this class provides input
    handling (frames or arrays, feature names remembered as ``feature_names_in_``),
    ``decision_function`` (= ``raw_score``, the uncalibrated log-odds), ``predict_proba``,
    ``predict`` and ``risk`` (the probability of the outcome as a 1-d array).
    """

    def __sklearn_tags__(self) -> Any:
        """Binary classifier; NaN allowed (missing features), sparse and multiclass input not."""
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = False
        return tags

    def _check_matrix(self, X: Any, *, reset: bool) -> np.ndarray:
        """Frames through ``as_matrix`` (columns by name), arrays through scikit-learn's checks.

        Infinite values, complex numbers, sparse matrices and empty input are refused with
        scikit-learn's message behind the rule id; NaN (a missing feature) is allowed.
        """
        from sklearn.utils.validation import check_array, validate_data

        names = _column_names(X)
        fitted_names = getattr(self, "feature_names_in_", None)
        try:
            if names is not None:
                wanted = None if reset or fitted_names is None else [str(n) for n in fitted_names]
                matrix, names = as_matrix(X, wanted)
                matrix = check_array(matrix, dtype=np.float64, ensure_all_finite="allow-nan")
                if reset:
                    self.n_features_in_ = matrix.shape[1]
                    self.feature_names_in_ = np.asarray(names, dtype=object)
                elif matrix.shape[1] != self.n_features_in_:
                    raise ValueError(
                        f"X has {matrix.shape[1]} features, but {type(self).__name__} is "
                        f"expecting {self.n_features_in_} features as input"
                    )
            else:
                if reset and hasattr(self, "feature_names_in_"):
                    del self.feature_names_in_
                matrix = validate_data(
                    self,
                    X,
                    reset=reset,
                    dtype=np.float64,
                    ensure_all_finite="allow-nan",
                    accept_sparse=False,
                    skip_check_array=False,
                )
        except TypeError as exc:
            raise TypeError(
                f"model input rule 'dense numeric features': {exc} (earlysignal's models take a "
                "dense float matrix or a frame)"
            ) from exc
        except ValueError as exc:
            if str(exc).startswith(("model input rule", "label rule")):
                raise
            rule = "same features as in fit" if "features as input" in str(exc) else "valid rows"
            raise ValueError(
                f"model input rule '{rule}': {exc} (fix: pass finite numbers or NaN for a missing "
                "value, at least one row, and the columns the model was fitted on)"
            ) from exc
        return np.ascontiguousarray(matrix, dtype=np.float64)

    def _encode_labels(self, y: Any, n_rows: int) -> np.ndarray:
        """Remember ``classes_`` (two sorted labels) and return ``y`` coded as 0/1."""
        from sklearn.utils.multiclass import check_classification_targets
        from sklearn.utils.validation import column_or_1d

        if y is None:
            raise ValueError(
                f"label rule 'labels given': {type(self).__name__} requires y to be passed, but "
                "the target y is None"
            )
        arr = column_or_1d(y, warn=True)
        if arr.dtype.kind == "f" and np.isnan(arr).any():
            raise ValueError(
                f"label rule 'no censored rows': y has {int(np.isnan(arr).sum())} missing "
                "labels; exclude censored rows first (temporal_split does and counts them)"
            )
        check_classification_targets(arr)
        classes, coded = np.unique(arr, return_inverse=True)
        if arr.shape[0] != n_rows:
            raise ValueError(
                f"model input rule 'one label per row': X has {n_rows} rows, y has {arr.shape[0]}"
            )
        if classes.size > 2:
            raise ValueError(
                f"label rule 'binary labels': Only binary classification is supported. The type "
                f"of the target is multiclass: y has {classes.size} classes "
                f"({classes[:5].tolist()}); encode the outcome as 0/1"
            )
        if classes.size < 2:
            raise ValueError(
                f"label rule 'both classes present': every training label is {classes[0]!r} "
                "(only one class); a risk model needs events and non-events (lengthen the "
                "training period)"
            )
        self.classes_ = classes
        return np.asarray(coded, dtype=np.int64).ravel()

    def _validate_fit(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        if y is None:
            self._encode_labels(y, 0)
        matrix = self._check_matrix(X, reset=True)
        labels = self._encode_labels(y, matrix.shape[0])
        return matrix, labels

    def _validate_predict(self, X: Any) -> np.ndarray:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "n_features_in_")
        return self._check_matrix(X, reset=False)

    def raw_score(self, X: Any) -> np.ndarray:
        """Uncalibrated log-odds of the outcome, one per row."""
        raise NotImplementedError  # pragma: no cover - every subclass overrides it

    def decision_function(self, X: Any) -> np.ndarray:
        """Same as ``raw_score`` (scikit-learn's name, used by calibration)."""
        return self.raw_score(X)

    def risk(self, X: Any) -> np.ndarray:
        """Probability of the outcome, one per row (the second column of ``predict_proba``)."""
        return expit(self.raw_score(X))

    @property
    def score_to_risk(self) -> str:
        """How the risk follows the score: ``"strictly_increasing"`` here (risk = expit(score)).

        Calibrated models say ``"steps"`` when a higher score can leave the risk unchanged
        (isotonic, Venn-ABERS); explanations of the score must then not promise a risk change.
        """
        return "strictly_increasing"

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of (no outcome, outcome), shape (n_rows, 2)."""
        p = self.risk(X)
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """``classes_[1]`` where the risk is above 0.5, else ``classes_[0]`` (a convention:
        choose real thresholds by capacity)."""
        classes = getattr(self, "classes_", np.array([0, 1]))
        return np.asarray(classes[(self.risk(X) > 0.5).astype(np.int64)])
