"""Build the research notebooks in ``notebooks/`` from the cells written below.

Run from the repository root::

    uv run python notebooks/_build.py

Each notebook is a list of Markdown and code cells (plain strings in this file), written with
nbformat and *without outputs*: committed notebooks carry no outputs, so no row-level data ever
lands in git. ``tests/notebooks/test_notebooks.py`` executes every notebook (nbclient, kernel
``python3``) with ``MPLBACKEND=Agg``, ``MLFLOW_TRACKING_URI`` set to a temporary SQLite file and
``EARLYSIGNAL_NOTEBOOK_OUT`` set to a temporary folder.

Cells are Markdown when the string starts with ``md:`` and code otherwise; code is dedented.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}


def md(text: str) -> str:
    """A Markdown cell (dedented)."""
    return "md:" + textwrap.dedent(text).strip("\n")


def code(text: str) -> str:
    """A code cell (dedented)."""
    return textwrap.dedent(text).strip("\n")


ETHICS = md(
    """
    > **What this is, and what it is not.** earlysignal estimates, from a child's recorded
    > history, the risk that the current placement breaks down or that the child enters the
    > placement carousel, early enough for the team around the child to add support. It is a
    > signal for support and for policy research, **never a decision about a family** and never
    > a replacement for professional judgement. Everything below runs on *simulated* children.
    """
)

SETUP = code(
    """
    %matplotlib inline
    import os
    import tempfile
    from pathlib import Path

    import polars as pl

    pl.Config.set_tbl_rows(15)
    pl.Config.set_tbl_cols(12)
    pl.Config.set_fmt_str_lengths(60)

    # Where this notebook writes files: EARLYSIGNAL_NOTEBOOK_OUT if set, else a fresh temp folder
    # (never the repository, so no data ends up in git).
    OUT = Path(os.environ.get("EARLYSIGNAL_NOTEBOOK_OUT") or tempfile.mkdtemp(prefix="earlysignal-"))
    OUT.mkdir(parents=True, exist_ok=True)
    print("outputs go to", OUT)
    """
)

MODEL_SETUP = code(
    """
    import warnings

    # LightGBM's OpenMP threads should sleep, not spin, while they wait for each other: on a
    # machine shared with other jobs, spinning threads slow training down many times over. This
    # must be set before lightgbm is first imported (set OMP_WAIT_POLICY yourself to override).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    # shap imports tqdm's notebook progress bars, which warn when ipywidgets is not installed.
    warnings.filterwarnings("ignore", message="IProgress not found")
    """
)

# ----------------------------------------------------------------------------------------------
# 01 quick start
# ----------------------------------------------------------------------------------------------
QUICK_START = [
    md(
        """
        # 01 Quick start: from care histories to point-in-time features

        This notebook walks through the first half of every earlysignal study:

        1. simulate a small agency's care histories (with the ground truth kept aside),
        2. validate them and look at the canonical tables,
        3. choose **prediction times** (the moments at which a risk would be estimated),
        4. label what happened next (**outcomes**, with censoring),
        5. build **point-in-time features** and describe them.

        It takes well under a minute. The later notebooks fit and evaluate models (03), explain
        and audit them (04) and write a model card (05).
        """
    ),
    ETHICS,
    SETUP,
    md(
        """
        ## 1. Simulate a small cohort

        Real child-welfare records cannot ship with a library, so earlysignal has a simulator
        calibrated to published figures (see `docs/simulator.md`). `simulate(n, years, seed)`
        returns a `Simulation`: `.history` is what an agency would have *recorded* (a
        `CareHistory`), `.truth` holds the latent state the records never show (behaviour
        severity, carer quality). The truth is only for measuring models against the best
        possible (notebook 03); it is never a feature.

        We use 2,000 children over 6 years: small enough to run in seconds.
        """
    ),
    code(
        """
        from earlysignal.synth import simulate

        sim = simulate(2000, years=6, seed=1)
        history = sim.history
        print("observed until:", history.observed_until)
        print("rows per table:", history.counts())
        print("provenance:", history.meta)
        """
    ),
    md(
        """
        ## 2. Validate and look at the tables

        Every study starts by checking the data against the rules of `docs/validation.md`:
        dates in order, no placement overlapping another of the same child, nothing dated after
        the extraction date, known settings and end reasons, and so on. Errors stop a study;
        warnings are listed so that the data team can judge them. Nothing is dropped silently.
        """
    ),
    code(
        """
        report = history.validate()
        print(report.summary(first=0))
        report.counts_by_rule()
        """
    ),
    md(
        """
        The four canonical tables (`docs/architecture.md`): `children` (one row per child, with
        optional attributes; sensitive ones such as `sex`, `origin` and `disability` are for
        fairness audits, never model inputs), `placements` (one row per placement, with its
        setting and, once it has ended, why), `events` (dated facts such as incidents, missing
        episodes, reviews) and the optional `statuses`.
        """
    ),
    code(
        """
        history.children.head(5)
        """
    ),
    code(
        """
        history.placements.head(8)
        """
    ),
    code(
        """
        history.events.group_by("kind").len().sort("len", descending=True)
        """
    ),
    md(
        """
        **What to look for.** How placements end matters more than how many there are. Calling
        every move a breakdown inflates the outcome four- to five-fold: in England about 20-22 %
        of placement changes are carer- or child-initiated breakdowns, the rest are planned,
        care-plan or status changes. The simulator is calibrated to that share.
        """
    ),
    code(
        """
        ended = history.placements.filter(~pl.col("temporary") & pl.col("end").is_not_null())
        (
            ended.group_by("end_reason")
            .len()
            .with_columns((pl.col("len") / pl.col("len").sum()).round(3).alias("share"))
            .sort("len", descending=True)
        )
        """
    ),
    code(
        """
        (
            history.placements.filter(~pl.col("temporary"))
            .group_by("setting")
            .agg(
                pl.len().alias("placements"),
                (pl.col("end_reason") == "breakdown").mean().round(3).alias("share_breakdown"),
            )
            .sort("placements", descending=True)
        )
        """
    ),
    md(
        """
        ## 3. Prediction times

        A risk is estimated for a child at a **prediction time** `t`. earlysignal has builders
        for the common designs: a regular `Schedule` (for example every quarter while a child is
        in care), `AfterPlacementStart` (day 30 and day 90 of every placement), `YearEnds`
        (31 March, England's statistics) and `UserTimes` (your own frame). Each row carries the
        placement in effect at `t`. The report says what was produced and what was dropped.
        """
    ),
    code(
        """
        from earlysignal.cohort import AfterPlacementStart, Schedule, prediction_times_with_report

        times, cohort_report = prediction_times_with_report(history, Schedule(every_days=91))
        print(cohort_report)
        times.head(5)
        """
    ),
    code(
        """
        anchored, anchored_report = prediction_times_with_report(
            history, AfterPlacementStart(days=(30, 90))
        )
        print(anchored_report)
        """
    ),
    md(
        """
        ## 4. Outcomes, with censoring

        The label of a prediction time uses only what happens in `(t, t + horizon]`.
        `breakdown` within 180 days: the placement in effect at `t` ends with a breakdown in the
        window (ending otherwise first, e.g. a planned move, is a competing event and counts as
        0). When the horizon runs past the extraction date the label is **missing
        (censored), not 0**, whatever happened in the window: counting those rows as "no
        breakdown" would flatter every model, and keeping only the ones whose breakdown
        already happened would keep events and drop non-events. The report counts each kind
        of row.
        """
    ),
    code(
        """
        from earlysignal.outcomes import label_with_report

        labelled, outcome_report = label_with_report(history, times, "breakdown", 180)
        outcome_report
        """
    ),
    md(
        """
        ## 5. Point-in-time features

        `build_features` turns each prediction time into one row of features (what was known
        **strictly before** `t`) plus the requested labels. Features are small frozen specs
        (`earlysignal.features`); the default set covers placement history (placements, moves
        and breakdowns so far and in windows, days in the current placement, settings seen,
        providers, re-entries), events (counts per kind in windows, days since the last one,
        recent-versus-earlier trend) and child facts (age at `t`, age at first entry).
        Sensitive attributes are left out unless a study opts in by name.
        """
    ),
    code(
        """
        from earlysignal.features import build_features, default_specs, describe, feature_names

        specs = default_specs(history)
        names = feature_names(specs)
        frame = build_features(
            history, times, specs, outcomes=[("breakdown", 180), ("carousel", 365)]
        )
        print(f"{frame.height} rows x {len(names)} features")
        frame.select("prediction_time", "setting", *names[:6], "label_breakdown_180d").head(5)
        """
    ),
    md(
        """
        Every feature has a deterministic name and a one-line description, used in SHAP plots,
        signal sheets and model cards (`docs/features.md` is generated from the same specs).
        """
    ),
    code(
        """
        describe(specs).select("name", "description", "unit").head(20)
        """
    ),
    md(
        """
        ### Describe the features

        Summary statistics, then the mean of a few features among prediction times that were
        and were not followed by a breakdown. **What to look for:** recent moves, recent
        breakdowns and short time in the current placement should be higher before a breakdown
        (the hazard is front-loaded, the carousel feeds itself). These are associations in
        records, not causes.
        """
    ),
    code(
        """
        frame.select(names[:12]).describe()
        """
    ),
    code(
        """
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
        """
    ),
    md(
        """
        ### The time rule, checked by hand

        A feature at `t` may not change when something is added at or after `t`. Here we add an
        incident on the prediction day itself for one child and rebuild its features: nothing
        changes (the library's property tests check this for every feature on random
        histories).
        """
    ),
    code(
        """
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
        """
    ),
    md(
        """
        ## 6. Save the history as a canonical folder

        A canonical folder (Parquet tables plus `meta.json`) is what every command reads:
        `earlysignal indicators DIR`, `earlysignal run CONFIG` with `source = "canonical"`.
        Reading it back validates it again.
        """
    ),
    code(
        """
        from earlysignal.data import CareHistory

        folder = history.write(OUT / "quick_start_history")
        again = CareHistory.read(folder)
        print(sorted(p.name for p in folder.iterdir()))
        print("round trip identical:", again.placements.equals(history.placements))
        """
    ),
    md(
        """
        ## Where next

        - `02_carousel_in_the_data.ipynb`: stability indicators and trajectories, on simulated
          data and on an SSDA903 sample.
        - `03_breakdown_model.ipynb`: a temporal split, models, calibration and evaluation
          against baselines and the simulator's oracle.
        - `04_explanations_and_fairness.ipynb`: contributions, signal sheets and the fairness
          audit with disclosure control.
        - `05_model_card.ipynb`: a whole study as one MLflow run and the model card an ethics
          board reads.
        """
    ),
]

# ----------------------------------------------------------------------------------------------
# 02 the carousel in the data
# ----------------------------------------------------------------------------------------------
CAROUSEL = [
    md(
        """
        # 02 The carousel in the data: stability indicators and trajectories

        Before modelling the carousel (Dutch *doorverhuizen*), look at it. This notebook computes
        the stability indicators a data team would publish, draws placement trajectories, and
        does both on a simulated cohort and on the public SSDA903 sample (England's
        children-looked-after return).

        Indicators (`docs/indicators.md`):

        | indicator | population | what it counts |
        |---|---|---|
        | `three_plus_placements` | in care at the year end | 3+ placements during the year (DfE; England 9-11 %) |
        | `two_year_three_plus` | in care 2+ years | 3+ placements in those 2 years (DfE; 21-23 %) |
        | `long_term_stability` | under 16, in care 2.5+ years | same placement 2+ years (DfE; 68-71 %) |
        | `moves_per_child`, `moves_per_1000_days` | in care during the year | move rates |
        | `moved_more_than_N` | in care at the year end | more than N moves so far (doorverhuizen) |

        Every published table goes through the library's **disclosure control**: no cell under
        10 children, counts rounded to 5, complementary suppression so a hidden cell cannot be
        recovered from totals. Hidden values are marked, never silently dropped.
        """
    ),
    ETHICS,
    SETUP,
    md(
        """
        ## 1. A simulated agency

        3,000 children over 6 years. The simulator's calibration targets are defined on its
        default cohort (20,000 children over 10 years); a small cohort is noisier, so expect the
        indicators near, not exactly inside, the national ranges.
        """
    ),
    code(
        """
        from earlysignal.synth import simulate

        sim = simulate(3000, years=6, seed=2)
        history = sim.history
        history.counts()
        """
    ),
    code(
        """
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
        """
    ),
    md(
        """
        **What to look for.** Compare each year with England's national ranges (DfE, children
        looked after at 31 March, 2021-2025). The cell below prints the latest year against them.
        """
    ),
    code(
        """
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
                    {"data": label, "year_end": latest, "indicator": name, "value": value,
                     "england_range": f"{lo:.0%}-{hi:.0%}", "verdict": verdict}
                )
            return pl.DataFrame(rows)


        against_reference(table, "simulated")
        """
    ),
    code(
        """
        from earlysignal.indicators.plots import (
            plot_indicators_over_time,
            plot_moves_distribution,
            plot_trajectories,
        )

        plot_indicators_over_time(table)
        """
    ),
    md(
        """
        ## 2. By group, with disclosure control

        Indicators by DfE age band and by sex for the latest year. Small groups are hidden
        (`value_flag` says why) and so are the complementary cells that would let someone
        recover them from the total.
        """
    ),
    code(
        """
        by_group = stability_indicators(history, year_ends=year_ends[-1:], by=["age_group", "sex"])
        (
            by_group.filter(pl.col("indicator").is_in(["three_plus_placements", "moves_per_child"]))
            .select("group", "group_value", "indicator", "children", "count", "value", "value_flag")
        )
        """
    ),
    code(
        """
        n_hidden = by_group.filter(pl.col("suppressed")).height
        print(f"{n_hidden} of {by_group.height} rows have something hidden; none was dropped")
        """
    ),
    md(
        """
        ## 3. How many moves so far

        Children in care at the latest year end by number of moves in their recorded history
        (counts rounded to 5, small cells hidden). Recorded history is left-censored: moves
        before the records start are not seen.
        """
    ),
    code(
        """
        moves_distribution(history, year_ends[-1])
        """
    ),
    code(
        """
        plot_moves_distribution(history, year_ends[-1])
        """
    ),
    md(
        """
        ## 4. Trajectories

        Swimlanes for a random sample of children: one lane per child, settings as colours, a
        black tick at each move, a red cross where a placement broke down, hatched bars for
        temporary placements (respite). Lanes are labelled `child 1`, `child 2`, ... (never by
        identifier) and aligned on each child's first recorded placement.
        """
    ),
    code(
        """
        plot_trajectories(history, n=20, seed=0)
        """
    ),
    md(
        """
        The carousel is easier to see among children who have moved a lot. Here we pick 12 of
        the children with the most non-temporary placements.
        """
    ),
    code(
        """
        busiest = (
            history.placements.filter(~pl.col("temporary"))
            .group_by("child_id")
            .len()
            .sort("len", "child_id", descending=[True, False])
            .head(12)["child_id"]
            .to_list()
        )
        plot_trajectories(history, busiest)
        """
    ),
    md(
        """
        ## 5. The SSDA903 sample

        England's local authorities return their children-looked-after records yearly as SSDA903
        files. The public *cs-demand-model-sample* (synthetic, 820 children, five yearly returns)
        lives in `../../shared/data/ssda903/cs-demand-model-sample/` relative to this folder;
        the cell below finds it from the notebook's working directory (or the
        `EARLYSIGNAL_SSDA903_SAMPLE` environment variable) and says clearly where it looked if it
        is missing.
        """
    ),
    code(
        """
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
            looked = "\\n  ".join(str(c) for c in candidates)
            raise FileNotFoundError(
                "SSDA903 sample not found (no *episodes*.csv) in any of:\\n  " + looked
                + "\\nPut ../shared beside the repository or set EARLYSIGNAL_SSDA903_SAMPLE."
            )


        SAMPLE = find_ssda903_sample()
        sorted(p.name for p in SAMPLE.glob("*.csv"))
        """
    ),
    md(
        """
        The importer is strict by default: a return with errors (here, episodes that start
        before the previous one ended) is refused with every problem named by file, row and
        rule. We show only the count per rule (the messages name children).
        """
    ),
    code(
        """
        from collections import Counter

        from earlysignal.sources import SSDA903Error, import_ssda903

        try:
            import_ssda903(SAMPLE)
            print("imported without errors")
        except SSDA903Error as exc:
            print("refused:", dict(Counter(issue.rule for issue in exc.issues)))
        """
    ),
    md(
        """
        With `errors="repair"` each offending row is repaired or excluded **and counted** in the
        import report; the result is validated and written as a canonical folder. Read the
        report: rows read, duplicates merged across returns (each return repeats the open
        episodes of the year before), rows excluded and why, and known data-quality issues such
        as `REC` codes on open episodes.
        """
    ),
    code(
        """
        ssda, import_report = import_ssda903(
            SAMPLE, OUT / "ssda903_canonical", errors="repair"
        )
        print(import_report.to_text())
        """
    ),
    code(
        """
        import_report.issue_counts()
        """
    ),
    code(
        """
        ssda_table = stability_indicators(ssda)
        (
            ssda_table.filter(pl.col("group") == "all")
            .pivot(on="indicator", index="year_end", values="value")
            .sort("year_end")
        )
        """
    ),
    md(
        """
        **What to look for.** The sample churns far more than England as a whole: "3+
        placements during the year" comes out around 20-23 %, about twice the national 9-11 %.
        That is a known property of this synthetic sample, not of English care. Side by side:
        """
    ),
    code(
        """
        pl.concat([against_reference(table, "simulated"), against_reference(ssda_table, "SSDA903 sample")])
        """
    ),
    code(
        """
        plot_indicators_over_time(ssda_table)
        """
    ),
    code(
        """
        plot_trajectories(ssda, n=20, seed=1)
        """
    ),
    code(
        """
        ssda_ends = default_year_ends(ssda)
        plot_moves_distribution(ssda, ssda_ends[-1])
        """
    ),
    md(
        """
        ## What we saw, and its limits

        - The simulated cohort sits near England's published stability figures; the SSDA903
          sample shows about twice the churn.
        - Indicators are descriptive: they say how much moving there is, not why, and not what
          would have happened with more support.
        - Moves "so far" count only the recorded history (left-censored).
        - The tables above are disclosure-protected and may be shared; the trajectory pictures
          show individual histories and stay inside the data team, even with anonymous labels.
        """
    ),
]

# ----------------------------------------------------------------------------------------------
# 03 a placement breakdown model
# ----------------------------------------------------------------------------------------------
BREAKDOWN_MODEL = [
    md(
        """
        # 03 A placement breakdown model: split, fit, calibrate, evaluate

        The question: *for a child in care today, how likely is it that the current placement
        breaks down (ends unplanned) within the next 180 days?* This notebook answers it the
        way a study should, on a simulated agency whose true risks are known:

        1. simulate a cohort, choose prediction times, build features and outcomes;
        2. split by **time** (train, calibrate, test), purging labels that cross a boundary;
        3. fit **LightGBM**, a **logistic** regression and a one-line **rule** a caseworker
           could apply by hand;
        4. **calibrate** each on the calibration period (Venn-ABERS, isotonic, sigmoid);
        5. **evaluate** on the test period with intervals from a bootstrap over *children*,
           against the baselines and against the simulator's **oracle** (the true risk);
        6. plot, look at **capacity** (the top k % flagged), save and load the model without
           pickle, and say in plain words what the numbers mean.

        Everything is small (3,000 children) so that it runs in about a minute;
        `docs/models.md` documents every choice.
        """
    ),
    ETHICS,
    SETUP,
    MODEL_SETUP,
    md(
        """
        ## 1. Cohort, prediction times, features and outcomes

        3,000 children over 7 years; a prediction time every 91 days while a child is in care;
        the default features (what was recorded strictly before each time); the label
        `label_breakdown_180d`: 1 when the placement in effect at `t` ends with a breakdown in
        `(t, t + 180 days]`, 0 when it does not (ending otherwise first is a competing event, 0),
        null when the window runs past the extraction date, whatever happened in it
        (censored). Notebook 01 walks through each step.
        """
    ),
    code(
        """
        import numpy as np

        from earlysignal.cohort import Schedule, prediction_times
        from earlysignal.features import build_features, default_specs, feature_names
        from earlysignal.synth import simulate

        HORIZON = 180
        LABEL = f"label_breakdown_{HORIZON}d"

        sim = simulate(3000, years=7, seed=3)
        history = sim.history
        times = prediction_times(history, Schedule(every_days=91))
        specs = default_specs(history)
        names = feature_names(specs)
        frame = build_features(history, times, specs, outcomes=[("breakdown", HORIZON)])
        print(f"{frame.height} prediction times of {frame['child_id'].n_unique()} children, "
              f"{len(names)} features; observed until {history.observed_until}")
        frame.group_by(LABEL).len().sort(LABEL)
        """
    ),
    md(
        """
        ## 2. A temporal split, purged

        A model is used on the future, so it is tested on the future: training rows come from
        the earliest period, calibration rows from the next, test rows from the latest
        (`docs/models.md`, "Splits"). Random splits overstate performance.

        **Purging.** A training row whose 180-day label window reaches into the calibration
        period would be labelled by what happens there; such rows are dropped and counted
        (`purged`), and the same at the calibration/test boundary.

        **Complete follow-up.** A row whose window runs past the extraction date has no label
        (censored), whatever happened in it: keeping the ones whose breakdown already happened
        would keep events, drop non-events and inflate the test period's event rate. The
        labels are censored at the source, so the split would leave those rows out anyway; we
        keep prediction times with complete follow-up (`t + 180 days <= observed_until`)
        before splitting to show it: the censored rows are exactly the ones removed.
        """
    ),
    code(
        """
        from earlysignal.split import temporal_split_by_fraction

        complete = frame.filter(
            pl.col("prediction_time") + pl.duration(days=HORIZON) <= history.observed_until
        )
        print(f"{frame.height - complete.height} prediction times without complete follow-up "
              f"left out ({frame[LABEL].null_count()} of all rows are censored)")
        split = temporal_split_by_fraction(complete, fractions=(0.6, 0.2, 0.2), label=LABEL)
        split.summary
        """
    ),
    md(
        """
        Children appear in several periods, each time with only what was known at that
        prediction time: that is how a model trained on last year would score this year's
        children. What may not cross a boundary is a label, and purging sees to it. The
        small helper below turns a period into the feature frame, the labels and the child ids
        (the bootstrap's clusters).
        """
    ),
    code(
        """
        def xyg(part: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
            return part.select(names), part[LABEL].to_numpy(), part["child_id"].to_numpy()


        X_train, y_train, g_train = xyg(split.train)
        X_cal, y_cal, g_cal = xyg(split.calibrate)
        X_test, y_test, g_test = xyg(split.test)
        for part, y in (("train", y_train), ("calibrate", y_cal), ("test", y_test)):
            print(f"{part:>9}: {y.size:6d} rows, event rate {y.mean():.3f}")
        """
    ),
    md(
        """
        ## 3. Three models

        - **LightGBM** (`LightGBMRiskModel`): gradient-boosted trees on the plain log loss, no
          class weights (weights would distort the probabilities, see `docs/models.md`, "Class
          imbalance"). Small trees and early stopping on a held-out 15 % of the *children* of
          the training period keep it from memorising a small cohort (`n_jobs=1`: one thread is
          plenty at this size).
        - **Logistic regression** (`LogisticRiskModel`): median imputation, standardisation and
          an L2 penalty; its score is an explicit formula, exactly what is saved and explained.
        - **Rule** (`RuleBaseline`): "2 or more moves in the last 365 days", with the training
          event rate of each cell as its probability. A complex model has to beat the rule a
          caseworker could apply by hand.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        """
        ## 4. Calibration on the calibration period

        A score is useful to a team only if "20 %" means that about 20 in 100 such children
        see a breakdown. `CalibratedRiskModel(base, method)` learns the map from the already
        fitted model's log-odds to probabilities on the calibration period only (the base
        model never saw those rows):

        - `isotonic`: any monotone correction; its extreme blocks can be exactly 0 % or 100 %
          when they hold no event (or no non-event), which is never a credible statement about
          a child;
        - `sigmoid` (Platt): two parameters, keeps the ranking exactly, good for small
          calibration sets;
        - `venn_abers`: built from two isotonic fits, never exactly 0 or 1, and it also gives
          each score a **probability interval** `[p0, p1]`.

        We calibrate LightGBM all three ways and compare them on the test period
        (`n_boot=0`: point estimates only, intervals come in section 5).
        """
    ),
    code(
        """
        from earlysignal.evaluate import evaluate
        from earlysignal.models import CalibratedRiskModel

        calibrated = {
            method: CalibratedRiskModel(gbm, method=method).fit(X_cal, y_cal)
            for method in ("venn_abers", "isotonic", "sigmoid")
        }
        p_by_method = {method: m.risk(X_test) for method, m in calibrated.items()}
        by_method = evaluate(
            y_test, p_by_method["venn_abers"], g_test, model="venn_abers",
            baselines={k: v for k, v in p_by_method.items() if k != "venn_abers"}, n_boot=0,
        )
        CAL_METRICS = ["log_loss", "brier", "ece", "calibration_intercept", "calibration_slope"]
        comparison = (
            by_method.filter(
                pl.col("model").is_in(list(p_by_method)) & pl.col("metric").is_in(CAL_METRICS)
            )
            .pivot(on="metric", index="model", values="estimate")
            .select("model", *CAL_METRICS)
        )
        methods = comparison["model"].to_list()
        comparison.with_columns(
            pl.Series("risks exactly 0", [int((p_by_method[m] == 0).sum()) for m in methods]),
            pl.Series("distinct risks", [int(np.unique(p_by_method[m]).size) for m in methods]),
        )
        """
    ),
    md(
        """
        **What to look for.** Calibration slope near 1 and intercept near 0; ECE small (it is
        biased upwards in small samples, so read it next to the oracle's in section 5); no
        risk of exactly 0. An intercept away from 0 for every method alike says that the test
        period's event rate differs from the calibration period's (by chance or by drift), not
        that one method is wrong. Section 5 shows the oracle's intercept on the same rows: its
        risks are the true ones, so whatever it shows is chance alone.

        We carry on with Venn-ABERS, the headline method of the benchmark, and calibrate the two
        baselines the same way so that the comparison is fair. The Venn-ABERS interval says how
        much the calibration data can tell about a region of risk: narrow where many
        calibration rows had similar scores, wide in the tails. Below, its median and largest
        width per tenth of predicted risk on the test period.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        """
        ## 5. Evaluation: baselines, the oracle and honest intervals

        **The oracle.** The simulator knows each child's latent state (behaviour severity, carer
        quality, ...), which no record shows. `oracle_risk` re-runs the simulation to each
        prediction time and carries that state forward many times: the result is the *true*
        probability of a breakdown in the window, the best any model could do. The gap
        "model minus oracle" is what is lost by seeing only the records; on real data there is
        no oracle, which is why a simulator with ground truth is part of the library.

        **Intervals.** A child contributes several prediction times, which are not
        independent, so the bootstrap resamples *children* (`docs/models.md`, "Intervals").
        Every model is evaluated on the same rows with the same draws, and the differences
        (`lightgbm - logistic`, `lightgbm - oracle`, ...) have paired intervals. We use 100
        replicates here to stay fast; studies use 200 or more.
        """
    ),
    code(
        """
        from earlysignal.synth import oracle_risk

        oracle = oracle_risk(
            sim, split.test.select("child_id", "prediction_time"),
            outcome="breakdown", horizon=HORIZON, n_draws=50,
        )
        p_oracle = oracle["risk"].to_numpy()
        print(f"oracle risk for {oracle.height} test rows ({oracle['risk'].null_count()} missing); "
              f"median Monte Carlo standard error {oracle['se'].median():.4f}")
        p_base = {name: m.risk(X_test) for name, m in baselines.items()}
        table = evaluate(
            y_test, p_test, g_test, model="lightgbm", oracle=p_oracle, baselines=p_base,
            capacity=(0.05, 0.1, 0.2), n_boot=100, seed=0,
        )
        table.filter(pl.col("model") == "data").select("metric", "estimate")
        """
    ),
    md(
        """
        The headline metrics, each with its 95 % interval. AUROC: how often a prediction time
        followed by a breakdown gets a higher risk than one without (0.5 is chance). AUPRC:
        average precision, meaningful when events are rare (chance is the prevalence). Brier
        score and log loss: the error of the probabilities (lower is better). Calibration
        intercept (0 is ideal) and slope (1 is ideal).
        """
    ),
    code(
        """
        HEADLINE = ["auroc", "auprc", "brier", "log_loss", "ece",
                    "calibration_intercept", "calibration_slope"]
        MODELS = ["lightgbm", "logistic", "rule", "oracle"]


        def with_interval(r: dict) -> str:
            if r["lower"] is None:
                return f"{r['estimate']:.3f}"
            return f"{r['estimate']:.3f} ({r['lower']:.3f} to {r['upper']:.3f})"


        def metric_table(tbl, models, metrics, at=None) -> pl.DataFrame:
            # one row per metric, one column per model: "estimate (lower to upper)"
            rows = tbl.filter(pl.col("model").is_in(models) & pl.col("metric").is_in(metrics))
            rows = rows.filter(pl.col("at").is_null() if at is None else pl.col("at") == at)
            cells = {(r["metric"], r["model"]): with_interval(r)
                     for r in rows.iter_rows(named=True)}
            return pl.DataFrame(
                [{"metric": m, **{name: cells.get((m, name)) for name in models}} for m in metrics]
            )


        metric_table(table, MODELS, HEADLINE)
        """
    ),
    md(
        """
        The paired differences decide the comparisons. A difference is called better or worse
        only when its 95 % interval excludes zero; otherwise the data do not show a difference
        (which is not the same as showing that there is none).
        """
    ),
    code(
        """
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
                pl.col("model").is_in(["lightgbm - logistic", "lightgbm - rule",
                                       "lightgbm - oracle"])
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
        """
    ),
    md(
        """
        `auroc_lift` puts the model between chance and the truth: `(AUROC - 0.5) / (oracle
        AUROC - 0.5)`, the share of the achievable lift over chance that the model reaches.
        """
    ),
    code(
        """
        lift = table.filter(pl.col("metric") == "auroc_lift").row(0, named=True)
        print(f"LightGBM reaches {lift['estimate']:.0%} of the oracle's lift over chance "
              f"(95 % interval {lift['lower']:.0%} to {lift['upper']:.0%}).")
        """
    ),
    md(
        """
        ## 6. Plots

        Every plot function returns a matplotlib figure (no global state), so the same figure
        can be saved, logged to MLflow or put on the model card.

        **Reliability diagram.** Observed breakdown rate against mean predicted risk in ten
        equal-mass bins, with 95 % bootstrap bands; the diagonal is perfect calibration. The
        oracle is drawn too: the spread of its points around the diagonal is what noise alone
        looks like at this size.
        """
    ),
    code(
        """
        from earlysignal.evaluate import (
            plot_decision_curve,
            plot_reliability,
            plot_risk_distribution,
            plot_roc_pr,
        )

        predictions = {"lightgbm": p_test, **p_base, "oracle": p_oracle}
        plot_reliability(y_test, predictions, g_test, n_boot=100)
        """
    ),
    md(
        """
        The three calibration methods of section 4, on the same test rows.
        """
    ),
    code(
        """
        plot_reliability(y_test, p_by_method, g_test, n_boot=50)
        """
    ),
    md(
        """
        **Decision curve.** Net benefit `TP/N - FP/N x t/(1 - t)` when every row with risk of
        at least `t` is flagged: `t` expresses how many unnecessary reviews one is willing to
        do per breakdown caught (at `t = 0.1`, nine). A model is useful at `t` when its curve
        lies above both "flag everyone" (treat all) and "flag no one" (treat none). With a
        breakdown rate of a few per cent, only low thresholds are relevant.
        """
    ),
    code(
        """
        plot_decision_curve(y_test, predictions, np.linspace(0.01, 0.25, 25))
        """
    ),
    md(
        """
        **ROC and precision-recall curves.** The ROC curve hides how rare the event is; the
        precision-recall curve shows it (its chance level is the prevalence).
        """
    ),
    code(
        """
        plot_roc_pr(y_test, predictions)
        """
    ),
    md(
        """
        **Risk distribution.** Predicted risks of test rows with and without a breakdown. The
        overlap is large: most children who go on to a breakdown do not stand out, and most
        children with a high score do not break down.
        """
    ),
    code(
        """
        plot_risk_distribution(y_test, p_test)
        """
    ),
    md(
        """
        ## 7. Capacity: what flagging the top k % means for a team

        A team can review so many children. The capacity view flags the `k` share of
        prediction times with the highest risk and asks: what share of the flagged had a
        breakdown (precision), what share of the breakdowns was flagged (recall), and how many
        alerts per 100 children does that make over the test period.
        """
    ),
    code(
        """
        CAPACITY = ["precision_at_top", "recall_at_top", "alerts_per_100_children"]
        pl.concat(
            [
                metric_table(table, MODELS, CAPACITY, at=k).with_columns(
                    flagged=pl.lit(f"top {k:.0%}")
                )
                for k in (0.05, 0.1, 0.2)
            ]
        ).select("flagged", "metric", *MODELS)
        """
    ),
    md(
        """
        In use, "the top 10 %" has to be a fixed risk threshold set in advance: it is chosen on
        the calibration period and applied unchanged to the test period, where the share
        flagged may then drift from 10 %.
        """
    ),
    code(
        """
        threshold = float(np.quantile(model.risk(X_cal), 0.9))
        flagged = p_test >= threshold
        print(f"threshold from the calibration period: risk >= {threshold:.3f}")
        print(f"test period: {flagged.mean():.1%} of prediction times flagged, "
              f"precision {y_test[flagged].mean():.1%}, recall {flagged[y_test == 1].mean():.1%}")
        """
    ),
    md(
        """
        ## 8. Save and load the model, without pickle

        `save_model` writes text and JSON (LightGBM's own text format, the calibrator as plain
        numbers, the feature specs) and a manifest with the SHA-256 of every file. Unpickling
        runs arbitrary code; a model shared with an agency should be inspectable as text.
        `load_model` checks every hash first.
        """
    ),
    code(
        """
        import tempfile

        from earlysignal.models import load_feature_specs, load_model, read_manifest, save_model

        model_dir = Path(tempfile.mkdtemp(prefix="model-", dir=OUT)) / "breakdown_180d"
        save_model(
            model, model_dir, feature_specs=specs,
            metadata={"outcome": "breakdown", "horizon_days": HORIZON, "calibration": "venn_abers",
                      "train_end": str(split.train_end), "test_from": str(split.calibrate_end)},
        )
        manifest = read_manifest(model_dir)
        print({k: manifest[k] for k in ("format", "format_version", "model_class", "metadata")})
        pl.DataFrame(
            {"file": sorted(manifest["sha256"]),
             "bytes": [(model_dir / f).stat().st_size for f in sorted(manifest["sha256"])],
             "sha256": [manifest["sha256"][f][:16] + "..." for f in sorted(manifest["sha256"])]}
        )
        """
    ),
    code(
        """
        loaded = load_model(model_dir)
        same_risk = np.array_equal(loaded.risk(X_test), model.risk(X_test))
        lo_loaded, hi_loaded = loaded.predict_interval(X_test)
        same_interval = np.array_equal(lo_loaded, p0) and np.array_equal(hi_loaded, p1)
        print(type(loaded).__name__, "with base", type(loaded.base).__name__)
        print("identical risks after loading:", same_risk)
        print("identical Venn-ABERS intervals after loading:", same_interval)
        print("feature specs saved with the model:", len(load_feature_specs(model_dir)))
        """
    ),
    md(
        """
        A changed file is refused, with the file named (here we alter one character of a copy).
        The manifest guards against accidents and naive tampering, not against someone who can
        rewrite the manifest too: keep models where only their owners can write.
        """
    ),
    code(
        """
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
        """
    ),
    md(
        """
        ## 9. What the numbers mean, and what they do not

        The cell below restates this run's results in words, from the table above.
        """
    ),
    code(
        """
        def est(model_name: str, metric: str, at: float | None = None) -> dict:
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
        print("\\n".join("- " + line for line in lines))
        """
    ),
    md(
        """
        **What they mean.** The score sorts prediction times by how likely a breakdown is, better
        than chance and, where the paired intervals say so, better or not better than the rule
        and the logistic regression; the calibrated risks are about right on average for this
        period (the reliability diagram shows where they are not). Because the simulator knows
        the truth, we also know how far the model is from the best possible, and that the
        best possible is itself far from certainty: breakdowns depend on things the records
        do not hold.

        **What they do not mean.** A high score is not a prediction that *this* placement will
        break down (most flagged placements do not), and a low score is no reassurance (many
        breakdowns come from low scores). The factors behind a score are associations in
        records, not causes (notebook 04). These numbers describe one simulated agency, one
        period and a small test set: intervals are wide, and performance on a real agency's
        records, with its own recording practice, has to be measured there, before use and
        again over time. A score is a reason to look and to offer support, never a decision
        about a family.

        ## Where next

        - `04_explanations_and_fairness.ipynb`: why a score is what it is, and whether the model
          works equally well for every group.
        - `05_model_card.ipynb`: the same study as one tracked run with a model card.
        """
    ),
]

# ----------------------------------------------------------------------------------------------
# 04 explanations and fairness
# ----------------------------------------------------------------------------------------------
EXPLAIN_FAIRNESS = [
    md(
        """
        # 04 Explanations and fairness: why a score, and for whom the model works

        A risk score that no one can explain should not be shown to a caseworker, and a model
        that works for some children and not for others should not be used at all. This
        notebook takes the breakdown model of notebook 03 and asks:

        1. **Contributions**: which recorded facts push a child's score up or down (SHAP values
           as a `shap.Explanation`), with the beeswarm and dependence plots;
        2. **global importance** with bootstrap intervals, and how **stable** the top factors
           are when the model is refitted;
        3. the per-child **signal sheet**, as text and as HTML;
        4. the **fairness audit** by sex, origin, age group, disability and unaccompanied
           status, under **disclosure control** (what is hidden, and why), next to the
           simulator's **oracle** per group;
        5. **Chouldechova's trade-off**: why calibration and equal error rates cannot all hold;
        6. an injected **recording bias** from the simulator, and whether the audit catches it.
        """
    ),
    ETHICS,
    SETUP,
    MODEL_SETUP,
    md(
        """
        ## 1. The model to explain

        The pipeline of notebook 03, condensed into one function: 3,000 simulated children over
        7 years, quarterly prediction times, the 180-day breakdown label, complete follow-up,
        a temporal split 60/20/20 % with purging, LightGBM calibrated with Venn-ABERS. One
        change: a fixed 150 small trees instead of early stopping, so that the refits of
        section 3 stay quick. Section 7 runs the same function on a cohort with injected bias.
        """
    ),
    code(
        """
        import numpy as np

        from earlysignal.cohort import Schedule, prediction_times
        from earlysignal.features import build_features, default_specs, describe, feature_names
        from earlysignal.models import CalibratedRiskModel, LightGBMRiskModel
        from earlysignal.split import temporal_split_by_fraction
        from earlysignal.synth import oracle_risk, simulate

        HORIZON = 180
        LABEL = f"label_breakdown_{HORIZON}d"


        def fit_breakdown_model(sim):
            history = sim.history
            times = prediction_times(history, Schedule(every_days=91))
            specs = default_specs(history)
            names = feature_names(specs)
            frame = build_features(history, times, specs, outcomes=[("breakdown", HORIZON)])
            complete = frame.filter(
                pl.col("prediction_time") + pl.duration(days=HORIZON) <= history.observed_until
            )
            split = temporal_split_by_fraction(complete, fractions=(0.6, 0.2, 0.2), label=LABEL)
            train, cal = split.train, split.calibrate
            base = LightGBMRiskModel(
                n_estimators=150, learning_rate=0.05, num_leaves=7, min_child_samples=100,
                n_jobs=1, random_state=0,
            ).fit(train.select(names), train[LABEL].to_numpy())
            model = CalibratedRiskModel(base, method="venn_abers").fit(
                cal.select(names), cal[LABEL].to_numpy()
            )
            return specs, names, split, model


        SEED = 1
        sim = simulate(3000, years=7, seed=SEED)
        specs, names, split, model = fit_breakdown_model(sim)
        test = split.test
        print(f"test period from {split.calibrate_end}: {test.height} prediction times of "
              f"{test['child_id'].n_unique()} children")
        """
    ),
    md(
        """
        ## 2. Contributions (SHAP values)

        `contributions(model, X)` splits each row's score into a base value plus one
        contribution per feature. For LightGBM these are exact TreeSHAP values, the algorithm of
        shap's `TreeExplainer` (`docs/explanations.md` says how they are computed and checked);
        for the logistic model they are exact too. Two things to keep in mind:

        - they explain the **uncalibrated log-odds** of the base model; the calibrator on top is
          monotone, so a factor that raises the score raises the risk, but contributions do not
          add up to the calibrated probability;
        - they add up exactly: `base value + sum of contributions = raw score`, for every row.

        earlysignal computes exact TreeSHAP with its own fast implementation (checked against
        LightGBM's `pred_contrib` and shap's TreeExplainer; about 1 s for 100,000 rows, see
        `docs/performance.md`); a random sample of 2,000 test rows is plenty for the plots.
        """
    ),
    code(
        """
        from earlysignal.explain import contributions

        sample = test.sample(n=min(2000, test.height), seed=0)
        contrib = contributions(model, sample, n_jobs=1)
        error = np.abs(contrib.raw_score - model.raw_score(sample.select(names))).max()
        print(f"{len(contrib)} rows x {len(contrib.feature_names)} features, method "
              f"{contrib.method!r}, explains a calibrated model's base: {contrib.calibrated}")
        print(f"largest |base value + sum of contributions - raw score|: {error:.1e}")
        explanation = contrib.to_shap()
        print(type(explanation).__module__, type(explanation).__name__, explanation.shape,
              "| output:", explanation.output_names)
        """
    ),
    md(
        """
        The `shap.Explanation` works with every shap plot; earlysignal wraps two of them with
        labelled axes. **Beeswarm:** one dot per row and feature, placed by its contribution and
        coloured by the feature's value (red high, blue low); features sorted by mean
        |contribution|.
        """
    ),
    code(
        """
        from earlysignal.explain import beeswarm, dependence, global_importance, importance_plot

        fig = beeswarm(contrib, max_display=12)
        """
    ),
    md(
        """
        **Dependence:** one feature's contribution against its value. Days in the current
        placement shows the front-loaded hazard (placements are most fragile early on); colour
        is the child's age.
        """
    ),
    code(
        """
        feature = "days_in_current_placement" if "days_in_current_placement" in names else names[0]
        fig = dependence(contrib, feature, color="age_years" if "age_years" in names else None)
        """
    ),
    md(
        """
        ## 3. Global importance and the stability of the top factors

        Mean |contribution| per feature, with a 95 % interval from a bootstrap over *children*
        (a child's rows move together), its share of the total and its signed mean.
        """
    ),
    code(
        """
        importance = global_importance(contrib, n_boot=100, groups=sample["child_id"].to_numpy())
        importance.head(12).with_columns(pl.col("mean_abs", "lo", "hi", "share", "mean").round(4))
        """
    ),
    code(
        """
        fig = importance_plot(importance, max_display=12)
        """
    ),
    md(
        """
        An interval on importance says how precisely it is measured *for this model*. A
        different question is whether the same factors would come out on top had the training
        data been slightly different. `top_factor_stability` refits the base model on bootstrap
        resamples of the training children and ranks the features each time: `top_k_share` is
        how often a feature is among the top 5, `mean_jaccard` the average overlap of each
        refit's top 5 with the fitted model's (1 = always the same five). Six refits here; use
        20 or more in a study.
        """
    ),
    code(
        """
        from earlysignal.explain import top_factor_stability

        stability = top_factor_stability(
            model, split.train, split.train[LABEL].to_numpy(), n_refits=6, top_k=5,
            groups=split.train["child_id"].to_numpy(), eval_rows=1000, seed=0,
        )
        print(f"mean Jaccard overlap of the top {stability.top_k} over "
              f"{stability.n_refits} refits: {stability.mean_jaccard:.2f}")
        stability.table.head(10)
        """
    ),
    md(
        """
        **What to look for.** Factors with a high `top_k_share` and a narrow rank interval are
        what the model robustly relies on; factors that swap places between refits should not
        be presented as "the" reason for a score.

        ## 4. The signal sheet of one child

        What a caseworker would see: the calibrated risk with its Venn-ABERS interval, the
        factors raising and lowering the score in plain words (from each feature's `phrase`),
        what changed since the child's previous prediction time, and what the signal is not.
        Only the pseudonymous id, the prediction time and the model's features appear. We take
        the simulated child with the highest risk in the test period.
        """
    ),
    code(
        """
        from IPython.display import HTML, display

        from earlysignal.explain import signal_sheet

        scored = test.select("child_id", "prediction_time").with_columns(
            risk=pl.Series(model.risk(test.select(names)))
        )
        top = scored.sort("risk", "child_id", descending=[True, False]).row(0, named=True)
        sheet = signal_sheet(
            model, test, top["child_id"], prediction_time=top["prediction_time"],
            descriptions=describe(specs), horizon_days=HORIZON,
        )
        print(sheet.to_text())
        """
    ),
    code(
        """
        html = sheet.to_html()
        (OUT / "signal_sheet.html").write_text(html, encoding="utf-8")
        print(f"one self-contained page of {len(html)} characters: inline style, no scripts, "
              "no external resources")
        display(HTML(html))
        """
    ),
    md(
        """
        ## 5. The fairness audit

        `audit` takes one row per test prediction with the sensitive attributes, the label, the
        calibrated risk, the child id (for the bootstrap) and, on simulated data, the oracle's
        true risk. The sensitive attributes were never model inputs; they are used here only to
        check the model. Per group it reports (`docs/fairness.md`):

        - **calibration**: base rate, mean risk, observed/expected ratio `oe_ratio` (below 1:
          the model over-predicts for the group), calibration-in-the-large, ECE, AUROC;
        - **error rates** when the top 10 % are flagged: selection rate, TPR, FPR, FNR, PPV;
        - 95 % intervals from 100 bootstrap resamples of children, and the oracle's values;
        - a **calibration-gap test**: log O/E in the group against log O/E in everyone else,
          flagged when its p-value is under 0.05 divided by the number of groups tested.

        Age group is the child's age at the prediction time (0-11, 12-15, 16+).
        """
    ),
    code(
        """
        from earlysignal.fairness import AuditSpec, audit

        ATTRIBUTES = ["sex", "origin", "age_group", "disability", "unaccompanied"]


        def audit_frame(sim, test, model):
            oracle = oracle_risk(
                sim, test.select("child_id", "prediction_time"),
                outcome="breakdown", horizon=HORIZON, n_draws=30,
            )
            age = (pl.col("prediction_time") - pl.col("birth_date")).dt.total_days() / 365.25
            return (
                test.select("child_id", "prediction_time", LABEL)
                .with_columns(risk=pl.Series(model.risk(test.select(names))), oracle=oracle["risk"])
                .join(sim.history.children, on="child_id", how="left", maintain_order="left")
                .with_columns(
                    pl.when(age < 12).then(pl.lit("0-11"))
                    .when(age < 16).then(pl.lit("12-15"))
                    .otherwise(pl.lit("16+")).alias("age_group")
                )
                .select("child_id", "prediction_time", LABEL, "risk", "oracle", *ATTRIBUTES)
            )


        audited = audit_frame(sim, test, model)
        spec = AuditSpec(
            attributes=tuple(ATTRIBUTES), intersections=(("sex", "age_group"),),
            capacity=0.1, n_boot=100, seed=0,
        )
        result = audit(audited, spec, label=LABEL, risk="risk", oracle="oracle", cluster="child_id")
        print(f"{result.n_rows} rows audited ({result.n_excluded} without a label); "
              f"flagging the top 10 % means a risk of at least {result.threshold:.3f}")
        """
    ),
    md(
        """
        The published group table: cells count distinct children (`n_children*`; `n_rows*`
        count prediction rows and are hidden with them), counts are rounded to 5, rates to 2
        decimals, and hidden values are null with `<column>_flag = "suppressed"`. Nothing is
        dropped.
        """
    ),
    code(
        """
        SHOW = ["attribute", "group", "n_children", "n_children_pos", "n_rows", "base_rate",
                "mean_risk", "oe_ratio",
                "oe_ratio_lo", "oe_ratio_hi", "tpr", "fpr", "ppv"]
        published = result.groups.select(SHOW).with_columns(pl.col(pl.Float64).round(3))
        single = pl.col("attribute").is_in(["all", *ATTRIBUTES])
        display(published.filter(single))
        published.filter(~single)  # the intersection sex x age group
        """
    ),
    md(
        """
        ### What is hidden, and why

        The library's disclosure control (`earlysignal.disclosure`, after DfE and CBS practice):
        no published count under 10 children; counts rounded to 5; **complementary
        suppression**, so that a hidden cell cannot be recovered by subtracting published cells
        from a total (here `n = n_pos + n_neg`, and the groups of an attribute add up to
        everyone); a rate is hidden when its group has fewer than 10 children with, or without,
        the outcome, or when a count it derives from is hidden. The published table uses one
        code for every reason, so that a reader cannot tell which hidden cells are the small
        ones. The counts below describe the pattern, not the hidden values.
        """
    ),
    code(
        """
        flag_cols = [c for c in result.groups.columns if c.endswith("_flag") and c != "gap_flag"]
        hidden = (
            result.groups.select("attribute", "group", *flag_cols)
            .unpivot(index=["attribute", "group"], variable_name="column", value_name="flag")
            .filter(pl.col("flag").is_not_null())
            .with_columns(pl.col("column").str.strip_suffix("_flag"))
        )
        print(f"{hidden.height} values hidden in {hidden.select('attribute', 'group').n_unique()} "
              f"of {result.groups.height} groups")
        with pl.Config(fmt_str_lengths=300, tbl_width_chars=160):
            display(
                hidden.group_by("attribute", "group", maintain_order=True)
                .agg(pl.col("column").sort().str.join(", ").alias("hidden"))
            )
        """
    ),
    md(
        """
        For the study team's **internal review** only, `DisclosurePolicy(detailed_reasons=True)`
        says why each value is hidden: `small` (under 10), `complementary` (hidden so that a
        small one cannot be recovered), `support` (a rate whose group has under 10 with or
        without the outcome) or `support_suppressed` (a rate whose count was hidden). Never
        publish this version. `check_table` then confirms that the published table follows the
        policy for its counts: no count under 10, every count a multiple of 5, every hidden
        value marked, no rate published beside a hidden count (a rate times the group's size
        would give the count back), and no hidden count recoverable from the published counts
        and totals.
        """
    ),
    code(
        """
        from earlysignal.disclosure import DisclosurePolicy, check_table
        from earlysignal.fairness import COUNTS, ROW_COUNTS

        internal = audit(audited, spec, label=LABEL, risk="risk", oracle="oracle",
                         cluster="child_id", policy=DisclosurePolicy(detailed_reasons=True))
        reasons = (
            internal.groups.select(flag_cols)
            .unpivot(variable_name="column", value_name="reason")
            .filter(pl.col("reason").is_not_null())
            .with_columns(pl.col("column").str.strip_suffix("_flag"))
            .with_columns(pl.when(pl.col("column").is_in([*COUNTS, *ROW_COUNTS])).then(pl.lit("count"))
                          .otherwise(pl.lit("rate")).alias("kind"))
        )
        display(reasons.group_by("kind", "reason").len().sort("kind", "reason"))
        problems = check_table(
            result.groups, count_cols=[*COUNTS, *ROW_COUNTS], by=ATTRIBUTES,
            row_sums={"n_children": ["n_children_pos", "n_children_neg"],
                      "n_rows": ["n_rows_pos", "n_rows_neg"]},
        )
        print("published table follows the disclosure policy:", not problems, problems[:3])
        """
    ),
    md(
        """
        ### The oracle, group by group

        On simulated data each group has a second reference: the true risk. `oe_ratio_oracle`
        is the observed rate over the *true* expected rate on the same rows: its distance from
        1 is outcome noise alone (a few hundred breakdowns), the yardstick for the model's own
        `oe_ratio`. The same holds for AUROC: the oracle's AUROC in a group is the best any
        model could reach there.
        """
    ),
    code(
        """
        (
            result.groups.select(
                "attribute", "group", "n_children", "oe_ratio", "oe_ratio_oracle", "mean_risk",
                "mean_risk_oracle", "auroc", "auroc_oracle", "tpr", "tpr_oracle",
            )
            .filter(pl.col("attribute").is_in(["all", *ATTRIBUTES]))
            .with_columns(pl.col(pl.Float64).round(3))
        )
        """
    ),
    md(
        """
        Forest plot of O/E by group with its 95 % interval (dots) and the oracle's O/E
        (crosses); hidden groups say so. Then the calibration-gap test: the z statistic of
        each tested group against the Bonferroni bound (dashed).
        """
    ),
    code(
        """
        from earlysignal.fairness import plot_gaps, plot_metric

        fig = result.plot("oe_ratio")
        """
    ),
    code(
        """
        fig = plot_gaps(result)
        flagged = result.flagged()
        print("groups the calibration-gap test flags:", flagged["group"].to_list() or "none")
        """
    ),
    md(
        """
        ## 6. Chouldechova's trade-off

        Calibration within groups and equal error rates across groups cannot all hold at once
        when the groups' base rates differ (Chouldechova 2017). For any group, with base rate
        `p`, precision `PPV` and miss rate `FNR` at the flagging rule, the false positive rate
        is fixed by an identity:

        `FPR = p / (1 - p) x (1 - PPV) / PPV x (1 - FNR)`

        So if two groups have different base rates but the same PPV (which calibration tends to
        give) and the same FNR, their FPRs *must* differ. The cell checks the identity on the
        published table: it holds exactly, for every group that is not hidden. An audit can
        therefore never show "fair on every measure" when base rates differ; it shows the
        measures side by side so that people can decide which differences matter, and why.
        """
    ),
    code(
        """
        (
            result.groups.filter(pl.col("attribute").is_in(["sex", "age_group", "origin"]))
            .select(
                "attribute", "group", "base_rate", "ppv", "fnr", "fpr",
                (
                    pl.col("base_rate") / (1 - pl.col("base_rate"))
                    * (1 - pl.col("ppv")) / pl.col("ppv")
                    * (1 - pl.col("fnr"))
                ).alias("fpr_from_identity"),
            )
            .with_columns(pl.col(pl.Float64).round(3))
        )
        """
    ),
    md(
        """
        The same trade-off in a picture: the share of breakdowns that flagging the top 10 %
        catches (TPR) by group, with the oracle's TPR (crosses). Where base rates differ, TPRs
        differ too, even for the true risk.
        """
    ),
    code(
        """
        fig = plot_metric(result, "tpr")
        """
    ),
    md(
        """
        ## 7. Injected recording bias: does the audit catch it?

        The simulator has named **bias scenarios** (`earlysignal.synth.SCENARIOS`) that change
        only what is *recorded*, never what happens, so the true risks stay the same. We use
        `label_bias`: for children of `origin = migrant`, a share of planned and other moves is
        recorded as breakdowns, which inflates their recorded outcome. The shipped scenario
        records 30 % of those moves so; at a cohort of 3,000 children a gap of that size is
        within the noise often enough that the test catches it in some simulations and misses
        it in others. For a clear demonstration we keep the scenario and double its dose (60 %),
        with `BiasScenario`. (The other scenario, `recording_bias`, inflates the group's recorded
        incidents instead; `docs/fairness.md` measures how little power the audit has against
        it at these sizes.)

        Same seed, so the same children and the same true histories: only the recording
        differs. The model is refitted on the biased records, as a study would, and audited by
        sex and origin, next to the audit of the accurate records.
        """
    ),
    code(
        """
        from dataclasses import replace

        from earlysignal.synth import SCENARIOS

        print("shipped:", SCENARIOS["label_bias"])
        scenario = replace(SCENARIOS["label_bias"], label_flip=0.6)
        print("used:   ", scenario)
        sim_biased = simulate(3000, years=7, seed=SEED, scenario=scenario)
        _, _, split_b, model_b = fit_breakdown_model(sim_biased)
        audited_b = audit_frame(sim_biased, split_b.test, model_b)
        keys = ["child_id", "prediction_time"]
        same_rows = audited_b.select(keys).equals(audited.select(keys))
        print("same test rows as with accurate records:", same_rows)
        print("same true risks (oracle), row by row:",
              same_rows and bool(np.allclose(audited_b["oracle"], audited["oracle"])))
        by_origin = AuditSpec(attributes=("sex", "origin"), intersections=(), capacity=0.1,
                              n_boot=100, seed=0)
        clean, biased = (
            audit(frame, by_origin, label=LABEL, risk="risk", oracle="oracle")
            for frame in (audited, audited_b)
        )
        pl.concat(
            [
                r.groups.filter(pl.col("attribute") == "origin")
                .select("group", "n_children_pos", "base_rate", "oe_ratio", "oe_ratio_lo",
                        "oe_ratio_hi",
                        "oe_ratio_oracle", "gap_z", "gap_flag")
                .with_columns(pl.lit(name).alias("records"))
                for name, r in (("accurate", clean), ("label_bias x2", biased))
            ]
        ).select("records", pl.exclude("records")).with_columns(pl.col(pl.Float64).round(3))
        """
    ),
    code(
        """
        fig = biased.plot("oe_ratio")
        print("flagged with accurate records:", clean.flagged()["group"].to_list())
        print("flagged with label bias:      ", biased.flagged()["group"].to_list())
        """
    ),
    md(
        """
        **How to read it.** With label bias the migrant group's recorded breakdown rate rises,
        while the model, which never sees origin, predicts for those children roughly what it
        predicts for similar children of other origins: their observed/expected ratio goes up,
        and the gap test compares it with everyone else's. Because the test is relative, the
        complement of a group with a gap can be flagged too: next to an under-predicted group,
        the rest looks over-predicted. The oracle column tells what only a simulation can: the
        true risks are the same in both audits, so a rise in `oe_ratio_oracle` (observed over
        *true* expected) is the records overstating what happened.

        **What this shows, and what it does not.** The audit detects a calibration gap; it
        cannot tell whether the gap comes from the model, from the records or from the world.
        On real data there is no oracle, and a recording bias that distorts features and labels
        alike can stay invisible to every group metric. Whether the test flags a real gap
        depends on its power: with cohorts of this size a gap can be missed, so read the O/E
        interval and the z statistic, not only the flag.

        ## Where next

        `05_model_card.ipynb`: the whole study as one tracked MLflow run, and the model card an
        ethics board reads.
        """
    ),
]

# ----------------------------------------------------------------------------------------------
# 05 the model card
# ----------------------------------------------------------------------------------------------
MODEL_CARD = [
    md(
        """
        # 05 The model card: what an ethics board gets to read

        An ethics board does not read notebooks. It reads a **model card**: what the model is
        for and not for, how it was validated, how well it does overall and by group, what it
        cannot know, and who answers for it. In earlysignal a study is one TOML config, one
        command and one tracked MLflow run, and the card comes out of that run with every
        number traceable to it (`docs/experiments.md`, `docs/model_card.md`).

        This notebook

        1. runs a small version of `experiments/breakdown_180d.toml` against the MLflow
           tracking URI in `MLFLOW_TRACKING_URI` (a fresh SQLite file under this notebook's
           output folder when it is not set), writing outputs under `EARLYSIGNAL_NOTEBOOK_OUT`;
        2. reads the run back through MLflow's client: parameters, metrics with intervals,
           tags, artifacts;
        3. shows the card's sections (Markdown) and the JSON card validated against its schema;
        4. walks through the TRIPOD+AI, EU AI Act and IAMA mapping and lists every field that is
           **to be completed by the study team**.
        """
    ),
    ETHICS,
    SETUP,
    MODEL_SETUP,
    md(
        """
        ## 1. Where the run goes

        The tracking URI is `MLFLOW_TRACKING_URI` when set (the notebook test sets it to a
        temporary SQLite file); otherwise a SQLite file in this notebook's output folder, so
        that running the notebook by hand never writes a database into the repository.
        """
    ),
    code(
        """
        TRACKING_URI = os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{OUT / 'mlruns.db'}"
        # Quieter output: no download progress bars, no INFO lines from MLflow.
        os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
        os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")
        print("MLflow tracking URI:", TRACKING_URI)
        """
    ),
    md(
        """
        ## 2. A small study config

        We start from the shipped `breakdown_180d` config (the file in `experiments/`; the
        package carries an identical copy) and shrink it so that the run takes well under a
        minute: 1,200 simulated children over 6 years, a smaller LightGBM, 50 bootstrap
        replicates, the oracle on about 1,000 test rows. Everything else, including the
        `[card]` texts written by people, stays as shipped. A config is validated before
        anything runs; unknown keys and bad values are errors that name the key.
        """
    ),
    code(
        """
        from earlysignal.experiment import ConfigError, ExperimentConfig, load_config

        shipped = next(
            (p for p in (Path("..", "experiments", "breakdown_180d.toml"),
                         Path("experiments", "breakdown_180d.toml")) if p.is_file()),
            "breakdown_180d",  # the copy shipped with the package
        )
        base_config = load_config(shipped)
        data = base_config.to_dict()
        overrides = {
            "study": {"name": "notebook_breakdown_180d"},
            "data": {"n_children": 1200, "years": 6, "sim_seed": 3},
            "model": {"n_estimators": 120, "num_leaves": 7, "min_child_samples": 50},
            "evaluation": {"bootstrap": 50, "oracle_rows": 1000},
            "explain": {"sample": 300},
            "fairness": {"bootstrap": 30},
            "tracking": {"experiment": "notebook-05", "output_dir": str(OUT / "cards")},
        }
        for section, values in overrides.items():
            data[section].update(values)
        config = ExperimentConfig.from_dict(data, source="notebook")
        print("started from:", shipped)
        pl.DataFrame(
            [{"key": f"{s}.{k}", "shipped": str(base_config.to_dict()[s][k]), "here": str(v)}
             for s, values in overrides.items() for k, v in values.items()]
        )
        """
    ),
    code(
        """
        try:
            ExperimentConfig.from_dict({"model": {"kind": "lightgbm", "trees": 10}}, source="typo")
        except ConfigError as exc:
            print(exc)
        """
    ),
    md(
        """
        ## 3. Run it

        `run_experiment` loads (here: simulates) the data, validates it, builds prediction
        times, features and labels, splits by time, fits the model and its baselines,
        calibrates, evaluates with child-clustered intervals and the oracle, explains a sample,
        audits subgroups under disclosure control, saves the model without pickle and writes
        the card. Everything is logged to one MLflow run; a run that fails is marked FAILED and
        leaves no card.
        """
    ),
    code(
        """
        from earlysignal.experiment import run_experiment

        result = run_experiment(config, tracking_uri=TRACKING_URI)
        print(result.summary().replace(str(OUT), "<OUT>"))
        pl.DataFrame(
            {"step": list(result.durations),
             "seconds": [round(v, 1) for v in result.durations.values()]}
        )
        """
    ),
    md(
        """
        ## 4. Read the run back through MLflow

        An ethics board, or an auditor a year later, should not have to trust the notebook: the
        run is in the tracking store. We open it with MLflow's own client.
        """
    ),
    code(
        """
        import mlflow

        client = mlflow.MlflowClient(TRACKING_URI)
        run = client.get_run(result.run_id)
        print(f"run {run.info.run_id} ({run.info.run_name}): status {run.info.status}, "
              f"{len(run.data.params)} parameters, {len(run.data.metrics)} metrics, "
              f"{len(run.data.tags)} tags")
        params = run.data.params
        KEYS = ["data.n_children", "data.years", "outcome.name", "outcome.horizon_days",
                "model.kind", "model.calibration", "decision.capacity", "evaluation.bootstrap"]
        pl.DataFrame({"parameter": [k for k in KEYS if k in params],
                      "value": [params[k] for k in KEYS if k in params]})
        """
    ),
    md(
        """
        Metrics are logged with their interval ends (`auroc`, `auroc_lower`, `auroc_upper`);
        the baselines and the oracle are prefixed (`logistic.auroc`, `oracle.auroc`), paired
        differences start with `gap_`, dataset sizes with `rows.`. Data are never logged, only
        sizes and SHA-256 digests. The oracle is a costly forward simulation, so `oracle.*` and
        `gap_oracle.*` are measured on a random sample of test children (`oracle_rows`); the
        model's AUROC on that same sample is logged as `lightgbm _oracle sample_.auroc` (MLflow
        keys cannot hold parentheses). Compare the oracle with that row, not with `auroc`.
        """
    ),
    code(
        """
        m = run.data.metrics
        NAMES = ["auroc", "logistic.auroc", "rule.auroc", "gap_logistic.auroc",
                 "lightgbm _oracle sample_.auroc", "oracle.auroc", "gap_oracle.auroc",
                 "brier", "calibration_slope", "calibration_intercept",
                 "precision_at_top_at_0.1", "recall_at_top_at_0.1"]
        metrics = pl.DataFrame(
            [{"metric": k, "value": m[k], "lower": m.get(f"{k}_lower"),
              "upper": m.get(f"{k}_upper")} for k in NAMES if k in m]
        ).with_columns(pl.col("value", "lower", "upper").round(4))
        display_rows = {k: v for k, v in m.items() if k.startswith("rows.")}
        print("dataset sizes:", display_rows)
        print("digest tags:", sorted(t for t in run.data.tags if t.startswith("digest.")))
        metrics
        """
    ),
    code(
        """
        def artifact_paths(path: str | None = None) -> list[str]:
            out = []
            for item in client.list_artifacts(result.run_id, path):
                out += artifact_paths(item.path) if item.is_dir else [item.path]
            return out


        paths = artifact_paths()
        print(f"{len(paths)} artifacts:")
        for p in paths:
            print("  ", p)
        """
    ),
    md(
        """
        ## 5. The card data, validated against its schema

        The card's single source is `model_card.json`, logged to the run as
        `model_card/model_card.json`; the Markdown and HTML are rendered from it. We download
        it from MLflow and validate it against the published JSON Schema
        (`earlysignal/card/schema/model_card.schema.json`, rendered in
        `docs/model_card_schema.md`).
        """
    ),
    code(
        """
        import json

        from earlysignal.card import CardValidationError, card_schema, validate_card

        local = mlflow.artifacts.download_artifacts(
            run_id=result.run_id, artifact_path="model_card/model_card.json",
            dst_path=str(OUT / "downloaded"), tracking_uri=TRACKING_URI,
        )
        card = json.loads(Path(local).read_text(encoding="utf-8"))
        validate_card(card)
        schema = card_schema()
        print(f"valid against {schema['title']!r} (schema version {card['schema_version']}); "
              f"top-level fields: {', '.join(card)}")
        auroc = next(r for r in card["performance"]["metrics"]
                     if r["model"] == "lightgbm" and r["metric"] == "auroc")
        print("AUROC on the card equals the run's metric:", auroc["value"] == m["auroc"])
        """
    ),
    md(
        """
        The schema is strict: a card that leaves a field out, instead of marking it unknown, is
        refused with the field named.
        """
    ),
    code(
        """
        broken = json.loads(json.dumps(card))
        del broken["legal"]["basis"]
        try:
            validate_card(broken)
        except CardValidationError as exc:
            print("\\n".join(str(exc).splitlines()[:3]))
        """
    ),
    md(
        """
        ## 6. The card's sections

        The sections follow Mitchell et al. (2019, *Model Cards for Model Reporting*) and the
        Hugging Face template, extended with what youth-protection ethics boards ask for; each
        section says where it sits in both.
        """
    ),
    code(
        """
        from IPython.display import Image, Markdown, display

        from earlysignal.card import SECTIONS, render_markdown

        with pl.Config(tbl_rows=-1):
            display(
                pl.DataFrame(
                    {"section": [s.title for s in SECTIONS],
                     "Mitchell et al.": [s.mitchell for s in SECTIONS],
                     "Hugging Face": [s.huggingface for s in SECTIONS]}
                )
            )
        """
    ),
    md(
        """
        Below, a selection of sections as the Markdown card renders them (the full card is in
        the card folder as `model_card.md` and as one self-contained `model_card.html`). Figure
        links point into the card's `figures/` folder, so they are replaced here by their
        captions; one figure is shown after the sections.
        """
    ),
    code(
        """
        import re

        markdown = render_markdown(card)
        chunks = re.split(r"(?m)^(?=## )", markdown)
        by_title = {c.splitlines()[0][3:].strip(): c for c in chunks if c.startswith("## ")}
        print(f"{len(by_title)} sections, {len(markdown)} characters of Markdown")
        from earlysignal.card import SECTIONS

        titles = {s.id: s.title for s in SECTIONS}
        SHOWN = [titles[i] for i in ("summary", "model_details", "intended_use", "out_of_scope",
                                     "validation", "performance", "decision", "subgroups",
                                     "limitations", "ethics", "oversight")]
        for title in SHOWN:
            text = re.sub(r"!\\[([^\\]]*)\\]\\([^)]*\\)", r"*(figure: \\1)*", by_title[title])
            text = re.sub(r"(?m)^<a id=.*</a>$", "", text)
            display(Markdown(text))
        """
    ),
    code(
        """
        figures = {f["id"]: f for f in card["figures"]}
        print(figures["reliability"]["caption"])
        Image(filename=str(result.card_dir / "figures" / figures["reliability"]["file"]))
        """
    ),
    md(
        """
        ## 7. TRIPOD+AI, the EU AI Act, the AVG and the IAMA, item by item

        Every item of each standard is mapped to the card fields that cover it
        (`earlysignal.card.standards`) and put in one of three states, decided from the card
        data itself: "covered by this run" (the row names the card section), "partly covered"
        (the row says what is missing) or "for the organisation" (only the organisation can
        answer it). Generic text never makes an item covered.
        """
    ),
    code(
        """
        from earlysignal.card import compliance, known_fraction
        from earlysignal.card.standards import COVERED, FOR_ORGANISATION, PARTLY

        status = compliance(card)
        print(f"share of all items the card covers in full: {known_fraction(card):.0%}")
        pl.DataFrame(
            [{"standard": name, "items": len(rows),
              "covered": sum(r["status"] == COVERED for r in rows),
              "partly": sum(r["status"] == PARTLY for r in rows),
              "for the organisation": sum(r["status"] == FOR_ORGANISATION for r in rows)}
             for name, rows in status.items()]
        )
        """
    ),
    code(
        """
        tripod = pl.DataFrame(status["tripod_ai"])
        print("TRIPOD+AI items covered by this run:",
              ", ".join(tripod.filter(pl.col("status") == COVERED)["item"]))
        tripod.filter(pl.col("status") != COVERED).select("item", "topic", "status", "note")
        """
    ),
    code(
        """
        pl.DataFrame(status["eu_ai_act"]).select("item", "topic", "section", "status", "note")
        """
    ),
    code(
        """
        pl.DataFrame(status["iama"]).select("item", "topic", "section", "status")
        """
    ),
    md(
        """
        ## 8. What the study team still has to write

        Every value the run cannot know is an explicit marker in the card data, never left out
        and never invented: `{"status": "to be completed by the study team"}` for what only
        people can decide (owners, legal basis, ethical approval, objection route, review date,
        ...) and `{"status": "not measured by this run", "reason": ...}` for a quantity the run
        did not measure. The cell walks the card and lists both.
        """
    ),
    code(
        """
        from earlysignal.card import NOT_MEASURED, TO_BE_COMPLETED


        def markers(value, path=""):
            if isinstance(value, dict) and "status" in value and set(value) <= {"status", "reason"}:
                yield path, value["status"], value.get("reason", "")
            elif isinstance(value, dict):
                for key, item in value.items():
                    if key != "compliance":
                        yield from markers(item, f"{path}.{key}" if path else key)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    yield from markers(item, f"{path}[{i}]")


        open_fields = pl.DataFrame(
            list(markers(card)), schema=["field", "status", "reason"], orient="row"
        )
        n_tbc = open_fields.filter(pl.col("status") == TO_BE_COMPLETED).height
        n_nm = open_fields.filter(pl.col("status") == NOT_MEASURED).height
        print(f"{n_tbc} fields to be completed by the study team, {n_nm} not measured by this run")
        with pl.Config(fmt_str_lengths=500, tbl_width_chars=160):
            display(
                open_fields.with_columns(pl.col("field").str.split(".").list.first().alias("part"))
                .group_by("status", "part")
                .agg(pl.col("field").sort().str.join(", ").alias("fields"))
                .sort("status", "part")
            )
        """
    ),
    md(
        """
        The team fills the human-written fields in the config's `[card]` table (`owners`,
        `contact`, `legal_basis`, `objection_route`, `review_date`, `ethical_considerations`,
        `funding`, `lived_experience_involvement`, ...) and re-runs the study; the rest (ethical
        approval, the fundamental-rights impact assessment, the AI Act risk category) is
        decided and documented outside the library and recorded on the card by the team.

        A card can be re-rendered from the run alone, without recomputing anything
        (`earlysignal card RUN_ID` on the command line): it says exactly what the run measured.
        """
    ),
    code(
        """
        from earlysignal.experiment import render_card_from_run

        again = render_card_from_run(result.run_id, tracking_uri=TRACKING_URI,
                                     output_dir=OUT / "rerendered")
        same = (again / "model_card.md").read_text(encoding="utf-8") == (
            result.card_dir / "model_card.md"
        ).read_text(encoding="utf-8")
        print("re-rendered from the run:", sorted(p.name for p in again.iterdir()))
        print("same Markdown as the card written by the run:", same)
        """
    ),
    md(
        """
        ## What an ethics board should take from this

        - Read **Intended use** and **Out-of-scope use** first: the card says what the score may
          and may not be used for, in the study team's words.
        - **Performance** and **Calibration** come with intervals, next to simple baselines and,
          on simulated data, the true risk; "better" is claimed only when an interval says so.
        - **Subgroup results** are published under disclosure control: a hidden cell is marked,
          never dropped (see notebook 04, and the caveat in section 6 about this version).
        - Every item still **to be completed by the study team** is a question for the team,
          not a gap the library papers over. A card with open items is not ready for use.
        - This run is on simulated data: it shows what the method can do and how it is
          reported, not how any model performs on an agency's records.
        """
    ),
]

PERSONAS = [
    md(
        """
        # 08 Personas: typical care pathways

        A persona is a pathway through care that many children share: "entered as a baby,
        kinship care, home within a year", or "entered at 13, residential, several moves,
        secure care". This notebook finds them by sequence analysis on *simulated* children:
        monthly states from first entry, optimal-matching distances, k-medoids (PAM), the number
        of types chosen by the average silhouette width, and a description that publishes
        distributions only (see `docs/personas.md`).
        """
    ),
    ETHICS,
    SETUP,
    code(
        """
        from earlysignal.personas.cluster import assign, fit_personas
        from earlysignal.personas.describe import describe_personas
        from earlysignal.personas.report import write_report
        from earlysignal.personas.sequences import monthly_states
        from earlysignal.personas.spec import PersonaSpec
        from earlysignal.synth import simulate

        sim = simulate(1500, years=8, seed=7)
        spec = PersonaSpec(window=24, sample_size=800, samples=2)
        seqs = monthly_states(sim.history, spec)
        print(len(seqs), "children,", int(seqs.complete.sum()), "with a complete 24-month window")
        """
    ),
    md(
        """
        ## How many types?

        Each row is a number of personas tried on the clustering sample: average silhouette
        width (ASW), pseudo-R2 and point-biserial correlation. The highest ASW is chosen.
        """
    ),
    code(
        """
        model = fit_personas(seqs, spec)
        pl.DataFrame(model.quality)
        """
    ),
    md(
        """
        ## What may be published

        Children with a partial window are assigned to the nearest medoid on the months they
        have. The description counts distinct children, hides personas under 10 children, rounds
        counts to 5 and shows no child's pathway: the "usual pathway" is synthesised from the
        most common state in each month.
        """
    ),
    code(
        """
        labels, partial = assign(model, seqs)
        desc = describe_personas(seqs, model, labels)
        desc.summary.select("persona", "n_children", "age_median", "moves_mean",
                            "return_home_rate", "breakdown_rate")
        """
    ),
    code(
        """
        from earlysignal.personas.plots import plot_state_distribution
        from earlysignal.personas.report import PLOT_WORDS, STATE_LABELS

        plot_state_distribution(desc.distribution, 1, desc.alphabet, STATE_LABELS, PLOT_WORDS)
        """
    ),
    code(
        """
        html = write_report(desc, OUT / "personas", lang="nl")
        print("Dutch report:", html)
        """
    ),
]

# ----------------------------------------------------------------------------------------------
# 06 scoring and monitoring
# ----------------------------------------------------------------------------------------------
SCORING_MONITORING = [
    md(
        """
        # 06 From study to signal: scoring today's children, monitoring over time

        A study ends in a model card and a model. This notebook takes the next steps
        (`docs/scoring.md`, `docs/monitoring.md`):

        1. runs a small study whose model MLflow logs as a `pyfunc` model (no pickle) and
           registers in the model registry;
        2. loads it back with `mlflow.pyfunc.load_model`;
        3. scores the children in placement on the data's last day: a ranked table with
           intervals and contributions, a signal sheet per flagged child, an overview;
        4. monitors two later extractions against the card's stop rules: an unchanged world,
           and one where placements break down far more often.
        """
    ),
    ETHICS,
    SETUP,
    MODEL_SETUP,
    code(
        """
        TRACKING_URI = os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{OUT / 'mlruns.db'}"
        os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
        os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")
        os.chdir(OUT)  # a SQLite store keeps its artifacts in ./mlruns: not in the repository
        print("MLflow tracking URI:", TRACKING_URI)
        """
    ),
    md(
        """
        ## 1. A small study with a registered model

        The shipped `breakdown_180d` config, shrunk to run in about a minute, with
        `[tracking] register_as` set so that the model becomes `models:/notebook_model/N`.
        """
    ),
    code(
        """
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

        sim = simulate(1000, years=7, seed=3)
        today = sim.history.write(OUT / "today")
        result = run_experiment(config, tracking_uri=TRACKING_URI, output_dir=OUT / "cards",
                                simulation=sim)
        logged = result.card["provenance"]["logged_model"]
        logged
        """
    ),
    md(
        """
        ## 2. The logged model, loaded by MLflow

        `mlflow.pyfunc.load_model` reads the LightGBM text model, the calibrator JSON and the
        feature specs, checks their hashes, and returns risks with their Venn-ABERS interval.
        The signature and the synthetic input example (zeros and ones, no child) travel with it.
        """
    ),
    code(
        """
        import mlflow

        mlflow.set_tracking_uri(TRACKING_URI)
        mlflow.set_registry_uri(TRACKING_URI)
        print("registered as", logged["registered_name"], "version", logged["registered_version"])
        uri = logged["model_uri"]  # the logged model itself (models:/m-...)
        pyfunc = mlflow.pyfunc.load_model(uri)
        print(pyfunc.metadata.get_input_schema().input_names()[:5], "...")
        """
    ),
    md(
        """
        ## 3. Score the children in placement on the last day

        `score` validates the data, checks the model's scope (same source, known vocabulary,
        nothing after the date), builds the features as of the date with the model's own specs
        and writes everything at once (or nothing). The table and the sheets hold pseudonymous
        row-level data: they stay on disk; the scoring's MLflow run holds counts only.
        """
    ),
    code(
        """
        from earlysignal.scoring import score

        scored = score(uri, today, as_of=sim.history.observed_until, out=OUT / "signals",
                       tracking_uri=TRACKING_URI)
        keys = ("children_scored", "children_flagged", "decision_rule")
        print({k: scored.summary[k] for k in keys})
        scored.ranked.select("rank", "risk", "risk_lower", "risk_upper", "flagged",
                             "factor_1", "factor_2").head(8)
        """
    ),
    code(
        """
        first = scored.ranked.filter(pl.col("flagged"))["child_id"][0]
        print((OUT / "signals" / "sheets" / f"{first}.md").read_text())
        """
    ),
    md(
        """
        ## 4. Monitor later extractions

        `monitor` rebuilds the model's prediction times after its training data, scores them,
        measures drift against the profile stored with the model, and judges the card's stop
        rules on the outcomes that have matured, on the children the model did not flag (so
        that support given to flagged children cannot stop a model for succeeding).
        """
    ),
    code(
        """
        from earlysignal.monitoring import monitor
        from earlysignal.synth.params import SimParams

        unchanged = simulate(1500, years=10, seed=4)
        quiet = monitor(uri, unchanged.history, out=OUT / "monitor-unchanged",
                        tracking_uri=TRACKING_URI, n_boot=100)
        verdicts = [r["verdict"] for r in quiet.summary["rules"]]
        print("unchanged world: exit code", quiet.exit_code, verdicts)
        quiet.drift.head(5)
        """
    ),
    code(
        """
        worse = SimParams(breakdown_rate_year=SimParams().breakdown_rate_year * 2.5)
        changed = simulate(1500, years=10, seed=4, params=worse)
        alarm = monitor(uri, changed.history, out=OUT / "monitor-changed",
                        tracking_uri=TRACKING_URI, n_boot=100)
        print("changed placement practice: exit code", alarm.exit_code)
        alarm.verdicts.select("rule", "metric", "group", "estimate", "lower", "upper", "verdict")
        """
    ),
    md(
        """
        The report (`monitoring.html`) shows the same tables with disclosure control: groups
        under 10 children get no figure, alert counts are rounded to 5. On the command line:
        `earlysignal score RUN_ID DIR --as-of DATE --out DIR` and
        `earlysignal monitor RUN_ID DIR --out DIR` (exit code 1 when a rule is breached).
        """
    ),
]

NOTEBOOKS: dict[str, list[str]] = {
    "01_quick_start.ipynb": QUICK_START,
    "02_carousel_in_the_data.ipynb": CAROUSEL,
    "03_breakdown_model.ipynb": BREAKDOWN_MODEL,
    "04_explanations_and_fairness.ipynb": EXPLAIN_FAIRNESS,
    "05_model_card.ipynb": MODEL_CARD,
    "06_scoring_and_monitoring.ipynb": SCORING_MONITORING,
    "08_personas.ipynb": PERSONAS,
}


def percent_cells(path: Path) -> list[str]:
    """Cells of a jupytext percent script (``# %%`` code, ``# %% [markdown]`` Markdown cells).

    Notebooks written as percent scripts (``NN_name.py`` here) are built like the others; the
    script is the source, read in review, and the ``.ipynb`` is generated from it.
    """
    cells: list[str] = []
    kind, lines = None, []  # type: tuple[str | None, list[str]]

    def flush() -> None:
        text = "\n".join(lines).strip("\n")
        if kind == "md":
            cells.append("md:" + "\n".join(ln[2:] if ln.startswith("# ") else ln.lstrip("#")
                                            for ln in text.splitlines()))
        elif kind == "code" and text:
            cells.append(text)

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            flush()
            kind, lines = ("md" if "[markdown]" in line else "code"), []
        elif kind is not None:
            lines.append(line)
    flush()
    return cells


for _script in sorted(HERE.glob("[0-9][0-9]_*.py")):
    NOTEBOOKS.setdefault(_script.stem + ".ipynb", percent_cells(_script))


def build(name: str, cells: list[str]) -> nbformat.NotebookNode:
    """One notebook from its cells, without outputs or execution counts."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = dict(LANGUAGE_INFO)
    for i, text in enumerate(cells):
        cell = (
            new_markdown_cell(text[3:])
            if text.startswith("md:")
            else new_code_cell(text, execution_count=None, outputs=[])
        )
        cell["id"] = f"{Path(name).stem[:2]}-{i:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def main(argv: list[str]) -> int:
    """Write every notebook (or those named in ``argv``) next to this script."""
    chosen = argv or list(NOTEBOOKS)
    unknown = sorted(set(chosen) - set(NOTEBOOKS))
    if unknown:
        print(f"unknown notebook(s) {unknown}; choose from {sorted(NOTEBOOKS)}", file=sys.stderr)
        return 2
    for name in chosen:
        path = HERE / name
        nbformat.write(build(name, NOTEBOOKS[name]), path)
        print(f"wrote {path.relative_to(HERE.parent)} ({len(NOTEBOOKS[name])} cells)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
