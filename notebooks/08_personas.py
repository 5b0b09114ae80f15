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
# # 08 Personas: typical care pathways
#
# A persona is a pathway through care that many children share: "entered as a baby,
# kinship care, home within a year", or "entered at 13, residential, several moves,
# secure care". This notebook finds them by sequence analysis on *simulated* children:
# monthly states from first entry, optimal-matching distances, k-medoids (PAM), the number
# of types chosen by the average silhouette width, and a description that publishes
# distributions only (see `docs/personas.md`).

# %% [markdown]
# > **What this is, and what it is not.** earlysignal estimates, from a child's recorded
# > history, the risk that the current placement breaks down or that the child enters the
# > placement carousel, early enough for the team around the child to add support. It is a
# > signal for support and for policy research, **never a decision about a family** and never
# > a replacement for professional judgement. Everything below runs on *simulated* children.

# %%
# %matplotlib inline

import polars as pl
from _setup import scale, start  # notebooks/_setup.py: the shared setup

OUT = start()
SCALE = scale()  # 1 by default; the tests use a smaller cohort (see _setup.scale)

# %%
from earlysignal.personas.cluster import assign, fit_personas
from earlysignal.personas.describe import describe_personas
from earlysignal.personas.report import write_report
from earlysignal.personas.sequences import monthly_states
from earlysignal.personas.spec import PersonaSpec
from earlysignal.synth import simulate

sim = simulate(round(1500 * SCALE), years=8, seed=7)
spec = PersonaSpec(window=24, sample_size=800, samples=2)
seqs = monthly_states(sim.history, spec)
print(len(seqs), "children,", int(seqs.complete.sum()), "with a complete 24-month window")

# %% [markdown]
# ## How many types?
#
# Each row is a number of personas tried on the clustering sample: average silhouette
# width (ASW), pseudo-R2 and point-biserial correlation. The highest ASW is chosen.

# %%
model = fit_personas(seqs, spec)
pl.DataFrame(model.quality)

# %% [markdown]
# ## What may be published
#
# Children with a partial window are assigned to the nearest medoid on the months they
# have. The description counts distinct children, hides personas under 10 children, rounds
# counts to 5 and shows no child's pathway: the "usual pathway" is synthesised from the
# most common state in each month.

# %%
labels, partial = assign(model, seqs)
desc = describe_personas(seqs, model, labels)
desc.summary.select(
    "persona", "n_children", "age_median", "moves_mean", "return_home_rate", "breakdown_rate"
)

# %%
from earlysignal.personas.plots import plot_state_distribution
from earlysignal.personas.report import PLOT_WORDS, STATE_LABELS

plot_state_distribution(desc.distribution, 1, desc.alphabet, STATE_LABELS, PLOT_WORDS)

# %%
html = write_report(desc, OUT / "personas", lang="nl")
print("Dutch report:", html)
