"""Honest evaluation: metrics with child-clustered bootstrap intervals, oracle gaps, plots.

- ``evaluate(y, p, groups, oracle=..., baselines=...)``: the tidy table of every metric with its
  95 % interval (see ``EVALUATION_SCHEMA``).
- ``earlysignal.evaluate.metrics``: the metric functions (weighted, batched over replicates).
- ``reliability_table``, ``decision_curve``: the data behind the plots.
- ``plot_reliability``, ``plot_decision_curve``, ``plot_roc_pr``, ``plot_risk_distribution``:
  matplotlib figures (matplotlib is imported only when a plot is drawn).

Examples
--------
>>> import numpy as np
>>> from earlysignal.evaluate import evaluate
>>> y = np.array([0, 1, 0, 1, 1, 0]); p = np.array([0.2, 0.7, 0.3, 0.6, 0.4, 0.1])
>>> evaluate(y, p, groups=np.arange(6), n_boot=0).filter(metric="auroc")["estimate"].item()
1.0
"""

from __future__ import annotations

from earlysignal.evaluate import metrics
from earlysignal.evaluate.core import (
    BOOTSTRAP_BLOCK,
    DEFAULT_CAPACITY,
    DEFAULT_THRESHOLDS,
    EVALUATION_SCHEMA,
    bootstrap_block_key,
    bootstrap_blocks,
    cluster_bootstrap_weights,
    decision_curve,
    evaluate,
    reliability_table,
)
from earlysignal.evaluate.plots import (
    plot_decision_curve,
    plot_reliability,
    plot_risk_distribution,
    plot_roc_pr,
)

__all__ = [
    "BOOTSTRAP_BLOCK",
    "DEFAULT_CAPACITY",
    "DEFAULT_THRESHOLDS",
    "EVALUATION_SCHEMA",
    "bootstrap_block_key",
    "bootstrap_blocks",
    "cluster_bootstrap_weights",
    "decision_curve",
    "evaluate",
    "metrics",
    "plot_decision_curve",
    "plot_reliability",
    "plot_risk_distribution",
    "plot_roc_pr",
    "reliability_table",
]
