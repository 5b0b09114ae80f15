"""What an ethics board needs beyond the metrics: the decision rule in children, who gets
flagged per group, the competing endings, effect sizes, stop rules and the summary.

Every function here returns data (numbers, flags, short keys), never sentences: the card's
templates (``templates/texts.j2``) word them. The functions read either the run's arrays (in
the runner) or the card data itself (:func:`plain_summary`, computed again whenever a card is
written, so the summary can never disagree with the sections it summarises).

Counts of children are published as elsewhere on the card: distinct children, rounded to 5,
and hidden ("fewer than 10") under the smallest cell.

Examples
--------
>>> import numpy as np
>>> from datetime import date
>>> ids = np.array([f"c{i}" for i in range(40)] * 2)
>>> times = np.array([date(2024, 1, 1)] * 40 + [date(2024, 4, 1)] * 40)
>>> y = np.array([1, 0, 0, 0] * 20)
>>> p = np.array([0.6, 0.5, 0.1, 0.1] * 20)
>>> people = decision_in_people(ids, times, y, p, threshold=0.3)
>>> people["runs"], people["per_run"]["flagged"], people["per_run"]["flagged_with_event"]
(2, 20, 10)
>>> round(people["false_alarm_weight"], 3)
0.429
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "FLAG_METRICS",
    "competing_by_age",
    "decision_in_people",
    "effect_sizes",
    "flagging_by_group",
    "intervals_short_of_replicates",
    "plain_summary",
    "stop_rules",
]

FLAG_METRICS: tuple[str, ...] = ("selection_rate", "tpr", "fpr", "ppv")
"""The audit's metrics at the decision rule shown per group (share flagged, share of events
caught, false-alarm rate, precision)."""


def _flags(p: Any, threshold: float, flagged: Any) -> np.ndarray:
    """The decision rule's flags: ``flagged`` when given, else ``p >= threshold``."""
    if flagged is None:
        return np.asarray(np.asarray(p, dtype=np.float64) >= threshold)
    f = np.asarray(flagged, dtype=bool)
    if f.shape != np.shape(p):
        raise ValueError(f"flagged has shape {f.shape}, the risks {np.shape(p)}")
    return f


def _published(value: float, *, rounding: int = 5, min_cell: int = 10) -> int | None:
    """A count of children as published: rounded to ``rounding``; ``None`` under ``min_cell``."""
    if not math.isfinite(value) or value < min_cell:
        return None
    return int(rounding * round(value / rounding))


