"""Card data to neutral blocks, section by section (:func:`card_blocks`).

Both the Markdown and the HTML templates print these blocks, so the two formats always say the
same thing. Values the run cannot know are shown as their marker, never filled in.

Examples
--------
>>> from earlysignal.card import new_card
>>> card = new_card(run_id="r", experiment="e", run_name="n", outcome="breakdown",
...                 horizon_days=180)
>>> [s.id for s, _ in card_blocks(card)][:3]
['summary', 'model_details', 'intended_use']
"""

from __future__ import annotations

import math
from typing import Any

from earlysignal.card.board import plain_summary
from earlysignal.card.standards import NOT_MEASURED, SECTIONS, compliance, unknown
from earlysignal.card.texts import (
    METRIC_NAMES,
    Block,
    Cell,
    current_language,
    fmt_int,
    fmt_num,
    fmt_range,
    say,
)

__all__ = ["COLUMN_LABELS", "METRIC_NAMES", "card_blocks"]


def _cell(value: Any) -> Cell:
    if isinstance(value, dict) and "status" in value and set(value) <= {"status", "reason"}:
        reason = f" ({value['reason']})" if value.get("reason") else ""
        from earlysignal.i18n import gettext

        status = gettext(str(value["status"]), current_language())
        return Cell(f"{status}{reason}", marked=True)
    if value is None:
        return Cell("-")
    if isinstance(value, bool):
        return Cell("yes" if value else "no")
    if isinstance(value, float):
        if math.isnan(value):
            return Cell("-")
        return Cell(fmt_num(value, 3) if abs(value) < 1000 else fmt_num(value, 0))
    if isinstance(value, int):
        return Cell(fmt_int(value))
    if isinstance(value, list):
        return Cell(", ".join(_cell(v).text for v in value) if value else "-")
    if isinstance(value, dict):
        return Cell("; ".join(f"{k}: {_cell(v).text}" for k, v in value.items()))
    return Cell(str(value))


def _text_block(value: Any) -> Block:
    return Block("text", cells=[_cell(value)])


def _kv(pairs: list[tuple[str, Any]]) -> Block:
    return Block("kv", rows=[[Cell(k), _cell(v)] for k, v in pairs])


def _list(value: Any) -> Block:
    if isinstance(value, list) and value:
        return Block("list", cells=[_cell(v) for v in value])
    return _text_block(value if not isinstance(value, list) else unknown(NOT_MEASURED))


def _table(rows: Any, caption: str = "", columns: list[str] | None = None) -> Block:
    if not isinstance(rows, list):
        return _text_block(rows)
    if not rows:
        return _text_block(unknown(NOT_MEASURED, reason=caption or None))
    cols = columns or list(dict.fromkeys(k for r in rows for k in r))
    return Block(
        "table",
        columns=cols,
        rows=[[_cell(r.get(c)) for c in cols] for r in rows],
        caption=caption,
    )


def _figures(card: dict[str, Any], section: str, ref: Any = None) -> list[Block]:
    """The section's figures; a missing referenced figure or an unknown marker is shown."""
    figs = card.get("figures", [])
    blocks = [
        Block("figure", file=f["file"], caption=f["caption"])
        for f in figs
        if f.get("section") == section
    ]
    ids = {f["id"] for f in figs}
    if isinstance(ref, str) and ref not in ids:
        blocks.append(
            Block("text", cells=[Cell(f"figure {ref!r} missing from the run", marked=True)])
        )
    elif isinstance(ref, dict) and not blocks:
        blocks.append(_text_block(ref))
    return blocks


def _metric_rows(metrics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "model": m["model"],
            "metric": m["metric"],
            "value": m["value"],
            "95% interval": (
                fmt_range(m["lower"], m["upper"])
                if m.get("lower") is not None and m.get("upper") is not None
                else "-"
            ),
        }
        for m in metrics
    ]


