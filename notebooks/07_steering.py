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
# # 07 Steering with data, fairly: providers and regions compared
#
# Municipalities commission youth care and ask which providers' placements end early or move
# children on more than their case mix explains. Raw rates per provider are unfair (the provider
# that takes the hardest adolescents looks worst) and noisy (a provider with 12 children jumps
# from best to worst by chance). This notebook compares providers and regions the way the field
# recommends (`docs/steering.md`): expected counts from a case-mix model, cross-fitted so that a
# unit's own children cannot pull its expected count; funnel plots with 95 % and 99.8 % limits;
# shrunken estimates and rank intervals instead of ranks.
#
# > **A signal for questions, never a verdict.** Everything below runs on *simulated* children,
# > whose true provider effects are known, so we can see how well the comparison finds them.

# %%

import numpy as np
import polars as pl
from _setup import scale, start  # notebooks/_setup.py: the shared setup

OUT = start()
SCALE = scale()  # 1 by default; the tests use a smaller cohort (see _setup.scale)

# %% [markdown]
# ## 1. A simulated agency with provider effects
#
# `SimParams.provider_effect_sd` spreads the providers' log hazard ratios of breakdown; the
# truth is in `sim.truth["providers"]`.

# %%
from dataclasses import replace

from earlysignal.synth import simulate
from earlysignal.synth.params import SimParams

sim = simulate(
    round(4000 * SCALE), years=6, seed=7, params=replace(SimParams(), provider_effect_sd=0.3)
)
sim.history.placements.select("provider_id", "setting", "end_reason").head()

# %% [markdown]
# ## 2. Compare providers on unplanned endings and moves
#
# `compare_units` returns raw results for the data team (never publish them as they are).

# %%
from earlysignal.steering.compare import compare_units
from earlysignal.steering.spec import SteeringSpec

res = compare_units(sim.history, SteeringSpec(by="provider", years=5), draws=500)
unplanned = res.comparisons["unplanned"]
print(res.excluded)
unplanned.select("unit", "children", "observed", "expected", "ratio", "flag", "shrunk").head(8)

# %% [markdown]
# How close are the shrunken estimates to the truth? (Most providers are small, so expect a
# modest correlation; the raw ratio does worse.)

# %%
j = unplanned.join(sim.truth["providers"], left_on="unit", right_on="provider_id")
print("shrunken vs true log HR:", round(np.corrcoef(np.log(j["shrunk"]), j["effect"])[0, 1], 2))
print(
    "raw ratio vs true log HR:",
    round(np.corrcoef(np.log(j["ratio"].clip(lower_bound=0.01)), j["effect"])[0, 1], 2),
)

# %% [markdown]
# ## 3. The funnel plot and the shrunken estimates

# %%
from earlysignal.steering.plots import plot_funnel, plot_shrunken

labelled = unplanned.with_columns(pl.col("unit").alias("label"))
plot_funnel(
    labelled,
    phi=float(unplanned["phi"][0]),
    applied=bool(unplanned["overdispersion_applied"][0]),
    title="unplanned endings",
)

# %%
plot_shrunken(
    labelled.sort("expected", descending=True).head(25), title="25 largest providers: shrunken O/E"
)

# %% [markdown]
# ## 4. Regions, and what fewer moves are worth
#
# Tariffs are the user's own (none ship with earlysignal). The estimate is an association, not
# a promise.

# %%
from earlysignal.steering.costs import parse_tariffs
from earlysignal.steering.report import build_report, write_report

by_region = compare_units(sim.history, SteeringSpec(by="region", years=5), draws=500)
tariffs = parse_tariffs(
    {
        "currency": "EUR",
        "per_day": {
            "kinship_foster": 40,
            "foster": 65,
            "family_home": 210,
            "residential": 410,
            "secure": 750,
        },
    }
)
report = build_report(by_region, history=sim.history, tariffs=tariffs)
report["costs"]

# %% [markdown]
# ## 5. The steering report
#
# Published data only: units under 10 children suppressed, counts rounded to 5, provider ids
# replaced by keyed pseudonyms (regions keep their names). The HTML is self-contained.

# %%
paths = write_report(report, OUT / "steering-region")
print(paths["html"])
print((OUT / "steering-region" / "steering.md").read_text()[:1500])
