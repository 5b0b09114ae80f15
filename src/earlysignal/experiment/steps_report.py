"""The report steps of a run: explain, audit, and the card fields from the config and environment.

Each step reads and fills the run's :class:`~earlysignal.experiment.state._State` and the card
data (tables, counts and keys of reader texts; never sentences).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from earlysignal.experiment.config import ExperimentConfig
from earlysignal.experiment.state import _save_figure, _say, _State, _xy


def _described_ticks(fig: Any, described: dict[str, str]) -> Any:
    """Label a figure's feature axis with the features' descriptions (readers, not code)."""
    for ax in fig.axes:
        labels = [t.get_text() for t in ax.get_yticklabels()]
        if labels and any(x in described for x in labels):
            ax.set_yticks(ax.get_yticks(), [described.get(x, x) for x in labels])
    return fig


def _explain(state: _State) -> None:
    from earlysignal.card.figures import add_figure
    from earlysignal.explain import beeswarm, contribution_bins, contributions, global_importance
    from earlysignal.explain.plots import contribution_summary_data, importance_data

    cfg = state.config
    test = state.split.part("test")
    n = min(cfg.explain.sample, test.height)
    sample = test.sample(n=n, seed=state.seed) if n < test.height else test
    contrib = contributions(state.model, sample.select(state.features))
    table = global_importance(
        contrib,
        n_boot=min(cfg.evaluation.bootstrap, 200),
        groups=sample["child_id"].to_numpy(),
        level=cfg.evaluation.ci_level,
        seed=state.seed,
    )
    from earlysignal.evaluate.rounded import published_number

    described = {f["name"]: f["description"] for f in state.card["predictors"]["features"]}
    ex = state.card["explanations"]
    ex["explained_rows"] = int(n)
    ex["top_features"] = [
        {
            "rank": r["rank"],
            "feature": r["feature"],
            "description": described.get(r["feature"], ""),
            "mean |contribution|": published_number(r["mean_abs"]),  # 3 decimals (issue 12)
            "lower": published_number(r["lo"]),
            "upper": published_number(r["hi"]),
            "share": published_number(r["share"]),
        }
        for r in table.head(cfg.explain.top).iter_rows(named=True)
    ]
    ex["method"] = _say(
        "explain_method",
        implementation=str(contrib.implementation),
        tree_model=cfg.model.kind == "lightgbm",
        n=int(n),
    )
    ex["limits"] = _say("explain_limits")
    ex["figure"] = add_figure(  # stored as numbers, drawn in the card's language
        state.card,
        importance_data(table, max_display=min(15, cfg.explain.top + 5)),
        "importance",
        _say("caption_importance", n=int(n)),
        "explanations",
    )
    state.card["data_protection"] = {"row_level_figures": cfg.explain.row_level_figures}
    add_figure(
        state.card,
        contribution_summary_data(
            contribution_bins(
                contrib,
                sample["child_id"].to_numpy(),
                min_children=cfg.fairness.min_cell,
                max_display=min(12, cfg.explain.top + 2),
            )
        ),
        "contribution_summary",
        _say("caption_contribution_summary", min_cell=cfg.fairness.min_cell),
        "explanations",
    )
    if cfg.explain.row_level_figures:  # opted in: row-level, and the card says so up front
        _save_figure(
            state,
            _described_ticks(  # row-level: kept as an image, in the run's language
                beeswarm(contrib, max_display=min(12, cfg.explain.top + 2), lang=cfg.card.language),
                described,
            ),
            "beeswarm",
            _say("caption_beeswarm"),
            "explanations",
        )


AUDIT_COLUMNS: tuple[str, ...] = (
    "attribute", "group", "n_children", "n_children_pos", "n_rows", "base_rate", "mean_risk",
    "oe_ratio", "oe_ratio_lo",
    "oe_ratio_hi", "ece", "auroc", "selection_rate", "tpr", "fpr", "ppv", "gap_flag",
    "suppressed",
)  # fmt: skip
"""Columns of the audit shown on the card (the full published table is logged)."""

GAP_MARGIN = 0.05
"""Equivalence margin of the card's "no gap" verdict for rates at the decision rule."""


