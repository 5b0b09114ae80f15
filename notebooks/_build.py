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
        0). When the horizon runs past the extraction date and nothing has happened yet, the
        label is **missing (censored), not 0**: counting those rows as "no breakdown" would
        flatter every model. The report counts each kind of row.
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

NOTEBOOKS: dict[str, list[str]] = {
    "01_quick_start.ipynb": QUICK_START,
    "02_carousel_in_the_data.ipynb": CAROUSEL,
}


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
