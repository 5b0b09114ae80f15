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
# # 03 A placement breakdown model: split, fit, calibrate, evaluate
#
# The question: *for a child in care today, how likely is it that the current placement
# breaks down (ends unplanned) within the next 180 days?* This notebook answers it the
# way a study should, on a simulated agency whose true risks are known:
#
# 1. simulate a cohort, choose prediction times, build features and outcomes;
# 2. split by **time** (train, calibrate, test), purging labels that cross a boundary;
# 3. fit **LightGBM**, a **logistic** regression and a one-line **rule** a caseworker
#    could apply by hand;
# 4. **calibrate** each on the calibration period (Venn-ABERS, isotonic, sigmoid);
# 5. **evaluate** on the test period with intervals from a bootstrap over *children*,
#    against the baselines and against the simulator's **oracle** (the true risk);
# 6. plot, look at **capacity** (the top k % flagged), save and load the model without
#    pickle, and say in plain words what the numbers mean.
#
# Everything is small (3,000 children) so that it runs in about a minute;
# `docs/models.md` documents every choice.

# %% [markdown]
# > **What this is, and what it is not.** earlysignal estimates, from a child's recorded
# > history, the risk that the current placement breaks down or that the child enters the
# > placement carousel, early enough for the team around the child to add support. It is a
# > signal for support and for policy research, **never a decision about a family** and never
# > a replacement for professional judgement. Everything below runs on *simulated* children.

# %%
# %matplotlib inline
from pathlib import Path
from typing import Any

import polars as pl
from _setup import scale, start  # notebooks/_setup.py: the shared setup

OUT = start(training=True)
SCALE = scale()  # 1 by default; the tests use a smaller cohort (see _setup.scale)

# %% [markdown]
# ## 1. Cohort, prediction times, features and outcomes
#
# 3,000 children over 7 years; a prediction time every 91 days while a child is in care;
# the default features (what was recorded strictly before each time); the label
# `label_breakdown_180d`: 1 when the placement in effect at `t` ends with a breakdown in
# `(t, t + 180 days]`, 0 when it does not (ending otherwise first is a competing event, 0),
# null when the window runs past the extraction date, whatever happened in it
# (censored). Notebook 01 walks through each step.

# %%
import numpy as np

from earlysignal.cohort import Schedule, prediction_times
from earlysignal.features import build_features, default_specs, feature_names
from earlysignal.split import fraction_boundaries
from earlysignal.synth import simulate

HORIZON = 180
LABEL = f"label_breakdown_{HORIZON}d"

sim = simulate(round(3000 * SCALE), years=7, seed=3)
history = sim.history
times = prediction_times(history, Schedule(every_days=91))
# the feature vocabulary (event kinds, status values) from the training period of the split
# below only: the first 60 % of the prediction times with complete follow-up
followed = times.filter(
    pl.col("prediction_time") + pl.duration(days=HORIZON) <= history.observed_until
)
specs = default_specs(history, before=fraction_boundaries(followed, (0.6, 0.2, 0.2))[0])
names = feature_names(specs)
frame = build_features(history, times, specs, outcomes=[("breakdown", HORIZON)])
print(
    f"{frame.height} prediction times of {frame['child_id'].n_unique()} children, "
    f"{len(names)} features; observed until {history.observed_until}"
)
frame.group_by(LABEL).len().sort(LABEL)

# %% [markdown]
# ## 2. A temporal split, purged
#
# A model is used on the future, so it is tested on the future: training rows come from
# the earliest period, calibration rows from the next, test rows from the latest
# (`docs/models.md`, "Splits"). Random splits overstate performance.
#
# **Purging.** A training row whose 180-day label window reaches into the calibration
# period would be labelled by what happens there; such rows are dropped and counted
# (`purged`), and the same at the calibration/test boundary.
#
# **Complete follow-up.** A row whose window runs past the extraction date has no label
# (censored), whatever happened in it: keeping the ones whose breakdown already happened
# would keep events, drop non-events and inflate the test period's event rate. The
# labels are censored at the source, so the split would leave those rows out anyway; we
# keep prediction times with complete follow-up (`t + 180 days <= observed_until`)
# before splitting to show it: the censored rows are exactly the ones removed.

