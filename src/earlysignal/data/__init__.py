"""Canonical care-history data: the ``CareHistory`` container, reading, writing, validation."""

from earlysignal.data.history import CareHistory, conform

__all__ = ["CareHistory", "conform"]
