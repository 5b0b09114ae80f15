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
from earlysignal.card.standards import (
    NOT_MEASURED,
    NOT_YET_ON_CARD,
    ORGANISATION_WRITES,
    SECTIONS,
    STANDARDS,
    compliance,
    unknown,
)
from earlysignal.card.stored_words import (
    described_rows,
    localized_source_definitions,
    source_text,
    workload_rows,
)
from earlysignal.card.texts import (
    METRIC_NAMES,
    Block,
    Cell,
    current_language,
    fmt_date,
    fmt_int,
    fmt_num,
    fmt_range,
    is_reader_text,
    render_items,
    render_text,
    say,
)
from earlysignal.i18n import N_

__all__ = ["COLUMN_LABELS", "METRIC_NAMES", "TABLE_HEADINGS", "card_blocks"]


def _(message: str) -> str:
    """A reader text of the card in the card's current language (catalogue, docs/i18n.md)."""
    from earlysignal.i18n import gettext

    return gettext(message, current_language())


def _stored(value: Any) -> Any:
    """A text stored in the card data, in the card's language when it is a catalogue message.

    The card data keep language-neutral English defaults (for example "not run" or the
    censoring rule of :func:`~earlysignal.card.new_card`); a stored text that is exactly a
    message of the catalogue is shown in the card's language, any other text as written.
    """
    return _(value) if isinstance(value, str) and value else value


def _cell(value: Any) -> Cell:
    if is_reader_text(value):  # a reader text stored as data: worded in the card's language
        return Cell(render_text(value))
    if isinstance(value, dict) and "status" in value and set(value) <= {"status", "reason"}:
        from earlysignal.card.stored_words import reason_text
        from earlysignal.i18n import gettext

        why = value.get("reason")
        reason = f" ({reason_text(str(why), current_language())})" if why else ""

        status = gettext(str(value["status"]), current_language())
        return Cell(f"{status}{reason}", marked=True)
    if value is None:
        return Cell("-")
    if isinstance(value, bool):
        return Cell(_("yes") if value else _("no"))
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
    return Block("text", cells=[_cell(_stored(value))])


def _kv(pairs: list[tuple[str, Any]]) -> Block:
    return Block("kv", rows=[[Cell(k), _cell(_stored(v))] for k, v in pairs])


def _list(value: Any) -> Block:
    if is_reader_text(value):
        return Block("list", cells=[Cell(x) for x in render_items(value)])
    if isinstance(value, list) and value:
        return Block("list", cells=[_cell(_stored(v)) for v in value])
    return _text_block(value if not isinstance(value, list) else unknown(NOT_MEASURED))


def _table(rows: Any, caption: str = "", columns: list[str] | None = None) -> Block:
    if not isinstance(rows, list):
        return _text_block(rows)
    if not rows:
        return _text_block(unknown(NOT_MEASURED, reason=caption or None))
    cols = columns or list(dict.fromkeys(k for r in rows for k in r))
    return Block(
        "table",
        columns=[_(str(c)) for c in cols],
        rows=[[_cell(r.get(c)) for c in cols] for r in rows],
        caption=caption,
    )


def _figures(card: dict[str, Any], section: str, ref: Any = None) -> list[Block]:
    """The section's figures; a missing referenced figure or an unknown marker is shown."""
    figs = card.get("figures", [])
    blocks = [
        Block("figure", file=f["file"], caption=render_text(f["caption"]))
        for f in figs
        if f.get("section") == section
    ]
    ids = {f["id"] for f in figs}
    if isinstance(ref, str) and ref not in ids:
        blocks.append(
            Block(
                "text",
                cells=[Cell(_("figure %(id)s missing from the run") % {"id": repr(ref)}, True)],
            )
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
            N_("95% interval"): (
                fmt_range(m["lower"], m["upper"])
                if m.get("lower") is not None and m.get("upper") is not None
                else "-"
            ),
        }
        for m in metrics
    ]


