"""Monitoring a model in use: drift, calibration on matured outcomes, stop-rule verdicts.

Examples
--------
>>> from earlysignal.monitoring import DEFAULT_STOP_RULES
>>> [(r.metric, r.lower, r.upper) for r in DEFAULT_STOP_RULES]
[('calibration_slope', 0.8, 1.2), ('subgroup_oe', 0.8, 1.25)]
"""

from earlysignal.monitoring.drift import drift_table, profile, profiles, psi
from earlysignal.monitoring.monitor import MonitorResult, monitor
from earlysignal.monitoring.rules import DEFAULT_STOP_RULES, StopRule, judge, rules_from

__all__ = [
    "DEFAULT_STOP_RULES",
    "MonitorResult",
    "StopRule",
    "drift_table",
    "judge",
    "monitor",
    "profile",
    "profiles",
    "psi",
    "rules_from",
]
