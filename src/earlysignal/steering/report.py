"""The steering report: published tables, figures, HTML and Markdown, and ``earlysignal steer``.

:func:`build_report` turns a :class:`~earlysignal.steering.compare.SteeringResult` into
published data only (:mod:`earlysignal.steering.publish`: disclosure control and pseudonyms);
:func:`write_report` renders it with the templates in ``steering/templates`` (texts for
readers live there, marked for translation with ``{% trans %}``); :func:`run_steer_cli` is the
command.

Examples
--------
>>> from earlysignal.synth import simulate
>>> sim = simulate(1500, years=4, seed=3)
>>> from earlysignal.steering.compare import compare_units
>>> res = compare_units(sim.history, SteeringSpec(by="provider", folds=3), draws=200)
>>> rep = build_report(res, history=sim.history, key=b"k")
>>> sorted(rep["outcomes"])
['moves', 'unplanned']
>>> any("V0" in row["label"] for row in rep["outcomes"]["unplanned"]["rows"])
False
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.disclosure import DisclosurePolicy, protect
from earlysignal.ledger import current_ledger
from earlysignal.steering.compare import SteeringResult
from earlysignal.steering.costs import Tariffs, costs_avoided
from earlysignal.steering.publish import (
    PREFIX,
    ledger_table,
    new_key,
    protect_comparison,
    pseudonyms,
    with_members,
)
from earlysignal.steering.spec import OUTCOMES, SteeringError, SteeringSpec
from earlysignal.steering.units import EVENT_COUNTS, unit_members

__all__ = ["build_report", "render_report", "run_steer_cli", "write_report"]

LANGUAGES = ("en", "nl")
FLAGS = ("above", "warning_above", "within", "warning_below", "below")


def _measures(
    res: SteeringResult, labels: Mapping[str, str], pol: DisclosurePolicy
) -> pl.DataFrame:
    """The units' measures as published: every event count beside its children.

    An event count (``breakdown``, ``moves``, ...) counts placements with the event; it is
    ``tied`` to ``children_<event>``, the distinct children who had it, which decides its
    suppression (hidden, both of them, when fewer than ``pol.min_count`` children had the
    event; complementary suppression hides them together) and keys it in the publication
    ledger. Both are rounded to ``pol.rounding``.
    """
    m = res.measures.filter(pl.col("children") >= res.spec.min_children)
    events = list(EVENT_COUNTS)
    kids = [f"children_{e}" for e in events]
    counts = ["children", *(c for pair in zip(events, kids, strict=True) for c in pair)]
    frame, members = with_members(  # the publication ledger's ids, when one is in use
        m.select("unit", *counts, "moves_per_1000_days"),
        unit_members(res.placements, events),
        {"children": "_m_children", **{f"children_{e}": f"_m_{e}" for e in events}},
    )
    prot = protect(
        frame,
        count_cols=counts,
        by=["unit"],
        rate_cols=["moves_per_1000_days"],
        rate_support={"moves_per_1000_days": ["children_moves"]},
        tied={e: f"children_{e}" for e in events},
        policy=pol,
        members=members or None,
        table=ledger_table(res.spec.by, "measures"),
    )
    return (
        prot.with_columns(
            pl.col("unit").replace_strict(dict(labels)).alias("label"),
            pl.col("moves_per_1000_days").round(1),
            # placement days are not children; published in hundreds
            ((m["placement_days"] / 100).round(0).cast(pl.Int64) * 100).alias("placement_days"),
        )
        .select("label", *counts, "placement_days", "moves_per_1000_days", "suppressed")
        .sort("label")
    )


def _fig(fig: Any, path: Path) -> str:
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path.name


def build_report(
    res: SteeringResult,
    *,
    history: CareHistory,
    names: Mapping[str, str] | None = None,
    key: bytes | None = None,
    tariffs: Tariffs | None = None,
    policy: DisclosurePolicy | None = None,
    model_run: str | None = None,
) -> dict[str, Any]:
    """Published data of the report (JSON-ready; no unit id, no row, no count under 10).

    Parameters
    ----------
    res
        The raw comparison.
    history
        The history it was made from (for the indicators over time).
    names
        Unit id -> readable name (the user's name table); else pseudonyms for providers
        (regions and municipalities are public bodies and keep their names).
    key
        Key of the pseudonyms (stable across reports); a random one when ``None``.
    tariffs
        The user's tariffs (the costs section is left out without them).
    policy
        Disclosure policy.
    model_run
        A trained model run given instead of the case-mix model (recorded with its caveat).

    With a publication ledger in use (:func:`earlysignal.ledger.use_ledger`; ``earlysignal
    steer`` keeps one beside the report folder), every count table (the units' measures, each
    outcome's comparison, the indicators) is published through it (``docs/disclosure.md``).
    """
    from earlysignal.indicators.report import stability_indicators

    pol = policy or DisclosurePolicy()
    spec = res.spec
    units = sorted(set(res.measures["unit"].to_list()))
    if names:
        missing = [u for u in units if u not in names]
        labels = {u: str(names[u]) for u in units if u in names}
        labels |= pseudonyms(missing, key or new_key(), PREFIX[spec.by])
        naming = {"kind": "names", "unnamed": len(missing)}
    elif spec.by != "provider":  # regions and municipalities are public bodies: their names
        labels = {u: u for u in units}
        naming = {"kind": "public"}
    else:
        labels = pseudonyms(units, key or new_key(), PREFIX[spec.by])
        naming = {"kind": "pseudonyms", "stable": key is not None}
    outcomes: dict[str, Any] = {}
    for outcome, comp in res.comparisons.items():
        description = OUTCOMES.get(outcome, res.case_mix.get("label", outcome))
        if comp.height == 0:
            outcomes[outcome] = {
                "description": description,
                "rows": [],
                "units": 0,
                "hidden": 0,
                "flags": dict.fromkeys(FLAGS, 0),
                "phi": None,
                "tau2": None,
                "overdispersion_applied": False,
                "prior_sd": None,
                "too_small": res.excluded.get(f"units_too_small_{outcome}", 0),
            }
            continue
        pub = protect_comparison(
            comp,
            labels,
            policy=pol,
            members=res.members.get(outcome),
            # a model's outcome is named by its label (two models' outcomes are not one table)
            table_name=ledger_table(spec.by, str(res.case_mix.get("label") or outcome)),
        )
        outcomes[outcome] = {
            "description": description,
            "rows": pub.to_dicts(),
            "units": pub.height,
            "hidden": int(pub["ratio"].null_count()),
            "flags": {f: int((pub["flag"] == f).sum()) for f in FLAGS},
            "phi": round(float(comp["phi"][0]), 2),
            "tau2": round(float(comp["tau2"][0]), 3),
            "overdispersion_applied": bool(comp["overdispersion_applied"][0]),
            "prior_sd": round(float(comp["prior_shape"][0]) ** -0.5, 2),
            "too_small": res.excluded.get(f"units_too_small_{outcome}", 0),
        }
    if spec.within is None:
        ind = stability_indicators(history, protected=True, policy=pol)
    else:  # the region's own indicators (its children), not the whole folder's
        col, value = spec.within
        ind = (
            stability_indicators(history, by=[col], protected=True, policy=pol)
            .filter((pl.col("group") == col) & (pl.col("group_value") == value))
            .with_columns(
                pl.lit("all").alias("group"), pl.lit(None, pl.String).alias("group_value")
            )
        )
    by_unit = None
    if spec.by in ("region", "municipality"):
        t = stability_indicators(history, by=[UNIT_COLUMN[spec.by]], protected=True, policy=pol)
        t = t.filter(pl.col("group") == UNIT_COLUMN[spec.by])
        by_unit = (
            t.with_columns(
                pl.col("group_value").replace_strict(labels, default="(other)").alias("label")
            )
            .filter(pl.col("unit") == "share")
            .select("year_end", "label", "indicator", "value")
            .with_columns(pl.col("year_end").cast(pl.String))
            .to_dicts()
        )
    cost = None
    if tariffs is not None and res.comparisons.get("moves", pl.DataFrame()).height:
        est = costs_avoided(
            res.placements.filter(pl.col("unit").is_not_null()),
            res.comparisons["moves"],
            res.draws["moves"],
            tariffs,
            period_years=spec.years,
            seed=spec.seed,
        )
        cost = {
            k: (round(v, -1) if isinstance(v, float) and k.startswith("cost") else v)
            for k, v in est.to_dict().items()
        }
        cost = {
            k: (round(v, 0) if isinstance(v, float) and k.startswith("moves") else v)
            for k, v in cost.items()
        }
        for k in ("valued", "without_tariff"):  # counts of moves, decided by their children
            n_kids = cost.pop(f"children_{k}")
            moves, kids = _count_with_children(
                int(cost[f"moves_{k}"]), None if n_kids is None else int(n_kids), pol
            )
            cost[f"moves_{k}"], cost[f"children_{k}"] = moves, kids
    return {
        "by": spec.by,
        "within": None
        if spec.within is None
        else {"column": spec.within[0], "value": spec.within[1]},
        "period_start": res.period_start.isoformat(),
        "period_end": res.period_end.isoformat(),
        "years": spec.years,
        "min_children": spec.min_children,
        "naming": naming,
        "case_mix": _published_case_mix(res.case_mix, model_run),
        "excluded": _published_excluded(res, pol),
        "units_total": len(units),
        "placements_per_unit": _placements_per_unit(res, len(units), pol),
        "units_without_placements": len(res.units_without_placements),
        "measures": _measures(res, labels, pol).to_dicts(),
        "outcomes": outcomes,
        "indicators": ind.filter(pl.col("group") == "all")
        .select("year_end", "indicator", "unit", "value")
        .with_columns(pl.col("year_end").cast(pl.String))
        .to_dicts(),
        "indicators_by_unit": by_unit,
        "costs": cost,
        "_indicator_table": ind,
    }


def _published_case_mix(case_mix: Mapping[str, Any], model_run: str | None) -> dict[str, Any]:
    """How the expected counts were made, with counts of placements rounded to 5."""
    from earlysignal.disclosure import round_count

    out = {**case_mix, "model_run": model_run}
    if out.get("placements_labelled") is not None:
        out["placements_labelled"] = round_count(int(out["placements_labelled"]))
    return out


def _placements_per_unit(res: SteeringResult, units: int, pol: DisclosurePolicy) -> float | None:
    """Mean placements starting in the period per unit (says why small units dominate).

    Computed from the placements with a unit rounded to ``pol.rounding``, so the mean tells
    nothing the rounded counts do not.
    """
    from earlysignal.disclosure import round_count

    placed = res.excluded["placements_in_period"] - res.excluded["placements_without_unit"]
    return round(round_count(placed, pol.rounding) / units, 1) if units else None


def _count_of_rows(n: int, pol: DisclosurePolicy) -> int | None:
    """A count of rows without children to tie it to: rounded, hidden (None) under the minimum."""
    from earlysignal.disclosure import round_count

    return None if n < pol.min_count else round_count(n, pol.rounding)


def _count_with_children(
    n: int, children: int | None, pol: DisclosurePolicy
) -> tuple[int | None, int | None]:
    """A count of rows (placements, moves) published with the distinct children behind it.

    The children decide: both ``None`` when fewer than ``pol.min_count`` children are behind
    the rows, else both rounded to ``pol.rounding``. Without a children count the rows are
    published as a count of rows (:func:`_count_of_rows`) and the children as ``None``.

    Examples
    --------
    >>> _count_with_children(12, 3, DisclosurePolicy())
    (None, None)
    >>> _count_with_children(48, 12, DisclosurePolicy())
    (50, 10)
    """
    if children is None:
        return _count_of_rows(n, pol), None
    if children < pol.min_count:
        return None, None
    return _count_of_rows(n, pol), _count_of_rows(children, pol)


def _published_excluded(res: SteeringResult, pol: DisclosurePolicy) -> dict[str, int | None]:
    """The counts of what was left out, published like every other count.

    A count of placements (``placements_*``, ``model_placements_*``) is published beside the
    number of distinct children whose placements it counts (``children_*``,
    ``model_children_*``): the children decide suppression (under ``pol.min_count``: both
    ``None``), both are rounded to ``pol.rounding`` (:func:`earlysignal.disclosure.protect`,
    the placements ``tied`` to the children; through the publication ledger when one is in
    use). Counts of units (``units_too_small_*``) are not about children and stay exact.
    """
    out: dict[str, int | None] = {}
    for key, n in res.excluded.items():
        if key.startswith("units_"):
            out[key] = int(n)
            continue
        kids = res.excluded_children.get(key)
        if kids is None:  # no children known (a result made by hand): a count of rows
            out[key] = _count_of_rows(int(n), pol)
            continue
        frame = pl.DataFrame({"children": [len(kids)], "placements": [int(n)]})
        members = None
        if current_ledger() is not None:
            frame = frame.with_columns(pl.Series("_m_children", [kids], dtype=pl.List(pl.String)))
            members = {"children": "_m_children"}
        prot = protect(
            frame,
            count_cols=["children", "placements"],
            tied={"placements": "children"},
            policy=pol,
            members=members,
            table=ledger_table(res.spec.by, f"excluded.{key}"),
        )
        out[key] = prot["placements"][0]
        out[key.replace("placements_", "children_", 1)] = prot["children"][0]
    return out


UNIT_COLUMN = {"region": "region", "municipality": "municipality", "provider": "provider_id"}


def render_report(report: Mapping[str, Any], *, lang: str = "en", fmt: str = "html") -> str:
    """Render published report data as HTML (figures embedded) or Markdown in ``lang``.

    Texts come from the templates in ``steering/templates`` through the translation layer
    (:func:`earlysignal.i18n.jinja_env`: the language's gettext catalogue and number formats).
    """
    import jinja2

    from earlysignal.i18n import jinja_env
    from earlysignal.indicators.document import indicator_label

    env = jinja_env(
        lang,
        loader=jinja2.PackageLoader("earlysignal.steering", "templates"),
        autoescape=fmt == "html",
    )
    ctx = {k: v for k, v in report.items() if not k.startswith("_")}
    ctx["images"] = report.get("_images", {})
    ctx["indicator_label"] = functools.partial(indicator_label, lang=lang)
    for k in ("period_start", "period_end"):
        ctx[k] = date.fromisoformat(str(report[k]))
    if isinstance(ctx.get("case_mix", {}).get("train_end"), str):  # a trained model's
        ctx["case_mix"] = {
            **ctx["case_mix"],
            "train_end": date.fromisoformat(ctx["case_mix"]["train_end"]),
        }
    name = "steering.html.j2" if fmt == "html" else "steering.md.j2"
    return str(env.get_template(name).render(**ctx))


def _outcome_names(lang: str) -> Any:
    """The report's own outcome names (its ``outcome_name`` macro) in ``lang``."""
    import jinja2

    from earlysignal.i18n import jinja_env

    env = jinja_env(lang, loader=jinja2.PackageLoader("earlysignal.steering", "templates"))
    macros = env.get_template("_macros.j2").module
    return lambda outcome: " ".join(str(macros.outcome_name(outcome)).split())  # type: ignore[attr-defined]


def write_report(report: dict[str, Any], out: str | Path, *, lang: str = "en") -> dict[str, Path]:
    """Write figures, ``steering.html``, ``steering.md`` and ``steering.json`` into ``out``."""
    from earlysignal.indicators.plots import plot_indicators_over_time
    from earlysignal.steering.plots import plot_funnel, plot_shrunken

    if lang not in LANGUAGES:
        raise SteeringError(f"[steer.lang] unknown language {lang!r}; choose one of {LANGUAGES}")
    report["lang"] = lang
    folder = Path(out)
    figs = folder / "figures"
    files: dict[str, str] = {}
    names = _outcome_names(lang)  # the figures' titles, in the report's language
    for outcome, o in report["outcomes"].items():
        if not o["rows"]:
            continue
        t = pl.DataFrame(o["rows"], infer_schema_length=None)
        title = names(outcome)
        files[f"funnel_{outcome}"] = _fig(
            plot_funnel(
                t, phi=o["phi"], applied=o["overdispersion_applied"], title=title, lang=lang
            ),
            figs / f"funnel_{outcome}.png",
        )
        files[f"shrunken_{outcome}"] = _fig(
            plot_shrunken(t, title=title, lang=lang), figs / f"shrunken_{outcome}.png"
        )
    ind = report["_indicator_table"]
    if ind.height:
        files["indicators"] = _fig(
            plot_indicators_over_time(ind, lang=lang), figs / "indicators.png"
        )
    report["figures"] = files
    report["_images"] = {
        k: base64.b64encode((figs / v).read_bytes()).decode("ascii") for k, v in files.items()
    }
    paths = {
        "html": folder / "steering.html",
        "md": folder / "steering.md",
        "json": folder / "steering.json",
    }
    paths["html"].write_text(render_report(report, lang=lang, fmt="html"), encoding="utf-8")
    paths["md"].write_text(render_report(report, lang=lang, fmt="md"), encoding="utf-8")
    public = {k: v for k, v in report.items() if not k.startswith("_")}
    paths["json"].write_text(json.dumps(public, indent=2, default=str), encoding="utf-8")
    return paths


def run_steer_cli(  # noqa: PLR0917
    folder: Path,
    by: str,
    out: Path,
    tariffs: Path | None = None,
    model: str | None = None,
    lang: str = "en",
    names: Path | None = None,
    key_file: Path | None = None,
    years: int = 3,
    within: str | None = None,
    tracking_uri: str | None = None,
) -> int:
    """``earlysignal steer``: read, compare, protect, write.

    ``model`` (``--model``) is resolved as ``earlysignal score`` does (a run id, a
    ``models:/`` or ``runs:/`` URI, or a saved model folder; run ids and URIs at
    ``tracking_uri``): its outcome is then compared against its risks.

    Exit codes: 0 done, 1 the data cannot support the comparison, 2 unusable input.
    """
    import os

    import typer

    from earlysignal.steering.compare import compare_units
    from earlysignal.steering.costs import read_tariffs
    from earlysignal.steering.publish import read_names

    if not folder.is_dir():
        typer.echo(f"error: [steer.folder] {folder} is not a folder of canonical tables", err=True)
        return 2
    try:
        where = None
        if within is not None:
            col, sep, value = within.partition("=")
            if not sep or not col.strip() or not value.strip():
                raise SteeringError(
                    f"[steer.within] --within {within!r}: give COLUMN=VALUE, e.g. region=north"
                )
            where = (col.strip(), value.strip())
        spec = SteeringSpec(by=by, years=years, within=where)
        tar = read_tariffs(tariffs) if tariffs is not None else None
        name_table = read_names(names) if names is not None else None
        key = None
        if key_file is not None:
            key = key_file.read_bytes().strip()
        elif os.environ.get("EARLYSIGNAL_PSEUDONYM_KEY"):
            key = os.environ["EARLYSIGNAL_PSEUDONYM_KEY"].encode("utf-8")
        if lang not in LANGUAGES:
            raise SteeringError(f"[steer.lang] unknown language {lang!r}; choose from {LANGUAGES}")
        loaded = None
        if model is not None:
            from earlysignal.scoring.model_ref import ScoringError, load_scoring_model

            try:
                loaded = load_scoring_model(model, tracking_uri=tracking_uri)
            except ScoringError as exc:
                raise SteeringError(f"[steer.model] --model {model}: {exc}") from None
    except (SteeringError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    from earlysignal.data.validate import DataValidationError, UnusableInputError

    try:
        history = CareHistory.read(folder)
    except DataValidationError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 1
    except (UnusableInputError, FileNotFoundError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    from earlysignal.ledger import LedgerError, current_ledger, ledger_for, use_ledger

    # the publication ledger in use, else one beside the report folder (docs/disclosure.md)
    ledger = current_ledger() or ledger_for("auto", out.parent)
    try:
        with use_ledger(ledger):
            res = compare_units(history, spec, model=loaded)
            report = build_report(
                res, history=history, names=name_table, key=key, tariffs=tar, model_run=model
            )
        paths = write_report(report, out, lang=lang)
    except SteeringError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 1
    except LedgerError as exc:  # a damaged ledger folder: its own rule id and fix
        typer.echo(f"error: {exc}", err=True)
        return 2
    typer.echo(f"wrote {paths['html']} and {paths['md']} ({len(report['outcomes'])} outcomes)")
    if ledger is not None:
        typer.echo(f"publication ledger (private, never publish): {ledger.path}")
    for outcome, o in report["outcomes"].items():
        typer.echo(
            f"  {outcome}: {o['units']} units compared, {o['flags']['above']} above and "
            f"{o['flags']['below']} below the 99.8 % limits, {o['too_small']} too small to show"
        )
        if o["units"] == 0:
            typer.echo(
                f"  {outcome}: no unit has {spec.min_children} or more children placed in the "
                "period; the report shows the overall indicators only"
            )
    if res.units_without_placements:
        typer.echo(f"  {len(res.units_without_placements)} units had no placement in the period")
    return 0
