"""Regularised logistic regression, the interpretable baseline."""

from __future__ import annotations

from typing import Any

import numpy as np

from earlysignal.models._base import RiskModel

__all__ = ["LogisticRiskModel", "fit_over_c"]


class LogisticRiskModel(RiskModel):
    """Median imputation, standardisation and L2-penalised logistic regression.

    Fitted as a scikit-learn ``Pipeline`` (``SimpleImputer`` -> ``StandardScaler`` ->
    ``LogisticRegression``); the fitted parameters are then kept as plain arrays
    (``impute_values_``, ``mean_``, ``scale_``, ``coef_``, ``intercept_``) and the score is the
    transparent formula ``((x imputed - mean_) / scale_) @ coef_ + intercept_``. That formula is
    what is saved (JSON) and what the explanation module decomposes, exactly. No class weights
    (see ``docs/models.md``).

    Parameters
    ----------
    C : float
        Inverse L2 penalty strength on the standardised coefficients.
    max_iter : int
        Iterations of the lbfgs solver.
    count_transform : {"none", "log1p"}
        ``"log1p"`` replaces every count or duration column (all training values >= 0 and more
        than two distinct values; 0/1 indicators are left alone) by ``log(1 + x)`` before
        imputation, so that the tenth move adds less log-odds than the first. The columns are
        chosen on the training rows and kept as ``log_columns_``. ``tune_logistic`` chooses
        ``C`` and the transform inside the training period.

    Attributes
    ----------
    log_columns_ : numpy.ndarray of bool
        Columns that ``"log1p"`` transforms (all False for ``"none"``).
    n_iter_ : int
        Solver iterations used.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 2))
    >>> y = (rng.random(500) < 1 / (1 + np.exp(-(X[:, 0] - 1)))).astype(int)
    >>> model = LogisticRiskModel().fit(X, y)
    >>> bool(model.coef_[0] > 0.5 > abs(model.coef_[1]))
    True
    """

    def __init__(self, C: float = 1.0, max_iter: int = 1000, count_transform: str = "none") -> None:
        self.C = C
        self.max_iter = max_iter
        self.count_transform = count_transform

    def transform_matrix(self, matrix: np.ndarray) -> np.ndarray:
        """Apply the fitted ``log1p`` transform to a float matrix (a copy; NaN stays NaN)."""
        out = np.array(matrix, dtype=np.float64, copy=True)
        cols = getattr(self, "log_columns_", None)
        if cols is not None and cols.any():
            # Values below 0 cannot come from a count or duration; clip so log1p stays finite.
            out[:, cols] = np.log1p(np.maximum(out[:, cols], 0.0))
        return out

    def standardise_matrix(self, matrix: np.ndarray) -> np.ndarray:
        """Transform, impute and scale a checked float matrix (what ``coef_`` multiplies)."""
        t = self.transform_matrix(matrix)
        filled = np.where(np.isnan(t), self.impute_values_, t)
        return np.asarray((filled - self.mean_) / self.scale_, dtype=np.float64)

    def fit(self, X: Any, y: Any) -> LogisticRiskModel:
        """Fit on features ``X`` (NaN allowed) and 0/1 labels ``y``."""
        self._check_params()
        matrix, labels = self._validate_fit(X, y)
        self._fit_logistic(self._fit_preprocessing(matrix), labels)
        return self

    def _check_params(self) -> None:
        if self.C <= 0:
            raise ValueError(f"C must be > 0, got {self.C}")
        # Not named ``transform``: scikit-learn takes an estimator with that attribute for a
        # transformer.
        if self.count_transform not in ("none", "log1p"):
            raise ValueError(
                "logistic rule 'known transform': got "
                f"count_transform={self.count_transform!r}; use 'none' or 'log1p'"
            )

    def _fit_preprocessing(self, matrix: np.ndarray) -> np.ndarray:
        """Fit the transform, the imputer and the scaler (they do not depend on ``C``) on a
        checked matrix; return the standardised matrix the logistic regression is fitted on.

        The first two steps of the ``Pipeline`` the model is (``SimpleImputer`` ->
        ``StandardScaler`` -> ``LogisticRegression``), run as ``Pipeline.fit`` runs them.
        """
        from sklearn.impute import SimpleImputer
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler

        self.log_columns_ = np.zeros(matrix.shape[1], dtype=bool)
        if self.count_transform == "log1p":
            for j in range(matrix.shape[1]):
                col = matrix[:, j][~np.isnan(matrix[:, j])]
                self.log_columns_[j] = bool(col.size and col.min() >= 0 and np.unique(col).size > 2)
            matrix = self.transform_matrix(matrix)
        prefix = Pipeline(
            [
                ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                ("scale", StandardScaler()),
            ]
        )
        standardised = np.asarray(prefix.fit_transform(matrix))
        impute = prefix.named_steps["impute"].statistics_
        self.impute_values_ = np.nan_to_num(np.asarray(impute, dtype=np.float64), nan=0.0)
        scaler = prefix.named_steps["scale"]
        self.mean_ = np.asarray(scaler.mean_, dtype=np.float64)
        self.scale_ = np.asarray(scaler.scale_, dtype=np.float64)
        return standardised

    def _fit_logistic(self, standardised: np.ndarray, labels: np.ndarray) -> None:
        """Fit the last step, the L2-penalised logistic regression, on the standardised rows."""
        from sklearn.linear_model import LogisticRegression

        logistic = LogisticRegression(C=self.C, max_iter=self.max_iter).fit(standardised, labels)
        self.coef_ = np.asarray(logistic.coef_[0], dtype=np.float64)
        self.intercept_ = float(logistic.intercept_[0])
        self.n_iter_ = int(np.max(logistic.n_iter_))

    def standardised(self, X: Any) -> np.ndarray:
        """The model's inputs after imputation and scaling (what ``coef_`` multiplies)."""
        return self.standardise_matrix(self._validate_predict(X))

    def raw_score(self, X: Any) -> np.ndarray:
        """Uncalibrated log-odds, one per row.

        Examples
        --------
        >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 1, 0, 1])
        >>> m = LogisticRiskModel().fit(X, y)
        >>> bool(np.all(np.diff(m.raw_score(X)) > 0))
        True
        """
        return np.asarray(self.standardised(X) @ self.coef_ + self.intercept_, dtype=np.float64)


