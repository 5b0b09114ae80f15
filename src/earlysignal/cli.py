"""The ``earlysignal`` command line (typer + rich).

Commands stay thin: each body imports what it needs from earlysignal (and any heavy library)
inside the function, so that ``earlysignal --help`` answers in well under a second. To add a
command, insert a decorated function in the "commands" section below::

    @app.command("mycommand")
    def mycommand(path: Annotated[Path, typer.Argument(help="...")]) -> None:
        \"\"\"One line shown in --help.\"\"\"
        from earlysignal.mymodule import run

        run(path)

Exit codes: 0 success, 1 the input is invalid or the job failed on its data, 2 unusable input
(missing folder, no recognisable tables, bad arguments).

Examples
--------
>>> from typer.testing import CliRunner
>>> CliRunner().invoke(app, ["--version"]).output.strip()
'earlysignal 0.1.0'
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["app", "main"]

app = typer.Typer(
    name="earlysignal",
    help=(
        "Early signals of placement breakdown and the placement carousel: validate care "
        "histories, build features, fit, evaluate and audit models, write model cards. "
        "A signal for support and research, never a decision about a family."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_INVALID = 1
EXIT_UNUSABLE = 2


def _version(value: bool) -> None:
    if value:
        from earlysignal import __version__

        typer.echo(f"earlysignal {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Early signals of placement breakdown and the carousel in youth protection."""


# ------------------------------------------------------------------------------------ commands
@app.command("validate")
def validate(  # noqa: PLR0917
    folder: Annotated[Path, typer.Argument(help="Canonical folder (Parquet or CSV + meta.json).")],
    repair: Annotated[
        bool, typer.Option("--repair", help="Apply the opt-in repairs (each one is reported).")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the (repaired) history as a Parquet canonical folder."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    observed_until: Annotated[
        str | None, typer.Option(help="Extraction date YYYY-MM-DD (overrides meta.json).")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Decode CSV files with this encoding, e.g. latin-1.")
    ] = None,
    max_rows: Annotated[int, typer.Option(help="Problems shown in the table.")] = 50,
) -> None:
    """Check a care-history folder against every validation rule (docs/validation.md)."""
    from earlysignal.data.io import load_history
    from earlysignal.data.partitions import is_partitioned
    from earlysignal.data.validate import UnusableInputError

    try:
        if is_partitioned(folder):  # partitions of children, one at a time (docs/scaling.md)
            if repair or out is not None or observed_until or encoding:
                raise ValueError(
                    f"{folder} is a partitioned folder: --repair, --out, --observed-until and "
                    "--encoding apply to canonical folders only; validate without them"
                )
            from earlysignal.data.partition_validate import validate_partitioned

            report = validate_partitioned(folder)
        else:
            history, report = load_history(
                folder, observed_until=observed_until, encoding=encoding, repair=repair
            )
    except (UnusableInputError, ValueError, LookupError) as exc:
        # LookupError: an unknown --encoding; ValueError: a bad --observed-until
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_UNUSABLE) from exc
    if as_json:
        typer.echo(report.to_json())
    else:
        _print_report(report, max_rows)
    if out is not None:
        if not report.ok:
            typer.echo(f"not writing {out}: the history still has errors", err=True)
        else:
            history.write(out)
            typer.echo(f"wrote {out}")
    raise typer.Exit(0 if report.ok else EXIT_INVALID)