COLUMN_LABELS: dict[str, str] = {
    "n": "prediction times (rows, rounded to 5)",
    "n_pos": "rows with the event (rounded to 5)",
    "n_neg": "rows without the event (rounded to 5)",
    "n_flagged": "rows flagged (rounded to 5)",
    "n_children": "children (distinct, rounded to 5)",
    "n_children_pos": "children with the event (distinct, rounded to 5)",
    "n_children_neg": "children without the event (distinct, rounded to 5)",
    "n_children_flagged": "children flagged (distinct, rounded to 5)",
    "n_rows": "prediction times (rows, rounded to 5)",
    "n_rows_pos": "rows with the event (rounded to 5)",
    "n_rows_neg": "rows without the event (rounded to 5)",
    "n_rows_flagged": "rows flagged (rounded to 5)",
    "base_rate": "event rate",
    "mean_risk": "mean predicted risk",
    "oe_ratio": "O/E",
    "oe_ratio_lo": "O/E lower",
    "oe_ratio_hi": "O/E upper",
    "selection_rate": "share flagged",
    "tpr": "TPR",
    "fpr": "FPR",
    "ppv": "precision",
    "gap_flag": "calibration gap",
    "age": "age at prediction time",
    "rows": "rows (rounded to 5)",
    "events": "events (rows, rounded to 5)",
    "event_rate": "event rate",
    "competing_share": "share ended by a competing event",
    "turns_18_share": "share turning 18 in the window",
    "share_flagged": "share flagged",
    "recall": "share of breakdowns caught",
}
"""Column headings of the subgroup table: every count says what it counts."""


def _estimate(value: Any, lo: Any, hi: Any) -> str:
    if value is None:
        return "hidden (too few)"
    if lo is None or hi is None:
        return fmt_num(value)
    return f"{fmt_num(value)} ({fmt_range(lo, hi)})"


def _flagging_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per group: each rate with its interval, and the verdicts of the gap test."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        key = (r["attribute"], r["group"])
        row = out.setdefault(
            key, {"attribute": r["attribute"], "group": r["group"], "compared with": "-"}
        )
        row[METRIC_NAMES.get(r["metric"], r["metric"])] = _estimate(
            r.get("value"), r.get("lower"), r.get("upper")
        )
        if r["verdict"] == "reference":
            row["compared with"] = "reference group"
        else:
            row["compared with"] = str(r.get("reference"))
            row.setdefault("_verdicts", []).append((r["verdict"], r["metric"]))
    result = []
    for row in out.values():
        verdicts = row.pop("_verdicts", [])
        gaps = [METRIC_NAMES.get(m, m) for v, m in verdicts if v == "gap"]
        small = [METRIC_NAMES.get(m, m) for v, m in verdicts if v == "small gap"]
        few = [METRIC_NAMES.get(m, m) for v, m in verdicts if v == "too few to tell"]
        if not verdicts:
            row["gap test"] = "reference"
        else:
            parts = []
            if gaps:
                parts.append("gap: " + ", ".join(gaps))
            if small:
                parts.append("small gap: " + ", ".join(small))
            if few:
                parts.append("too few to tell: " + ", ".join(few))
            row["gap test"] = "; ".join(parts) if parts else "no gap"
        result.append(row)
    return result


def _labelled(rows: Any) -> Any:
    if not isinstance(rows, list):
        return rows
    return [{COLUMN_LABELS.get(k, k): v for k, v in r.items()} for r in rows]


def _breakdown_definition_rows(bd: dict[str, Any]) -> list[tuple[str, Any]]:
    """Key-value rows of ``card["outcome"]["breakdown_definition"]`` (counts as published)."""
    counts = bd.get("counts", {})
    hidden = f"fewer than {bd.get('counts_min_children', 10)} children"
    return [
        ("breakdown definition", bd.get("name")),
        ("counted as a breakdown", ", ".join(bd.get("end_reasons", []))),
        ("source of the definition", bd.get("source")),
        *(
            (f"placements ended as {part} (rounded to 5)", hidden if n is None else n)
            for part, n in counts.items()
        ),
    ]


def _source_definition_blocks(sd: Any) -> list[Block]:
    """The source's definitions and blind spots (``card["data"]["source_definitions"]``)."""
    if not isinstance(sd, dict):
        return []
    name = sd.get("title") or f"{sd.get('source', 'the source')} data"
    return [
        _table(
            [{"term": x["term"], "meaning": x["text"]} for x in sd.get("definitions", [])],
            f"what the words mean in {name}",
        ),
        _table(
            [{"what the data cannot show": t} for t in sd.get("blind_spots", [])],
            f"blind spots of {name}",
        ),
    ]


