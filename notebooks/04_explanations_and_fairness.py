# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 Explanations and fairness: why a score, and for whom the model works
#
# A risk score that no one can explain should not be shown to a caseworker, and a model
# that works for some children and not for others should not be used at all. This
# notebook takes the breakdown model of notebook 03 and asks:
#
# 1. **Contributions**: which recorded facts push a child's score up or down (SHAP values
#    as a `shap.Explanation`), with the beeswarm and dependence plots;
# 2. **global importance** with bootstrap intervals, and how **stable** the top factors
#    are when the model is refitted;
# 3. the per-child **signal sheet**, as text and as HTML;
# 4. the **fairness audit** by sex, origin, age group, disability and unaccompanied
#    status, under **disclosure control** (what is hidden, and why), next to the
#    simulator's **oracle** per group;
# 5. **Chouldechova's trade-off**: why calibration and equal error rates cannot all hold;
# 6. an injected **recording bias** from the simulator, and whether the audit catches it.

# %% [markdown]
# > **What this is, and what it is not.** earlysignal estimates, from a child's recorded
# > history, the risk that the current placement breaks down or that the child enters the
# > placement carousel, early enough for the team around the child to add support. It is a
# > signal for support and for policy research, **never a decision about a family** and never
# > a replacement for professional judgement. Everything below runs on *simulated* children.

# %%
# %matplotlib inline
from typing import Any

import polars as pl
from _setup import scale, start  # notebooks/_setup.py: the shared setup

OUT = start(training=True)
SCALE = scale()  # 1 by default; the tests use a smaller cohort (see _setup.scale)

# %% [markdown]
# ## 1. The model to explain
#
# The pipeline of notebook 03, condensed into one function: 3,000 simulated children over
# 7 years, quarterly prediction times, the 180-day breakdown label, complete follow-up,
# a temporal split 60/20/20 % with purging, LightGBM calibrated with Venn-ABERS. One
# change: a fixed 150 small trees instead of early stopping, so that the refits of
# section 3 stay quick. Section 7 runs the same function on a cohort with injected bias.

# %%
import numpy as np

from earlysignal.cohort import Schedule, prediction_times
from earlysignal.features import build_features, default_specs, describe, feature_names
from earlysignal.models import CalibratedRiskModel, LightGBMRiskModel
from earlysignal.split import fraction_boundaries, temporal_split_by_fraction
from earlysignal.synth import oracle_risk, simulate

HORIZON = 180
LABEL = f"label_breakdown_{HORIZON}d"


def fit_breakdown_model(sim: Any) -> Any:
    history = sim.history
    times = prediction_times(history, Schedule(every_days=91))
    # the feature vocabulary from the training period of the split below only
    followed = times.filter(
        pl.col("prediction_time") + pl.duration(days=HORIZON) <= history.observed_until
    )
    specs = default_specs(history, before=fraction_boundaries(followed, (0.6, 0.2, 0.2))[0])
    names = feature_names(specs)
    frame = build_features(history, times, specs, outcomes=[("breakdown", HORIZON)])
    complete = frame.filter(
        pl.col("prediction_time") + pl.duration(days=HORIZON) <= history.observed_until
    )
    split = temporal_split_by_fraction(complete, fractions=(0.6, 0.2, 0.2), label=LABEL)
    train, cal = split.train, split.calibrate
    base = LightGBMRiskModel(
        n_estimators=150,
        learning_rate=0.05,
        num_leaves=7,
        min_child_samples=100,
        n_jobs=1,
        random_state=0,
    ).fit(train.select(names), train[LABEL].to_numpy())
    model = CalibratedRiskModel(base, method="venn_abers").fit(
        cal.select(names), cal[LABEL].to_numpy()
    )
    return specs, names, split, model


SEED = 1
sim = simulate(round(3000 * SCALE), years=7, seed=SEED)
specs, names, split, model = fit_breakdown_model(sim)
test = split.test
print(
    f"test period from {split.calibrate_end}: {test.height} prediction times of "
    f"{test['child_id'].n_unique()} children"
)

# %% [markdown]
# ## 2. Contributions (SHAP values)
#
# `contributions(model, X)` splits each row's score into a base value plus one
# contribution per feature. For LightGBM these are exact TreeSHAP values, the algorithm of
# shap's `TreeExplainer` (`docs/explanations.md` says how they are computed and checked);
# for the logistic model they are exact too. Two things to keep in mind:
#
# - they explain the **uncalibrated log-odds** of the base model; the calibrator on top is
#   monotone, so a factor that raises the score raises the risk, but contributions do not
#   add up to the calibrated probability;
# - they add up exactly: `base value + sum of contributions = raw score`, for every row.
#
# earlysignal computes exact TreeSHAP with its own fast implementation (checked against
# LightGBM's `pred_contrib` and shap's TreeExplainer; about 1 s for 100,000 rows, see
# `docs/performance.md`); a random sample of 2,000 test rows is plenty for the plots.