PERIOD_NAMES: dict[str, str] = {
    "train": N_("training"),
    "calibrate": N_("calibration"),
    "test": N_("test"),
}
"""The temporal split's periods as stored in the card data, and their names for readers."""

COLUMN_LABELS: dict[str, str] = {
    "n": N_("prediction times (rows, rounded to 5)"),
    "n_pos": N_("rows with the event (rounded to 5)"),
    "n_neg": N_("rows without the event (rounded to 5)"),
    "n_flagged": N_("rows flagged (rounded to 5)"),
    "n_children": N_("children (distinct, rounded to 5)"),
    "n_children_pos": N_("children with the event (distinct, rounded to 5)"),
    "n_children_neg": N_("children without the event (distinct, rounded to 5)"),
    "n_children_flagged": N_("children flagged (distinct, rounded to 5)"),
    "n_rows": N_("prediction times (rows, rounded to 5)"),
    "n_rows_pos": N_("rows with the event (rounded to 5)"),
    "n_rows_neg": N_("rows without the event (rounded to 5)"),
    "n_rows_flagged": N_("rows flagged (rounded to 5)"),
    "base_rate": N_("event rate"),
    "mean_risk": N_("mean predicted risk"),
    "oe_ratio": N_("O/E"),
    "oe_ratio_lo": N_("O/E lower"),
    "oe_ratio_hi": N_("O/E upper"),
    "selection_rate": N_("share flagged"),
    "tpr": N_("TPR"),
    "fpr": N_("FPR"),
    "ppv": N_("precision"),
    "gap_flag": N_("calibration gap"),
    "age": N_("age at prediction time"),
    "rows": N_("rows (rounded to 5)"),
    "events": N_("events (rows, rounded to 5)"),
    "event_rate": N_("event rate"),
    "competing_share": N_("share ended by a competing event"),
    "turns_18_share": N_("share turning 18 in the window"),
    "share_flagged": N_("share flagged"),
    "recall": N_("share of breakdowns caught"),
}
"""Column headings of the subgroup table: every count says what it counts."""

TABLE_HEADINGS: tuple[str, ...] = (
    N_("table"), N_("rows"), N_("sha256"), N_("term"), N_("meaning"), N_("rule"),
    N_("what the data cannot show"), N_("source table"), N_("rows read"),
    N_("duplicate rows merged"), N_("rows excluded"), N_("rows kept"), N_("package"),
    N_("version"), N_("attribute"), N_("group"), N_("compared with"), N_("gap test"),
    N_("item"), N_("topic"), N_("section"), N_("status"), N_("note"), N_("reviewer"),
    N_("question"), N_("answer"), N_("model"), N_("metric"), N_("value"),
    N_("name"), N_("description"), N_("feature"), N_("mean |contribution|"), N_("lower"),
    N_("upper"), N_("share"), N_("measure"), N_("flagged share"), N_("threshold"),
    N_("net benefit"), N_("from"), N_("until (exclusive)"), N_("rows in period"),
    N_("purged rows"), N_("of them censored rows (label missing)"), N_("kept rows"),
    N_("events (rows)"),
)  # fmt: skip
"""Column headings of the card's other tables (keys of their rows), marked for the catalogue:
:func:`card_blocks` shows every column heading in the card's language."""