def card_blocks(card: dict[str, Any]) -> list[tuple[Any, list[Block]]]:
    """The card as (section, blocks) pairs, one per entry of ``SECTIONS``, in order.

    Examples
    --------
    >>> from earlysignal.card import new_card
    >>> card = new_card(run_id="r", experiment="e", run_name="n", outcome="breakdown",
    ...                 horizon_days=180)
    >>> [s.id for s, _ in card_blocks(card)][:3]
    ['summary', 'model_details', 'intended_use']
    """
    md, out = card["model_details"], []
    summary = card.get("summary") or plain_summary(card)
    for section in SECTIONS:
        blocks: list[Block] = []
        sid = section.id
        if sid == "summary":
            blocks += say("summary", summary)
        elif sid == "simulator":
            blocks += say("simulator", card["data"].get("simulator"))
        elif sid == "harms":
            blocks += say("harms")
        elif sid == "glossary":
            blocks += say("glossary")
        elif sid == "rights":
            r = card.get("rights") or {}
            blocks += say("rights")
            blocks.append(
                _kv(
                    [
                        ("how the child and parents are told", r.get("informed", unknown())),
                        ("how they see the score and its reasons", r.get("access", unknown())),
                        (
                            "how they correct wrongly recorded events",
                            r.get("correction", unknown()),
                        ),
                        ("how they object (AVG art. 21)", card["legal"]["objection_route"]),
                        ("whom they contact", r.get("contact", unknown())),
                    ]
                )
            )
        elif sid == "model_details":
            blocks += [
                _text_block(md["description"]),
                _kv(
                    [
                        ("model", md["model_type"]),
                        ("calibration", md.get("calibration")),
                        ("probability intervals", md.get("intervals")),
                        ("class imbalance", md["class_imbalance"]),
                        ("hyperparameters", md.get("hyperparameters")),
                        ("owners", md["owners"]),
                        ("contact", md["contact"]),
                        ("earlysignal version", md.get("version")),
                        ("date", md.get("date")),
                        ("MLflow run", card["run"]["run_id"]),
                        ("MLflow experiment", card["run"]["experiment"]),
                    ]
                ),
            ]
        elif sid == "intended_use":
            blocks.append(_text_block(card["intended_use"]["primary"]))
        elif sid == "out_of_scope":
            blocks.append(_list(card["intended_use"]["out_of_scope"]))
            blocks += say("misuse")
        elif sid == "outcome":
            o = card["outcome"]
            blocks += [
                _text_block(o["definition"]),
                _kv(
                    [
                        ("outcome", o["name"]),
                        ("horizon (days)", o["horizon_days"]),
                        ("minimum moves", o.get("min_moves")),
                    ]
                ),
            ]
            bd = o.get("breakdown_definition")
            if isinstance(bd, dict):
                blocks.append(_kv(_breakdown_definition_rows(bd)))
        elif sid == "censoring":
            o = card["outcome"]
            c = o["censoring"]
            blocks += [
                _text_block(c.get("rule", "")),
                _kv(
                    [
                        ("prediction times (rows)", c["rows"]),
                        ("censored rows (label missing)", c["censored"]),
                        ("rows not at risk (label missing)", c.get("not_at_risk")),
                        ("labelled rows", c["labelled"]),
                        ("rows with the event", c.get("positives")),
                        ("rows labelled 0 after a competing event", c.get("competing")),
                    ]
                ),
                _text_block(o["competing_events"]),
            ]
            if isinstance(o.get("competing_by_age"), list):
                blocks += say("competing", o["competing_by_age"], o["horizon_days"])
                blocks.append(
                    _table(
                        _labelled(o["competing_by_age"]),
                        "test period by age at prediction time (rows and events rounded to 5)",
                    )
                )
        elif sid == "data":
            d = card["data"]
            blocks += say("data_period", d)
            blocks += [
                _kv(
                    [
                        ("source", d["source"]),
                        ("simulated", d["simulated"]),
                        ("observed until", d.get("observed_until")),
                        ("first prediction time", d["period"].get("first_prediction_time")),
                        ("last prediction time", d["period"].get("last_prediction_time")),
                        ("prediction-time design", d["prediction_times"]["design"]),
                        ("prediction times (rows)", d["prediction_times"]["rows"]),
                        ("children with a prediction time", d["prediction_times"]["children"]),
                        ("validation errors (rows)", d["validation"]["errors"]),
                        ("validation warnings (rows)", d["validation"]["warnings"]),
                    ]
                ),
                _table(
                    [{"table": k, "rows": v} for k, v in d["counts"].items()],
                    "rows per table (sizes only; the data are never logged)",
                ),
                *_source_definition_blocks(d.get("source_definitions")),
                _table(
                    [{"table": k, "sha256": v} for k, v in d["digests"].items()],
                    "dataset digests",
                ),
            ]
            if d.get("import"):
                imp = d["import"]
                blocks += [
                    _table(
                        [
                            {
                                "source table": t,
                                "rows read": n,
                                "duplicate rows merged": imp["duplicates_merged"].get(t, 0),
                                "rows excluded": imp["excluded"].get(t, 0),
                                "rows kept": imp["kept"].get(t, 0),
                            }
                            for t, n in imp["rows_read"].items()
                        ],
                        f"import of {imp['files']} file(s), errors: {imp['errors']} (row counts)",
                    ),
                    _table(
                        [{"rule": k, "rows": v} for k, v in imp["issues"].items()],
                        "import issues by rule (counts; row-level details stay with the data team)",
                    ),
                ]
        elif sid == "predictors":
            p = card["predictors"]
            blocks += [
                _text_block(p["timing"]),
                _kv(
                    [
                        ("number of predictors", p["count"]),
                        ("sensitive attributes excluded", p["excluded_attributes"] or "none"),
                        ("sensitive attributes opted in", p["included_sensitive"] or "none"),
                        ("default features left out", p.get("excluded_features") or "none"),
                        ("missing data", p["missing_data"]),
                    ]
                ),
                _table(p["features"], "predictors and their descriptions"),
            ]
        elif sid == "validation":
            v = card["validation_design"]
            blocks += [
                _text_block(v["description"]),
                *say("periods_note"),
                _table(v["periods"], "periods of the temporal split (counts of rows unless named)"),
                _kv(
                    [
                        ("rows purged (all periods)", v.get("purged_rows")),
                        ("bootstrap replicates", v["bootstrap"]),
                        ("interval level", v["ci_level"]),
                        ("bootstrap clustered by", v.get("clustered_by")),
                    ]
                ),
            ]
            if isinstance(v.get("method"), dict):
                blocks += say("method", v["method"])
        elif sid == "performance":
            perf = card["performance"]
            blocks += [
                _list(perf["summary"]),
                _table(_metric_rows(perf["metrics"]), "test period, with 95% intervals"),
            ]
            oracle = perf["oracle"]
            blocks.append(
                _table(_metric_rows(oracle), "the oracle (true risk) on the same rows")
                if isinstance(oracle, list)
                else _text_block(oracle)
            )
            if perf.get("oracle_sample"):
                blocks.append(_text_block(perf["oracle_sample"]))
            if perf.get("oracle_worlds"):
                ow = perf["oracle_worlds"]
                lo, hi = ow["lift_share_range"]
                pairs: list[tuple[str, Any]] = [
                    (
                        "share of the oracle's lift across simulator worlds",
                        f"{fmt_range(lo, hi, 2)} ({ow['source']}, {ow['children']} children per "
                        f"world, seed {ow['seed']})",
                    )
                ]
                for w, v in ow["per_world"].items():
                    if None not in v:
                        pairs.append(
                            (f"world: {w}", f"{fmt_num(v[0], 2)} (95% {fmt_range(v[1], v[2], 2)})")
                        )
                blocks.append(_kv(pairs))
            if perf.get("effects"):
                blocks += say("effects", perf["effects"])
            if perf.get("personas"):  # with and without the persona features (issue 19)
                blocks += say("persona_value", perf["personas"], card["predictors"]["personas"])
            blocks += _figures(card, sid)
        elif sid == "calibration":
            cal = card["calibration"]
            blocks += [
                _text_block(cal["method"]),
                _table(_metric_rows(cal["metrics"]), "calibration on the test period"),
            ]
            blocks += _figures(card, sid, cal.get("figure"))
        elif sid == "decision":
            dec = card["decision"]
            blocks += [
                _text_block(dec["rule"]),
                *say("decision_people", dec.get("people"), card["outcome"]["horizon_days"]),
                _table(dec["workload"], "expected workload at the decision rule (test period)"),
                _table(dec["net_benefit"], "net benefit (decision curve)"),
            ]
            blocks += _figures(card, sid, dec.get("figure"))
        elif sid == "subgroups":
            sg = card["subgroups"]
            blocks += [
                _text_block(sg["method"]),
                _kv(
                    [
                        ("attributes", sg["attributes"]),
                        ("smallest published cell (children)", sg["min_cell"]),
                        ("suppressed cells", sg["suppressed_cells"]),
                    ]
                ),
            ]
            if isinstance(sg.get("flagging"), list) and sg["flagging"]:
                blocks += say("flagging_intro", sg.get("gap_margin"), card["decision"]["threshold"])
                blocks.append(
                    _table(
                        _flagging_rows(sg["flagging"]),
                        "who gets flagged at the decision rule, with 95% intervals",
                    )
                )
                blocks += say("options")
            blocks.append(
                _table(
                    _labelled(sg["table"]),
                    "calibration and rates per group after disclosure control (counts rounded "
                    "to 5 one by one, so groups may not add up to the total exactly)",
                )
            )
            if sg.get("note"):
                blocks.append(_text_block(sg["note"]))
            blocks += _figures(card, sid, sg.get("figure"))
        elif sid == "explanations":
            ex = card["explanations"]
            blocks += [
                _text_block(ex["method"]),
                _kv([("rows explained", ex["explained_rows"])]),
                _table(ex["top_features"], "top factors by mean absolute contribution"),
                _list(ex["limits"]),
            ]
            blocks += _figures(card, sid, ex.get("figure"))
        elif sid == "limitations":
            blocks.append(_list(card["limitations"]))
        elif sid == "ethics":
            e = card["ethics"]
            blocks.append(
                _kv(
                    [
                        ("considerations", e["considerations"]),
                        ("ethical approval", e["approval"]),
                        ("funding", e["funding"]),
                        (
                            "involvement of people with lived experience",
                            e["lived_experience_involvement"],
                        ),
                        ("risk category (EU AI Act)", e["risk_category"]),
                        ("fundamental rights impact assessment", e.get("fria")),
                    ]
                )
            )
        elif sid == "oversight":
            lg = card["legal"]
            blocks += [
                _text_block(card["human_oversight"]),
                _kv(
                    [
                        ("legal basis", lg["basis"]),
                        ("objection route", lg["objection_route"]),
                        ("status", lg["status"]),
                    ]
                ),
            ]
        elif sid == "monitoring":
            mon = card["monitoring"]
            blocks.append(_kv([("plan", mon["plan"]), ("review date", mon["review_date"])]))
            blocks += say("stop_rules", mon.get("stop_rules"))
        elif sid == "provenance":
            pv = card["provenance"]
            blocks += [
                _kv(
                    [
                        ("earlysignal", pv["earlysignal_version"]),
                        ("python", pv["python"]),
                        ("platform", pv.get("platform")),
                        ("git commit", pv["git_commit"]),
                        ("uv.lock sha256", pv["uv_lock_sha256"]),
                        ("config sha256", pv["config_sha256"]),
                        ("seed", pv.get("seed")),
                        ("saved model (MLflow artifacts)", pv["model_artifact"]),
                        ("durations (s)", pv.get("durations_s")),
                    ]
                ),
                _table(
                    [{"package": k, "version": v} for k, v in pv["packages"].items()],
                    "package versions",
                ),
            ]
        else:  # the four standards
            titles = {s.id: s.title for s in SECTIONS}
            rows = [
                {**r, "section": titles.get(r["section"], r["section"])}
                for r in card["compliance"].get(sid) or compliance(card)[sid]
            ]
            blocks.append(_table(rows, columns=["item", "topic", "section", "status", "note"]))
        out.append((section, blocks))
    return out