def decision_in_people(
    child_id: Any,
    prediction_time: Any,
    y: Any,
    p: Any,
    threshold: float,
    *,
    caseload: int | None = None,
    rounding: int = 5,
    min_cell: int = 10,
    flagged: Any = None,
) -> dict[str, Any]:
    """The decision rule counted in children, per run (one prediction date) and per caseworker.

    Each distinct prediction time of the test period is one run of the tool (a quarterly run
    under the default design). Per run: distinct children scored and flagged, flagged children
    who go on to have the event and who do not, and events missed (not flagged). Figures per
    run are means over the runs, with the smallest and largest run, published as counts of
    children (rounded, hidden under ``min_cell``).

    Parameters
    ----------
    child_id, prediction_time, y, p
        One entry per labelled test row.
    threshold
        The decision rule: flag risks of at least this.
    caseload
        Children per caseworker (``[decision] caseload``): adds the figures per caseworker.
    flagged
        The rows the decision rule flags (boolean, one per row), when the rule is more than a
        risk threshold: a capacity rule breaks ties in risk by the model's raw score
        (:func:`earlysignal.models.capacity_rule`). Default: ``p >= threshold``.

    Returns
    -------
    dict
        ``runs``, ``per_run`` (mean counts of children), ``per_run_min``/``per_run_max``,
        ``counts`` (over the period: rows, flagged, flagged_with_event and events in rows, each
        with the distinct children behind it, rounded to 5, hidden under ``min_cell``
        children; :func:`earlysignal.evaluate.rounded.published_rule`), and from those
        published counts ``share_flagged``, ``precision``, ``recall`` (2 decimals) and
        ``false_alarms_per_event_caught`` (1 decimal),
        ``false_alarm_weight`` (``threshold / (1 - threshold)``: the rule treats one false
        alarm as this fraction of a missed event), ``children_flagged_in_period`` (distinct
        children flagged at least once), ``per_caseworker`` (or ``None``) and ``caseload``.
    """
    ids = np.asarray(child_id)
    times = np.asarray(prediction_time)
    yy = np.asarray(y, dtype=np.float64)
    flag = _flags(p, threshold, flagged)
    keys = ("scored", "events", "flagged", "flagged_with_event", "flagged_without_event",
            "events_missed")  # fmt: skip
    per: dict[str, list[float]] = {k: [] for k in keys}
    for t in np.unique(times):
        m = times == t
        scored = np.unique(ids[m]).size
        f, e = flag[m], yy[m] > 0.5
        per["scored"].append(scored)
        per["events"].append(float(e.sum()))
        per["flagged"].append(np.unique(ids[m][f]).size)
        per["flagged_with_event"].append(np.unique(ids[m][f & e]).size)
        per["flagged_without_event"].append(np.unique(ids[m][f & ~e]).size)
        per["events_missed"].append(float((~f & e).sum()))
    runs = len(per["scored"])

    def pub(v: float) -> int | None:
        return _published(v, rounding=rounding, min_cell=min_cell)

    mean = {k: pub(float(np.mean(v))) if runs else None for k, v in per.items()}
    lo = {k: pub(float(np.min(v))) if runs else None for k, v in per.items()}
    hi = {k: pub(float(np.max(v))) if runs else None for k, v in per.items()}
    from earlysignal.evaluate.rounded import published_rule

    event = yy > 0.5
    rows = {"rows": np.ones(flag.shape, bool), "flagged": flag,
            "flagged_with_event": flag & event, "events": event}  # fmt: skip
    counts = {k: int(m.sum()) for k, m in rows.items()}
    counts |= {f"{k}_children": int(np.unique(ids[m]).size) for k, m in rows.items()}
    counts["children"] = counts["rows_children"]
    # rates from the counts rounded to 5 (hidden under min_cell children): issue 12
    rule = published_rule(counts, rounding=rounding, min_cell=min_cell)
    out: dict[str, Any] = {
        "runs": runs,
        "threshold": float(threshold),
        "per_run": mean,
        "per_run_min": lo,
        "per_run_max": hi,
        "counts": rule["counts"],
        "share_flagged": rule["share_flagged"],
        "precision": rule["precision"],
        "recall": rule["recall"],
        "false_alarms_per_event_caught": rule["false_alarms_per_event_caught"],
        "false_alarm_weight": float(threshold / (1.0 - threshold)),
        "children_flagged_in_period": pub(float(np.unique(ids[flag]).size)),
        "children_scored_in_period": pub(float(np.unique(ids).size)),
        "caseload": caseload,
        "per_caseworker": None,
    }
    if caseload is not None and runs and mean["scored"]:
        # from the published (rounded) counts only, so no figure is finer than its counts
        total = float(mean["scored"])
        out["per_caseworker"] = {
            k: None if (v := mean[k]) is None else round(caseload * float(v) / total, 1)
            for k in keys
        }
    return out


def flagging_by_group(
    metrics: Sequence[Mapping[str, Any]], *, margin: float = 0.05
) -> list[dict[str, Any]]:
    """Who gets flagged, per group: the four rates at the rule with intervals and a verdict.

    ``metrics`` is the audit's long table (``AuditResult.metrics`` rows: attribute, group,
    metric, value, lo, hi, reference, diff, diff_lo, diff_hi), already under disclosure
    control. Per group and metric the verdict compares the group with its attribute's
    reference group through the bootstrap interval of the difference:

    - ``"gap"``: the interval of the difference excludes 0 and reaches past +-``margin``;
    - ``"small gap"``: it excludes 0 but lies within +-``margin`` (an equivalence margin);
    - ``"no gap"``: it includes 0 and lies within +-``margin``;
    - ``"too few to tell"``: neither (it includes 0 but is wider than the margin), or the value
      is hidden by disclosure control.

    Examples
    --------
    >>> rows = [
    ...     {"attribute": "sex", "group": "f", "metric": "fpr", "value": 0.1, "lo": 0.09,
    ...      "hi": 0.11, "reference": "m", "diff": 0.0, "diff_lo": -0.01, "diff_hi": 0.01},
    ...     {"attribute": "sex", "group": "f", "metric": "tpr", "value": 0.3, "lo": 0.1,
    ...      "hi": 0.5, "reference": "m", "diff": -0.1, "diff_lo": -0.3, "diff_hi": 0.1},
    ... ]
    >>> [(r["metric"], r["verdict"]) for r in flagging_by_group(rows)]
    [('fpr', 'no gap'), ('tpr', 'too few to tell')]
    """
    out = []
    for r in metrics:
        if r.get("metric") not in FLAG_METRICS or r.get("attribute") == "all":
            continue
        value, dlo, dhi = r.get("value"), r.get("diff_lo"), r.get("diff_hi")
        is_ref = r.get("group") == r.get("reference")
        if value is None:
            verdict = "too few to tell"
        elif is_ref:
            verdict = "reference"
        elif dlo is None or dhi is None:
            verdict = "too few to tell"
        elif (dlo > 0 or dhi < 0) and dlo >= -margin and dhi <= margin:
            verdict = "small gap"
        elif dlo > 0 or dhi < 0:
            verdict = "gap"
        elif dlo >= -margin and dhi <= margin:
            verdict = "no gap"
        else:
            verdict = "too few to tell"
        out.append(
            {
                "attribute": r["attribute"],
                "group": r["group"],
                "metric": r["metric"],
                "value": value,
                "lower": r.get("lo"),
                "upper": r.get("hi"),
                "reference": r.get("reference"),
                "difference": None if is_ref else r.get("diff"),
                "difference_lower": None if is_ref else dlo,
                "difference_upper": None if is_ref else dhi,
                "verdict": verdict,
            }
        )
    return out