def _estimate(value: Any, lo: Any, hi: Any) -> str:
    if value is None:
        return _("hidden (too few)")
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
            row["compared with"] = _("reference group")
        else:
            row["compared with"] = str(r.get("reference"))
            row.setdefault("_verdicts", []).append((r["verdict"], r["metric"]))
    result = []
    for row in out.values():
        verdicts = row.pop("_verdicts", [])
        gaps = [_(METRIC_NAMES.get(m, m)) for v, m in verdicts if v == "gap"]
        small = [_(METRIC_NAMES.get(m, m)) for v, m in verdicts if v == "small gap"]
        few = [_(METRIC_NAMES.get(m, m)) for v, m in verdicts if v == "too few to tell"]
        if not verdicts:
            row["gap test"] = _("reference")
        else:
            parts = []
            if gaps:
                parts.append(_("gap: %(metrics)s") % {"metrics": ", ".join(gaps)})
            if small:
                parts.append(_("small gap: %(metrics)s") % {"metrics": ", ".join(small)})
            if few:
                parts.append(_("too few to tell: %(metrics)s") % {"metrics": ", ".join(few)})
            row["gap test"] = "; ".join(parts) if parts else _("no gap")
        result.append(row)
    return result


def _labelled(rows: Any) -> Any:
    if not isinstance(rows, list):
        return rows
    return [{COLUMN_LABELS.get(k, k): v for k, v in r.items()} for r in rows]


_BY_AGE_COUNTS = frozenset({"rows", "n_children", "events"})


def _hidden(section: dict[str, Any], key: str) -> Any:
    """A published count of ``section``, or "fewer than 10" when the card hides it (null).

    A key the card does not hold stays missing ("-"): only a count published as null is
    hidden (counts under 10 children, docs/disclosure.md).
    """
    if key in section and section[key] is None:
        return _("fewer than 10")
    return section.get(key)


def _hidden_by_age(rows: Any) -> Any:
    """Results by age with each hidden cell (null: fewer than 10 children behind it) said so."""
    if not isinstance(rows, list):
        return rows
    return [
        {
            k: v if v is not None or k == "age" else
            (_("fewer than 10") if k in _BY_AGE_COUNTS else _("hidden (fewer than 10 children)"))
            for k, v in r.items()
        }
        for r in rows
    ]  # fmt: skip


def _breakdown_definition_rows(bd: dict[str, Any]) -> list[tuple[str, Any]]:
    """Key-value rows of ``card["outcome"]["breakdown_definition"]`` (counts as published)."""
    counts = bd.get("counts", {})
    hidden = _("fewer than %(n)s children") % {"n": bd.get("counts_min_children", 10)}
    src = bd.get("source")  # stored in English (earlysignal.outcomes), worded from the catalogue
    src = _(src) if isinstance(src, str) else src
    return [
        (_("breakdown definition"), bd.get("name")),
        (_("counted as a breakdown"), ", ".join(_(r) for r in bd.get("end_reasons", []))),
        (_("source of the definition"), src),
        *(
            (
                _("placements ended as %(reason)s (rounded to 5)") % {"reason": _(part)},
                hidden if n is None else n,
            )
            for part, n in counts.items()
        ),
    ]


def _source_definition_blocks(sd: Any) -> list[Block]:
    """The source's definitions and blind spots (``card["data"]["source_definitions"]``)."""
    if not isinstance(sd, dict):
        return []
    sd = localized_source_definitions(sd, current_language())
    name = sd.get("title") or _("%(source)s data") % {"source": sd.get("source", "?")}
    return [
        _table(
            [{"term": x["term"], "meaning": x["text"]} for x in sd.get("definitions", [])],
            _("what the words mean in %(name)s") % {"name": name},
        ),
        _table(
            [{"what the data cannot show": t} for t in sd.get("blind_spots", [])],
            _("blind spots of %(name)s") % {"name": name},
        ),
    ]


def _outcome_text(outcome: dict[str, Any], key: str) -> Any:
    """The outcome's stored definition or competing events, in the card's language.

    The card data keep the English text of ``OUTCOME_DEFINITIONS``/``COMPETING_EVENTS``; when
    the stored text is that default it is shown from the catalogue, any other text as written.
    """
    from earlysignal.card.render import COMPETING_EVENTS, OUTCOME_DEFINITIONS

    table = OUTCOME_DEFINITIONS if key == "definition" else COMPETING_EVENTS
    stored, default = outcome.get(key), table.get(str(outcome.get("name")))
    k = outcome.get("min_moves") or 2
    if isinstance(stored, str) and default is not None and stored == default.format(k=k):
        return _(default).format(k=k)
    return stored


