"""Does a group of features help? The same model with and without them, on the same test rows.

Used for persona membership (``[features] personas = true``): the study's model is fitted a
second time without the persona columns (same hyper-parameters, same training rows, same
calibration method on the same calibration rows) and both are scored on the same test rows.
AUROC and Brier score of each, and their differences, come from :func:`earlysignal.evaluate.
evaluate`: one child-clustered bootstrap whose replicates draw the same children for both
models, so the interval of the difference is paired. The verdict is read from that interval
only: ``better`` when it lies wholly on the better side of zero, ``worse`` when wholly on the
other side, ``same`` when it holds zero, ``none`` without an interval. Data only; the card's
words are in ``card/templates/texts.j2``.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> risk = rng.uniform(0.05, 0.6, 2000)
>>> y = (rng.random(2000) < risk).astype(int)
>>> noisy = np.clip(risk + rng.normal(0, 0.2, 2000), 0.01, 0.99)
>>> v = compare_predictions(y, risk, noisy, np.arange(2000) // 2, n_boot=50)
>>> v["verdict"], sorted({r["model"] for r in v["rows"]})
({'auroc': 'better', 'brier': 'better'}, ['difference', 'with', 'without'])
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import polars as pl

from earlysignal.evaluate.core import evaluate

__all__ = ["METRICS", "compare_predictions", "interval_verdict", "refit_without"]

METRICS: dict[str, str] = {"auroc": "higher", "brier": "lower"}
"""The metrics compared and which direction is better."""


def interval_verdict(lower: float | None, upper: float | None, better_if: str) -> str:
    """``better``, ``worse``, ``same`` (the interval holds zero) or ``none`` (no interval).

    Examples
    --------
    >>> interval_verdict(0.01, 0.03, "higher"), interval_verdict(0.01, 0.03, "lower")
    ('better', 'worse')
    >>> interval_verdict(-0.01, 0.02, "higher"), interval_verdict(None, None, "higher")
    ('same', 'none')
    """
    if lower is None or upper is None:
        return "none"
    up = better_if == "higher"
    if lower > 0:
        return "better" if up else "worse"
    if upper < 0:
        return "worse" if up else "better"
    return "same"


def compare_predictions(
    y: Any,
    p_with: Any,
    p_without: Any,
    groups: Any,
    *,
    n_boot: int = 200,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, Any]:
    """AUROC and Brier with and without a feature group, and the paired differences.

    Parameters
    ----------
    y, groups
        Test labels and child ids (the bootstrap cluster).
    p_with, p_without
        Calibrated risks of the model with and without the features, on the same rows.
    n_boot, seed, level
        The child-clustered bootstrap (as :func:`earlysignal.evaluate.evaluate`).

    Returns
    -------
    dict
        ``rows``: ``model`` (``with``, ``without``, ``difference`` = with minus without),
        ``metric``, ``value``, ``lower``, ``upper``, ``dropped_replicates``; ``verdict``: per
        metric ``better``/``worse``/``same``/``none`` for the model *with* the features;
        ``n_rows``, ``n_children``, ``n_events``, ``n_boot``, ``level``.
    """
    table = evaluate(
        y, p_with, groups, model="with", baselines={"without": p_without},
        thresholds=(), capacity=(), n_boot=n_boot, seed=seed, level=level,
    )  # fmt: skip
    names = {"with": "with", "without": "without", "with - without": "difference"}
    rows = [
        {
            "model": names[r["model"]],
            "metric": r["metric"],
            "value": r["estimate"],
            "lower": r["lower"],
            "upper": r["upper"],
            "dropped_replicates": r["dropped_replicates"],
        }
        for name in names
        for r in table.filter(
            (pl.col("model") == name) & pl.col("metric").is_in(list(METRICS))
        ).iter_rows(named=True)
    ]
    diff = {r["metric"]: r for r in rows if r["model"] == "difference"}
    data = {r["metric"]: r["estimate"] for r in table.filter(model="data").iter_rows(named=True)}
    return {
        "rows": rows,
        "verdict": {
            m: interval_verdict(diff[m]["lower"], diff[m]["upper"], better) if m in diff else "none"
            for m, better in METRICS.items()
        },
        "n_rows": int(data["n_rows"]),
        "n_children": int(data["n_children"]),
        "n_events": int(data["n_events"]),
        "n_boot": int(n_boot),
        "level": float(level),
    }


def refit_without(
    fitted: Any,
    drop: Sequence[str],
    *,
    train: tuple[pl.DataFrame, Any, Any],
    calibrate: tuple[pl.DataFrame, Any],
    calibration: str,
    intervals: bool = False,
) -> Any:
    """The same model refitted without the columns ``drop`` and calibrated the same way.

    Parameters
    ----------
    fitted
        The study's (uncalibrated) model fitted with every feature: it is cloned
        (``sklearn.base.clone``: same hyper-parameters, unfitted) and fitted again.
    drop
        Feature columns to leave out.
    train
        Training features, labels and child ids (``groups`` is passed to ``fit`` when the
        model takes it, as LightGBM's early stopping on held-out children does).
    calibrate
        Calibration features and labels.
    calibration
        ``venn_abers``, ``isotonic``, ``sigmoid`` or ``none`` (as ``[model] calibration``).
    intervals
        Venn-ABERS intervals (not needed for the comparison).

    Returns
    -------
    object
        A fitted model with ``risk(X)``; pass it the frames without ``drop``.
    """
    from sklearn.base import clone

    from earlysignal.models import CalibratedRiskModel

    X, y, groups = train
    keep = [c for c in X.columns if c not in set(drop)]
    if len(keep) == len(X.columns):
        raise ValueError(
            f"refit_without: none of {list(drop)} is a feature column; nothing to leave out"
        )
    model = clone(fitted)
    if "groups" in inspect.signature(model.fit).parameters:
        model.fit(X.select(keep), y, groups=groups)
    else:
        model.fit(X.select(keep), y)
    if calibration == "none":
        return model
    Xc, yc = calibrate
    return CalibratedRiskModel(model, method=calibration, intervals=intervals).fit(
        Xc.select(keep), yc
    )