def _audit(state: _State) -> None:
    from earlysignal.disclosure import DisclosurePolicy, assert_safe
    from earlysignal.fairness import COUNTS, ROW_COUNTS, AuditSpec, audit
    from earlysignal.ledger import ledger_card, use_ledger

    cfg = state.config
    f = cfg.fairness
    test = state.split.part("test")
    _, y, _ = _xy(state, "test")
    attrs = _audit_attributes(state, test)
    frame = attrs.with_columns(
        pl.Series("child_id", test["child_id"].to_list(), dtype=pl.String),
        pl.Series("_label", y),
        pl.Series("_risk", state.p_test),
        pl.Series("_score", state.score_test),
    )
    spec = AuditSpec(
        attributes=tuple(attrs.columns),
        intersections=tuple(tuple(x) for x in f.intersections),
        threshold=state.threshold,
        n_boot=f.bootstrap,
        seed=state.seed,
        score_threshold=state.rule.score_threshold,  # the decision rule's tie-break
    )
    policy = DisclosurePolicy(min_count=f.min_cell, min_class=f.min_cell)
    with use_ledger(state.ledger):
        result = audit(
            frame,
            spec,
            label="_label",
            risk="_risk",
            policy=policy,
            score="_score",
            compute=cfg.compute.spec(),
        )
    groups = result.groups
    assert_safe(
        groups,
        count_cols=[*COUNTS, *ROW_COUNTS],
        by=list(attrs.columns),
        row_sums={
            "n_children": ["n_children_pos", "n_children_neg"],
            "n_rows": ["n_rows_pos", "n_rows_neg"],
        },
        policy=policy,
        table="fairness audit",
    )
    assert_safe(result.metrics, policy=policy, table="fairness audit (long)")
    flags = [c for c in groups.columns if c.endswith("_flag") and c != "gap_flag"]
    suppressed = int(sum(int((groups[c] == "suppressed").sum()) for c in flags))
    sg = state.card["subgroups"]
    sg["attributes"] = list(attrs.columns)
    sg["min_cell"] = f.min_cell
    sg["suppressed_cells"] = suppressed
    sg["ledger"] = ledger_card(state.ledger, min_count=f.min_cell, rounding=policy.rounding)
    sg["table"] = groups.select([c for c in AUDIT_COLUMNS if c in groups.columns]).to_dicts()
    # one value per metric on the card: the overall ECE is the calibration section's
    sg["table"] = [{k: v for k, v in r.items() if k != "ece"} for r in sg["table"]]
    from earlysignal.card.board import flagging_by_group

    sg["gap_margin"] = GAP_MARGIN
    sg["flagging"] = flagging_by_group(result.metrics.to_dicts(), margin=GAP_MARGIN)
    from earlysignal.card.board import intervals_short_of_replicates

    sg["method"] = _say(
        "audit_method",
        threshold=float(result.threshold),
        bootstrap=int(f.bootstrap),
        min_cell=int(f.min_cell),
        **intervals_short_of_replicates(result.metrics.to_dicts()),
    )
    from earlysignal.disclosure import published_count as pc  # rounded to 5, under 10 hidden

    sg["note"] = _say("audit_note", rows=pc(result.n_rows), excluded=pc(result.n_excluded))
    state.audit_published = groups.to_dicts()
    if cfg.outcome.name == "entry":  # the entry study's own ethics section (issue 20)
        from earlysignal.experiment.entry_risk import entry_risk_ethics

        state.card["ethics"]["entry_risk"] = entry_risk_ethics(
            cfg.study.purpose, cfg.study.oversight, state.specs,
            frame.with_columns(pl.Series("_flag", state.rule.flag(state.p_test, state.score_test))),
            list(attrs.columns), flag="_flag", min_cell=f.min_cell,
        )  # fmt: skip


def _audit_attributes(state: _State, test: pl.DataFrame) -> pl.DataFrame:
    from earlysignal.cohort import age_group

    children = state.history.children
    keep = [a for a in state.config.fairness.attributes if a in children.columns]
    frame = test.select("child_id", "prediction_time").join(
        children.select("child_id", "birth_date", *keep), on="child_id", how="left"
    )
    frame = frame.with_columns(age_group())
    cols = [a for a in state.config.fairness.attributes if a in frame.columns]
    return frame.select([pl.col(c).cast(pl.String) for c in cols])


# ----------------------------------------------------------------------------- the card


def _fill_human_fields(card: dict[str, Any], config: ExperimentConfig) -> None:
    from earlysignal.card import unknown

    c = config.card

    def text(value: str) -> Any:
        return value if value.strip() else unknown()

    md = card["model_details"]
    md["title"] = text(c.title)
    md["description"] = text(config.study.description)
    md["owners"] = list(c.owners) if c.owners else unknown()
    md["contact"] = text(c.contact)
    card["intended_use"] = {
        "primary": text(c.intended_use),
        "out_of_scope": list(c.out_of_scope_use) if c.out_of_scope_use else unknown(),
    }
    card["human_oversight"] = text(c.human_oversight)
    card["legal"]["basis"] = text(c.legal_basis)
    card["legal"]["objection_route"] = text(c.objection_route)
    card["monitoring"] = {
        "plan": text(c.monitoring),
        "review_date": c.review_date.isoformat() if c.review_date else unknown(),
    }
    card["ethics"]["considerations"] = text(c.ethical_considerations)
    card["ethics"]["funding"] = text(c.funding)
    card["ethics"]["lived_experience_involvement"] = text(c.lived_experience_involvement)
    from earlysignal.publish.review import no_review

    card["lived_experience"] = no_review()  # until `earlysignal card RUN --reviews FILE`
    card["rights"] = {
        "informed": text(c.rights_informed),
        "access": text(c.rights_access),
        "correction": text(c.rights_correction),
        "contact": text(c.rights_contact),
    }
    card["limitations"] = [*c.known_limitations, _say("limitation_one_split")]
    from earlysignal.card.translations import card_translations

    translations = card_translations({k: v.model_dump() for k, v in c.translations.items()})
    if translations:  # the organisation's texts in other languages; the originals stay main
        card["translations"] = translations


def _finish_limitations(state: _State) -> None:
    card = state.card
    lim = card["limitations"]
    if card["data"]["simulated"]:
        lim.append(_say("limitation_simulated"))
    c = card["outcome"]["censoring"]
    if c.get("rows"):
        lim.append(_say("limitation_censored", censored=c["censored"], rows=c["rows"]))
    if not isinstance(card["subgroups"]["table"], list):
        lim.append(_say("limitation_no_audit"))


def _environment_card(state: _State, env: dict[str, Any], config_sha: str) -> None:
    from earlysignal.card import NOT_MEASURED, unknown

    pv = state.card["provenance"]
    pv["python"] = str(env["python"])
    pv["platform"] = str(env["platform"])
    pv["packages"] = dict(env["packages"])
    pv["git_commit"] = env["git_commit"] or unknown(NOT_MEASURED, "no git repository found")
    pv["uv_lock_sha256"] = env["uv_lock_sha256"] or unknown(NOT_MEASURED, "no uv.lock found")
    pv["config_sha256"] = config_sha
    pv["seed"] = state.seed
