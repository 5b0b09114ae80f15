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
# # 05 The model card: what an ethics board gets to read
#
# An ethics board does not read notebooks. It reads a **model card**: what the model is
# for and not for, how it was validated, how well it does overall and by group, what it
# cannot know, and who answers for it. In earlysignal a study is one TOML config, one
# command and one tracked MLflow run, and the card comes out of that run with every
# number traceable to it (`docs/experiments.md`, `docs/model_card.md`).
#
# This notebook
#
# 1. runs a small version of `experiments/breakdown_180d.toml` against the MLflow
#    tracking URI in `MLFLOW_TRACKING_URI` (a fresh SQLite file under this notebook's
#    output folder when it is not set), writing outputs under `EARLYSIGNAL_NOTEBOOK_OUT`;
# 2. reads the run back through MLflow's client: parameters, metrics with intervals,
#    tags, artifacts;
# 3. shows the card's sections (Markdown) and the JSON card validated against its schema;
# 4. walks through the TRIPOD+AI, EU AI Act and IAMA mapping and lists every field that is
#    **to be completed by the study team**.

# %% [markdown]
# > **What this is, and what it is not.** earlysignal estimates, from a child's recorded
# > history, the risk that the current placement breaks down or that the child enters the
# > placement carousel, early enough for the team around the child to add support. It is a
# > signal for support and for policy research, **never a decision about a family** and never
# > a replacement for professional judgement. Everything below runs on *simulated* children.

# %%
# %matplotlib inline
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
from _setup import scale, start  # notebooks/_setup.py: the shared setup

OUT = start(training=True)
SCALE = scale()  # 1 by default; the tests use a smaller cohort (see _setup.scale)

# %% [markdown]
# ## 1. Where the run goes
#
# The tracking URI is `MLFLOW_TRACKING_URI` when set (the notebook test sets it to a
# temporary SQLite file); otherwise a SQLite file in this notebook's output folder, so
# that running the notebook by hand never writes a database into the repository.

# %%
from _setup import tracking_uri  # quieter output: no download progress bars, no MLflow INFO lines

TRACKING_URI = tracking_uri(OUT)

# %% [markdown]
# ## 2. A small study config
#
# We start from the shipped `breakdown_180d` config (the file in `experiments/`; the
# package carries an identical copy) and shrink it so that the run takes well under a
# minute: 1,200 simulated children over 6 years, a smaller LightGBM, 50 bootstrap
# replicates, the oracle on about 1,000 test rows. Everything else, including the
# `[card]` texts written by people, stays as shipped. A config is validated before
# anything runs; unknown keys and bad values are errors that name the key.

# %%
from earlysignal.experiment import ConfigError, ExperimentConfig, load_config

shipped = next(
    (
        p
        for p in (
            Path("..", "experiments", "breakdown_180d.toml"),
            Path("experiments", "breakdown_180d.toml"),
        )
        if p.is_file()
    ),
    "breakdown_180d",  # the copy shipped with the package
)
base_config = load_config(shipped)
data = base_config.to_dict()
overrides: dict[str, dict[str, Any]] = {
    "study": {"name": "notebook_breakdown_180d"},
    "data": {"n_children": round(1200 * SCALE), "years": 6, "sim_seed": 3},
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
    [
        {"key": f"{s}.{k}", "shipped": str(base_config.to_dict()[s][k]), "here": str(v)}
        for s, values in overrides.items()
        for k, v in values.items()
    ]
)

# %%
try:
    ExperimentConfig.from_dict({"model": {"kind": "lightgbm", "trees": 10}}, source="typo")
except ConfigError as exc:
    print(exc)

# %% [markdown]
# ## 3. Run it
#
# `run_experiment` loads (here: simulates) the data, validates it, builds prediction
# times, features and labels, splits by time, fits the model and its baselines,
# calibrates, evaluates with child-clustered intervals and the oracle, explains a sample,
# audits subgroups under disclosure control, saves the model without pickle and writes
# the card. Everything is logged to one MLflow run; a run that fails is marked FAILED and
# leaves no card.