NO_REVIEW_TEXT = N_("No one with lived experience of care has read along for this run.")
"""What the card says when no review by people with lived experience took place."""

END_REASONS: tuple[str, ...] = (N_("breakdown"), N_("provider_ended"))
"""The unplanned end reasons of the breakdown definition, by their schema names (a Dutch card
names them in Dutch)."""

QUESTIONS: dict[str, str] = {
    "understandable": N_("Is it clear?"),
    "fair": N_("Is it fair?"),
    "missing": N_("What is missing?"),
    "harm": N_("What could go wrong?"),
    "use": N_("How should it be used?"),
    "other": N_("Anything else?"),
}
"""The review questions by id, as the review pack asks them (``publish/templates/review``)."""


def _involvement(stored: Any, le: Any) -> Any:
    """TRIPOD+AI item 19 in the card's language when it is the text the review wrote."""
    if not (isinstance(le, dict) and le.get("took_place") and isinstance(stored, str)):
        return stored
    from earlysignal.publish.review import involvement_text

    if stored == involvement_text(le, "en"):
        return involvement_text(le, current_language())
    return stored


def _lived_experience_blocks(le: Any) -> list[Block]:
    """The review by people with lived experience (``card["lived_experience"]``), or that
    none took place."""
    if not isinstance(le, dict) or not le.get("took_place"):
        return [Block("text", cells=[Cell(_(NO_REVIEW_TEXT), marked=True)])]
    from earlysignal.i18n import ngettext

    reviewers = le.get("reviewers") or []
    n = len(reviewers)
    head = ngettext(
        "People with lived experience of care read along. %(num)d of them gave an answer to "
        "the questions.",
        "People with lived experience of care read along. %(num)d of them gave their answers to "
        "the questions.",
        n,
        current_language(),
    ) % {"num": n}
    if le.get("date"):
        head += " " + _("Date of the review: %(date)s.") % {"date": fmt_date(le["date"])}
    rows = []
    for i, r in enumerate(reviewers, start=1):
        name = r["name"] if r.get("named") else _("reviewer %(n)s") % {"n": i}
        for qid in le.get("questions") or list(QUESTIONS):
            answer = (r.get("answers") or {}).get(qid)
            if answer:
                rows.append({"reviewer": name, "question": _(QUESTIONS.get(qid, qid)),
                             "answer": answer})  # fmt: skip
    blocks = [Block("text", cells=[Cell(head)])]
    if rows:
        blocks.append(
            _table(rows, _("the reviewers' answers, in their own words (names only with consent)"))
        )
    return blocks


def _compliance_note(item: Any, note: str) -> str:
    """A compliance row's note in the card's language, rebuilt from the item's own parts."""
    if not note or item is None:
        return _(note) if note else note
    if note == item.note:
        return _(note)
    parts, rest = [], note
    if item.missing and rest.startswith(item.missing):
        parts.append(_(item.missing))
        rest = rest[len(item.missing) :].removeprefix("; ")
    for template in (ORGANISATION_WRITES, NOT_YET_ON_CARD):
        lead = template.split("%", 1)[0]
        if rest.startswith(lead):
            parts.append(_(template) % {"fields": rest[len(lead) :]})
            rest = ""
    if rest:
        parts.append(_(rest))
    return "; ".join(parts)


def _compliance_row(sid: str, row: dict[str, Any], titles: dict[str, str]) -> dict[str, Any]:
    """One row of a standard's table in the card's language (the card data keep English)."""
    items = {(m.item, m.topic): m for m in dict(STANDARDS).get(sid, ())}
    item = items.get((row["item"], row["topic"]))
    return {
        **row,
        "topic": _(row["topic"]),
        "section": titles.get(row["section"], _(row["section"])),
        "status": _(row["status"]),
        "note": _compliance_note(item, row.get("note") or ""),
    }


