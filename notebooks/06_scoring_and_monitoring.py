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
# # 06 From study to signal: scoring today's children, monitoring over time
#
# A study ends in a model card and a model. This notebook takes the next steps
# (`docs/scoring.md`, `docs/monitoring.md`):
#
# 1. runs a small study whose model MLflow logs as a `pyfunc` model (no pickle) and
#    registers in the model registry;
# 2. loads it back with `mlflow.pyfunc.load_model`;
# 3. scores the children in placement on the data's last day: a ranked table with
#    intervals and contributions, a signal sheet per flagged child, an overview;
# 4. monitors two later extractions against the card's stop rules: an unchanged world,
#    and one where placements break down far more often.

# %% [markdown]
# > **What this is, and what it is not.** earlysignal estimates, from a child's recorded
# > history, the risk that the current placement breaks down or that the child enters the
# > placement carousel, early enough for the team around the child to add support. It is a
# > signal for support and for policy research, **never a decision about a family** and never
# > a replacement for professional judgement. Everything below runs on *simulated* children.

# %%
# %matplotlib inline
import os

import polars as pl
from _setup import scale, start  # notebooks/_setup.py: the shared setup

OUT = start(training=True)
SCALE = scale()  # 1 by default; the tests use a smaller cohort (see _setup.scale)

# %%
from _setup import tracking_uri

TRACKING_URI = tracking_uri(OUT)  # MLFLOW_TRACKING_URI, else a SQLite file in OUT
os.chdir(OUT)  # a SQLite store keeps its artifacts in ./mlruns: not in the repository

# %% [markdown]
# ## 1. A small study with a registered model
#
# The shipped `breakdown_180d` config, shrunk to run in about a minute, with
# `[tracking] register_as` set so that the model becomes `models:/notebook_model/N`.

# %%
from earlysignal.experiment.config import ExperimentConfig, load_config
from earlysignal.experiment.runner import run_experiment
from earlysignal.synth import simulate

data = load_config("breakdown_180d").to_dict()
data["model"].update(n_estimators=40, num_leaves=7, min_child_samples=20)
data["evaluation"].update(bootstrap=20, oracle_rows=0)
data["explain"]["sample"] = 200
data["fairness"]["bootstrap"] = 0
data["tracking"].update(experiment="notebook-06", register_as="notebook_model")
config = ExperimentConfig.from_dict(data)

sim = simulate(round(1000 * SCALE), years=7, seed=3)
today = sim.history.write(OUT / "today")
result = run_experiment(config, tracking_uri=TRACKING_URI, output_dir=OUT / "cards", simulation=sim)
logged = result.card["provenance"]["logged_model"]
logged

# %% [markdown]
# ## 2. The logged model, loaded by MLflow
#
# `mlflow.pyfunc.load_model` reads the LightGBM text model, the calibrator JSON and the
# feature specs, checks their hashes, and returns risks with their Venn-ABERS interval.
# The signature and the synthetic input example (zeros and ones, no child) travel with it.

# %%
import mlflow

mlflow.set_tracking_uri(TRACKING_URI)
mlflow.set_registry_uri(TRACKING_URI)
print("registered as", logged["registered_name"], "version", logged["registered_version"])
uri = logged["model_uri"]  # the logged model itself (models:/m-...)
pyfunc = mlflow.pyfunc.load_model(uri)
print(pyfunc.metadata.get_input_schema().input_names()[:5], "...")

# %% [markdown]
# ## 3. Score the children in placement on the last day
#
# `score` validates the data, checks the model's scope (same source, known vocabulary,
# nothing after the date), builds the features as of the date with the model's own specs
# and writes everything at once (or nothing). The table and the sheets hold pseudonymous
# row-level data: they stay on disk; the scoring's MLflow run holds counts only.

# %%
from earlysignal.scoring import score

scored = score(
    uri, today, as_of=sim.history.observed_until, out=OUT / "signals", tracking_uri=TRACKING_URI
)
keys = ("children_scored", "children_flagged", "decision_rule")
print({k: scored.summary[k] for k in keys})
scored.ranked.select(
    "rank", "risk", "risk_lower", "risk_upper", "flagged", "factor_1", "factor_2"
).head(8)

# %%
first = scored.ranked.filter(pl.col("flagged"))["child_id"][0]
print((OUT / "signals" / "sheets" / f"{first}.md").read_text())

# %% [markdown]
# ## 4. Monitor later extractions
#
# `monitor` rebuilds the model's prediction times after its training data, scores them,
# measures drift against the profile stored with the model, and judges the card's stop
# rules on the outcomes that have matured, on the children the model did not flag (so
# that support given to flagged children cannot stop a model for succeeding).

# %%
from earlysignal.monitoring import monitor
from earlysignal.synth.params import SimParams

unchanged = simulate(round(1500 * SCALE), years=10, seed=4)
quiet = monitor(
    uri, unchanged.history, out=OUT / "monitor-unchanged", tracking_uri=TRACKING_URI, n_boot=100
)
verdicts = [r["verdict"] for r in quiet.summary["rules"]]
print("unchanged world: exit code", quiet.exit_code, verdicts)
quiet.drift.head(5)

# %%
worse = SimParams(breakdown_rate_year=SimParams().breakdown_rate_year * 2.5)
changed = simulate(round(1500 * SCALE), years=10, seed=4, params=worse)
alarm = monitor(
    uri, changed.history, out=OUT / "monitor-changed", tracking_uri=TRACKING_URI, n_boot=100
)
print("changed placement practice: exit code", alarm.exit_code)
alarm.verdicts.select("rule", "metric", "group", "estimate", "lower", "upper", "verdict")

# %% [markdown]
# The report (`monitoring.html`) shows the same tables with disclosure control: groups
# under 10 children get no figure, alert counts are rounded to 5. On the command line:
# `earlysignal score RUN_ID DIR --as-of DATE --out DIR` and
# `earlysignal monitor RUN_ID DIR --out DIR` (exit code 1 when a rule is breached).