# %%
from earlysignal.explain import contributions

sample = test.sample(n=min(2000, test.height), seed=0)
contrib = contributions(model, sample, n_jobs=1)
error = np.abs(contrib.raw_score - model.raw_score(sample.select(names))).max()
print(
    f"{len(contrib)} rows x {len(contrib.feature_names)} features, method "
    f"{contrib.method!r}, explains a calibrated model's base: {contrib.calibrated}"
)
print(f"largest |base value + sum of contributions - raw score|: {error:.1e}")
explanation = contrib.to_shap()
print(
    type(explanation).__module__,
    type(explanation).__name__,
    explanation.shape,
    "| output:",
    explanation.output_names,
)

# %% [markdown]
# The `shap.Explanation` works with every shap plot; earlysignal wraps two of them with
# labelled axes. **Beeswarm:** one dot per row and feature, placed by its contribution and
# coloured by the feature's value (red high, blue low); features sorted by mean
# |contribution|.

# %%
from earlysignal.explain import beeswarm, dependence, global_importance, importance_plot

fig = beeswarm(contrib, max_display=12)

# %% [markdown]
# **Dependence:** one feature's contribution against its value. Days in the current
# placement shows the front-loaded hazard (placements are most fragile early on); colour
# is the child's age.

# %%
feature = "days_in_current_placement" if "days_in_current_placement" in names else names[0]
fig = dependence(contrib, feature, color="age_years" if "age_years" in names else None)

# %% [markdown]
# ## 3. Global importance and the stability of the top factors
#
# Mean |contribution| per feature, with a 95 % interval from a bootstrap over *children*
# (a child's rows move together), its share of the total and its signed mean.

# %%
importance = global_importance(contrib, n_boot=100, groups=sample["child_id"].to_numpy())
importance.head(12).with_columns(pl.col("mean_abs", "lo", "hi", "share", "mean").round(4))

# %%
fig = importance_plot(importance, max_display=12)

# %% [markdown]
# An interval on importance says how precisely it is measured *for this model*. A
# different question is whether the same factors would come out on top had the training
# data been slightly different. `top_factor_stability` refits the base model on bootstrap
# resamples of the training children and ranks the features each time: `top_k_share` is
# how often a feature is among the top 5, `mean_jaccard` the average overlap of each
# refit's top 5 with the fitted model's (1 = always the same five). Six refits here; use
# 20 or more in a study.

# %%
from earlysignal.explain import top_factor_stability

stability = top_factor_stability(
    model,
    split.train,
    split.train[LABEL].to_numpy(),
    n_refits=6,
    top_k=5,
    groups=split.train["child_id"].to_numpy(),
    eval_rows=1000,
    seed=0,
)
print(
    f"mean Jaccard overlap of the top {stability.top_k} over "
    f"{stability.n_refits} refits: {stability.mean_jaccard:.2f}"
)
stability.table.head(10)

# %% [markdown]
# **What to look for.** Factors with a high `top_k_share` and a narrow rank interval are
# what the model robustly relies on; factors that swap places between refits should not
# be presented as "the" reason for a score.
#
# ## 4. The signal sheet of one child
#
# What a caseworker would see: the calibrated risk with its Venn-ABERS interval, the
# factors raising and lowering the score in plain words (from each feature's `phrase`),
# what changed since the child's previous prediction time, and what the signal is not.
# Only the pseudonymous id, the prediction time and the model's features appear. We take
# the simulated child with the highest risk in the test period.

# %%
from IPython.display import HTML, display

from earlysignal.explain import signal_sheet

scored = test.select("child_id", "prediction_time").with_columns(
    risk=pl.Series(model.risk(test.select(names)))
)
top = scored.sort("risk", "child_id", descending=[True, False]).row(0, named=True)
sheet = signal_sheet(
    model,
    test,
    top["child_id"],
    prediction_time=top["prediction_time"],
    descriptions=describe(specs),
    horizon_days=HORIZON,
)
print(sheet.to_text())

