"""The MLflow ``pyfunc`` model of an earlysignal risk model, logged as "models from code".

MLflow loads this file (copied into the logged model) and takes the object passed to
``mlflow.models.set_model``: no pickle is written or read. ``load_context`` loads the saved
model folder (LightGBM text model, calibrator JSON, feature specs, SHA-256 manifest) with
:func:`earlysignal.models.load_model`, which refuses files changed since saving.

``predict`` takes a table with one column per model feature (NaN where not recorded) and
returns ``risk``, ``risk_lower`` and ``risk_upper`` (the Venn-ABERS interval; NaN without one).
The loaded model also holds the feature specs and the study's recorded vocabulary (the event
kinds and status values that got features, ``unwrap_python_model().vocabulary``): features
for it must be built with those (``earlysignal score`` does, and refuses other vocabularies).
"""

from __future__ import annotations

from typing import Any

import mlflow
from mlflow.pyfunc.model import PythonModel

ARTIFACT_KEY = "risk_model"
"""The key of the saved model folder among the logged model's artifacts."""


class EarlySignalRiskModel(PythonModel):  # type: ignore[misc]
    """Calibrated risk with its Venn-ABERS interval from a saved earlysignal model folder."""

    def load_context(self, context: Any) -> None:
        """Load the model folder (hashes checked), its feature specs and vocabulary."""
        import json
        from pathlib import Path

        from earlysignal.models import load_model, read_manifest
        from earlysignal.scoring.model_ref import decode_specs
        from earlysignal.scoring.vocabulary import model_vocabulary

        folder = context.artifacts[ARTIFACT_KEY]
        self.model = load_model(folder)
        manifest = read_manifest(folder)
        self.feature_names = list(manifest["feature_names"])
        specs_file = Path(folder) / "features.json"
        self.specs = (
            decode_specs(json.loads(specs_file.read_text(encoding="utf-8")))
            if specs_file.is_file()
            else ()
        )
        # the event kinds and status values the study gave features (recorded with the run):
        # what the caller's features must be built with (earlysignal.scoring.vocabulary)
        self.vocabulary = model_vocabulary(self.specs, manifest.get("metadata", {}))

    def predict(self, context, model_input, params=None):  # type: ignore[no-untyped-def]
        """Risk, lower and upper bound for each row of ``model_input``."""
        import numpy as np
        import pandas as pd

        missing = [n for n in self.feature_names if n not in model_input.columns]
        if missing:
            raise ValueError(
                f"earlysignal pyfunc rule 'model features present': the input lacks {missing}; "
                "send one column per model feature (NaN where not recorded)"
            )
        x = model_input[self.feature_names].astype("float64").to_numpy()
        risk = np.asarray(self.model.risk(x), dtype=np.float64)
        lower = upper = np.full(len(risk), np.nan)
        if getattr(self.model, "venn_abers_", None) is not None:
            lo, hi = self.model.predict_interval(x)
            lower, upper = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
        return pd.DataFrame({"risk": risk, "risk_lower": lower, "risk_upper": upper})


mlflow.models.set_model(EarlySignalRiskModel())
