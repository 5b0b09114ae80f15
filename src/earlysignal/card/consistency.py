"""Does a card agree with itself? Totals that add up, one value per metric, intervals shown,
counts that say what they count.

A board reading the card should never meet two values of one metric, totals that do not add
up, an estimate whose interval exists but is not shown, or a bare count. :func:`check_card`
reads the card data (as in ``model_card.json``) and lists every such problem; the tests run it
on a demo-like card and on the real ``earlysignal demo`` card. It is written here, not left to
a JSON-Schema, because the rules cross sections (the schema checks each field alone).

Rounded counts (disclosure control rounds each count to 5 on its own) are compared within the
rounding they carry.

Examples
--------
>>> from earlysignal.card import new_card
>>> card = new_card(run_id="r", experiment="e", run_name="n", outcome="breakdown",
...                 horizon_days=180)
>>> check_card(card)
[]
>>> card["outcome"]["censoring"].update(rows=100, censored=20, labelled=50)
>>> check_card(card)[0][:40]
'totals: outcome.censoring rows 100 != ce'
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

__all__ = ["COUNT_UNITS", "check_card"]

COUNT_UNITS: tuple[str, ...] = (
    "rows", "children", "events", "prediction times", "replicates", "cells", "days",
    "predictors", "runs", "trees", "files", "rank", "item", "seed", "caseload", "moves",
    "errors", "warnings", "placements", "messages",
)  # fmt: skip
"""Words of which a count's heading must name one (what the count counts)."""

_TOL = 5e-4  # values shown with 3 decimals agree when they round alike
_INT = re.compile(r"^-?\d{1,3}(,\d{3})*$")


def _close(a: Any, b: Any, tol: float = _TOL) -> bool:
    return a is None or b is None or abs(float(a) - float(b)) <= tol


def _tol(published: Any) -> float:
    """Half a unit of the last decimal of a coarse (2-decimal) published value, else tight."""
    if published is None or round(float(published), 2) != float(published):
        return _TOL
    return 0.005 + _TOL


def _pair_tol(a: Any, b: Any) -> float:
    """How far two published roundings of one value can lie apart: half a unit of the last
    decimal of each (0.01 for two 2-decimal values, 0.001 for two 3-decimal ones)."""
    return _tol(a) + _tol(b) - _TOL + 1e-9


_RULE_RATES: dict[str, tuple[str, str]] = {
    "share flagged": ("flagged", "rows"),
    "precision": ("flagged_with_event", "flagged"),
    "recall": ("flagged_with_event", "events"),
}
"""The decision rule's rates and the counts of ``decision.people.counts`` they come from."""


def _rule_span(counts: Any, key: str) -> tuple[float, float] | None:
    """The rates a rule's true counts can give, from its published counts (each rounded to 5:
    within 2 of the truth); ``None`` when a count is hidden or the counts are not on the card."""
    if not isinstance(counts, dict) or key not in _RULE_RATES:
        return None
    num, den = (counts.get(k) for k in _RULE_RATES[key])
    if num is None or not den:
        return None
    lo_n, hi_n = _span(num)
    lo_d, hi_d = _span(den)
    return lo_n / hi_d, min(1.0, hi_n / max(1, lo_d))


def _metric(rows: Any, model: str, metric: str) -> dict[str, Any] | None:
    if isinstance(rows, list):
        for r in rows:
            if isinstance(r, dict) and r.get("model") == model and r.get("metric") == metric:
                return r
    return None