def _print_report(report: object, max_rows: int) -> None:
    from rich.console import Console
    from rich.table import Table

    from earlysignal.data.validate import ValidationReport

    assert isinstance(report, ValidationReport)
    console = Console(soft_wrap=False)
    c = report.checked
    checked = (
        f"{c.get('children', 0)} children, {c.get('placements', 0)} placements, "
        f"{c.get('events', 0)} events, {c.get('statuses', 0)} statuses"
    )
    if report.problems.height:
        table = Table(title=f"Problems in {report.source}", show_lines=False)
        table.add_column("rule", no_wrap=True)
        for name in ("table", "row", "child", "column"):
            table.add_column(name, overflow="fold")
        table.add_column("value", overflow="fold", max_width=24)
        table.add_column("message", overflow="fold", ratio=1)
        for p in report.problems.head(max_rows).iter_rows(named=True):
            style = "red" if p["severity"] == "error" else "yellow"
            cells = [
                p["rule"],
                p["table"],
                p["row"],
                p["child_id"],
                p["column"],
                p["value"],
                p["message"],
            ]
            table.add_row(*("" if x is None else str(x) for x in cells), style=style)
        console.print(table)
        if report.problems.height > max_rows:
            console.print(f"... {report.problems.height - max_rows} more (use --json for all)")
        console.print(
            "E = error, W = warning. Rows are 1-based data-row numbers of the source file "
            "(header excluded). Fixes: docs/validation.md or --json."
        )
        counts = report.counts_by_rule()
        summary = Table(title="Problems per rule")
        for name in ("rule", "name", "severity", "table", "n"):
            summary.add_column(name)
        for r in counts.iter_rows():
            summary.add_row(*(str(x) for x in r))
        console.print(summary)
    if report.repairs.height:
        rep = Table(title="Repairs applied")
        for name in ("repair", "table", "action", "n"):
            rep.add_column(name)
        for r in report.repair_counts().iter_rows():
            rep.add_row(*(str(x) for x in r))
        console.print(rep)
    n_err, n_warn = report.errors.height, report.warnings.height
    if report.ok:
        console.print(f"[green]valid[/green]: checked {checked}; {n_warn} warning(s)")
    else:
        console.print(
            f"[red]invalid[/red]: {n_err} error(s), {n_warn} warning(s); checked {checked}"
        )


@app.command("import-ssda903")
def import_ssda903_cmd(  # noqa: PLR0917
    src: Annotated[Path, typer.Argument(help="Folder of SSDA903 yearly returns (CSV).")],
    out: Annotated[Path, typer.Option("--out", help="Canonical folder to write.")],
    observed_until: Annotated[
        str | None, typer.Option(help="Extraction date YYYY-MM-DD (default: last 31 March).")
    ] = None,
    year_label: Annotated[
        str, typer.Option(help="A return's year names the collection year's start, end or auto.")
    ] = "auto",
    repair: Annotated[
        bool, typer.Option("--repair", help="Exclude or repair bad rows (each one counted).")
    ] = False,
    two_digit_year_pivot: Annotated[
        int | None, typer.Option(help="Read dd/mm/yy dates: yy below this is 20yy, else 19yy.")
    ] = None,
    dfe_rules: Annotated[
        bool, typer.Option("--dfe-rules", help="Also run DfE's validator (isolated env).")
    ] = False,
) -> None:
    """Import SSDA903 returns into a validated canonical folder plus an import report."""
    from earlysignal.sources.ssda903_cli import run_import_cli

    raise typer.Exit(
        run_import_cli(
            src,
            out,
            observed_until,
            year_label,
            repair,
            two_digit_year_pivot=two_digit_year_pivot,
            dfe_rules=dfe_rules,
        )
    )


@app.command("import-cbs")
def import_cbs_cmd(
    src: Annotated[
        Path, typer.Argument(help="Folder of CBS JGDHULP/JGDBESCHERM/GBAPERSOON files.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Canonical folder to write.")],
    codes: Annotated[
        Path | None, typer.Option("--codes", help="Code-list TOML (default: docs/cbs.md).")
    ] = None,
    observed_until: Annotated[
        str | None, typer.Option(help="Extraction date YYYY-MM-DD (default: last 31 December).")
    ] = None,
    repair: Annotated[
        bool, typer.Option("--repair", help="Exclude or repair bad rows (each one counted).")
    ] = False,
) -> None:
    """Import CBS youth-care microdata (.sav or CSV) into a validated canonical folder."""
    from earlysignal.sources.cbs import run_import_cli as run_cbs

    raise typer.Exit(run_cbs(src, out, codes, observed_until, repair))


