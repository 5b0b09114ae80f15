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
# # 01 Quick start: from care histories to point-in-time features
#
# This notebook walks through the first half of every earlysignal study:
#
# 1. simulate a small agency's care histories (with the ground truth kept aside),
# 2. validate them and look at the canonical tables,
# 3. choose **prediction times** (the moments at which a risk would be estimated),
# 4. label what happened next (**outcomes**, with censoring),
# 5. build **point-in-time features** and describe them.
#
# It takes well under a minute. The later notebooks fit and evaluate models (03), explain
# and audit them (04) and write a model card (05).

# %% [markdown]
# > **What this is, and what it is not.** earlysignal estimates, from a child's recorded
# > history, the risk that the current placement breaks down or that the child enters the
# > placement carousel, early enough for the team around the child to add support. It is a
# > signal for support and for policy research, **never a decision about a family** and never
# > a replacement for professional judgement. Everything below runs on *simulated* children.

# %%
# %matplotlib inline

import polars as pl
from _setup import start  # notebooks/_setup.py: table display, the output folder

OUT = start()

# %% [markdown]
# ## 1. Simulate a small cohort
#
# Real child-welfare records cannot ship with a library, so earlysignal has a simulator
# calibrated to published figures (see `docs/simulator.md`). `simulate(n, years, seed)`
# returns a `Simulation`: `.history` is what an agency would have *recorded* (a
# `CareHistory`), `.truth` holds the latent state the records never show (behaviour
# severity, carer quality). The truth is only for measuring models against the best
# possible (notebook 03); it is never a feature.
#
# We use 2,000 children over 6 years: small enough to run in seconds.

# %%
from earlysignal.synth import simulate

sim = simulate(2000, years=6, seed=1)
history = sim.history
print("observed until:", history.observed_until)
print("rows per table:", history.counts())
print("provenance:", history.meta)

# %% [markdown]
# ## 2. Validate and look at the tables
#
# Every study starts by checking the data against the rules of `docs/validation.md`:
# dates in order, no placement overlapping another of the same child, nothing dated after
# the extraction date, known settings and end reasons, and so on. Errors stop a study;
# warnings are listed so that the data team can judge them. Nothing is dropped silently.

# %%
report = history.validate()
print(report.summary(first=0))
report.counts_by_rule()

# %% [markdown]
# The four canonical tables (`docs/architecture.md`): `children` (one row per child, with
# optional attributes; sensitive ones such as `sex`, `origin` and `disability` are for
# fairness audits, never model inputs), `placements` (one row per placement, with its
# setting and, once it has ended, why), `events` (dated facts such as incidents, missing
# episodes, reviews) and the optional `statuses`.

# %%
history.children.head(5)

# %%
history.placements.head(8)

# %%
history.events.group_by("kind").len().sort("len", descending=True)

# %% [markdown]
# **What to look for.** How placements end matters more than how many there are. Calling
# every move a breakdown inflates the outcome four- to five-fold: in England about 20-22 %
# of placement changes are carer- or child-initiated breakdowns, the rest are planned,
# care-plan or status changes. The simulator is calibrated to that share.

# %%
ended = history.placements.filter(~pl.col("temporary") & pl.col("end").is_not_null())
(
    ended.group_by("end_reason")
    .len()
    .with_columns((pl.col("len") / pl.col("len").sum()).round(3).alias("share"))
    .sort("len", descending=True)
)

# %%
(
    history.placements.filter(~pl.col("temporary"))
    .group_by("setting")
    .agg(
        pl.len().alias("placements"),
        (pl.col("end_reason") == "breakdown").mean().round(3).alias("share_breakdown"),
    )
    .sort("placements", descending=True)
)

# %% [markdown]
# ## 3. Prediction times
#
# A risk is estimated for a child at a **prediction time** `t`. earlysignal has builders
# for the common designs: a regular `Schedule` (for example every quarter while a child is
# in care), `AfterPlacementStart` (day 30 and day 90 of every placement), `YearEnds`
# (31 March, England's statistics) and `UserTimes` (your own frame). Each row carries the
# placement in effect at `t`. The report says what was produced and what was dropped.

# %%
from earlysignal.cohort import AfterPlacementStart, Schedule, prediction_times_with_report

times, cohort_report = prediction_times_with_report(history, Schedule(every_days=91))
print(cohort_report)
times.head(5)

# %%
anchored, anchored_report = prediction_times_with_report(
    history, AfterPlacementStart(days=(30, 90))
)
print(anchored_report)