def _totals(card: dict[str, Any]) -> Iterator[str]:
    c = card["outcome"]["censoring"]
    if c.get("rows"):  # published counts (rounded to 5, under 10 null): within their rounding
        parts = [c["censored"], c.get("not_at_risk", 0), c["labelled"]]
        if not _fits([c["rows"]], parts):
            yield (
                f"totals: outcome.censoring rows {c['rows']} != censored {c['censored']} + "
                f"not at risk {c.get('not_at_risk') or 0} + labelled {c['labelled']}"
            )
    periods = card["validation_design"]["periods"]
    if periods and "rows in period" in periods[0]:
        # published counts: rounded to 5, under 10 hidden (null); compared within that rounding
        for p in periods:
            if not _fits([p["rows in period"]], [p["purged rows"], p["kept rows"]]):
                yield (
                    f"totals: period {p['period']}: rows in period {p['rows in period']} != "
                    f"purged {p['purged rows']} + kept {p['kept rows']}, more than their "
                    "rounding explains"
                )
        total = [p["rows in period"] for p in periods]
        if c.get("rows") and not _fits(total, [c["rows"]]):
            yield f"totals: rows over the periods {total} != prediction times {c['rows']}"
        col = next(k for k in periods[0] if "censored" in k)
        missing = [p[col] for p in periods]
        expected = [c["censored"], c.get("not_at_risk", 0)]
        if c.get("rows") and not _fits(missing, expected):
            yield (
                f"totals: censored rows over the periods {missing} != censored + not at risk "
                f"{expected} (Censoring section)"
            )
        purged = card["validation_design"].get("purged_rows")
        if "purged_rows" in card["validation_design"] and not _fits(
            [purged], [p["purged rows"] for p in periods]
        ):
            yield "totals: 'rows purged (all periods)' is not the sum of the periods' purged rows"
    elif periods and c.get("rows"):
        col = next((k for k in periods[0] if "censored" in k), None)
        shown = sum(int(p[col]) for p in periods) if col else None
        expected = c["censored"] + (c.get("not_at_risk") or 0)
        if shown is not None and shown != expected:
            yield (
                f"totals: censored rows over the periods {shown} != censored + not at risk "
                f"{expected} (Censoring section)"
            )
    table = card["subgroups"]["table"]
    if isinstance(table, list) and periods:
        test = next((p for p in periods if p.get("period") == "test"), None)
        kept = test.get("kept rows", test.get("rows")) if test else None
        overall = next((r for r in table if r.get("attribute") == "all"), None)
        n_all = _rows(overall) if overall else None
        if n_all is not None and kept is not None and abs(n_all - kept) > 2.5:
            yield f"totals: subgroup 'all' row count {n_all} != test rows {kept} (rounded)"
        by_attr: dict[str, list[int]] = {}
        for r in table:
            single = r.get("attribute") not in (None, "all") and " & " not in str(r["attribute"])
            if single and _rows(r) is not None:
                by_attr.setdefault(r["attribute"], []).append(int(_rows(r)))  # type: ignore[arg-type]
        if n_all is not None:
            for attr, ns in by_attr.items():
                if abs(sum(ns) - n_all) > 2.5 * (len(ns) + 1):
                    yield (
                        f"totals: groups of {attr} sum to {sum(ns)} against {n_all}, "
                        "more than their rounding explains"
                    )


def _span(value: Any, exact: bool = False) -> tuple[int, int]:
    """The true counts a published count can stand for: a count rounded to 5 (halves up) is
    within 2 of the truth, a hidden count (null) is 0 to 9; an ``exact`` count is itself.
    A count published exactly (cards written before rounding) lies within its span too."""
    if value is None:
        return 0, 9
    v = int(value)
    return (v, v) if exact else (max(0, v - 2), v + 2)


def _fits(left: list[Any], right: list[Any], exact: bool = False) -> bool:
    """Whether ``sum(left) == sum(right)`` can hold for true counts behind the published ones
    (``right`` exact when ``exact``): the two sums' spans overlap."""
    lo = sum(_span(v)[0] for v in left), sum(_span(v, exact)[0] for v in right)
    hi = sum(_span(v)[1] for v in left), sum(_span(v, exact)[1] for v in right)
    return lo[0] <= hi[1] and lo[1] <= hi[0]


def _rows(row: dict[str, Any]) -> Any:
    """The row count of an audit row (``n_rows``; ``n`` in cards written before it)."""
    return row.get("n_rows", row.get("n"))