@app.command("import-ijw")
def import_ijw_cmd(  # noqa: PLR0917
    src: Annotated[Path, typer.Argument(help="Folder or zip of iJw 3.2 messages (XML).")],
    out: Annotated[Path, typer.Option("--out", help="Canonical folder to write.")],
    key_file: Annotated[
        Path | None, typer.Option("--key-file", help="HMAC key for child pseudonyms (required).")
    ] = None,
    xsd: Annotated[
        Path | None, typer.Option("--xsd", help="Folder of the official XSDs: validate too.")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="Mapping TOML (product codes, end reasons).")
    ] = None,
    observed_until: Annotated[
        str | None, typer.Option(help="Extraction date YYYY-MM-DD (default: latest message).")
    ] = None,
    repair: Annotated[
        bool, typer.Option("--repair", help="Exclude or repair bad messages (each one counted).")
    ] = False,
    workers: Annotated[int, typer.Option(help="Processes reading messages.")] = 1,
) -> None:
    """Import iJw 3.2 messages (JW301/JW305/JW307) into a validated canonical folder."""
    from earlysignal.sources.ijw import run_import_cli as run_ijw

    raise typer.Exit(
        run_ijw(
            src,
            out,
            xsd=xsd,
            mapping=mapping,
            key_file=key_file,
            observed_until=observed_until,
            repair=repair,
            workers=workers,
        )
    )


@app.command("indicators")
def indicators_cmd(  # noqa: PLR0917
    folder: Annotated[Path, typer.Argument(help="Canonical folder (e.g. from import-ssda903).")],
    by: Annotated[
        list[str] | None,
        typer.Option("--by", help="Group by a children column, age_group or setting (repeat)."),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the table as CSV.")] = None,
    plots: Annotated[Path | None, typer.Option("--plots", help="Write figures here.")] = None,
    raw: Annotated[
        bool, typer.Option("--raw", help="No disclosure control (data team only).")
    ] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write the indicator report (HTML, Markdown).")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Report language: en or nl.")] = "en",
) -> None:
    """Stability indicators by year (DfE measures, moves, doorverhuizen), disclosure-protected."""
    from earlysignal.indicators.report import run_indicators_cli

    raise typer.Exit(run_indicators_cli(folder, by or [], out, plots, raw, report, lang))


@app.command("steer")
def steer_cmd(  # noqa: PLR0917
    folder: Annotated[Path, typer.Argument(help="Canonical folder (e.g. from simulate).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the steering report.")],
    by: Annotated[str, typer.Option("--by", help="provider, region or municipality.")] = "provider",
    tariffs: Annotated[
        Path | None, typer.Option("--tariffs", help="Tariffs per placement day (TOML).")
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="Trained model: run id, models:/ URI or folder.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Report language: en or nl.")] = "en",
    names: Annotated[
        Path | None, typer.Option("--names", help="Name table CSV (unit,name); else pseudonyms.")
    ] = None,
    key_file: Annotated[
        Path | None, typer.Option("--key-file", help="Key of the stable pseudonyms.")
    ] = None,
    years: Annotated[int, typer.Option("--years", help="Period length (years).")] = 3,
    within: Annotated[
        str | None, typer.Option("--within", help="One region's report: COLUMN=VALUE.")
    ] = None,
    tracking_uri: Annotated[
        str | None, typer.Option("--tracking-uri", help="MLflow store of --model.")
    ] = None,
) -> None:
    """Compare providers or regions fairly: case mix, funnel plots, shrinkage (a report)."""
    from earlysignal.steering.report import run_steer_cli

    raise typer.Exit(
        run_steer_cli(
            folder, by, out, tariffs, model, lang, names, key_file, years, within, tracking_uri
        )
    )


@app.command("personas")
def personas_cmd(  # noqa: PLR0917
    folder: Annotated[Path, typer.Argument(help="Canonical folder (simulated or imported).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for personas.html and .json.")],
    window: Annotated[int, typer.Option("--window", help="Months from first entry.")] = 36,
    k: Annotated[str, typer.Option("--k", help="Number of personas, or auto.")] = "auto",
    lang: Annotated[str, typer.Option("--lang", help="Report language: en or nl.")] = "en",
    distance: Annotated[str, typer.Option("--distance", help="om, hamming, dhd or lcs.")] = "om",
) -> None:
    """Typical care pathways (personas) by sequence analysis, described in a protected report."""
    from earlysignal.personas.command import run_personas_cli

    raise typer.Exit(
        run_personas_cli(folder, out, window=window, k=k, lang=lang, distance=distance)
    )


