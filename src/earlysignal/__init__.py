"""earlysignal: early signals of placement breakdown and the placement carousel.

Public names are imported lazily so that ``import earlysignal`` stays fast; heavy libraries
(mlflow, shap, matplotlib, lightgbm) are only imported by the functions that need them.

Examples
--------
>>> import earlysignal
>>> earlysignal.Setting.RESIDENTIAL.value
'residential'
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "CareHistory": "earlysignal.data",
    "DataValidationError": "earlysignal.data",
    "ValidationReport": "earlysignal.data",
    "read_folder": "earlysignal.data",
    "load_history": "earlysignal.data",
    "validate_history": "earlysignal.data",
    "repair_history": "earlysignal.data",
    "Setting": "earlysignal.schema",
    "EndReason": "earlysignal.schema",
    "import_ssda903": "earlysignal.sources",
    "stability_indicators": "earlysignal.indicators.report",
    "simulate": "earlysignal.synth",
    "oracle_risk": "earlysignal.synth",
    "build_features": "earlysignal.features",
    "default_specs": "earlysignal.features",
    "prediction_times": "earlysignal.cohort",
}

__all__ = [  # noqa: PLE0604 (the lazy names are strings, listed once in _LAZY)
    "__version__",
    *sorted(_LAZY),
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'earlysignal' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