# %%
from earlysignal.split import temporal_split_by_fraction

complete = frame.filter(
    pl.col("prediction_time") + pl.duration(days=HORIZON) <= history.observed_until
)
print(
    f"{frame.height - complete.height} prediction times without complete follow-up "
    f"left out ({frame[LABEL].null_count()} of all rows are censored)"
)
split = temporal_split_by_fraction(complete, fractions=(0.6, 0.2, 0.2), label=LABEL)
split.summary


# %% [markdown]
# Children appear in several periods, each time with only what was known at that
# prediction time: that is how a model trained on last year would score this year's
# children. What may not cross a boundary is a label, and purging sees to it. The
# small helper below turns a period into the feature frame, the labels and the child ids
# (the bootstrap's clusters).


# %%
def xyg(part: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    return part.select(names), part[LABEL].to_numpy(), part["child_id"].to_numpy()


X_train, y_train, g_train = xyg(split.train)
X_cal, y_cal, g_cal = xyg(split.calibrate)
X_test, y_test, g_test = xyg(split.test)
for part, y in (("train", y_train), ("calibrate", y_cal), ("test", y_test)):
    print(f"{part:>9}: {y.size:6d} rows, event rate {y.mean():.3f}")

# %% [markdown]
# ## 3. Three models
#
# - **LightGBM** (`LightGBMRiskModel`): gradient-boosted trees on the plain log loss, no
#   class weights (weights would distort the probabilities, see `docs/models.md`, "Class
#   imbalance"). Small trees and early stopping on a held-out 15 % of the *children* of
#   the training period keep it from memorising a small cohort (`n_jobs=1`: one thread is
#   plenty at this size).
# - **Logistic regression** (`LogisticRiskModel`): median imputation, standardisation and
#   an L2 penalty; its score is an explicit formula, exactly what is saved and explained.
# - **Rule** (`RuleBaseline`): "2 or more moves in the last 365 days", with the training
#   event rate of each cell as its probability. A complex model has to beat the rule a
#   caseworker could apply by hand.

# %%
from earlysignal.models import LightGBMRiskModel, LogisticRiskModel, RuleBaseline

gbm = LightGBMRiskModel(
    n_estimators=600,
    learning_rate=0.03,
    num_leaves=7,
    min_child_samples=100,
    early_stopping_rounds=40,
    n_jobs=1,
    random_state=0,
).fit(X_train, y_train, groups=g_train)
logistic = LogisticRiskModel().fit(X_train, y_train)
rule = RuleBaseline(feature="moves_365d", cutpoints=(2.0,)).fit(X_train, y_train)
print(f"LightGBM kept {gbm.n_trees_} trees (hold-out log loss {gbm.validation_loss_:.4f})")
pl.DataFrame(
    {
        "rule cell": ["moves_365d < 2", "moves_365d >= 2", "not recorded"],
        "training rows": rule.cell_rows_.astype(int),
        "events": rule.cell_events_.astype(int),
        "probability": rule.cell_probability_.round(4),
    }
)

# %% [markdown]
# ## 4. Calibration on the calibration period
#
# A score is useful to a team only if "20 %" means that about 20 in 100 such children
# see a breakdown. `CalibratedRiskModel(base, method)` learns the map from the already
# fitted model's log-odds to probabilities on the calibration period only (the base
# model never saw those rows):
#
# - `isotonic`: any monotone correction; its extreme blocks can be exactly 0 % or 100 %
#   when they hold no event (or no non-event), which is never a credible statement about
#   a child;
# - `sigmoid` (Platt): two parameters, keeps the ranking exactly, good for small
#   calibration sets;
# - `venn_abers`: built from two isotonic fits, never exactly 0 or 1, and it also gives
#   each score a **probability interval** `[p0, p1]`.
#
# We calibrate LightGBM all three ways and compare them on the test period
# (`n_boot=0`: point estimates only, intervals come in section 5).

# %%
from earlysignal.evaluate import evaluate
from earlysignal.models import CalibratedRiskModel

calibrated = {
    method: CalibratedRiskModel(gbm, method=method).fit(X_cal, y_cal)
    for method in ("venn_abers", "isotonic", "sigmoid")
}
p_by_method = {method: m.risk(X_test) for method, m in calibrated.items()}
by_method = evaluate(
    y_test,
    p_by_method["venn_abers"],
    g_test,
    model="venn_abers",
    baselines={k: v for k, v in p_by_method.items() if k != "venn_abers"},
    n_boot=0,
)
CAL_METRICS = ["log_loss", "brier", "ece", "calibration_intercept", "calibration_slope"]
comparison = (
    by_method.filter(pl.col("model").is_in(list(p_by_method)) & pl.col("metric").is_in(CAL_METRICS))
    .pivot(on="metric", index="model", values="estimate")
    .select("model", *CAL_METRICS)
)
methods = comparison["model"].to_list()
comparison.with_columns(
    pl.Series("risks exactly 0", [int((p_by_method[m] == 0).sum()) for m in methods]),
    pl.Series("distinct risks", [int(np.unique(p_by_method[m]).size) for m in methods]),
)

# %% [markdown]
# **What to look for.** Calibration slope near 1 and intercept near 0; ECE small (it is
# biased upwards in small samples, so read it next to the oracle's in section 5); no
# risk of exactly 0. An intercept away from 0 for every method alike says that the test
# period's event rate differs from the calibration period's (by chance or by drift), not
# that one method is wrong. Section 5 shows the oracle's intercept on the same rows: its
# risks are the true ones, so whatever it shows is chance alone.
#
# We carry on with Venn-ABERS, the headline method of the benchmark, and calibrate the two
# baselines the same way so that the comparison is fair. The Venn-ABERS interval says how
# much the calibration data can tell about a region of risk: narrow where many
# calibration rows had similar scores, wide in the tails. Below, its median and largest
# width per tenth of predicted risk on the test period.

# %%
model = calibrated["venn_abers"]
baselines = {
    "logistic": CalibratedRiskModel(logistic, method="venn_abers").fit(X_cal, y_cal),
    "rule": CalibratedRiskModel(rule, method="venn_abers").fit(X_cal, y_cal),
}
p_test = model.risk(X_test)
p0, p1 = model.predict_interval(X_test)
(
    pl.DataFrame({"risk": p_test, "width": p1 - p0})
    .with_columns(((pl.col("risk").rank("ordinal") - 1) * 10 // pl.len()).alias("tenth"))
    .group_by("tenth")
    .agg(
        pl.len().alias("rows"),
        pl.col("risk").mean().round(4).alias("mean_risk"),
        pl.col("width").median().round(4).alias("median_interval_width"),
        pl.col("width").max().round(4).alias("widest"),
    )
    .sort("tenth")
)

# %% [markdown]
# ## 5. Evaluation: baselines, the oracle and honest intervals
#
# **The oracle.** The simulator knows each child's latent state (behaviour severity, carer
# quality, ...), which no record shows. `oracle_risk` re-runs the simulation to each
# prediction time and carries that state forward many times: the result is the *true*
# probability of a breakdown in the window, the best any model could do. The gap
# "model minus oracle" is what is lost by seeing only the records; on real data there is
# no oracle, which is why a simulator with ground truth is part of the library.
#
# **Intervals.** A child contributes several prediction times, which are not
# independent, so the bootstrap resamples *children* (`docs/models.md`, "Intervals").
# Every model is evaluated on the same rows with the same draws, and the differences
# (`lightgbm - logistic`, `lightgbm - oracle`, ...) have paired intervals. We use 100
# replicates here to stay fast; studies use 200 or more.

# %%
from earlysignal.synth import oracle_risk

oracle = oracle_risk(
    sim,
    split.test.select("child_id", "prediction_time"),
    outcome="breakdown",
    horizon=HORIZON,
    n_draws=50,
)
p_oracle = oracle["risk"].to_numpy()
print(
    f"oracle risk for {oracle.height} test rows ({oracle['risk'].null_count()} missing); "
    f"median Monte Carlo standard error {np.nanmedian(oracle['se'].to_numpy()):.4f}"
)
p_base = {name: m.risk(X_test) for name, m in baselines.items()}
table = evaluate(
    y_test,
    p_test,
    g_test,
    model="lightgbm",
    oracle=p_oracle,
    baselines=p_base,
    capacity=(0.05, 0.1, 0.2),
    n_boot=100,
    seed=0,
)
table.filter(pl.col("model") == "data").select("metric", "estimate")

# %% [markdown]
# The headline metrics, each with its 95 % interval. AUROC: how often a prediction time
# followed by a breakdown gets a higher risk than one without (0.5 is chance). AUPRC:
# average precision, meaningful when events are rare (chance is the prevalence). Brier
# score and log loss: the error of the probabilities (lower is better). Calibration
# intercept (0 is ideal) and slope (1 is ideal).

# %%
HEADLINE = [
    "auroc",
    "auprc",
    "brier",
    "log_loss",
    "ece",
    "calibration_intercept",
    "calibration_slope",
]
MODELS = ["lightgbm", "logistic", "rule", "oracle"]


def with_interval(r: dict[str, Any]) -> str:
    if r["lower"] is None:
        return f"{r['estimate']:.3f}"
    return f"{r['estimate']:.3f} ({r['lower']:.3f} to {r['upper']:.3f})"


def metric_table(
    tbl: pl.DataFrame, models: list[str], metrics: list[str], at: float | None = None
) -> pl.DataFrame:
    # one row per metric, one column per model: "estimate (lower to upper)"
    rows = tbl.filter(pl.col("model").is_in(models) & pl.col("metric").is_in(metrics))
    rows = rows.filter(pl.col("at").is_null() if at is None else pl.col("at") == at)
    cells = {(r["metric"], r["model"]): with_interval(r) for r in rows.iter_rows(named=True)}
    return pl.DataFrame(
        [{"metric": m, **{name: cells.get((m, name)) for name in models}} for m in metrics]
    )


metric_table(table, MODELS, HEADLINE)

# %% [markdown]
# The paired differences decide the comparisons. A difference is called better or worse
# only when its 95 % interval excludes zero; otherwise the data do not show a difference
# (which is not the same as showing that there is none).

# %%
HIGHER_IS_BETTER = {"auroc": True, "auprc": True, "brier": False, "log_loss": False}


def verdict(lower: float | None, upper: float | None, higher_is_better: bool) -> str:
    if lower is None or upper is None:
        return "no interval"
    if lower > 0:
        return "better" if higher_is_better else "worse"
    if upper < 0:
        return "worse" if higher_is_better else "better"
    return "not shown to differ"


(
    table.filter(
        pl.col("model").is_in(["lightgbm - logistic", "lightgbm - rule", "lightgbm - oracle"])
        & pl.col("metric").is_in(list(HIGHER_IS_BETTER))
    )
    .with_columns(
        pl.struct("lower", "upper", "metric")
        .map_elements(
            lambda r: verdict(r["lower"], r["upper"], HIGHER_IS_BETTER[r["metric"]]),
            return_dtype=pl.String,
        )
        .alias("lightgbm is")
    )
    .select("model", "metric", pl.col("estimate", "lower", "upper").round(4), "lightgbm is")
)

# %% [markdown]
# `auroc_lift` puts the model between chance and the truth: `(AUROC - 0.5) / (oracle
# AUROC - 0.5)`, the share of the achievable lift over chance that the model reaches.

# %%
lift = table.filter(pl.col("metric") == "auroc_lift").row(0, named=True)
print(
    f"LightGBM reaches {lift['estimate']:.0%} of the oracle's lift over chance "
    f"(95 % interval {lift['lower']:.0%} to {lift['upper']:.0%})."
)

# %% [markdown]
# ## 6. Plots
#
# Every plot function returns a matplotlib figure (no global state), so the same figure
# can be saved, logged to MLflow or put on the model card.
#
# **Reliability diagram.** Observed breakdown rate against mean predicted risk in ten
# equal-mass bins, with 95 % bootstrap bands; the diagonal is perfect calibration. The
# oracle is drawn too: the spread of its points around the diagonal is what noise alone
# looks like at this size.

# %%
from earlysignal.evaluate import (
    plot_decision_curve,
    plot_reliability,
    plot_risk_distribution,
    plot_roc_pr,
)

predictions = {"lightgbm": p_test, **p_base, "oracle": p_oracle}
plot_reliability(y_test, predictions, g_test, n_boot=100)

# %% [markdown]
# The three calibration methods of section 4, on the same test rows.

# %%
plot_reliability(y_test, p_by_method, g_test, n_boot=50)

# %% [markdown]
# **Decision curve.** Net benefit `TP/N - FP/N x t/(1 - t)` when every row with risk of
# at least `t` is flagged: `t` expresses how many unnecessary reviews one is willing to
# do per breakdown caught (at `t = 0.1`, nine). A model is useful at `t` when its curve
# lies above both "flag everyone" (treat all) and "flag no one" (treat none). With a
# breakdown rate of a few per cent, only low thresholds are relevant.

# %%
plot_decision_curve(y_test, predictions, np.linspace(0.01, 0.25, 25))

# %% [markdown]
# **ROC and precision-recall curves.** The ROC curve hides how rare the event is; the
# precision-recall curve shows it (its chance level is the prevalence).

# %%
plot_roc_pr(y_test, predictions)

# %% [markdown]
# **Risk distribution.** Predicted risks of test rows with and without a breakdown. The
# overlap is large: most children who go on to a breakdown do not stand out, and most
# children with a high score do not break down.

# %%
plot_risk_distribution(y_test, p_test)

# %% [markdown]
# ## 7. Capacity: what flagging the top k % means for a team
#
# A team can review so many children. The capacity view flags the `k` share of
# prediction times with the highest risk and asks: what share of the flagged had a
# breakdown (precision), what share of the breakdowns was flagged (recall), and how many
# alerts per 100 children does that make over the test period.

# %%
CAPACITY = ["precision_at_top", "recall_at_top", "alerts_per_100_children"]
pl.concat(
    [
        metric_table(table, MODELS, CAPACITY, at=k).with_columns(flagged=pl.lit(f"top {k:.0%}"))
        for k in (0.05, 0.1, 0.2)
    ]
).select("flagged", "metric", *MODELS)

# %% [markdown]
# In use, "the top 10 %" has to be a fixed risk threshold set in advance: it is chosen on
# the calibration period and applied unchanged to the test period, where the share
# flagged may then drift from 10 %.

# %%
threshold = float(np.quantile(model.risk(X_cal), 0.9))
flagged = p_test >= threshold
print(f"threshold from the calibration period: risk >= {threshold:.3f}")
print(
    f"test period: {flagged.mean():.1%} of prediction times flagged, "
    f"precision {y_test[flagged].mean():.1%}, recall {flagged[y_test == 1].mean():.1%}"
)

# %% [markdown]
# ## 8. Save and load the model, without pickle
#
# `save_model` writes text and JSON (LightGBM's own text format, the calibrator as plain
# numbers, the feature specs) and a manifest with the SHA-256 of every file. Unpickling
# runs arbitrary code; a model shared with an agency should be inspectable as text.
# `load_model` checks every hash first.

# %%
import tempfile

from earlysignal.models import load_feature_specs, load_model, read_manifest, save_model

model_dir = Path(tempfile.mkdtemp(prefix="model-", dir=OUT)) / "breakdown_180d"
save_model(
    model,
    model_dir,
    feature_specs=specs,
    metadata={
        "outcome": "breakdown",
        "horizon_days": HORIZON,
        "calibration": "venn_abers",
        "train_end": str(split.train_end),
        "test_from": str(split.calibrate_end),
    },
)
manifest = read_manifest(model_dir)
print({k: manifest[k] for k in ("format", "format_version", "model_class", "metadata")})
pl.DataFrame(
    {
        "file": sorted(manifest["sha256"]),
        "bytes": [(model_dir / f).stat().st_size for f in sorted(manifest["sha256"])],
        "sha256": [manifest["sha256"][f][:16] + "..." for f in sorted(manifest["sha256"])],
    }
)

# %%
loaded = load_model(model_dir)
same_risk = np.array_equal(loaded.risk(X_test), model.risk(X_test))
lo_loaded, hi_loaded = loaded.predict_interval(X_test)
same_interval = np.array_equal(lo_loaded, p0) and np.array_equal(hi_loaded, p1)
print(type(loaded).__name__, "with base", type(loaded.base).__name__)
print("identical risks after loading:", same_risk)
print("identical Venn-ABERS intervals after loading:", same_interval)
print("feature specs saved with the model:", len(load_feature_specs(model_dir) or []))

# %% [markdown]
# A changed file is refused, with the file named (here we alter one character of a copy).
# The manifest guards against accidents and naive tampering, not against someone who can
# rewrite the manifest too: keep models where only their owners can write.

# %%
import shutil

from earlysignal.models import ModelIntegrityError

tampered = model_dir.with_name("tampered")
shutil.copytree(model_dir, tampered)
text = (tampered / "model.json").read_text(encoding="utf-8")
(tampered / "model.json").write_text(text.replace("1", "2", 1), encoding="utf-8")
try:
    load_model(tampered)
except ModelIntegrityError as exc:
    print("refused:", str(exc).replace(str(tampered), "<tampered copy>"))


# %% [markdown]
# ## 9. What the numbers mean, and what they do not
#
# The cell below restates this run's results in words, from the table above.


# %%
def est(model_name: str, metric: str, at: float | None = None) -> dict[str, Any]:
    rows = table.filter((pl.col("model") == model_name) & (pl.col("metric") == metric))
    rows = rows.filter(pl.col("at").is_null() if at is None else pl.col("at") == at)
    return rows.row(0, named=True)


n_rows = est("data", "n_rows")["estimate"]
n_children = est("data", "n_children")["estimate"]
prev = est("data", "prevalence")["estimate"]
auroc = est("lightgbm", "auroc")
prec, rec = est("lightgbm", "precision_at_top", 0.1), est("lightgbm", "recall_at_top", 0.1)
lines = [
    f"Test period: {n_rows:.0f} prediction times of {n_children:.0f} simulated children; "
    f"{prev:.1%} were followed by a breakdown within {HORIZON} days.",
    f"Given one prediction time followed by a breakdown and one not, the model gives the "
    f"first the higher risk in {auroc['estimate']:.0%} of pairs "
    f"(95 % interval {auroc['lower']:.0%} to {auroc['upper']:.0%}; chance is 50 %).",
    f"Flagging the 10 % highest risks: {prec['estimate']:.0%} of those flagged had a "
    f"breakdown, and {rec['estimate']:.0%} of all breakdowns were among the flagged.",
]
for other in ("logistic", "rule"):
    d = est(f"lightgbm - {other}", "auroc")
    lines.append(
        f"Against the {other} baseline (AUROC difference {d['estimate']:+.3f}): "
        f"LightGBM is {verdict(d['lower'], d['upper'], True)}."
    )
lines.append(
    f"The model reaches {lift['estimate']:.0%} of the lift over chance that the true risk "
    "(the oracle) reaches on the same rows."
)
print("\n".join("- " + line for line in lines))

# %% [markdown]
# **What they mean.** The score sorts prediction times by how likely a breakdown is, better
# than chance and, where the paired intervals say so, better or not better than the rule
# and the logistic regression; the calibrated risks are about right on average for this
# period (the reliability diagram shows where they are not). Because the simulator knows
# the truth, we also know how far the model is from the best possible, and that the
# best possible is itself far from certainty: breakdowns depend on things the records
# do not hold.
#
# **What they do not mean.** A high score is not a prediction that *this* placement will
# break down (most flagged placements do not), and a low score is no reassurance (many
# breakdowns come from low scores). The factors behind a score are associations in
# records, not causes (notebook 04). These numbers describe one simulated agency, one
# period and a small test set: intervals are wide, and performance on a real agency's
# records, with its own recording practice, has to be measured there, before use and
# again over time. A score is a reason to look and to offer support, never a decision
# about a family.
#
# ## Where next
#
# - `04_explanations_and_fairness.ipynb`: why a score is what it is, and whether the model
#   works equally well for every group.
# - `05_model_card.ipynb`: the same study as one tracked run with a model card.