# %%
from earlysignal.experiment import run_experiment

result = run_experiment(config, tracking_uri=TRACKING_URI)
print(result.summary().replace(str(OUT), "<OUT>"))
pl.DataFrame(
    {"step": list(result.durations), "seconds": [round(v, 1) for v in result.durations.values()]}
)

# %% [markdown]
# ## 4. Read the run back through MLflow
#
# An ethics board, or an auditor a year later, should not have to trust the notebook: the
# run is in the tracking store. We open it with MLflow's own client.

# %%
import mlflow

client = mlflow.MlflowClient(TRACKING_URI)
run = client.get_run(result.run_id)
print(
    f"run {run.info.run_id} ({run.info.run_name}): status {run.info.status}, "
    f"{len(run.data.params)} parameters, {len(run.data.metrics)} metrics, "
    f"{len(run.data.tags)} tags"
)
params = run.data.params
KEYS = [
    "data.n_children",
    "data.years",
    "outcome.name",
    "outcome.horizon_days",
    "model.kind",
    "model.calibration",
    "decision.capacity",
    "evaluation.bootstrap",
]
pl.DataFrame(
    {
        "parameter": [k for k in KEYS if k in params],
        "value": [params[k] for k in KEYS if k in params],
    }
)

# %% [markdown]
# Metrics are logged with their interval ends (`auroc`, `auroc_lower`, `auroc_upper`);
# the baselines and the oracle are prefixed (`logistic.auroc`, `oracle.auroc`), paired
# differences start with `gap_`, dataset sizes with `rows.`. Data are never logged, only
# sizes and SHA-256 digests. The oracle is a costly forward simulation, so `oracle.*` and
# `gap_oracle.*` are measured on a random sample of test children (`oracle_rows`); the
# model's AUROC on that same sample is logged as `lightgbm _oracle sample_.auroc` (MLflow
# keys cannot hold parentheses). Compare the oracle with that row, not with `auroc`.

# %%
m = run.data.metrics
NAMES = [
    "auroc",
    "logistic.auroc",
    "rule.auroc",
    "gap_logistic.auroc",
    "lightgbm _oracle sample_.auroc",
    "oracle.auroc",
    "gap_oracle.auroc",
    "brier",
    "calibration_slope",
    "calibration_intercept",
    "precision_at_top_at_0.1",
    "recall_at_top_at_0.1",
]
metrics = pl.DataFrame(
    [
        {"metric": k, "value": m[k], "lower": m.get(f"{k}_lower"), "upper": m.get(f"{k}_upper")}
        for k in NAMES
        if k in m
    ]
).with_columns(pl.col("value", "lower", "upper").round(4))
display_rows = {k: v for k, v in m.items() if k.startswith("rows.")}
print("dataset sizes:", display_rows)
print("digest tags:", sorted(t for t in run.data.tags if t.startswith("digest.")))
metrics


# %%
def artifact_paths(path: str | None = None) -> list[str]:
    out = []
    for item in client.list_artifacts(result.run_id, path):
        out += artifact_paths(item.path) if item.is_dir else [item.path]
    return out


paths = artifact_paths()
print(f"{len(paths)} artifacts:")
for p in paths:
    print("  ", p)

# %% [markdown]
# ## 5. The card data, validated against its schema
#
# The card's single source is `model_card.json`, logged to the run as
# `model_card/model_card.json`; the Markdown and HTML are rendered from it. We download
# it from MLflow and validate it against the published JSON Schema
# (`earlysignal/card/schema/model_card.schema.json`, rendered in
# `docs/model_card_schema.md`).

# %%
import json

from earlysignal.card import CardValidationError, card_schema, validate_card

