"""Stop rules as data, and their verdicts: holds, breached, or not yet measurable.

A rule names a metric, its bounds, whether the estimate or the whole interval decides, the
minimum number of matured events, the outcome delay and the population it is judged on. The
rules live in the experiment config (``[monitoring] stop_rules``), travel with the model (its
manifest) and the card (``card["monitoring"]["stop_rules"]``), and ``earlysignal monitor``
judges them.

**The feedback loop.** Once a model is used, flagged children get support; if support works,
their breakdowns fall, observed/expected falls among the flagged and the model looks
miscalibrated because it succeeded. A rule therefore judges, by default, on the children the
model did **not** flag (``judge_on = "unflagged"``): their care was not changed by the signal, so
their outcomes still test the model's calibration. The price: the unflagged span a narrower
risk range, so slope intervals are wider and AUROC is lower there (AUROC rules should use
``judge_on = "all"`` and be read with the loop in mind).

**Interval or estimate.** ``decide_by = "interval"`` (default) breaches only when the whole
interval lies outside the bounds (evidence of a breach), holds when the estimate is inside;
an estimate outside with an interval overlapping the bounds is reported as ``holds`` with the
note ``uncertain``. ``decide_by = "estimate"`` breaches as soon as the estimate leaves.

Examples
--------
>>> rule = StopRule("calibration_slope", lower=0.8, upper=1.2)
>>> judge(rule, estimate=0.6, lower=0.5, upper=0.7, events=200)
'breached'
>>> judge(rule, estimate=0.75, lower=0.6, upper=0.9, events=200)
'holds'
>>> judge(rule, estimate=0.6, lower=0.5, upper=0.7, events=10)
'not yet measurable'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "BREACHED",
    "DEFAULT_STOP_RULES",
    "HOLDS",
    "NOT_MEASURABLE",
    "StopRule",
    "judge",
    "rules_from",
]

HOLDS = "holds"
BREACHED = "breached"
NOT_MEASURABLE = "not yet measurable"

METRICS = ("calibration_slope", "calibration_in_the_large", "subgroup_oe", "auroc")


@dataclass(frozen=True)
class StopRule:
    """One stop rule (see the module docs)."""

    metric: str
    lower: float | None = None
    upper: float | None = None
    decide_by: str = "interval"
    min_events: int = 100
    outcome_delay_days: int | None = None
    judge_on: str = "unflagged"

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise ValueError(f"stop rule metric {self.metric!r} unknown; allowed: {METRICS}")
        if self.decide_by not in ("estimate", "interval"):
            raise ValueError(f"stop rule decide_by {self.decide_by!r}: 'estimate' or 'interval'")
        if self.judge_on not in ("unflagged", "all"):
            raise ValueError(f"stop rule judge_on {self.judge_on!r}: 'unflagged' or 'all'")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


DEFAULT_STOP_RULES: tuple[StopRule, ...] = (
    StopRule("calibration_slope", lower=0.8, upper=1.2),
    StopRule("subgroup_oe", lower=0.8, upper=1.25),
)
"""The card's promise: slope in [0.8, 1.2], every subgroup's O/E in [0.8, 1.25], each judged on
its interval once 100 events have matured (``earlysignal.card.board.stop_rules``)."""


def rules_from(data: Sequence[Mapping[str, Any]] | None) -> tuple[StopRule, ...]:
    """Stop rules from their JSON form (card or manifest); the defaults when there are none."""
    if not data:
        return DEFAULT_STOP_RULES
    return tuple(StopRule(**{k: v for k, v in dict(r).items()}) for r in data)


def _outside(value: float, rule: StopRule) -> bool:
    return (rule.lower is not None and value < rule.lower) or (
        rule.upper is not None and value > rule.upper
    )


def judge(
    rule: StopRule,
    *,
    estimate: float | None,
    lower: float | None,
    upper: float | None,
    events: int,
) -> str:
    """The verdict of one measured value: ``holds``, ``breached`` or ``not yet measurable``."""
    import math

    if events < rule.min_events or estimate is None or math.isnan(estimate):
        return NOT_MEASURABLE
    if rule.decide_by == "estimate":
        return BREACHED if _outside(estimate, rule) else HOLDS
    if lower is None or upper is None or math.isnan(lower) or math.isnan(upper):
        return NOT_MEASURABLE
    below = rule.lower is not None and upper < rule.lower
    above = rule.upper is not None and lower > rule.upper
    return BREACHED if below or above else HOLDS
