"""Per-row contributions to a risk model's *uncalibrated* log-odds.

* LightGBM (``LightGBMRiskModel``, ``lightgbm.Booster``, ``LGBMClassifier``): path-dependent
  TreeSHAP, the values of LightGBM's ``predict(X, pred_contrib=True)`` and of shap's
  ``TreeExplainer`` (which hands LightGBM models to that same call). By default
  (``method="auto"``) they come from :mod:`earlysignal.explain.treeshap`, an exact
  implementation with precomputed tables, 20-55x faster (``docs/performance.md``); trees it
  cannot take, and models such as multi-output ones, are left to LightGBM's ``pred_contrib``.
* Logistic models (``LogisticRiskModel``, a scikit-learn ``Pipeline`` ending in
  ``LogisticRegression``, or a bare ``LogisticRegression``): exact, ``coef_j * (z_j - b_j)`` on
  the model's own (imputed, standardised) inputs ``z`` with baseline ``b`` (the training mean,
  which is 0 after standardisation, or the mean of a background sample).

For every row, ``base_value + sum(contributions) == raw log-odds``. A calibrated model
(``CalibratedRiskModel``) is explained through its base model: the calibrator maps the log-odds
to a probability on top, never downwards for isotonic and Venn-ABERS but in steps (a factor can
raise the score without changing the risk; ``model.score_to_risk`` says which), so the
contributions rank and sign what drives the score and do not add up to the calibrated
probability.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl

__all__ = ["Contributions", "contributions", "feature_matrix", "model_feature_names"]


@dataclass(frozen=True)
class Contributions:
    """Contributions of each feature to each row's raw log-odds.

    Attributes
    ----------
    values
        ``(n_rows, n_features)`` contributions in log-odds.
    base_values
        ``(n_rows,)`` the model's expected log-odds (the same for every row).
    data
        ``(n_rows, n_features)`` the feature values explained (NaN for missing).
    feature_names
        Column names, in the model's order.
    method
        ``"treeshap"`` (path-dependent TreeSHAP of a LightGBM model) or ``"linear"`` (exact
        logistic).
    calibrated
        Whether the model explained sits under a calibrator (the contributions then explain
        the base model's log-odds, not the calibrated probability).
    implementation
        How the values were computed: for ``"treeshap"``, ``"fast"``
        (:mod:`earlysignal.explain.treeshap`), ``"native"`` (LightGBM's ``pred_contrib``) or
        ``"fast+native"`` (some trees each way; the same values); ``"exact"`` for
        ``"linear"``; ``None`` when not recorded.
    """

    values: np.ndarray
    base_values: np.ndarray
    data: np.ndarray
    feature_names: tuple[str, ...]
    method: str
    calibrated: bool = False
    implementation: str | None = None

    @property
    def raw_score(self) -> np.ndarray:
        """Base value plus the row's contributions: the model's raw log-odds."""
        return np.asarray(self.base_values + self.values.sum(axis=1), dtype=np.float64)

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def to_shap(self) -> Any:
        """The same numbers as a ``shap.Explanation`` (for shap's plots).

        Examples
        --------
        >>> import numpy as np
        >>> c = Contributions(np.ones((2, 1)), np.zeros(2), np.ones((2, 1)), ("x",), "linear")
        >>> c.to_shap().values.shape
        (2, 1)
        """
        import shap

        return shap.Explanation(
            values=self.values,
            base_values=self.base_values,
            data=self.data,
            feature_names=list(self.feature_names),
            output_names="log-odds (uncalibrated)",
        )

    def to_frame(self, ids: pl.DataFrame | None = None) -> pl.DataFrame:
        """Long, tidy frame: ``row``, (the ``ids`` columns), ``feature``, ``value``,
        ``contribution``; one row per (row, feature).

        Examples
        --------
        >>> import numpy as np
        >>> c = Contributions(np.array([[0.5, -0.2]]), np.zeros(1), np.array([[3.0, 1.0]]),
        ...                   ("moves_365d", "age_years"), "linear")
        >>> c.to_frame().columns
        ['row', 'feature', 'value', 'contribution']
        """
        n, p = self.values.shape
        frame = pl.DataFrame(
            {
                "row": np.repeat(np.arange(n, dtype=np.int64), p),
                "feature": np.tile(np.asarray(self.feature_names, dtype=object), n).astype(str),
                "value": self.data.reshape(-1).astype(np.float64),
                "contribution": self.values.reshape(-1).astype(np.float64),
            }
        )
        if ids is not None:
            if ids.height != n:
                raise ValueError(
                    f"Contributions.to_frame: ids has {ids.height} rows, the contributions {n}"
                )
            frame = frame.join(
                ids.with_row_index("row").with_columns(pl.col("row").cast(pl.Int64)),
                on="row",
                how="left",
                maintain_order="left",
            ).select("row", *ids.columns, "feature", "value", "contribution")
        return frame


def model_feature_names(model: Any) -> list[str] | None:
    """The feature names a fitted model expects, in order (``None`` when it has none).

    Examples
    --------
    >>> model_feature_names(object()) is None
    True
    """
    for attr in ("feature_names_in_",):
        names = getattr(model, attr, None)
        if names is not None:
            return [str(n) for n in names]
    base = getattr(model, "base", None)
    if base is not None and base is not model:
        return model_feature_names(base)
    booster = _booster(model)
    if booster is not None:
        return [str(n) for n in booster.feature_name()]
    return None


def feature_matrix(X: Any, names: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    """A float64 matrix of ``X`` in the order of ``names`` (columns selected by name when ``X``
    is a frame), and the names used.

    Examples
    --------
    >>> import polars as pl
    >>> m, n = feature_matrix(pl.DataFrame({"b": [1], "a": [2], "id": ["x"]}), ["a", "b"])
    >>> m.tolist(), n
    ([[2.0, 1.0]], ['a', 'b'])
    """
    if isinstance(X, pl.DataFrame):
        cols = list(names) if names is not None else X.columns
        missing = [c for c in cols if c not in X.columns]
        if missing:
            raise KeyError(
                f"explain: the frame lacks the model's feature columns {missing[:5]}; pass the "
                "same feature columns the model was fitted on"
            )
        matrix = X.select([pl.col(c).cast(pl.Float64) for c in cols]).to_numpy()
        return np.asarray(matrix, dtype=np.float64), cols
    if hasattr(X, "columns") and hasattr(X, "to_numpy"):  # pandas
        cols = list(names) if names is not None else [str(c) for c in X.columns]
        return np.asarray(X[cols].to_numpy(dtype=np.float64), dtype=np.float64), cols
    matrix = np.asarray(X, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"explain: X must be 2-d, got shape {matrix.shape}")
    cols = list(names) if names is not None else [f"x{i}" for i in range(matrix.shape[1])]
    if len(cols) != matrix.shape[1]:
        raise ValueError(
            f"explain: X has {matrix.shape[1]} columns but the model has {len(cols)} features"
        )
    return matrix, cols


def _booster(model: Any) -> Any:
    try:
        import lightgbm as lgb
    except ImportError:  # pragma: no cover - lightgbm is a dependency
        return None
    if isinstance(model, lgb.Booster):
        return model
    booster = getattr(model, "booster_", None)
    if isinstance(booster, lgb.Booster):
        return booster
    return None


def _unwrap(model: Any) -> tuple[Any, bool]:
    """The model whose log-odds are explained, and whether a calibrator sat on top."""
    calibrated = False
    while hasattr(model, "calibrate_scores") and getattr(model, "base", None) is not None:
        model = getattr(model, "base_", model.base)
        calibrated = True
    return model, calibrated


def _linear_parts(model: Any, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, float] | None:
    """(z, coef, intercept) for logistic models, where ``z`` are the model's own inputs."""
    if all(hasattr(model, a) for a in ("coef_", "mean_", "scale_", "impute_values_")):
        if hasattr(model, "standardise_matrix"):  # LogisticRiskModel (with its log1p columns)
            z = model.standardise_matrix(matrix)
        else:
            filled = np.where(np.isnan(matrix), model.impute_values_, matrix)
            z = (filled - model.mean_) / model.scale_
        return z, np.asarray(model.coef_, dtype=np.float64).ravel(), float(model.intercept_)
    steps = getattr(model, "steps", None)
    if steps is not None:
        final = steps[-1][1]
        if hasattr(final, "coef_"):
            z = matrix
            for _, step in steps[:-1]:
                if step is None or step == "passthrough":
                    continue
                z = step.transform(z)
            coef = np.asarray(final.coef_, dtype=np.float64)
            if coef.shape[0] != 1:
                raise ValueError("explain: only binary logistic models are supported")
            return np.asarray(z, dtype=np.float64), coef[0], float(np.ravel(final.intercept_)[0])
    if hasattr(model, "coef_") and hasattr(model, "intercept_"):
        coef = np.asarray(model.coef_, dtype=np.float64)
        return matrix, coef.reshape(-1), float(np.ravel(model.intercept_)[0])
    return None


def _treeshap(
    booster: Any, matrix: np.ndarray, method: str, n_jobs: int, max_unique_depth: int | None = None
) -> tuple[np.ndarray, str]:
    """TreeSHAP values (LightGBM's ``pred_contrib`` layout) and the implementation used."""
    from earlysignal.explain import treeshap

    depth = treeshap.DEFAULT_MAX_UNIQUE_DEPTH if max_unique_depth is None else max_unique_depth

    if method not in ("auto", "fast", "native"):
        raise ValueError(f"explain: method must be 'auto', 'fast' or 'native', got {method!r}")
    if method != "native":
        try:
            prepared = treeshap.prepare(booster, max_unique_depth=depth)
        except treeshap.UnsupportedModelError:
            if method == "fast":
                raise
        else:
            values = treeshap.shap_values(
                booster, matrix, n_jobs=n_jobs, prepared=prepared, allow_native=method == "auto"
            )
            return values, prepared.implementation
    native = booster.predict(matrix, pred_contrib=True, num_threads=n_jobs)
    return np.asarray(native, dtype=np.float64), "native"


def contributions(
    model: Any,
    X: Any,
    *,
    feature_names: Sequence[str] | None = None,
    background: Any = None,
    n_jobs: int = 2,
    method: Literal["auto", "fast", "native"] = "auto",
    max_unique_depth: int | None = None,
) -> Contributions:
    """Explain each row's raw log-odds as a base value plus one contribution per feature.

    Parameters
    ----------
    model
        A fitted ``LightGBMRiskModel``, ``LogisticRiskModel`` or ``CalibratedRiskModel`` over
        either; a ``lightgbm.Booster`` or ``LGBMClassifier``; a scikit-learn ``Pipeline``
        ending in ``LogisticRegression``, or a ``LogisticRegression``.
    X
        Feature rows: a polars frame (feature columns selected by the model's names, so key
        and label columns may stay in), a pandas frame or a 2-d array.
    feature_names
        Override the model's feature names (arrays only).
    background
        Logistic models only: rows whose mean input is the baseline (default: the training
        mean for standardised models, zero otherwise).
    n_jobs
        Threads (for the fast TreeSHAP and for LightGBM).
    method
        LightGBM models only, which TreeSHAP implementation: ``"auto"`` (default) the fast one
        for every tree it supports and LightGBM's ``pred_contrib`` for the rest (or for the
        whole model when it supports none of it); ``"fast"`` the fast one only (raises
        :class:`earlysignal.explain.treeshap.UnsupportedModelError` otherwise); ``"native"``
        LightGBM's only. The values agree to rounding (1e-12 in the tests).
    max_unique_depth
        LightGBM models, fast TreeSHAP only: trees with a path of more unique features go to
        LightGBM's ``pred_contrib`` (default
        :data:`~earlysignal.explain.treeshap.DEFAULT_MAX_UNIQUE_DEPTH`). A higher limit keeps
        deep trees in the fast kernel for more memory (``2^d x d`` floats per leaf, the total
        still capped by ``max_table_bytes``): scoring passes 16, as LightGBM costs 17 to 25
        times more per row (``docs/scoring.md``).

    Returns
    -------
    Contributions
        ``values`` add up, with ``base_values``, to the model's raw log-odds for every row.

    Examples
    --------
    >>> import numpy as np
    >>> from earlysignal.models import LogisticRiskModel
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 3)); y = (X[:, 0] + rng.normal(size=300) > 0).astype(int)
    >>> m = LogisticRiskModel().fit(X, y)
    >>> c = contributions(m, X[:5])
    >>> bool(np.allclose(c.raw_score, m.raw_score(X[:5])))
    True
    """
    inner, calibrated = _unwrap(model)
    names = list(feature_names) if feature_names is not None else model_feature_names(inner)
    matrix, cols = feature_matrix(X, names)
    booster = _booster(inner)
    if booster is not None:
        if matrix.shape[1] != booster.num_feature():
            raise ValueError(
                f"explain: X has {matrix.shape[1]} feature columns, the LightGBM model "
                f"{booster.num_feature()}"
            )
        out, implementation = _treeshap(booster, matrix, method, n_jobs, max_unique_depth)
        if out.shape[1] != matrix.shape[1] + 1:
            raise ValueError("explain: only binary (single-output) LightGBM models are supported")
        return Contributions(
            values=out[:, :-1],
            base_values=out[:, -1].copy(),
            data=matrix,
            feature_names=tuple(cols),
            method="treeshap",
            calibrated=calibrated,
            implementation=implementation,
        )
    if method != "auto":
        raise ValueError(
            f"explain: method={method!r} chooses a TreeSHAP implementation and applies to "
            f"LightGBM models only, not a {type(inner).__name__}"
        )
    parts = _linear_parts(inner, matrix)
    if parts is None:
        raise TypeError(
            f"explain: cannot explain a {type(inner).__name__}; pass a LightGBM model "
            "(LightGBMRiskModel, Booster, LGBMClassifier) or a logistic model "
            "(LogisticRiskModel, Pipeline ending in LogisticRegression)"
        )
    z, coef, intercept = parts
    if z.shape[1] != coef.shape[0]:
        raise ValueError(
            f"explain: the logistic model's inputs have {z.shape[1]} columns after its "
            f"transforms but {coef.shape[0]} coefficients"
        )
    if background is not None:
        bg, _ = feature_matrix(background, cols)
        bz = _linear_parts(inner, bg)
        assert bz is not None
        baseline = bz[0].mean(axis=0)
    else:
        baseline = np.zeros(coef.shape[0])
    if z.shape[1] != matrix.shape[1]:
        raise ValueError(
            "explain: the logistic pipeline changes the number of columns "
            f"({matrix.shape[1]} -> {z.shape[1]}); exact contributions need one input per feature"
        )
    values = (z - baseline) * coef
    base = np.full(matrix.shape[0], intercept + float(baseline @ coef))
    return Contributions(
        values=np.asarray(values, dtype=np.float64),
        base_values=base,
        data=matrix,
        feature_names=tuple(cols),
        method="linear",
        calibrated=calibrated,
        implementation="exact",
    )
