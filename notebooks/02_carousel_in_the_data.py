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
# # 02 The carousel in the data: stability indicators and trajectories
#
# Before modelling the carousel (Dutch *doorverhuizen*), look at it. This notebook computes
# the stability indicators a data team would publish, draws placement trajectories, and
# does both on a simulated cohort and on the public SSDA903 sample (England's
# children-looked-after return).
#
# Indicators (`docs/indicators.md`):
#
# | indicator | population | what it counts |
# |---|---|---|
# | `three_plus_placements` | in care at the year end | 3+ placements during the year (DfE; England 9-11 %) |
# | `two_year_three_plus` | in care 2+ years | 3+ placements in those 2 years (DfE; 21-23 %) |
# | `long_term_stability` | under 16, in care 2.5+ years | same placement 2+ years (DfE; 68-71 %) |
# | `moves_per_child`, `moves_per_1000_days` | in care during the year | move rates |
# | `moved_more_than_N` | in care at the year end | more than N moves so far (doorverhuizen) |
#
# Every published table goes through the library's **disclosure control**: no cell under
# 10 children, counts rounded to 5, complementary suppression so a hidden cell cannot be
# recovered from totals. Hidden values are marked, never silently dropped.

# %% [markdown]
# > **What this is, and what it is not.** earlysignal estimates, from a child's recorded
# > history, the risk that the current placement breaks down or that the child enters the
# > placement carousel, early enough for the team around the child to add support. It is a
# > signal for support and for policy research, **never a decision about a family** and never
# > a replacement for professional judgement. Everything below runs on *simulated* children.

# %%
# %matplotlib inline
import os
from pathlib import Path

import polars as pl
from _setup import start  # notebooks/_setup.py: table display, the output folder

OUT = start()

# %% [markdown]
# ## 1. A simulated agency
#
# 3,000 children over 6 years. The simulator's calibration targets are defined on its
# default cohort (20,000 children over 10 years); a small cohort is noisier, so expect the
# indicators near, not exactly inside, the national ranges.

# %%
from earlysignal.synth import simulate

sim = simulate(3000, years=6, seed=2)
history = sim.history
history.counts()

# %%
from earlysignal.indicators.report import (
    default_year_ends,
    moves_distribution,
    stability_indicators,
)

year_ends = default_year_ends(history)
table = stability_indicators(history, year_ends=year_ends)
wide = (
    table.filter(pl.col("group") == "all")
    .pivot(on="indicator", index="year_end", values="value")
    .sort("year_end")
)
wide

# %% [markdown]
# **What to look for.** Compare each year with England's national ranges (DfE, children
# looked after at 31 March, 2021-2025). The cell below prints the latest year against them.

# %%
from earlysignal.indicators.plots import DFE_REFERENCE


def against_reference(tbl: pl.DataFrame, label: str) -> pl.DataFrame:
    latest = tbl.filter(pl.col("group") == "all")["year_end"].max()
    rows = []
    for name, (lo, hi) in DFE_REFERENCE.items():
        hit = tbl.filter(
            (pl.col("group") == "all")
            & (pl.col("year_end") == latest)
            & (pl.col("indicator") == name)
        )
        value = hit["value"][0] if hit.height else None
        if value is None:
            verdict = "hidden or not available"
        else:
            verdict = "inside" if lo <= value <= hi else ("below" if value < lo else "above")
        rows.append(
            {
                "data": label,
                "year_end": latest,
                "indicator": name,
                "value": value,
                "england_range": f"{lo:.0%}-{hi:.0%}",
                "verdict": verdict,
            }
        )
    return pl.DataFrame(rows)


against_reference(table, "simulated")

# %%
from earlysignal.indicators.plots import (
    plot_indicators_over_time,
    plot_moves_distribution,
    plot_trajectories,
)

plot_indicators_over_time(table)

# %% [markdown]
# ## 2. By group, with disclosure control
#
# Indicators by DfE age band and by sex for the latest year. Small groups are hidden
# (`value_flag` says why) and so are the complementary cells that would let someone
# recover them from the total.

# %%
by_group = stability_indicators(history, year_ends=year_ends[-1:], by=["age_group", "sex"])
(
    by_group.filter(pl.col("indicator").is_in(["three_plus_placements", "moves_per_child"])).select(
        "group", "group_value", "indicator", "children", "count", "value", "value_flag"
    )
)

# %%
n_hidden = by_group.filter(pl.col("suppressed")).height
print(f"{n_hidden} of {by_group.height} rows have something hidden; none was dropped")

# %% [markdown]
# ## 3. How many moves so far
#
# Children in care at the latest year end by number of moves in their recorded history
# (counts rounded to 5, small cells hidden). Recorded history is left-censored: moves
# before the records start are not seen.