# ------------------------------------------------------------ experiments: run, demo, card
@app.command("simulate")
def simulate_cmd(  # noqa: PLR0917
    out: Annotated[Path, typer.Option("--out", help="Canonical folder to write (plus truth/).")],
    children: Annotated[int, typer.Option("--children", help="Children with care.")] = 20_000,
    years: Annotated[int, typer.Option("--years", help="Length of the period in years.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Seed: same seed, same bytes.")] = 0,
    report: Annotated[
        bool, typer.Option("--report", help="Print the calibration table against its bands.")
    ] = False,
    scenario: Annotated[
        str | None,
        typer.Option("--scenario", help="Bias scenario: recording_bias or label_bias."),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="canonical (folder + truth/), ijw (iJw messages) or cbs (yearly .sav files).",
        ),
    ] = "canonical",
    population: Annotated[
        str, typer.Option("--population", help="placed, or at_home (children at home, issue 20).")
    ] = "placed",
    provider_size: Annotated[
        int | None,
        typer.Option("--provider-size", help="Simulated children per provider (default 25)."),
    ] = None,
    partition_size: Annotated[
        int | None,
        typer.Option(
            "--partition-size",
            help="Simulate in blocks and write partitions of this many children (bounded memory).",
        ),
    ] = None,
) -> None:
    """Simulate care histories with ground truth (earlysignal.synth) into a canonical folder."""
    if partition_size is not None:
        from earlysignal.synth.command import run_simulate_partitioned

        if provider_size is not None or fmt != "canonical" or population != "placed":
            typer.echo(
                "error: --partition-size simulates the default placed cohort into canonical "
                "partitions; it cannot be combined with --provider-size, --format or "
                "--population (leave those out, or simulate without --partition-size)",
                err=True,
            )
            raise typer.Exit(2)

        raise typer.Exit(
            run_simulate_partitioned(children, years, seed, out, partition_size, scenario=scenario)
        )
    if fmt == "cbs":
        from earlysignal.experiment.cbs_archive import run_simulate_cbs

        raise typer.Exit(run_simulate_cbs(children, years, seed, out, scenario=scenario))
    if fmt != "canonical":
        from earlysignal.experiment.archives import simulate_archive

        raise typer.Exit(simulate_archive(fmt, children, years, seed, out, scenario=scenario))
    from earlysignal.synth.command import run_simulate

    raise typer.Exit(
        run_simulate(
            children,
            years,
            seed,
            out,
            report=report,
            scenario=scenario,
            population=population,
            provider_size=provider_size,
        )
    )


@app.command("run")
def run(
    config: Annotated[
        Path, typer.Argument(help="Experiment config (TOML), e.g. experiments/breakdown_180d.toml.")
    ],
    tracking_uri: Annotated[
        str | None,
        typer.Option(
            help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI or sqlite:///mlruns.db)."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the model card (default: the config's)."),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang", help="Language of the model card: nl or en (default: the config's)."
        ),
    ] = None,
) -> None:
    """Run a whole study from a config: fit, calibrate, evaluate, explain, audit, model card."""
    from earlysignal.experiment.cli import run_command

    raise typer.Exit(run_command(config, tracking_uri=tracking_uri, output_dir=out, lang=lang))