# %%
html = sheet.to_html()
(OUT / "signal_sheet.html").write_text(html, encoding="utf-8")
print(
    f"one self-contained page of {len(html)} characters: inline style, no scripts, "
    "no external resources"
)
display(HTML(html))

# %% [markdown]
# ## 5. The fairness audit
#
# `audit` takes one row per test prediction with the sensitive attributes, the label, the
# calibrated risk, the child id (for the bootstrap) and, on simulated data, the oracle's
# true risk. The sensitive attributes were never model inputs; they are used here only to
# check the model. Per group it reports (`docs/fairness.md`):
#
# - **calibration**: base rate, mean risk, observed/expected ratio `oe_ratio` (below 1:
#   the model over-predicts for the group), calibration-in-the-large, ECE, AUROC;
# - **error rates** when the top 10 % are flagged: selection rate, TPR, FPR, FNR, PPV;
# - 95 % intervals from 100 bootstrap resamples of children, and the oracle's values;
# - a **calibration-gap test**: log O/E in the group against log O/E in everyone else,
#   flagged when its p-value is under 0.05 divided by the number of groups tested.
#
# Age group is the child's age at the prediction time (0-11, 12-15, 16+; `earlysignal.cohort.age_group`).

# %%
from earlysignal.cohort import age_group
from earlysignal.fairness import AuditSpec, audit

ATTRIBUTES = ["sex", "origin", "age_group", "disability", "unaccompanied"]


def audit_frame(sim: Any, test: pl.DataFrame, model: Any) -> Any:
    oracle = oracle_risk(
        sim,
        test.select("child_id", "prediction_time"),
        outcome="breakdown",
        horizon=HORIZON,
        n_draws=30,
    )
    return (
        test.select("child_id", "prediction_time", LABEL)
        .with_columns(risk=pl.Series(model.risk(test.select(names))), oracle=oracle["risk"])
        .join(sim.history.children, on="child_id", how="left", maintain_order="left")
        .with_columns(age_group())
        .select("child_id", "prediction_time", LABEL, "risk", "oracle", *ATTRIBUTES)
    )


audited = audit_frame(sim, test, model)
spec = AuditSpec(
    attributes=tuple(ATTRIBUTES),
    intersections=(("sex", "age_group"),),
    capacity=0.1,
    n_boot=100,
    seed=0,
)
result = audit(audited, spec, label=LABEL, risk="risk", oracle="oracle", cluster="child_id")
print(
    f"{result.n_rows} rows audited ({result.n_excluded} without a label); "
    f"flagging the top 10 % means a risk of at least {result.threshold:.3f}"
)

# %% [markdown]
# The published group table: cells count distinct children (`n_children*`; `n_rows*`
# count prediction rows and are hidden with them), counts are rounded to 5, rates to 2
# decimals, and hidden values are null with `<column>_flag = "suppressed"`. Nothing is
# dropped.

# %%
SHOW = [
    "attribute",
    "group",
    "n_children",
    "n_children_pos",
    "n_rows",
    "base_rate",
    "mean_risk",
    "oe_ratio",
    "oe_ratio_lo",
    "oe_ratio_hi",
    "tpr",
    "fpr",
    "ppv",
]
published = result.groups.select(SHOW).with_columns(pl.col(pl.Float64).round(3))
single = pl.col("attribute").is_in(["all", *ATTRIBUTES])
display(published.filter(single))
published.filter(~single)  # the intersection sex x age group

# %% [markdown]
# ### What is hidden, and why
#
# The library's disclosure control (`earlysignal.disclosure`, after DfE and CBS practice):
# no published count under 10 children; counts rounded to 5; **complementary
# suppression**, so that a hidden cell cannot be recovered by subtracting published cells
# from a total (here `n = n_pos + n_neg`, and the groups of an attribute add up to
# everyone); a rate is hidden when its group has fewer than 10 children with, or without,
# the outcome, or when a count it derives from is hidden. The published table uses one
# code for every reason, so that a reader cannot tell which hidden cells are the small
# ones. The counts below describe the pattern, not the hidden values.

# %%
flag_cols = [c for c in result.groups.columns if c.endswith("_flag") and c != "gap_flag"]
hidden = (
    result.groups.select("attribute", "group", *flag_cols)
    .unpivot(index=["attribute", "group"], variable_name="column", value_name="flag")
    .filter(pl.col("flag").is_not_null())
    .with_columns(pl.col("column").str.strip_suffix("_flag"))
)
print(
    f"{hidden.height} values hidden in {hidden.select('attribute', 'group').n_unique()} "
    f"of {result.groups.height} groups"
)
with pl.Config(fmt_str_lengths=300, tbl_width_chars=160):
    display(
        hidden.group_by("attribute", "group", maintain_order=True).agg(
            pl.col("column").sort().str.join(", ").alias("hidden")
        )
    )

