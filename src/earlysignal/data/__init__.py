"""Canonical care-history data: the ``CareHistory`` container, reading, writing, validation."""

from earlysignal.data.example import example_history
from earlysignal.data.history import CareHistory, conform
from earlysignal.data.io import load_history, read_folder, write_folder
from earlysignal.data.validate import (
    REPAIRS,
    RULES,
    DataValidationError,
    UnusableInputError,
    ValidationReport,
    repair_history,
    validate_history,
)

__all__ = [
    "REPAIRS",
    "RULES",
    "CareHistory",
    "DataValidationError",
    "UnusableInputError",
    "ValidationReport",
    "conform",
    "example_history",
    "load_history",
    "read_folder",
    "repair_history",
    "validate_history",
    "write_folder",
]