local = mlflow.artifacts.download_artifacts(
    run_id=result.run_id,
    artifact_path="model_card/model_card.json",
    dst_path=str(OUT / "downloaded"),
    tracking_uri=TRACKING_URI,
)
card = json.loads(Path(local).read_text(encoding="utf-8"))
validate_card(card)
schema = card_schema()
print(
    f"valid against {schema['title']!r} (schema version {card['schema_version']}); "
    f"top-level fields: {', '.join(card)}"
)
auroc = next(
    r for r in card["performance"]["metrics"] if r["model"] == "lightgbm" and r["metric"] == "auroc"
)
print("AUROC on the card equals the run's metric:", auroc["value"] == m["auroc"])

# %% [markdown]
# The schema is strict: a card that leaves a field out, instead of marking it unknown, is
# refused with the field named.

# %%
broken = json.loads(json.dumps(card))
del broken["legal"]["basis"]
try:
    validate_card(broken)
except CardValidationError as exc:
    print("\n".join(str(exc).splitlines()[:3]))

# %% [markdown]
# ## 6. The card's sections
#
# The sections follow Mitchell et al. (2019, *Model Cards for Model Reporting*) and the
# Hugging Face template, extended with what youth-protection ethics boards ask for; each
# section says where it sits in both.

# %%
from IPython.display import Image, Markdown, display

from earlysignal.card import SECTIONS, render_markdown

with pl.Config(tbl_rows=-1):
    display(
        pl.DataFrame(
            {
                "section": [s.title for s in SECTIONS],
                "Mitchell et al.": [s.mitchell for s in SECTIONS],
                "Hugging Face": [s.huggingface for s in SECTIONS],
            }
        )
    )

# %% [markdown]
# Below, a selection of sections as the Markdown card renders them (the full card is in
# the card folder as `model_card.md` and as one self-contained `model_card.html`). Figure
# links point into the card's `figures/` folder, so they are replaced here by their
# captions; one figure is shown after the sections.

# %%
import re

markdown = render_markdown(card)
chunks = re.split(r"(?m)^(?=## )", markdown)
by_title = {c.splitlines()[0][3:].strip(): c for c in chunks if c.startswith("## ")}
print(f"{len(by_title)} sections, {len(markdown)} characters of Markdown")
from earlysignal.card import SECTIONS

titles = {s.id: s.title for s in SECTIONS}
SHOWN = [
    titles[i]
    for i in (
        "summary",
        "model_details",
        "intended_use",
        "out_of_scope",
        "validation",
        "performance",
        "decision",
        "subgroups",
        "limitations",
        "ethics",
        "oversight",
    )
]
for title in SHOWN:
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"*(figure: \1)*", by_title[title])
    text = re.sub(r"(?m)^<a id=.*</a>$", "", text)
    display(Markdown(text))

# %%
figures = {f["id"]: f for f in card["figures"]}
print(figures["reliability"]["caption"])
Image(filename=str(result.card_dir / "figures" / figures["reliability"]["file"]))

# %% [markdown]
# ## 7. TRIPOD+AI, the EU AI Act, the AVG and the IAMA, item by item
#
# Every item of each standard is mapped to the card fields that cover it
# (`earlysignal.card.standards`) and put in one of three states, decided from the card
# data itself: "covered by this run" (the row names the card section), "partly covered"
# (the row says what is missing) or "for the organisation" (only the organisation can
# answer it). Generic text never makes an item covered.

# %%
from earlysignal.card import compliance, known_fraction
from earlysignal.card.standards import COVERED, FOR_ORGANISATION, PARTLY

status = compliance(card)
print(f"share of all items the card covers in full: {known_fraction(card):.0%}")
pl.DataFrame(
    [
        {
            "standard": name,
            "items": len(rows),
            "covered": sum(r["status"] == COVERED for r in rows),
            "partly": sum(r["status"] == PARTLY for r in rows),
            "for the organisation": sum(r["status"] == FOR_ORGANISATION for r in rows),
        }
        for name, rows in status.items()
    ]
)

