"""Rates for the card's stored figures, derived from counts rounded as disclosure control does.

The card keeps each figure as its numbers (:mod:`earlysignal.card.figures`), and the card data
is a published artefact. A rate stored to six digits gives its counts back: a reliability bin's
observed rate times the bin's rows is the exact number of events in it, a ROC point's true
positive rate times the positives is the exact number flagged with the event. The card rounds
every count to 5 (``earlysignal.disclosure.round_count``) and publishes rates "never finer than
their rounded counts" (docs/disclosure.md). The figures therefore store rates computed from the
rounded counts: ``round_count(numerator) / round_count(denominator)``. A curve drawn from them
is indistinguishable at the card's size; an exact count cannot be read back from it.

This is a thin layer over the same counts the metric engine uses (:mod:`earlysignal.evaluate.
metrics` computes the published metrics and their intervals); it exists because the figures
need the counts themselves, not the metric, to round them.

Examples
--------
>>> rounded_rate([9, 17], 80).tolist()
[0.125, 0.1875]
>>> rounded_rate(3, 0).tolist()
[nan]
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "METRIC_DECIMALS",
    "ROUNDING",
    "RULE_COUNTS",
    "published_number",
    "published_prevalence",
    "published_rule",
    "rounded_counts",
    "rounded_net_benefit",
    "rounded_rate",
]

ROUNDING = 5
"""Counts behind a stored figure are rounded to this multiple (as every published count)."""


def rounded_counts(counts: Any, rounding: int = ROUNDING) -> np.ndarray:
    """Counts rounded to the nearest multiple of ``rounding`` (halves up), as float array.

    Examples
    --------
    >>> rounded_counts([0, 2, 3, 12, 13]).tolist()
    [0.0, 0.0, 5.0, 10.0, 15.0]
    """
    c = np.rint(np.asarray(counts, dtype=np.float64))
    return np.floor((c + rounding // 2) / rounding) * rounding


def rounded_rate(numerator: Any, denominator: Any, rounding: int = ROUNDING) -> np.ndarray:
    """``numerator / denominator`` from the counts rounded to ``rounding``; NaN when the
    rounded denominator is 0. Counts are rounded to whole numbers first.

    Examples
    --------
    >>> rounded_rate([3, 12], [40, 41]).tolist()
    [0.125, 0.25]
    """
    num = np.atleast_1d(rounded_counts(numerator, rounding))
    den = np.broadcast_to(rounded_counts(denominator, rounding), num.shape)
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def rounded_net_benefit(y: Any, p: Any, thresholds: Any) -> np.ndarray:
    """Net benefit of flagging ``p >= t`` (``TP/N - FP/N * t / (1 - t)``, as
    :func:`earlysignal.evaluate.metrics.net_benefit`) from TP, FP and N rounded to 5.

    Examples
    --------
    >>> y = np.array([0, 1] * 10); p = np.linspace(0, 1, 20)
    >>> rounded_net_benefit(y, p, [0.2]).round(3).tolist()  # TP 8 and FP 8 published as 10
    [0.375]
    """
    yv = np.asarray(y, dtype=np.float64).ravel()
    pv = np.asarray(p, dtype=np.float64).ravel()
    t = np.asarray(thresholds, dtype=np.float64).ravel()
    if np.any((t <= 0) | (t >= 1)):
        raise ValueError("net benefit thresholds must lie strictly between 0 and 1")
    flags = pv[:, None] >= t[None, :]
    tp = (yv[:, None] * flags).sum(axis=0)
    fp = ((1 - yv)[:, None] * flags).sum(axis=0)
    n = rounded_counts(yv.size)
    if n == 0:
        return np.full(t.size, np.nan)
    return np.asarray((rounded_counts(tp) - rounded_counts(fp) * t / (1 - t)) / n)


def published_prevalence(rows: list[dict[str, Any]], y: Any) -> list[dict[str, Any]]:
    """The card's observed-prevalence metric rows as published: the value is the rate of the
    event and row counts as disclosure control publishes them (rounded to 5, under 10 hidden,
    :func:`earlysignal.disclosure.published_rate`, 2 decimals), its interval to 2 decimals, so
    that no exact count can be read back from it. ``rows`` are changed in place and returned.

    Examples
    --------
    >>> rows = [{"metric": "prevalence", "value": 0.0567, "lower": 0.0511, "upper": 0.0623}]
    >>> published_prevalence(rows, [1] * 17 + [0] * 283)  # 17 of 300 -> 15 of 300
    [{'metric': 'prevalence', 'value': 0.05, 'lower': 0.05, 'upper': 0.06}]
    """
    from earlysignal.disclosure import DEFAULT_POLICY, published_count, published_rate

    yv = np.asarray(y, dtype=np.float64).ravel()
    value = published_rate(published_count(int(yv.sum())), published_count(yv.size))
    decimals = DEFAULT_POLICY.decimals if DEFAULT_POLICY.decimals is not None else 2
    for r in rows:
        r["value"] = value
        for k in ("lower", "upper"):
            r[k] = None if value is None or r[k] is None else round(float(r[k]), decimals)
    return rows


RULE_COUNTS: tuple[str, ...] = ("rows", "flagged", "flagged_with_event", "events")
"""The counts behind the decision rule's rates (:func:`published_rule`): prediction rows of the
test period, rows flagged, flagged rows with the event, rows with the event. Each is a count of
rows (one per child and prediction time) and is published beside the distinct children behind
it (``<name>_children``), which decide whether it may be shown."""

METRIC_DECIMALS = 3
"""Decimals of every published metric that is not a rate of counts (AUROC, AUPRC, Brier, log
loss, ECE, calibration slope and intercept, net benefit, effect sizes) and of its bounds."""


def published_number(value: Any, decimals: int = METRIC_DECIMALS) -> Any:
    """A metric or bound as the card publishes it: to ``decimals``; ``None`` stays ``None``
    and a non-finite value becomes ``None``; anything else but a number is returned as is.

    Examples
    --------
    >>> published_number(0.71234567), published_number(None), published_number(float("nan"))
    (0.712, None, None)
    """
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    v = float(value)
    return round(v, decimals) if np.isfinite(v) else None


def published_rule(
    counts: dict[str, int] | None = None,
    card: dict[str, Any] | None = None,
    *,
    rounding: int = ROUNDING,
    min_cell: int = 10,
) -> dict[str, Any]:
    """Publish the decision rule's figures and every other metric on a card, no finer than
    their rounded counts (issue 12, docs/disclosure.md "Rates and metrics on the card").

    With ``counts`` (the exact counts of :data:`RULE_COUNTS` in rows, each with its
    ``<name>_children``, and ``children``: distinct children scored), returns the published
    capacity figures: every count rounded to ``rounding`` and hidden (``None``) when fewer than
    ``min_cell`` distinct children stand behind it; share flagged, precision and recall as
    rates of the rounded counts to 2 decimals; alerts per 100 children (flagged rows per 100
    distinct children scored) as a whole number; false alarms per event caught (flagged rows
    without the event per flagged row with it) to 1 decimal. A figure is hidden when a count
    behind it is. Rounding already rounded counts again changes nothing, so the figures can be
    recomputed from the published counts (the card's ``decision.people.counts``).

    With ``card`` (card data as the runner builds it, ``decision.people.counts`` published),
    publishes the card in place and returns it: the rule's rates in ``decision.people``,
    ``decision.workload`` (value from the counts, bounds to 2 decimals, alerts per 100 to whole
    numbers) and the rule's stated share; every other metric and its bounds
    (``performance.metrics``, ``performance.oracle``, ``performance.effects``,
    ``calibration.metrics``, ``decision.net_benefit``, the figures quoted in the sections'
    sentences, the recorded oracle worlds, the baseline's tuning loss, the persona comparison)
    to :data:`METRIC_DECIMALS` decimals, and the persona comparison's counts to ``rounding``.
    Thresholds (settings of the rule) are left as they are.

    Examples
    --------
    >>> c = {"rows": 1003, "flagged": 98, "flagged_with_event": 12, "events": 41,
    ...      "children": 402, "rows_children": 402, "flagged_children": 80,
    ...      "flagged_with_event_children": 12, "events_children": 40}
    >>> r = published_rule(c)
    >>> r["counts"]["flagged"], r["precision"], r["recall"], r["share_flagged"]
    (100, 0.1, 0.25, 0.1)
    >>> r["alerts_per_100_children"], r["false_alarms_per_event_caught"]
    (25, 9.0)
    >>> published_rule({**c, "flagged_with_event_children": 9})["precision"] is None
    True
    >>> published_rule(r["counts"]) == r  # idempotent on published counts
    True
    """
    if card is not None:
        _publish_card(card, rounding=rounding, min_cell=min_cell)
        return card
    if counts is None:
        raise ValueError("published_rule needs counts or a card")
    from earlysignal.disclosure import round_count

    def pub(name: str) -> int | None:
        n, kids = counts.get(name), counts.get(f"{name}_children", counts.get(name))
        if n is None or kids is None or kids < min_cell:
            return None
        return int(round_count(int(n), rounding))

    shown: dict[str, int | None] = {k: pub(k) for k in (*RULE_COUNTS, "children")}
    for k in RULE_COUNTS:
        kids = counts.get(f"{k}_children")
        shown[f"{k}_children"] = pub(f"{k}_children") if kids is not None else None

    def rate(num: int | None, den: int | None, decimals: int, scale: float = 1.0) -> Any:
        if num is None or not den:
            return None
        return round(scale * num / den, decimals)

    tp, fl = shown["flagged_with_event"], shown["flagged"]
    alerts = rate(fl, shown["children"], 0, 100.0)
    return {
        "counts": shown,
        "share_flagged": rate(fl, shown["rows"], 2),
        "precision": rate(tp, fl, 2),
        "recall": rate(tp, shown["events"], 2),
        "alerts_per_100_children": None if alerts is None else int(alerts),
        "false_alarms_per_event_caught": (
            None if fl is None or tp is None else rate(fl - tp, tp, 1)
        ),
    }


def _round_rows(rows: Any, keys: tuple[str, ...], decimals: int) -> None:
    if not isinstance(rows, list):
        return
    for r in rows:
        if isinstance(r, dict):
            for k in keys:
                if k in r:
                    r[k] = published_number(r[k], decimals)


def _round_args(texts: Any, decimals: int) -> None:
    """The metric rows quoted in reader texts' arguments (``{"value", "lower", "upper"}``)."""
    for t in texts if isinstance(texts, list) else [texts]:
        args = t.get("args") if isinstance(t, dict) else None
        if isinstance(args, dict):
            for v in args.values():
                if isinstance(v, dict):
                    _round_rows([v], ("value", "lower", "upper"), decimals)


def _round_all(node: Any, decimals: int) -> Any:
    """Every float in a nested structure of dicts and lists to ``decimals``."""
    if isinstance(node, dict):
        return {k: _round_all(v, decimals) for k, v in node.items()}
    if isinstance(node, list):
        return [_round_all(v, decimals) for v in node]
    return published_number(node, decimals) if isinstance(node, float) else node


def _publish_card(card: dict[str, Any], *, rounding: int, min_cell: int) -> None:
    d = METRIC_DECIMALS
    perf, cal, dec = card["performance"], card["calibration"], card["decision"]
    bounds = ("value", "lower", "upper")
    for rows in (perf.get("metrics"), perf.get("oracle"), cal.get("metrics")):
        _round_rows(rows, bounds, d)
    _round_rows(dec.get("net_benefit"), ("net benefit", "lower", "upper"), d)
    effects = ("auroc_difference", "lower", "upper", "net_benefit_primary",
               "net_benefit_baseline")  # fmt: skip
    _round_rows(perf.get("effects"), effects, d)
    _round_args(perf.get("summary"), d)
    if "oracle_worlds" in perf:  # recorded benchmark figures
        perf["oracle_worlds"] = _round_all(perf["oracle_worlds"], d)
    personas = perf.get("personas")  # the model with and without the persona columns
    if isinstance(personas, dict):
        from earlysignal.disclosure import round_count

        _round_rows(personas.get("rows"), bounds, d)
        for k in ("n_rows", "n_children", "n_events"):
            if isinstance(personas.get(k), int):
                personas[k] = int(round_count(personas[k], rounding))
    tuning = card.get("model_details", {}).get("hyperparameters", {})
    if isinstance(tuning, dict) and "logistic_tuning" in tuning:  # its validation log loss
        tuning["logistic_tuning"] = _round_all(tuning["logistic_tuning"], d)
    people = dec.get("people")
    if not isinstance(people, dict) or not isinstance(people.get("counts"), dict):
        return
    rule = published_rule(people["counts"], rounding=rounding, min_cell=min_cell)
    people.update({k: v for k, v in rule.items() if k != "alerts_per_100_children"})
    value = {
        "precision_at_top": (rule["precision"], 2),
        "recall_at_top": (rule["recall"], 2),
        "alerts_per_100_children": (rule["alerts_per_100_children"], 0),
    }
    for r in dec.get("workload") or []:
        if r.get("metric") in value:
            v, digits = value[r["metric"]]
            hidden = v is None
            r["value"] = v
            for k in ("lower", "upper"):
                b = published_number(r.get(k), digits)
                r[k] = None if hidden or b is None else (int(b) if digits == 0 else b)
        if "flagged share" in r:
            r["flagged share"] = rule["share_flagged"]
    args = dec.get("rule", {}).get("args") if isinstance(dec.get("rule"), dict) else None
    if isinstance(args, dict) and "share" in args:
        args["share"] = rule["share_flagged"]