# %% [markdown]
# For the study team's **internal review** only, `DisclosurePolicy(detailed_reasons=True)`
# says why each value is hidden: `small` (under 10), `complementary` (hidden so that a
# small one cannot be recovered), `support` (a rate whose group has under 10 with or
# without the outcome) or `support_suppressed` (a rate whose count was hidden). Never
# publish this version. `check_table` then confirms that the published table follows the
# policy for its counts: no count under 10, every count a multiple of 5, every hidden
# value marked, no rate published beside a hidden count (a rate times the group's size
# would give the count back), and no hidden count recoverable from the published counts
# and totals.

# %%
from earlysignal.disclosure import DisclosurePolicy, check_table
from earlysignal.fairness import COUNTS, ROW_COUNTS

internal = audit(
    audited,
    spec,
    label=LABEL,
    risk="risk",
    oracle="oracle",
    cluster="child_id",
    policy=DisclosurePolicy(detailed_reasons=True),
)
reasons = (
    internal.groups.select(flag_cols)
    .unpivot(variable_name="column", value_name="reason")
    .filter(pl.col("reason").is_not_null())
    .with_columns(pl.col("column").str.strip_suffix("_flag"))
    .with_columns(
        pl.when(pl.col("column").is_in([*COUNTS, *ROW_COUNTS]))
        .then(pl.lit("count"))
        .otherwise(pl.lit("rate"))
        .alias("kind")
    )
)
display(reasons.group_by("kind", "reason").len().sort("kind", "reason"))
problems = check_table(
    result.groups,
    count_cols=[*COUNTS, *ROW_COUNTS],
    by=ATTRIBUTES,
    row_sums={
        "n_children": ["n_children_pos", "n_children_neg"],
        "n_rows": ["n_rows_pos", "n_rows_neg"],
    },
)
print("published table follows the disclosure policy:", not problems, problems[:3])

# %% [markdown]
# ### The oracle, group by group
#
# On simulated data each group has a second reference: the true risk. `oe_ratio_oracle`
# is the observed rate over the *true* expected rate on the same rows: its distance from
# 1 is outcome noise alone (a few hundred breakdowns), the yardstick for the model's own
# `oe_ratio`. The same holds for AUROC: the oracle's AUROC in a group is the best any
# model could reach there.

# %%
(
    result.groups.select(
        "attribute",
        "group",
        "n_children",
        "oe_ratio",
        "oe_ratio_oracle",
        "mean_risk",
        "mean_risk_oracle",
        "auroc",
        "auroc_oracle",
        "tpr",
        "tpr_oracle",
    )
    .filter(pl.col("attribute").is_in(["all", *ATTRIBUTES]))
    .with_columns(pl.col(pl.Float64).round(3))
)

# %% [markdown]
# Forest plot of O/E by group with its 95 % interval (dots) and the oracle's O/E
# (crosses); hidden groups say so. Then the calibration-gap test: the z statistic of
# each tested group against the Bonferroni bound (dashed).

# %%
from earlysignal.fairness import plot_gaps, plot_metric

fig = result.plot("oe_ratio")

# %%
fig = plot_gaps(result)
flagged = result.flagged()
print("groups the calibration-gap test flags:", flagged["group"].to_list() or "none")

# %% [markdown]
# ## 6. Chouldechova's trade-off
#
# Calibration within groups and equal error rates across groups cannot all hold at once
# when the groups' base rates differ (Chouldechova 2017). For any group, with base rate
# `p`, precision `PPV` and miss rate `FNR` at the flagging rule, the false positive rate
# is fixed by an identity:
#
# `FPR = p / (1 - p) x (1 - PPV) / PPV x (1 - FNR)`
#
# So if two groups have different base rates but the same PPV (which calibration tends to
# give) and the same FNR, their FPRs *must* differ. The cell checks the identity on the
# published table: it holds exactly, for every group that is not hidden. An audit can
# therefore never show "fair on every measure" when base rates differ; it shows the
# measures side by side so that people can decide which differences matter, and why.

