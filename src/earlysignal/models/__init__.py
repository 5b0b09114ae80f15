"""Risk models with the scikit-learn contract, calibration, intervals and pickle-free persistence.

- ``LightGBMRiskModel``: gradient-boosted trees (the main model).
- ``LogisticRiskModel``: imputation + standardisation + L2 logistic regression (interpretable).
- ``tune_logistic``: the logistic baseline's ``C`` and transform chosen on LightGBM's hold-out.
- ``RuleBaseline``: a probability per cell of a simple rule ("2+ moves in the last year").
- ``CalibratedRiskModel``: a fitted model plus an isotonic or sigmoid calibrator learnt on the
  calibration period, with Venn-ABERS probability intervals (``VennAbers``).
- ``capacity_rule`` / ``CapacityRule``: the decision rule (top share by risk, ties in risk broken
  by the raw score), fixed on the calibration period and applied everywhere rows are flagged.
- ``save_model`` / ``load_model``: text and JSON files with a hash manifest, never pickle.

Every model exposes ``raw_score`` (uncalibrated log-odds), ``risk`` (probability, 1-d),
``predict_proba`` and ``decision_function``. See ``docs/models.md``.

Examples
--------
>>> import numpy as np
>>> from earlysignal.models import LogisticRiskModel, CalibratedRiskModel
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(1000, 2)); y = (rng.random(1000) < 0.3).astype(int)
>>> model = CalibratedRiskModel(LogisticRiskModel().fit(X[:500], y[:500])).fit(X[500:], y[500:])
>>> model.risk(X[:2]).shape
(2,)
"""

from earlysignal.models._base import RiskModel, as_matrix, expit, logit, to_xy
from earlysignal.models.calibration import CalibratedRiskModel, VennAbers
from earlysignal.models.decision import CapacityRule, capacity_rule
from earlysignal.models.gbm import LightGBMRiskModel
from earlysignal.models.logistic import LogisticRiskModel
from earlysignal.models.persistence import (
    ModelIntegrityError,
    load_feature_specs,
    load_model,
    read_manifest,
    save_model,
)
from earlysignal.models.rules import RuleBaseline
from earlysignal.models.tuning import LogisticSearch, tune_logistic

__all__ = [
    "CalibratedRiskModel",
    "CapacityRule",
    "LightGBMRiskModel",
    "LogisticRiskModel",
    "LogisticSearch",
    "ModelIntegrityError",
    "RiskModel",
    "RuleBaseline",
    "VennAbers",
    "as_matrix",
    "capacity_rule",
    "expit",
    "load_feature_specs",
    "load_model",
    "logit",
    "read_manifest",
    "save_model",
    "to_xy",
    "tune_logistic",
]
