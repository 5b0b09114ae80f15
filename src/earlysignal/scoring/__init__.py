"""From study to signal: the model as an MLflow model, and scoring today's children.

Examples
--------
>>> from earlysignal.scoring import LOGGED_MODEL_NAME
>>> LOGGED_MODEL_NAME
'risk_model'
"""

from earlysignal.scoring.mlflow_model import (
    LOGGED_MODEL_NAME,
    OUTPUT_COLUMNS,
    log_model_of_run,
    log_risk_model,
    model_signature,
    synthetic_input_example,
)
from earlysignal.scoring.model_ref import LoadedModel, ScoringError, load_scoring_model
from earlysignal.scoring.score import ScoreResult, score

__all__ = [
    "LOGGED_MODEL_NAME",
    "OUTPUT_COLUMNS",
    "LoadedModel",
    "ScoreResult",
    "ScoringError",
    "load_scoring_model",
    "log_model_of_run",
    "log_risk_model",
    "model_signature",
    "score",
    "synthetic_input_example",
]