def fit_over_c(
    X: Any, y: Any, C_grid: Any, *, count_transform: str = "none", max_iter: int = 1000
) -> list[LogisticRiskModel]:
    """One :class:`LogisticRiskModel` per ``C`` of ``C_grid`` on the same rows.

    Each equals ``LogisticRiskModel(C=C, count_transform=..., max_iter=...).fit(X, y)``: the
    transform, the median imputer and the scaler do not depend on ``C``, so they are fitted
    once and only the logistic regression is fitted per ``C`` (the imputer's median over
    missing values is most of a fit's time; ``tune_logistic`` fits three ``C`` per transform).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 3)); X[::7, 1] = np.nan
    >>> y = (rng.random(400) < 1 / (1 + np.exp(-X[:, 0]))).astype(int)
    >>> models = fit_over_c(X, y, (0.1, 1.0))
    >>> alone = LogisticRiskModel(C=1.0).fit(X, y)
    >>> bool(np.array_equal(models[1].coef_, alone.coef_))
    True
    """
    models = [
        LogisticRiskModel(C=C, max_iter=max_iter, count_transform=count_transform) for C in C_grid
    ]
    if not models:
        return []
    for model in models:
        model._check_params()
    first = models[0]
    matrix, labels = first._validate_fit(X, y)
    standardised = first._fit_preprocessing(matrix)
    for model in models:
        if model is not first:
            model._validate_fit(X, y)
            for name in ("log_columns_", "impute_values_", "mean_", "scale_"):
                setattr(model, name, getattr(first, name))
        model._fit_logistic(standardised, labels)
    return models