def _one_value(card: dict[str, Any]) -> Iterator[str]:
    perf = card["performance"]
    name = perf.get("primary_model")
    auroc = _metric(perf["metrics"], name, "auroc")
    summary = card.get("summary") or {}
    if auroc and summary.get("auroc") and summary["auroc"].get("value") != auroc["value"]:
        yield "one value: the summary's AUROC differs from the Performance section's"
    table = card["subgroups"]["table"]
    overall = None
    if isinstance(table, list):
        overall = next((r for r in table if r.get("attribute") == "all"), None)
    ece = _metric(card["calibration"]["metrics"], name, "ece")
    if overall is not None:
        # subgroup tables published to 2 decimals (disclosure) are compared at that precision
        a, e = overall.get("auroc"), overall.get("ece")
        if auroc and not _close(a, auroc["value"], _pair_tol(a, auroc["value"])):
            yield f"one value: AUROC {auroc['value']:.3f} and {overall['auroc']:.3f} (subgroups)"
        if ece and not _close(e, ece["value"], _pair_tol(e, ece["value"])):
            yield f"one value: ECE {ece['value']:.3f} and {overall['ece']:.3f} (subgroups)"
    people = card["decision"].get("people") or {}
    from earlysignal.card.stored_words import workload_key

    short = {"precision_at_top": "precision", "recall_at_top": "recall"}
    workload: dict[str, dict[str, Any]] = {  # by key, never by the (translatable) label
        short.get(workload_key(r) or "", str(r.get("measure"))): r
        for r in card["decision"]["workload"]
    }
    first: dict[str, Any] = next(iter(workload.values()), {})
    at_rule: dict[str, list[tuple[str, Any]]] = {
        "share flagged": [
            ("decision rule in children", people.get("share_flagged")),
            ("workload table", first.get("flagged share")),
        ],
        "precision": [
            ("decision rule in children", people.get("precision")),
            ("workload table", workload.get("precision", {}).get("value")),
        ],
        "recall": [
            ("decision rule in children", people.get("recall")),
            ("workload table", workload.get("recall", {}).get("value")),
        ],
    }
    if overall is not None:
        at_rule["share flagged"].append(("subgroup total", overall.get("selection_rate")))
        at_rule["precision"].append(("subgroup total", overall.get("ppv")))
        at_rule["recall"].append(("subgroup total", overall.get("tpr")))
    for key, sources in at_rule.items():
        known = [(w, v) for w, v in sources if v is not None]
        span = _rule_span(people.get("counts"), key)
        if span is not None:
            # rates of counts rounded to 5: each source within its own rounding of a rate the
            # published counts allow (the rule's counts in rows; the subgroup table's own)
            for w, v in known:
                if not span[0] - _tol(v) <= float(v) <= span[1] + _tol(v):
                    yield (
                        f"one value: {key} at the decision rule is {v:.3f} ({w}), outside "
                        f"{span[0]:.3f} to {span[1]:.3f}, the rates its published counts allow"
                    )
            continue
        for (w1, v1), (w2, v2) in itertools.pairwise(known):
            # cards without the rule's counts (written before issue 12) store the rule's rates
            # exactly; the subgroup table publishes them to 2 decimals: that precision
            tol = max(_tol(v) if w == "subgroup total" else _TOL for w, v in ((w1, v1), (w2, v2)))
            if not _close(v1, v2, tol):
                yield f"one value: {key} at the decision rule is {v1:.3f} ({w1}), {v2:.3f} ({w2})"
    bootstrap = card["validation_design"]["bootstrap"]
    if bootstrap == 0 and any(
        r.get("lower") is not None for r in perf["metrics"] if isinstance(r, dict)
    ):
        yield "one value: 'bootstrap replicates 0' beside bootstrap intervals"


def _intervals(card: dict[str, Any]) -> Iterator[str]:
    if card["validation_design"]["bootstrap"] <= 0:
        return
    lists = {
        "performance.metrics": card["performance"]["metrics"],
        "performance.oracle": card["performance"]["oracle"],
        "calibration.metrics": card["calibration"]["metrics"],
        "decision.workload": card["decision"]["workload"],
        "decision.net_benefit": card["decision"]["net_benefit"],
        "subgroups.flagging": card["subgroups"].get("flagging") or [],
    }
    for where, rows in lists.items():
        if not isinstance(rows, list):
            continue
        for r in rows:
            estimate = r.get("value", r.get("net benefit"))
            if "lower" in r and estimate is not None and None in (r.get("lower"), r.get("upper")):
                yield f"intervals: a row of {where} has an estimate without its interval: {r}"


def _counts_labelled(card: dict[str, Any]) -> Iterator[str]:
    from earlysignal.card.blocks import card_blocks

    def says_what(name: str) -> bool:
        low = name.lower()
        return any(u in low for u in COUNT_UNITS)

    for section, blocks in card_blocks(card):
        if section.id in ("tripod_ai", "eu_ai_act", "avg", "iama", "algoritmeregister"):
            continue
        for b in blocks:
            if b.kind == "table":
                for j, col in enumerate(b.columns):
                    cells = [r[j].text for r in b.rows if r[j].text not in ("-", "")]
                    if cells and all(_INT.match(t) for t in cells) and not says_what(col):
                        yield f"counts: column {col!r} of a table in {section.id} is a bare count"
            elif b.kind == "kv":
                for key, value in b.rows:
                    if _INT.match(value.text) and not says_what(key.text):
                        yield f"counts: {key.text!r} in {section.id} is a bare count"


def check_card(card: dict[str, Any]) -> list[str]:
    """Every inconsistency of a card with itself, as one line each (empty when none).

    Checks: totals that add up (censoring, periods, subgroup counts within their rounding).
    The periods' counts are published rounded to 5, or hidden (null) under 10: rows in a period
    = purged + kept is checked within that rounding, each rounded count standing for any true
    count within 2 of it and a hidden one for 0 to 9, and the equation holds when some true
    counts behind the published ones satisfy it (the same for the sums over the periods against
    the Censoring section's exact counts and the purged total).
    One value per metric across sections (summary, performance, calibration, decision rule,
    subgroup totals), every estimate that has an interval shows it, and every count on the
    rendered card names what it counts (:data:`COUNT_UNITS`).
    """
    return [*_totals(card), *_one_value(card), *_intervals(card), *_counts_labelled(card)]