# %% [markdown]
# ## 4. Outcomes, with censoring
#
# The label of a prediction time uses only what happens in `(t, t + horizon]`.
# `breakdown` within 180 days: the placement in effect at `t` ends with a breakdown in the
# window (ending otherwise first, e.g. a planned move, is a competing event and counts as
# 0). When the horizon runs past the extraction date the label is **missing
# (censored), not 0**, whatever happened in the window: counting those rows as "no
# breakdown" would flatter every model, and keeping only the ones whose breakdown
# already happened would keep events and drop non-events. The report counts each kind
# of row.

# %%
from earlysignal.outcomes import label_with_report

labelled, outcome_report = label_with_report(history, times, "breakdown", 180)
outcome_report

# %% [markdown]
# ## 5. Point-in-time features
#
# `build_features` turns each prediction time into one row of features (what was known
# **strictly before** `t`) plus the requested labels. Features are small frozen specs
# (`earlysignal.features`); the default set covers placement history (placements, moves
# and breakdowns so far and in windows, days in the current placement, settings seen,
# providers, re-entries), events (counts per kind in windows, days since the last one,
# recent-versus-earlier trend) and child facts (age at `t`, age at first entry).
# Sensitive attributes are left out unless a study opts in by name.

# %%
from earlysignal.features import build_features, default_specs, describe, feature_names
from earlysignal.split import fraction_boundaries

# which event kinds and status values get features is chosen from the training period only
# (the first 60 % of the prediction times), so nothing seen only later decides the columns
train_end, _ = fraction_boundaries(times, (0.6, 0.2, 0.2))
specs = default_specs(history, before=train_end)
names = feature_names(specs)
frame = build_features(history, times, specs, outcomes=[("breakdown", 180), ("carousel", 365)])
print(f"{frame.height} rows x {len(names)} features")
frame.select("prediction_time", "setting", *names[:6], "label_breakdown_180d").head(5)

# %% [markdown]
# Every feature has a deterministic name and a one-line description, used in SHAP plots,
# signal sheets and model cards (`docs/features.md` is generated from the same specs).

# %%
describe(specs).select("name", "description", "unit").head(20)

# %% [markdown]
# ### Describe the features
#
# Summary statistics, then the mean of a few features among prediction times that were
# and were not followed by a breakdown. **What to look for:** recent moves, recent
# breakdowns and short time in the current placement should be higher before a breakdown
# (the hazard is front-loaded, the carousel feeds itself). These are associations in
# records, not causes.

# %%
frame.select(names[:12]).describe()

# %%
focus = [
    "moves_365d",
    "breakdowns_365d",
    "days_in_current_placement",
    "events_incident_90d",
    "events_missing_90d",
    "age_years",
]
focus = [f for f in focus if f in names]
(
    frame.filter(pl.col("label_breakdown_180d").is_not_null())
    .group_by("label_breakdown_180d")
    .agg(pl.len().alias("rows"), *[pl.col(f).mean().round(2) for f in focus])
    .sort("label_breakdown_180d")
)

# %% [markdown]
# ### The time rule, checked by hand
#
# A feature at `t` may not change when something is added at or after `t`. Here we add an
# incident on the prediction day itself for one child and rebuild its features: nothing
# changes (the library's property tests check this for every feature on random
# histories).

# %%
from dataclasses import replace

row = frame.filter(pl.col("label_breakdown_180d").is_not_null()).row(0, named=True)
child, t = row["child_id"], row["prediction_time"]
one_time = times.filter((pl.col("child_id") == child) & (pl.col("prediction_time") == t))
extra = pl.DataFrame(
    {"child_id": [child], "date": [t], "kind": ["incident"], "value": [None]},
    schema=history.events.schema,
)
changed = replace(history, events=pl.concat([history.events, extra]))
before = build_features(history, one_time, specs, outcomes=()).select(names)
after = build_features(changed, one_time, specs, outcomes=()).select(names)
print("features unchanged by an event dated on t:", before.equals(after))

# %% [markdown]
# ## 6. Save the history as a canonical folder
#
# A canonical folder (Parquet tables plus `meta.json`) is what every command reads:
# `earlysignal indicators DIR`, `earlysignal run CONFIG` with `source = "canonical"`.
# Reading it back validates it again.

# %%
from earlysignal.data import CareHistory

folder = history.write(OUT / "quick_start_history")
again = CareHistory.read(folder)
print(sorted(p.name for p in folder.iterdir()))
print("round trip identical:", again.placements.equals(history.placements))

# %% [markdown]
# ## Where next
#
# - `02_carousel_in_the_data.ipynb`: stability indicators and trajectories, on simulated
#   data and on an SSDA903 sample.
# - `03_breakdown_model.ipynb`: a temporal split, models, calibration and evaluation
#   against baselines and the simulator's oracle.
# - `04_explanations_and_fairness.ipynb`: contributions, signal sheets and the fairness
#   audit with disclosure control.
# - `05_model_card.ipynb`: a whole study as one MLflow run and the model card an ethics
#   board reads.