@app.command("demo")
def demo(
    children: Annotated[int, typer.Option(help="Simulated children.")] = 20_000,
    years: Annotated[int, typer.Option(help="Simulated years.")] = 10,
    tracking_uri: Annotated[
        str | None,
        typer.Option(
            help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI or sqlite:///mlruns.db)."
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Folder for the model card.")] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="Language of the model card: nl or en.")
    ] = "en",
) -> None:
    """Simulate the default cohort and run the default 180-day breakdown study end to end."""
    from earlysignal.experiment.cli import demo_command

    raise typer.Exit(
        demo_command(
            children=children, years=years, tracking_uri=tracking_uri, output_dir=out, lang=lang
        )
    )


@app.command("card")
def card(  # noqa: PLR0917
    run_id: Annotated[str, typer.Argument(help="MLflow run id of a finished run.")],
    tracking_uri: Annotated[
        str | None,
        typer.Option(
            help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI or sqlite:///mlruns.db)."
        ),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for the card.")] = Path(
        "earlysignal-output"
    ),
    algoritmeregister: Annotated[
        Path | None,
        typer.Option(help="Write the Dutch Algoritmeregister fields here (JSON, plus .csv)."),
    ] = None,
    iama: Annotated[
        Path | None, typer.Option(help="Write the IAMA questions and answers (Markdown + .json).")
    ] = None,
    review_pack: Annotated[
        Path | None,
        typer.Option(help="Write a review pack for people with lived experience to this folder."),
    ] = None,
    reviews: Annotated[
        Path | None,
        typer.Option(help="Take reviewers' answers (TOML or Markdown) into the card."),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Language of the model card: nl or en (default: the run's)."),
    ] = None,
) -> None:
    """Re-render a run's model card (Markdown, HTML, JSON) from its logged card data."""
    from earlysignal.experiment.cli import card_command

    exports = {"algoritmeregister": algoritmeregister, "iama": iama,
               "review_pack": review_pack, "reviews": reviews}  # fmt: skip
    raise typer.Exit(
        card_command(run_id, tracking_uri=tracking_uri, output_dir=out, exports=exports, lang=lang)
    )


@app.command("sweep")
def sweep_cmd(  # noqa: PLR0917
    config: Annotated[Path, typer.Argument(help="Experiment config (TOML) or a shipped name.")],
    seeds: Annotated[str, typer.Option("--seeds", help="Seeds, comma-separated: 1,2,3.")],
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="section.key=value[,value...]; repeat for a grid."),
    ] = None,
    backend: Annotated[
        str | None, typer.Option(help="joblib, dask or ray (default: the config's compute).")
    ] = None,
    address: Annotated[str | None, typer.Option(help="Dask scheduler or Ray address.")] = None,
    n_jobs: Annotated[int | None, typer.Option("--n-jobs", help="Studies at once.")] = None,
    tracking_uri: Annotated[str | None, typer.Option(help="MLflow tracking URI.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Folder for the cards.")] = None,
) -> None:
    """Run a grid of studies (seeds x --set values), one MLflow run each under a parent run."""
    from earlysignal.experiment.sweep import sweep_command

    raise typer.Exit(
        sweep_command(config, seeds=seeds, sets=set_ or [], backend=backend, address=address,
                      n_jobs=n_jobs, tracking_uri=tracking_uri, output_dir=out)
    )  # fmt: skip


# ----------------------------------------------------------------- from study to signal
@app.command("score")
def score_cmd(  # noqa: PLR0917
    model: Annotated[str, typer.Argument(help="Run id, models:/NAME/VERSION URI or model folder.")],
    data: Annotated[
        Path, typer.Argument(help="Canonical (or partitioned) folder of today's care histories.")
    ],
    as_of: Annotated[str, typer.Option("--as-of", help="Scoring date YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option("--out", help="New folder for table, sheets, overview.")],
    override: Annotated[
        str | None,
        typer.Option("--override", help="Reason to use the model outside its card's scope."),
    ] = None,
    tracking_uri: Annotated[str | None, typer.Option(help="MLflow tracking URI.")] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Sheets and overview in nl or en (default: the card's)."),
    ] = None,
) -> None:
    """Score the children in placement on a date: ranked risks, signal sheets, overview."""
    from datetime import date

    from earlysignal.scoring.command import score_command

    try:
        day = date.fromisoformat(as_of)
    except ValueError:
        typer.echo(f"error: --as-of {as_of!r} is not a date YYYY-MM-DD", err=True)
        raise typer.Exit(EXIT_UNUSABLE) from None
    raise typer.Exit(score_command(model, data, day, out, override, tracking_uri, lang))


@app.command("monitor")
def monitor_cmd(  # noqa: PLR0917
    model: Annotated[str, typer.Argument(help="Run id, models:/NAME/VERSION URI or model folder.")],
    data: Annotated[Path, typer.Argument(help="Canonical folder of a new extraction.")],
    out: Annotated[Path | None, typer.Option("--out", help="New folder for the report.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="First prediction time (default: after training).")
    ] = None,
    tracking_uri: Annotated[str | None, typer.Option(help="MLflow tracking URI.")] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Report in nl or en (default: the card's).")
    ] = None,
) -> None:
    """Drift, calibration on matured outcomes and stop rules; exit 1 when a rule is breached."""
    from datetime import date

    from earlysignal.scoring.command import monitor_command

    day = date.fromisoformat(since) if since else None
    raise typer.Exit(monitor_command(model, data, out, day, tracking_uri, lang))


# ------------------------------------------------------------------------------------ entry
def main() -> None:
    """Console-script entry point (``earlysignal``)."""
    app()