# %%
moves_distribution(history, year_ends[-1])

# %%
plot_moves_distribution(history, year_ends[-1])

# %% [markdown]
# ## 4. Trajectories
#
# Swimlanes for a random sample of children: one lane per child, settings as colours, a
# black tick at each move, a red cross where a placement broke down, hatched bars for
# temporary placements (respite). Lanes are labelled `child 1`, `child 2`, ... (never by
# identifier) and aligned on each child's first recorded placement.

# %%
plot_trajectories(history, n=20, seed=0)

# %% [markdown]
# The carousel is easier to see among children who have moved a lot. Here we pick 12 of
# the children with the most non-temporary placements.

# %%
busiest = (
    history.placements.filter(~pl.col("temporary"))
    .group_by("child_id")
    .len()
    .sort("len", "child_id", descending=[True, False])
    .head(12)["child_id"]
    .to_list()
)
plot_trajectories(history, busiest)

# %% [markdown]
# ## 5. The SSDA903 sample
#
# England's local authorities return their children-looked-after records yearly as SSDA903
# files. The public *cs-demand-model-sample* (synthetic, 820 children, five yearly returns)
# lives in `../../shared/data/ssda903/cs-demand-model-sample/` relative to this folder;
# the cell below finds it from the notebook's working directory (or the
# `EARLYSIGNAL_SSDA903_SAMPLE` environment variable) and says clearly where it looked if it
# is missing.

# %%
SAMPLE_NAME = Path("shared", "data", "ssda903", "cs-demand-model-sample")


def find_ssda903_sample() -> Path:
    candidates = []
    if os.environ.get("EARLYSIGNAL_SSDA903_SAMPLE"):
        candidates.append(Path(os.environ["EARLYSIGNAL_SSDA903_SAMPLE"]))
    here = Path.cwd().resolve()
    candidates += [base / SAMPLE_NAME for base in (here, *here.parents)]
    for folder in candidates:
        if folder.is_dir() and any(folder.glob("*episodes*.csv")):
            return folder
    looked = "\n  ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        "SSDA903 sample not found (no *episodes*.csv) in any of:\n  "
        + looked
        + "\nPut ../shared beside the repository or set EARLYSIGNAL_SSDA903_SAMPLE."
    )


SAMPLE = find_ssda903_sample()
sorted(p.name for p in SAMPLE.glob("*.csv"))

# %% [markdown]
# The importer is strict by default: a return with errors (here, episodes that start
# before the previous one ended) is refused with every problem named by file, row and
# rule. We show only the count per rule (the messages name children).

# %%
from collections import Counter

from earlysignal.sources import SSDA903Error, import_ssda903

try:
    import_ssda903(SAMPLE)
    print("imported without errors")
except SSDA903Error as exc:
    print("refused:", dict(Counter(issue.rule for issue in exc.issues)))

# %% [markdown]
# With `errors="repair"` each offending row is repaired or excluded **and counted** in the
# import report; the result is validated and written as a canonical folder. Read the
# report: rows read, duplicates merged across returns (each return repeats the open
# episodes of the year before), rows excluded and why, and known data-quality issues such
# as `REC` codes on open episodes.

# %%
ssda, import_report = import_ssda903(SAMPLE, OUT / "ssda903_canonical", errors="repair")
print(import_report.to_text())

# %%
import_report.issue_counts()

# %%
ssda_table = stability_indicators(ssda)
(
    ssda_table.filter(pl.col("group") == "all")
    .pivot(on="indicator", index="year_end", values="value")
    .sort("year_end")
)

# %% [markdown]
# **What to look for.** The sample churns far more than England as a whole: "3+
# placements during the year" comes out around 20-23 %, about twice the national 9-11 %.
# That is a known property of this synthetic sample, not of English care. Side by side:

# %%
pl.concat([against_reference(table, "simulated"), against_reference(ssda_table, "SSDA903 sample")])

# %%
plot_indicators_over_time(ssda_table)

# %%
plot_trajectories(ssda, n=20, seed=1)

# %%
ssda_ends = default_year_ends(ssda)
plot_moves_distribution(ssda, ssda_ends[-1])

# %% [markdown]
# ## What we saw, and its limits
#
# - The simulated cohort sits near England's published stability figures; the SSDA903
#   sample shows about twice the churn.
# - Indicators are descriptive: they say how much moving there is, not why, and not what
#   would have happened with more support.
# - Moves "so far" count only the recorded history (left-censored).
# - The tables above are disclosure-protected and may be shared; the trajectory pictures
#   show individual histories and stay inside the data team, even with anonymous labels.