# %%
tripod = pl.DataFrame(status["tripod_ai"])
print(
    "TRIPOD+AI items covered by this run:",
    ", ".join(tripod.filter(pl.col("status") == COVERED)["item"]),
)
tripod.filter(pl.col("status") != COVERED).select("item", "topic", "status", "note")

# %%
pl.DataFrame(status["eu_ai_act"]).select("item", "topic", "section", "status", "note")

# %%
pl.DataFrame(status["iama"]).select("item", "topic", "section", "status")

# %% [markdown]
# ## 8. What the study team still has to write
#
# Every value the run cannot know is an explicit marker in the card data, never left out
# and never invented: `{"status": "to be completed by the study team"}` for what only
# people can decide (owners, legal basis, ethical approval, objection route, review date,
# ...) and `{"status": "not measured by this run", "reason": ...}` for a quantity the run
# did not measure. The cell walks the card and lists both.

# %%
from earlysignal.card import NOT_MEASURED, TO_BE_COMPLETED


def markers(value: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    if isinstance(value, dict) and "status" in value and set(value) <= {"status", "reason"}:
        yield path, value["status"], value.get("reason", "")
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "compliance":
                yield from markers(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from markers(item, f"{path}[{i}]")


open_fields = pl.DataFrame(list(markers(card)), schema=["field", "status", "reason"], orient="row")
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

# %% [markdown]
# The team fills the human-written fields in the config's `[card]` table (`owners`,
# `contact`, `legal_basis`, `objection_route`, `review_date`, `ethical_considerations`,
# `funding`, `lived_experience_involvement`, ...) and re-runs the study; the rest (ethical
# approval, the fundamental-rights impact assessment, the AI Act risk category) is
# decided and documented outside the library and recorded on the card by the team.
#
# A card can be re-rendered from the run alone, without recomputing anything
# (`earlysignal card RUN_ID` on the command line): it says exactly what the run measured.

# %%
from earlysignal.experiment import render_card_from_run

again = render_card_from_run(
    result.run_id, tracking_uri=TRACKING_URI, output_dir=OUT / "rerendered"
)
same = (again / "model_card.md").read_text(encoding="utf-8") == (
    result.card_dir / "model_card.md"
).read_text(encoding="utf-8")
print("re-rendered from the run:", sorted(p.name for p in again.iterdir()))
print("same Markdown as the card written by the run:", same)

# %% [markdown]
# ### The same card in Dutch
#
# Ethics committees of Dutch municipalities, caseworkers and people with lived experience
# read Dutch. The same run renders in Dutch (`earlysignal card RUN_ID --lang nl`, or
# `[card] language = "nl"` in the config): the texts come from the translation layer
# (`docs/i18n.md`), numbers are written the Dutch way (`0,27`, `27 %`), and the figures are
# the same numbers. Below, the summary section in both languages.

# %%
dutch = render_card_from_run(
    result.run_id, tracking_uri=TRACKING_URI, output_dir=OUT / "nederlands", lang="nl"
)
dutch_md = (dutch / "model_card.md").read_text(encoding="utf-8")
english_md = (result.card_dir / "model_card.md").read_text(encoding="utf-8")


def first_section(text: str) -> str:
    return re.split(r"(?m)^(?=## )", text)[1]


display(Markdown(first_section(english_md)))
display(Markdown(first_section(dutch_md)))

# %% [markdown]
# ## What an ethics board should take from this
#
# - Read **Intended use** and **Out-of-scope use** first: the card says what the score may
#   and may not be used for, in the study team's words.
# - **Performance** and **Calibration** come with intervals, next to simple baselines and,
#   on simulated data, the true risk; "better" is claimed only when an interval says so.
# - **Subgroup results** are published under disclosure control: a hidden cell is marked,
#   never dropped (see notebook 04, and the caveat in section 6 about this version).
# - Every item still **to be completed by the study team** is a question for the team,
#   not a gap the library papers over. A card with open items is not ready for use.
# - This run is on simulated data: it shows what the method can do and how it is
#   reported, not how any model performs on an agency's records.
