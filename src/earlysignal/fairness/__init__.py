"""Fairness audit: calibration and error rates by group, with intervals, the oracle's values,
a calibration-gap test and disclosure control (see ``docs/fairness.md``).

Examples
--------
>>> from earlysignal.fairness import AuditSpec
>>> AuditSpec(attributes=("sex", "origin")).combos()
[('sex',), ('origin',), ('sex', 'origin')]
"""

from earlysignal.fairness.audit import COUNTS, METRICS, ROW_COUNTS, AuditResult, AuditSpec, audit
from earlysignal.fairness.plots import plot_gaps, plot_metric

__all__ = [
    "COUNTS",
    "METRICS",
    "ROW_COUNTS",
    "AuditResult",
    "AuditSpec",
    "audit",
    "plot_gaps",
    "plot_metric",
]
