"""Gradient-boosted trees (LightGBM) as an earlysignal risk model."""

from __future__ import annotations

from typing import Any

import numpy as np

from earlysignal.models._base import RiskModel, check_binary, holdout_mask

__all__ = ["LightGBMRiskModel"]


class LightGBMRiskModel(RiskModel):
    """LightGBM binary model with the scikit-learn estimator contract.

    Trained with the plain binary log loss and no class weights: weights would distort the
    probabilities, and calibration on a held-out period is what makes a 30 % mean 30 % (see
    ``docs/models.md``). Missing values (NaN) are handled natively by LightGBM.

    Parameters
    ----------
    n_estimators : int
        Boosting rounds (the maximum when early stopping is on).
    learning_rate, num_leaves, max_depth, min_child_samples, subsample, colsample_bytree,
    reg_lambda : LightGBM's usual tree parameters.
    early_stopping_rounds : int or None
        When set, ``validation_fraction`` of the children (``groups`` in ``fit``; rows when no
        groups are given) is held out and boosting stops when its log loss has not improved
        for this many rounds.
    validation_fraction : float
        Share held out for early stopping.
    n_jobs : int
        Threads for training and scoring. On a machine shared with other busy processes use 1:
        LightGBM's OpenMP threads wait on each other at every step and can be hundreds of times
        slower when a core is taken (measured: 4.4 s against 0.02 s for 40 small trees).
    random_state : int
        Seed (bagging, feature sampling and the early-stopping hold-out).

    Attributes
    ----------
    booster_ : lightgbm.Booster
        The fitted booster, truncated to ``n_trees_`` iterations.
    n_trees_ : int
        Boosting rounds kept.
    validation_loss_ : float or None
        Log loss on the early-stopping hold-out at the kept round (None without early
        stopping); comparable across parameter settings with the same ``random_state`` and
        ``groups``, so usable for tuning inside the training period.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 3))
    >>> y = (rng.random(400) < 1 / (1 + np.exp(-2 * X[:, 0]))).astype(int)
    >>> model = LightGBMRiskModel(n_estimators=20, min_child_samples=10, n_jobs=1).fit(X, y)
    >>> model.predict_proba(X[:2]).shape
    (2, 2)
    """

    def __init__(
        self,
        *,
        n_estimators: int = 400,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        max_depth: int = -1,
        min_child_samples: int = 100,
        subsample: float = 0.8,
        colsample_bytree: float = 0.8,
        reg_lambda: float = 1.0,
        early_stopping_rounds: int | None = None,
        validation_fraction: float = 0.15,
        n_jobs: int = 2,
        random_state: int = 0,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_lambda = reg_lambda
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _lgb_params(self) -> dict[str, Any]:
        return {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "max_depth": self.max_depth,
            "min_data_in_leaf": self.min_child_samples,
            "bagging_fraction": self.subsample,
            "bagging_freq": 1 if self.subsample < 1 else 0,
            "feature_fraction": self.colsample_bytree,
            "lambda_l2": self.reg_lambda,
            "num_threads": self.n_jobs,
            "seed": self.random_state,
            "deterministic": True,
            "force_row_wise": True,
            "verbosity": -1,
        }

    def fit(self, X: Any, y: Any, groups: Any = None) -> LightGBMRiskModel:
        """Fit on features ``X`` and 0/1 labels ``y`` (``groups``: child ids, optional)."""
        import lightgbm as lgb

        if self.n_estimators < 1:
            raise ValueError(f"n_estimators must be >= 1, got {self.n_estimators}")
        matrix, labels = self._validate_fit(X, y)
        names = (
            [str(n) for n in self.feature_names_in_]
            if hasattr(self, "feature_names_in_")
            else [f"x{i}" for i in range(matrix.shape[1])]
        )
        params = self._lgb_params()
        validation_loss: float | None = None
        if self.early_stopping_rounds is None:
            train = lgb.Dataset(matrix, labels, feature_name=names, free_raw_data=True)
            booster = lgb.train(params, train, num_boost_round=self.n_estimators)
            n_trees = booster.current_iteration()
        else:
            valid_mask = holdout_mask(
                labels.size, groups, self.validation_fraction, self.random_state
            )
            check_binary(labels[valid_mask], "early-stopping labels")
            train = lgb.Dataset(matrix[~valid_mask], labels[~valid_mask], feature_name=names)
            valid = lgb.Dataset(matrix[valid_mask], labels[valid_mask], reference=train)
            booster = lgb.train(
                {**params, "metric": "binary_logloss"},
                train,
                num_boost_round=self.n_estimators,
                valid_sets=[valid],
                callbacks=[lgb.early_stopping(self.early_stopping_rounds, verbose=False)],
            )
            n_trees = booster.best_iteration or booster.current_iteration()
            validation_loss = float(booster.best_score["valid_0"]["binary_logloss"])
        # Keep exactly the trees used for scoring, so that the saved text model is the model.
        self.booster_ = lgb.Booster(model_str=booster.model_to_string(num_iteration=n_trees))
        self.n_trees_ = int(n_trees)
        self.validation_loss_ = validation_loss
        return self

    def raw_score(self, X: Any) -> np.ndarray:
        """Uncalibrated log-odds (LightGBM's raw score), one per row.

        Examples
        --------
        >>> rng = np.random.default_rng(1)
        >>> X = rng.normal(size=(300, 2)); y = (X[:, 0] > 0).astype(int)
        >>> m = LightGBMRiskModel(n_estimators=5, min_child_samples=5, n_jobs=1).fit(X, y)
        >>> bool(m.raw_score(np.array([[2.0, 0.0]]))[0] > m.raw_score(np.array([[-2.0, 0.0]]))[0])
        True
        """
        matrix = self._validate_predict(X)
        scores = self.booster_.predict(matrix, raw_score=True, num_threads=self.n_jobs)
        return np.asarray(scores, dtype=np.float64)