def _named_periods(rows: Any) -> Any:
    """The periods table with each stored period (``train``...) named in the card's language."""
    if not isinstance(rows, list):
        return rows
    return [
        {**r, "period": _(PERIOD_NAMES[r["period"]])}
        if isinstance(r, dict) and r.get("period") in PERIOD_NAMES
        else r
        for r in rows
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
                        (_("how the child and parents are told"), r.get("informed", unknown())),
                        (_("how they see the score and its reasons"), r.get("access", unknown())),
                        (
                            _("how they correct wrongly recorded events"),
                            r.get("correction", unknown()),
                        ),
                        (_("how they object (AVG art. 21)"), card["legal"]["objection_route"]),
                        (_("whom they contact"), r.get("contact", unknown())),
                    ]
                )
            )
        elif sid == "model_details":
            blocks += [
                _text_block(md["description"]),
                _kv(
                    [
                        (_("model"), md["model_type"]),
                        (_("calibration"), md.get("calibration")),
                        (_("probability intervals"), md.get("intervals")),
                        (_("class imbalance"), md["class_imbalance"]),
                        (_("hyperparameters"), md.get("hyperparameters")),
                        (_("owners"), md["owners"]),
                        (_("contact"), md["contact"]),
                        (_("earlysignal version"), md.get("version")),
                        (_("date"), fmt_date(md.get("date"))),
                        (_("MLflow run"), card["run"]["run_id"]),
                        (_("MLflow experiment"), card["run"]["experiment"]),
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
                _text_block(_outcome_text(o, "definition")),
                _kv(
                    [
                        (_("outcome"), o["name"]),
                        (_("horizon (days)"), o["horizon_days"]),
                        (_("minimum moves"), o.get("min_moves")),
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
                        (_("prediction times (rows)"), _hidden(c, "rows")),
                        (_("censored rows (label missing)"), _hidden(c, "censored")),
                        (_("rows not at risk (label missing)"), _hidden(c, "not_at_risk")),
                        (_("labelled rows"), _hidden(c, "labelled")),
                        (_("rows with the event"), _hidden(c, "positives")),
                        (_("rows labelled 0 after a competing event"), _hidden(c, "competing")),
                    ]
                ),
                _text_block(_outcome_text(o, "competing_events")),
            ]
            if isinstance(o.get("competing_by_age"), list):
                blocks += say("competing", o["competing_by_age"], o["horizon_days"])
                blocks.append(
                    _table(
                        _labelled(_hidden_by_age(o["competing_by_age"])),
                        _("test period by age at prediction time (rows and events rounded to 5)"),
                    )
                )
        elif sid == "data":
            d = card["data"]
            blocks += say("data_period", d)
            blocks += [
                _kv(
                    [
                        (_("source"), source_text(d["source"], current_language())),
                        (_("simulated"), d["simulated"]),
                        (_("observed until"), fmt_date(d.get("observed_until"))),
                        (
                            _("first prediction time"),
                            fmt_date(d["period"].get("first_prediction_time")),
                        ),
                        (
                            _("last prediction time"),
                            fmt_date(d["period"].get("last_prediction_time")),
                        ),
                        (_("prediction-time design"), d["prediction_times"]["design"]),
                        (_("prediction times (rows)"), _hidden(d["prediction_times"], "rows")),
                        (
                            _("children with a prediction time"),
                            _hidden(d["prediction_times"], "children"),
                        ),
                        (_("validation errors (rows)"), d["validation"]["errors"]),
                        (_("validation warnings (rows)"), d["validation"]["warnings"]),
                    ]
                ),
                _table(
                    [{"table": k, "rows": _hidden(d["counts"], k)} for k in d["counts"]],
                    _("rows per table (sizes only; the data are never logged)"),
                ),
                *_source_definition_blocks(d.get("source_definitions")),
                _table(
                    [{"table": k, "sha256": v} for k, v in d["digests"].items()],
                    _("dataset digests"),
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
                        _("import of %(files)s file(s), errors: %(errors)s (row counts)")
                        % {"files": imp["files"], "errors": imp["errors"]},
                    ),
                    _table(
                        [{"rule": k, "rows": v} for k, v in imp["issues"].items()],
                        _(
                            "import issues by rule (counts; row-level details stay with the "
                            "data team)"
                        ),
                    ),
                ]
        elif sid == "predictors":
            p = card["predictors"]
            blocks += [
                _text_block(p["timing"]),
                _kv(
                    [
                        (_("number of predictors"), p["count"]),
                        (_("sensitive attributes excluded"), p["excluded_attributes"] or _("none")),
                        (_("sensitive attributes opted in"), p["included_sensitive"] or _("none")),
                        (_("default features left out"), p.get("excluded_features") or _("none")),
                        (_("missing data"), p["missing_data"]),
                    ]
                ),
                _table(
                    described_rows(p["features"], current_language()),
                    _("predictors and their descriptions"),
                ),
            ]
        elif sid == "validation":
            v = card["validation_design"]
            blocks += [
                _text_block(v["description"]),
                *say("periods_note"),
                _table(
                    _named_periods(v["periods"]),
                    _("periods of the temporal split (counts of rows unless named)"),
                ),
                _kv(
                    [
                        (_("rows purged (all periods)"), v.get("purged_rows")),
                        (_("bootstrap replicates"), v["bootstrap"]),
                        (_("interval level"), v["ci_level"]),
                        (_("bootstrap clustered by"), v.get("clustered_by")),
                    ]
                ),
            ]
            if isinstance(v.get("method"), dict):
                blocks += say("method", v["method"])
        elif sid == "performance":
            perf = card["performance"]
            blocks += [
                _list(perf["summary"]),
                _table(_metric_rows(perf["metrics"]), _("test period, with 95% intervals")),
            ]
            oracle = perf["oracle"]
            blocks.append(
                _table(_metric_rows(oracle), _("the oracle (true risk) on the same rows"))
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
                        _("share of the oracle's lift across simulator worlds"),
                        _(
                            "%(range)s (%(source)s: measured at %(children)s children per world "
                            "over %(years)s years, seed %(seed)s, not at this run's cohort size)"
                        )
                        % {
                            "range": fmt_range(lo, hi, 2),
                            "source": ow["source"],
                            "children": fmt_int(int(ow["children"])),
                            "years": fmt_int(int(ow["years"])),
                            "seed": ow["seed"],
                        },
                    )
                ]
                for w, v in ow["per_world"].items():
                    if None not in v:
                        pairs.append(
                            (
                                _("world: %(world)s") % {"world": w},
                                _("%(value)s (95%% interval %(range)s)")
                                % {"value": fmt_num(v[0], 2), "range": fmt_range(v[1], v[2], 2)},
                            )
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
                _table(_metric_rows(cal["metrics"]), _("calibration on the test period")),
            ]
            blocks += _figures(card, sid, cal.get("figure"))
        elif sid == "decision":
            dec = card["decision"]
            blocks += [
                _text_block(dec["rule"]),
                *say("decision_people", dec.get("people"), card["outcome"]["horizon_days"]),
                _table(
                    workload_rows(dec["workload"], current_language()),
                    _("expected workload at the decision rule (test period)"),
                ),
                _table(dec["net_benefit"], _("net benefit (decision curve)")),
            ]
            blocks += _figures(card, sid, dec.get("figure"))
        elif sid == "subgroups":
            sg = card["subgroups"]
            blocks += [
                _text_block(sg["method"]),
                _kv(
                    [
                        (_("attributes"), sg["attributes"]),
                        (_("smallest published cell (children)"), sg["min_cell"]),
                        (_("suppressed cells"), sg["suppressed_cells"]),
                    ]
                ),
            ]
            blocks += say("disclosure_ledger", sg.get("ledger"))
            if isinstance(sg.get("flagging"), list) and sg["flagging"]:
                blocks += say(
                    "flagging_intro",
                    sg.get("gap_margin"),
                    card["decision"]["threshold"],
                    ties=card["decision"].get("score_threshold") is not None,
                )
                blocks.append(
                    _table(
                        _flagging_rows(sg["flagging"]),
                        _("who gets flagged at the decision rule, with 95% intervals"),
                    )
                )
                blocks += say("options")
            blocks.append(
                _table(
                    _labelled(sg["table"]),
                    _(
                        "calibration and rates per group after disclosure control (counts rounded "
                        "to 5 one by one, so groups may not add up to the total exactly)"
                    ),
                )
            )
            if sg.get("note"):
                blocks.append(_text_block(sg["note"]))
            blocks += _figures(card, sid, sg.get("figure"))
        elif sid == "explanations":
            ex = card["explanations"]
            blocks += [
                _text_block(ex["method"]),
                _kv([(_("rows explained"), ex["explained_rows"])]),
                _table(
                    described_rows(ex["top_features"], current_language(), "feature"),
                    _("top factors by mean absolute contribution"),
                ),
                _list(ex["limits"]),
            ]
            blocks += _figures(card, sid, ex.get("figure"))
        elif sid == "limitations":
            blocks.append(_list(card["limitations"]))
        elif sid == "ethics":
            e, le = card["ethics"], card.get("lived_experience")
            blocks.append(
                _kv(
                    [
                        (_("considerations"), e["considerations"]),
                        (_("ethical approval"), e["approval"]),
                        (_("funding"), e["funding"]),
                        (
                            _("involvement of people with lived experience"),
                            _involvement(e["lived_experience_involvement"], le),
                        ),
                        (_("risk category (EU AI Act)"), e["risk_category"]),
                        (_("fundamental rights impact assessment"), e.get("fria")),
                    ]
                )
            )
            blocks += _lived_experience_blocks(le)
        elif sid == "oversight":
            lg = card["legal"]
            blocks += [
                _text_block(card["human_oversight"]),
                _kv(
                    [
                        (_("legal basis"), lg["basis"]),
                        (_("objection route"), lg["objection_route"]),
                        (_("status"), lg["status"]),
                    ]
                ),
            ]
        elif sid == "monitoring":
            mon = card["monitoring"]
            blocks.append(_kv([(_("plan"), mon["plan"]), (_("review date"), mon["review_date"])]))
            blocks += say("stop_rules", mon.get("stop_rules"))
        elif sid == "provenance":
            pv = card["provenance"]
            blocks += [
                _kv(
                    [
                        ("earlysignal", pv["earlysignal_version"]),
                        ("python", pv["python"]),
                        (_("platform"), pv.get("platform")),
                        (_("git commit"), pv["git_commit"]),
                        ("uv.lock sha256", pv["uv_lock_sha256"]),
                        ("config sha256", pv["config_sha256"]),
                        (_("seed"), pv.get("seed")),
                        (_("saved model (MLflow artifacts)"), pv["model_artifact"]),
                        (_("durations (s)"), pv.get("durations_s")),
                    ]
                ),
                _table(
                    [{"package": k, "version": v} for k, v in pv["packages"].items()],
                    _("package versions"),
                ),
            ]
        else:  # the four standards
            titles = {s.id: _(s.title) for s in SECTIONS}
            rows = [
                _compliance_row(sid, r, titles)
                for r in card["compliance"].get(sid) or compliance(card)[sid]
            ]
            blocks.append(_table(rows, columns=["item", "topic", "section", "status", "note"]))
        out.append((section, blocks))
    return out
