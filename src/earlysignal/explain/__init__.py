"""Explanations: contributions to the uncalibrated log-odds, global importance, signal sheets.

- :func:`contributions`: path-dependent TreeSHAP for LightGBM (by default the fast exact
  implementation of :mod:`earlysignal.explain.treeshap`, else LightGBM's ``pred_contrib``) or
  exact logistic contributions, as :class:`Contributions` (``.to_shap()`` gives a
  ``shap.Explanation``).
- :func:`global_importance`, :func:`top_factor_stability`: mean |contribution| with bootstrap
  intervals; how stable the top factors are across bootstrap refits.
- :func:`contribution_bins`, :func:`contribution_summary_plot`: contributions aggregated per
  feature and bin of its value (at least 10 children per bin), the card's default figure.
- :func:`beeswarm`, :func:`dependence` (one dot per row: row-level), :func:`importance_plot`:
  matplotlib figures.
- :func:`signal_sheet`: the per-child sheet, as text or self-contained HTML.

The contributions explain the base model's log-odds; a calibrator sits on top (see
``docs/explanations.md``).

Examples
--------
>>> from earlysignal.explain import contributions, signal_sheet
"""

from earlysignal.explain.aggregate import contribution_bins
from earlysignal.explain.contributions import (
    Contributions,
    contributions,
    feature_matrix,
    model_feature_names,
)
from earlysignal.explain.importance import (
    TopFactorStability,
    global_importance,
    top_factor_stability,
)
from earlysignal.explain.plots import (
    beeswarm,
    contribution_summary_plot,
    dependence,
    importance_plot,
)
from earlysignal.explain.sheet import (
    NOT_STATEMENTS,
    Change,
    Factor,
    SignalSheet,
    phrase,
    signal_sheet,
)

__all__ = [
    "NOT_STATEMENTS",
    "Change",
    "Contributions",
    "Factor",
    "SignalSheet",
    "TopFactorStability",
    "beeswarm",
    "contribution_bins",
    "contribution_summary_plot",
    "contributions",
    "dependence",
    "feature_matrix",
    "global_importance",
    "importance_plot",
    "model_feature_names",
    "phrase",
    "signal_sheet",
    "top_factor_stability",
]