def intervals_short_of_replicates(metrics: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """How many of the audit's published intervals left bootstrap replicates out.

    ``metrics`` is the audit's long table (``AuditResult.metrics`` rows), already under
    disclosure control: an interval counts when its value is published; it is short when its
    ``dropped`` (replicates left out as non-finite, e.g. no child with the outcome drawn in a
    small group) is above 0. For the card's method line.

    Examples
    --------
    >>> rows = [{"value": 0.8, "dropped": 0}, {"value": 0.7, "dropped": 12},
    ...         {"value": None, "dropped": None}]
    >>> intervals_short_of_replicates(rows)
    {'intervals': 2, 'short': 1, 'most_dropped': 12}
    """
    counts = [int(r["dropped"]) for r in metrics
              if r.get("value") is not None and r.get("dropped") is not None]  # fmt: skip
    return {
        "intervals": len(counts),
        "short": sum(1 for c in counts if c > 0),
        "most_dropped": max(counts, default=0),
    }


def competing_by_age(
    age: Any,
    status: Any,
    y: Any,
    p: Any,
    threshold: float,
    *,
    bands: Sequence[tuple[str, float, float]] = (("under 16", 0.0, 16.0), ("16-17", 16.0, 18.0)),
    horizon_days: int = 180,
    rounding: int = 5,
    min_cell: int = 10,
    flagged: Any = None,
    child_id: Any = None,
) -> list[dict[str, Any]]:
    """Results by age band at prediction time, with the share ended by a competing event.

    ``status`` is the outcome status per labelled row (``event``, ``competing``,
    ``no_event``). For 16-17-year-olds turning 18 ends the placement (a competing event,
    label 0), which lowers both their observed rate and the risk a model learns for them.
    ``turns_18_share`` is the share of rows whose child turns 18 inside the window.
    ``flagged`` (boolean per row) replaces ``p >= threshold`` when the decision rule breaks
    ties in risk (see :func:`decision_in_people`).

    The table is about rows (prediction times) and published like every other table
    (``docs/disclosure.md``): ``n_children`` (distinct children of ``child_id``; each row its
    own child when not given) decides suppression. A band of fewer than ``min_cell`` children
    is hidden; a rate whose rows (or the rest of the band's rows) come from fewer than
    ``min_cell`` children is hidden with its count. Counts are rounded to ``rounding`` and every
    rate is taken from the rounded counts, to 2 decimals (:func:`earlysignal.disclosure.
    published_rate`), so that no rate gives an exact count back; ``mean_risk`` to 2 decimals.

    Examples
    --------
    >>> rows = competing_by_age([10.0] * 40, ["event"] * 12 + ["no_event"] * 28,
    ...                         [1] * 12 + [0] * 28, [0.5] * 20 + [0.1] * 20, 0.3)
    >>> [(r["age"], r["rows"], r["events"], r["event_rate"], r["share_flagged"]) for r in rows]
    [('under 16', 40, 10, 0.25, 0.5), ('16-17', None, None, None, None)]
    >>> rows[0]["competing_share"], rows[0]["recall"]  # no competing ending; no event missed
    (None, None)
    """
    from earlysignal.disclosure import DisclosurePolicy, published_count, published_rate

    pol = DisclosurePolicy(min_count=min_cell, rounding=rounding)
    a = np.asarray(age, dtype=np.float64)
    st = np.asarray(status)
    yy = np.asarray(y, dtype=np.float64)
    pp = np.asarray(p, dtype=np.float64)
    fl = _flags(pp, threshold, flagged)
    ids = np.arange(a.size).astype(str) if child_id is None else np.asarray(child_id).astype(str)
    if ids.shape != a.shape:
        raise ValueError(f"child_id has shape {ids.shape}, the ages {a.shape}")
    keys = ("rows", "n_children", "events", "event_rate", "competing_share", "turns_18_share",
            "mean_risk", "share_flagged", "recall")  # fmt: skip
    rows: list[dict[str, Any]] = []
    for name, lo, hi in bands:
        m = (a >= lo) & (a < hi)
        children = int(np.unique(ids[m]).size)
        if children < min_cell:
            rows.append({"age": name, **dict.fromkeys(keys)})
            continue

        def part(sub: np.ndarray, within: np.ndarray = m) -> int | None:
            """Rows of ``sub`` (inside ``within``), published; hidden when the rows, or the
            rest of ``within``'s rows, belong to fewer than ``min_cell`` children."""
            rest = within & ~sub
            few = min(np.unique(ids[sub]).size, np.unique(ids[rest]).size) < min_cell
            return None if few else published_count(int(sub.sum()), pol)

        n = published_count(int(m.sum()), pol)
        event = m & (yy > 0.5)
        events = part(event)
        caught = part(event & fl, within=event) if events is not None else None
        rows.append(
            {
                "age": name,
                "rows": n,
                "n_children": published_count(children, pol),
                "events": events,
                "event_rate": published_rate(events, n, pol),
                "competing_share": published_rate(part(m & (st == "competing")), n, pol),
                "turns_18_share": published_rate(
                    part(m & (a >= 18.0 - horizon_days / 365.25)), n, pol
                ),
                "mean_risk": round(float(pp[m].mean()), 2),
                "share_flagged": published_rate(part(m & fl), n, pol),
                "recall": published_rate(caught, events, pol),
            }
        )  # fmt: skip
    return rows


def effect_sizes(
    metrics: Sequence[Mapping[str, Any]], net_benefit: Sequence[Mapping[str, Any]],
    primary: str, threshold: float | None, *, small_auroc: float = 0.02,
) -> list[dict[str, Any]]:  # fmt: skip
    """Size each baseline comparison: AUROC difference, net benefit at the rule, and whether
    the simpler model may be preferred on proportionality grounds.

    ``simpler_may_be_preferred`` is true when the AUROC difference is under ``small_auroc``
    (or its interval includes 0) and the net-benefit intervals at the decision threshold
    overlap.

    Examples
    --------
    >>> m = [{"model": "lightgbm minus logistic", "metric": "auroc", "value": 0.014,
    ...       "lower": 0.008, "upper": 0.02}]
    >>> nb = [{"model": "lightgbm", "threshold": 0.1, "net benefit": 0.02, "lower": 0.015,
    ...        "upper": 0.025}, {"model": "logistic", "threshold": 0.1, "net benefit": 0.019,
    ...        "lower": 0.014, "upper": 0.024}]
    >>> effect_sizes(m, nb, "lightgbm", 0.1)[0]["simpler_may_be_preferred"]
    True
    """
    out = []
    prefix = f"{primary} minus "
    for r in metrics:
        if r.get("metric") != "auroc" or not str(r.get("model", "")).startswith(prefix):
            continue
        base = str(r["model"]).removeprefix(prefix)

        def nb_at(model: str) -> Mapping[str, Any] | None:
            hits = [x for x in net_benefit if x.get("model") == model and threshold is not None
                    and x.get("threshold") is not None
                    and abs(float(x["threshold"]) - threshold) < 1e-6]  # fmt: skip
            return hits[0] if hits else None

        mine, theirs = nb_at(primary), nb_at(base)
        overlap = None
        if mine and theirs and None not in (mine.get("lower"), theirs.get("lower")):
            overlap = bool(mine["lower"] <= theirs["upper"] and theirs["lower"] <= mine["upper"])
        lo, hi = r.get("lower"), r.get("upper")
        small = abs(float(r["value"])) < small_auroc or (
            lo is not None and hi is not None and lo <= 0 <= hi
        )
        out.append(
            {
                "baseline": base,
                "auroc_difference": r["value"],
                "lower": lo,
                "upper": hi,
                "small": bool(small),
                "net_benefit_primary": mine.get("net benefit") if mine else None,
                "net_benefit_baseline": theirs.get("net benefit") if theirs else None,
                "net_benefit_overlap": overlap,
                "simpler_may_be_preferred": bool(small and overlap is not False)
                and base != "rule_never",
            }
        )
    return out


def stop_rules(
    *, horizon_days: int, events_per_run: float | None, min_events: int = 100
) -> dict[str, Any]:
    """Stop rules that can work: what decides, after how many events, after what delay.

    A rule is judged on its interval, not its estimate: stop only when the whole interval of
    the calibration slope or a group's observed/expected ratio lies outside the band, and only
    once ``min_events`` events have been observed since the last review. Outcomes are known
    only ``horizon_days`` after a prediction, so a judgement always concerns predictions at
    least that old. ``runs_to_judge`` is how many runs gather ``min_events`` at this event rate.

    Examples
    --------
    >>> stop_rules(horizon_days=180, events_per_run=25.0)["runs_to_judge"]
    4
    """
    runs = math.ceil(min_events / events_per_run) if events_per_run else None
    return {
        "decided_by": "interval",
        "min_events": min_events,
        "outcome_delay_days": horizon_days,
        "runs_to_judge": runs,
        "slope_band": [0.8, 1.2],
        "oe_band": [0.8, 1.25],
        "feedback_loop": True,
    }


def _row(rows: Any, model: str, metric: str) -> dict[str, Any] | None:
    if not isinstance(rows, list):
        return None
    for r in rows:
        if isinstance(r, dict) and r.get("model") == model and r.get("metric") == metric:
            return r
    return None


def plain_summary(card: Mapping[str, Any]) -> dict[str, Any]:
    """The numbers of the card's plain-language summary, read from the card itself.

    Nothing is computed anew: each value is taken from the section that reports it, so the
    summary and the sections always agree (a consistency test checks it).

    Examples
    --------
    >>> plain_summary({"performance": {"primary_model": "none", "metrics": []}})["auroc"]
    """
    perf = card.get("performance", {})
    name = perf.get("primary_model")
    auroc = _row(perf.get("metrics"), name, "auroc") if name else None
    oracle = perf.get("oracle")
    oracle_auroc = _row(oracle, "oracle (true risk)", "auroc")
    lift = None
    if isinstance(oracle, list):
        lift = next((r for r in oracle if r.get("metric") == "auroc_lift"), None)
    dec = card.get("decision", {})
    people = dec.get("people") or {}
    flagging = card.get("subgroups", {}).get("flagging") or []
    gaps = [r for r in flagging if r.get("verdict") == "gap"]
    few = {(r["attribute"], r["group"]) for r in flagging if r.get("verdict") == "too few to tell"}
    # the largest gap of each single attribute (intersections are in the section's table)
    largest: dict[str, dict[str, Any]] = {}
    for r in gaps:
        if " & " in str(r["attribute"]) or r["metric"] not in ("selection_rate", "tpr", "fpr"):
            continue
        size = abs(float(r.get("difference") or 0.0))
        if size > abs(float(largest.get(r["attribute"], {}).get("difference") or 0.0)):
            largest[r["attribute"]] = r
    worst = sorted(largest.values(), key=lambda r: -abs(float(r.get("difference") or 0.0)))
    return {
        "simulated": bool(card.get("data", {}).get("simulated")),
        "outcome": card.get("outcome", {}).get("name"),
        "horizon_days": card.get("outcome", {}).get("horizon_days"),
        "model": name,
        "auroc": auroc,
        "oracle_auroc": oracle_auroc,
        "oracle_lift_share": lift,
        "threshold": dec.get("threshold"),
        "score_threshold": dec.get("score_threshold"),  # ties at the threshold broken by score
        "share_flagged": people.get("share_flagged"),
        "precision": people.get("precision"),
        "recall": people.get("recall"),
        "per_run": people.get("per_run"),
        "runs": people.get("runs"),
        "false_alarm_weight": people.get("false_alarm_weight"),
        "gaps": worst,
        "groups_too_few": len(few),
        "effects": card.get("performance", {}).get("effects") or [],
    }