# %%
(
    result.groups.filter(pl.col("attribute").is_in(["sex", "age_group", "origin"]))
    .select(
        "attribute",
        "group",
        "base_rate",
        "ppv",
        "fnr",
        "fpr",
        (
            pl.col("base_rate")
            / (1 - pl.col("base_rate"))
            * (1 - pl.col("ppv"))
            / pl.col("ppv")
            * (1 - pl.col("fnr"))
        ).alias("fpr_from_identity"),
    )
    .with_columns(pl.col(pl.Float64).round(3))
)

# %% [markdown]
# The same trade-off in a picture: the share of breakdowns that flagging the top 10 %
# catches (TPR) by group, with the oracle's TPR (crosses). Where base rates differ, TPRs
# differ too, even for the true risk.

# %%
fig = plot_metric(result, "tpr")

# %% [markdown]
# ## 7. Injected recording bias: does the audit catch it?
#
# The simulator has named **bias scenarios** (`earlysignal.synth.SCENARIOS`) that change
# only what is *recorded*, never what happens, so the true risks stay the same. We use
# `label_bias`: for children of `origin = migrant`, a share of planned and other moves is
# recorded as breakdowns, which inflates their recorded outcome. The shipped scenario
# records 30 % of those moves so; at a cohort of 3,000 children a gap of that size is
# within the noise often enough that the test catches it in some simulations and misses
# it in others. For a clear demonstration we keep the scenario and double its dose (60 %),
# with `BiasScenario`. (The other scenario, `recording_bias`, inflates the group's recorded
# incidents instead; `docs/fairness.md` measures how little power the audit has against
# it at these sizes.)
#
# Same seed, so the same children and the same true histories: only the recording
# differs. The model is refitted on the biased records, as a study would, and audited by
# sex and origin, next to the audit of the accurate records.

# %%
from dataclasses import replace

from earlysignal.synth import SCENARIOS

print("shipped:", SCENARIOS["label_bias"])
scenario = replace(SCENARIOS["label_bias"], label_flip=0.6)
print("used:   ", scenario)
sim_biased = simulate(round(3000 * SCALE), years=7, seed=SEED, scenario=scenario)
_, _, split_b, model_b = fit_breakdown_model(sim_biased)
audited_b = audit_frame(sim_biased, split_b.test, model_b)
keys = ["child_id", "prediction_time"]
same_rows = audited_b.select(keys).equals(audited.select(keys))
print("same test rows as with accurate records:", same_rows)
print(
    "same true risks (oracle), row by row:",
    same_rows and bool(np.allclose(audited_b["oracle"], audited["oracle"])),
)
by_origin = AuditSpec(
    attributes=("sex", "origin"), intersections=(), capacity=0.1, n_boot=100, seed=0
)
clean, biased = (
    audit(frame, by_origin, label=LABEL, risk="risk", oracle="oracle")
    for frame in (audited, audited_b)
)
pl.concat(
    [
        r.groups.filter(pl.col("attribute") == "origin")
        .select(
            "group",
            "n_children_pos",
            "base_rate",
            "oe_ratio",
            "oe_ratio_lo",
            "oe_ratio_hi",
            "oe_ratio_oracle",
            "gap_z",
            "gap_flag",
        )
        .with_columns(pl.lit(name).alias("records"))
        for name, r in (("accurate", clean), ("label_bias x2", biased))
    ]
).select("records", pl.exclude("records")).with_columns(pl.col(pl.Float64).round(3))

# %%
fig = biased.plot("oe_ratio")
print("flagged with accurate records:", clean.flagged()["group"].to_list())
print("flagged with label bias:      ", biased.flagged()["group"].to_list())

# %% [markdown]
# **How to read it.** With label bias the migrant group's recorded breakdown rate rises,
# while the model, which never sees origin, predicts for those children roughly what it
# predicts for similar children of other origins: their observed/expected ratio goes up,
# and the gap test compares it with everyone else's. Because the test is relative, the
# complement of a group with a gap can be flagged too: next to an under-predicted group,
# the rest looks over-predicted. The oracle column tells what only a simulation can: the
# true risks are the same in both audits, so a rise in `oe_ratio_oracle` (observed over
# *true* expected) is the records overstating what happened.
#
# **What this shows, and what it does not.** The audit detects a calibration gap; it
# cannot tell whether the gap comes from the model, from the records or from the world.
# On real data there is no oracle, and a recording bias that distorts features and labels
# alike can stay invisible to every group metric. Whether the test flags a real gap
# depends on its power: with cohorts of this size a gap can be missed, so read the O/E
# interval and the z statistic, not only the flag.
#
# ## Where next
#
# `05_model_card.ipynb`: the whole study as one tracked MLflow run, and the model card an
# ethics board reads.
