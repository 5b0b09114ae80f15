"""Render card data to Markdown, one self-contained HTML file and JSON; validate; write atomically.

The card data (a JSON-ready dict following ``schema/model_card.schema.json``) is the single
source. :func:`earlysignal.card.blocks.card_blocks` turns it into neutral blocks (text,
key-value rows, lists, tables, figures) section by section, with every reader text from
``templates/texts.j2`` (:mod:`earlysignal.card.texts`), and two small jinja2 templates
(package data) print the blocks as Markdown or HTML, so both formats always say the same thing.
Values the run cannot know are shown as their marker, e.g. "to be completed by the study team",
never filled in.

Examples
--------
>>> card = new_card(run_id="abc123", experiment="demo", run_name="demo",
...                 outcome="breakdown", horizon_days=180)
>>> validate_card(card)
>>> md = render_markdown(card)
>>> "## Subgroup results" in md and "to be completed by the study team" in md
True
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from earlysignal.card.blocks import card_blocks
from earlysignal.card.board import plain_summary
from earlysignal.card.figures import card_figure_pngs, draw_card_figures
from earlysignal.card.standards import (
    COVERED,
    NOT_MEASURED,
    TO_BE_COMPLETED,
    compliance,
    unknown,
)
from earlysignal.card.texts import Block, _texts, card_items, card_language, card_text
from earlysignal.card.translations import localized_card
from earlysignal.i18n import N_, check_language

__all__ = [
    "CARD_FILES",
    "Block",
    "CardValidationError",
    "card_blocks",
    "card_items",
    "card_schema",
    "card_text",
    "new_card",
    "render_html",
    "render_markdown",
    "schema_markdown",
    "validate_card",
    "write_card",
]

CARD_FILES: tuple[str, ...] = ("model_card.md", "model_card.html", "model_card.json")
"""The files :func:`write_card` writes (plus ``figures/*.png``)."""

OUTCOME_DEFINITIONS: dict[str, str] = {
    "breakdown": N_(
        "The placement in effect at the prediction time ends unplanned within the horizon, as "
        "the breakdown definition below says (default child_side: the carer or the child asks "
        "to end it; any_unplanned adds endings on the provider's side: allegation, standards "
        "of care, approval removed, closure)."
    ),
    "carousel": N_(
        "At least {k} moves (starts of non-temporary placements that are not the first of a "
        "care episode) within the horizon; temporary and respite moves are not counted."
    ),
    "return_home": N_(
        "A placement of the child ends with end reason 'return_home' within the horizon."
    ),
    "reentry": N_(
        "For a child out of care after a return home: a new care episode starts within the horizon."
    ),
    "entry": N_(
        "For a child at home under a measure or in youth care, never placed before: a first "
        "out-of-home placement starts within the horizon."
    ),
    "stable_return": N_(
        "For a child in care: the care episode ends with a return home within the horizon and "
        "no new episode starts within 365 days after it."
    ),
}
"""Plain-language outcome definitions (the contract is ``docs/architecture.md``)."""

COMPETING_EVENTS: dict[str, str] = {
    "breakdown": N_(
        "The placement ending for any other reason first (planned move, return home, "
        "permanence, turning 18, transfer; under child_side also a provider-side ending) is a "
        "competing event: label 0, not censored."
    ),
    "carousel": N_(
        "Leaving care (return home, permanence, turning 18) before the second move is a "
        "competing event: label 0 when the whole horizon is observed."
    ),
    "return_home": N_(
        "Permanence or turning 18 before returning home are competing events (label 0)."
    ),
    "reentry": N_("Turning 18 before re-entering is a competing event (label 0)."),
    "entry": N_("Turning 18 before a placement is a competing event (label 0)."),
    "stable_return": N_(
        "The episode ending otherwise (permanence, turning 18) is a competing event (label 0); "
        "a return followed by re-entry within 365 days is a 0; rows need 365 days observed "
        "after the horizon."
    ),
}


class CardValidationError(ValueError):
    """Card data that does not follow the published JSON Schema (names the field and rule)."""


@cache
def card_schema() -> dict[str, Any]:
    """The published JSON Schema of the card data (package data).

    Examples
    --------
    >>> card_schema()["title"]
    'earlysignal model card data'
    """
    ref = resources.files("earlysignal.card") / "schema" / "model_card.schema.json"
    result: dict[str, Any] = json.loads(ref.read_text(encoding="utf-8"))
    return result


def validate_card(card: dict[str, Any]) -> None:
    """Check card data against the JSON Schema; raise :class:`CardValidationError` if not.

    Examples
    --------
    >>> try:
    ...     validate_card({"schema_version": "1.0"})
    ... except CardValidationError as err:
    ...     print(str(err).splitlines()[0][:40])
    card data does not follow model_card.sch
    """
    import jsonschema

    validator = jsonschema.Draft202012Validator(card_schema())
    errors = sorted(validator.iter_errors(card), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [
            f"  - at {'/'.join(str(p) for p in e.absolute_path) or '(top level)'}: {e.message}"
            for e in errors[:20]
        ]
        raise CardValidationError(
            f"card data does not follow model_card.schema.json ({len(errors)} error(s)):\n"
            + "\n".join(lines)
            + "\nFix the card builder or mark unknown values with "
            "earlysignal.card.unknown() instead of leaving them out."
        )


def _text(value: str | None) -> str | dict[str, str]:
    return value if value else unknown()


def new_card(
    *,
    run_id: str,
    experiment: str,
    run_name: str,
    outcome: str,
    horizon_days: int,
    min_moves: int | None = None,
) -> dict[str, Any]:
    """A card skeleton in which every measured value is marked "not measured by this run".

    The runner fills it section by section; whatever it does not fill stays marked. All
    human-written fields start as "to be completed by the study team".

    Examples
    --------
    >>> card = new_card(run_id="r1", experiment="e", run_name="n", outcome="carousel",
    ...                 horizon_days=365, min_moves=2)
    >>> card["outcome"]["definition"][:10], card["performance"]["oracle"]["status"]
    ('At least 2', 'not measured by this run')
    """
    definition = OUTCOME_DEFINITIONS[outcome].format(k=min_moves if min_moves else 2)
    nm = unknown(NOT_MEASURED)
    card: dict[str, Any] = {
        "schema_version": "1.0",
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "run": {"run_id": run_id, "experiment": experiment, "run_name": run_name},
        "model_details": {
            "title": unknown(),
            "description": unknown(),
            "model_type": N_("not fitted by this run"),
            "class_imbalance": unknown(),
            "owners": unknown(),
            "contact": unknown(),
        },
        "intended_use": {"primary": unknown(), "out_of_scope": unknown()},
        "outcome": {
            "name": outcome,
            "definition": definition,
            "horizon_days": horizon_days,
            "min_moves": min_moves if outcome == "carousel" else None,
            "competing_events": COMPETING_EVENTS[outcome],
            "censoring": {
                "rows": 0,
                "censored": 0,
                "labelled": 0,
                "rule": N_(
                    "A row whose horizon runs past the extraction date is censored whatever "
                    "happened in it: its label is missing, never 0, and it is left out of training "
                    "and evaluation (counted here)."
                ),
            },
        },
        "data": {
            "source": N_("not loaded by this run"),
            "simulated": False,
            "period": {"first_prediction_time": None, "last_prediction_time": None},
            "counts": {},
            "digests": {},
            "validation": {"errors": 0, "warnings": 0},
            "prediction_times": {"design": N_("not built by this run"), "rows": 0, "children": 0},
        },
        "predictors": {
            "count": 0,
            "features": [],
            "excluded_attributes": [],
            "included_sensitive": [],
            "missing_data": unknown(),
            "timing": N_(
                "Every predictor at prediction time t uses only facts dated strictly before t "
                "(boundary policy STRICT)."
            ),
        },
        "validation_design": {
            "kind": "temporal",
            "description": N_("not run"),
            "periods": [],
            "bootstrap": 0,
            "ci_level": 0.95,
        },
        "performance": {"primary_model": "none", "metrics": [], "oracle": nm, "summary": []},
        "calibration": {"method": "none", "metrics": [], "figure": nm},
        "decision": {
            "rule": N_("not set"),
            "threshold": None,
            "capacity": None,
            "workload": [],
            "net_benefit": [],
            "figure": nm,
        },
        "subgroups": {
            "attributes": [],
            "method": N_("not run"),
            "min_cell": 10,
            "table": nm,
            "suppressed_cells": 0,
        },
        "explanations": {
            "method": N_("not run"),
            "explained_rows": 0,
            "top_features": [],
            "limits": [],
            "figure": nm,
        },
        "limitations": [
            N_("This card describes one run; anything not measured by it is marked as such.")
        ],
        "ethics": {
            "considerations": unknown(),
            "approval": unknown(),
            "funding": unknown(),
            "lived_experience_involvement": unknown(),
            "risk_category": unknown(
                reason=N_("likely high-risk under the EU AI Act (Annex III 5(a)); the team decides")
            ),
            "risk_management": unknown(),
            "data_governance": unknown(),
            "cybersecurity": unknown(),
            "fria": unknown(),
            "public_values": unknown(),
            "fundamental_rights": unknown(),
            "interpretation": unknown(),
            "usability": unknown(),
        },
        "human_oversight": unknown(),
        "legal": {"basis": unknown(), "objection_route": unknown(), "status": unknown()},
        "rights": {
            "informed": unknown(),
            "access": unknown(),
            "correction": unknown(),
            "contact": unknown(),
        },
        "monitoring": {"plan": unknown(), "review_date": unknown()},
        "provenance": {
            "earlysignal_version": _version(),
            "python": "",
            "packages": {},
            "git_commit": unknown(NOT_MEASURED),
            "uv_lock_sha256": unknown(NOT_MEASURED),
            "config_sha256": "",
            "model_artifact": unknown(NOT_MEASURED),
        },
        "figures": [],
        "data_protection": {"row_level_figures": False},
        "compliance": {},
        "summary": {},
    }
    card["compliance"] = compliance(card)
    card["summary"] = plain_summary(card)
    return card


def _version() -> str:
    from earlysignal import __version__

    return __version__


# ----------------------------------------------------------------------------- rendering


def _env(autoescape: bool, lang: str = "en") -> Any:
    import jinja2

    from earlysignal.i18n import jinja_env

    return jinja_env(
        lang, loader=jinja2.PackageLoader("earlysignal.card", "templates"), autoescape=autoescape
    )


def _title(card: dict[str, Any], lang: str = "en") -> str:
    from earlysignal.i18n import gettext

    title = card["model_details"]["title"]
    if isinstance(title, str):
        return title
    return gettext("Model card: %(name)s", lang) % {"name": card["run"]["run_name"]}


def _banner() -> str:
    return " ".join(str(_texts().banner()).split())


def render_markdown(card: dict[str, Any], lang: str | None = None) -> str:
    """The card as Markdown (figures referenced as ``figures/<file>``).

    ``lang`` (``"en"`` or ``"nl"``) is the language of the reader texts and number formats;
    by default the card's ``language`` (English when it has none).

    Examples
    --------
    >>> card = new_card(run_id="r", experiment="e", run_name="n", outcome="breakdown",
    ...                 horizon_days=180)
    >>> render_markdown(card).splitlines()[0]
    '# Model card: n'
    >>> render_markdown(card, lang="nl").splitlines()[0]
    '# Modelkaart: n'
    """
    code = check_language(lang or card.get("language"))
    card = localized_card(card, code)  # the organisation's texts in this language, if given

    def md_escape(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    env = _env(autoescape=False, lang=code)
    env.filters["mdcell"] = md_escape
    with card_language(code):
        return str(
            env.get_template("card.md.j2").render(
                title=_title(card, code),
                card=card,
                sections=card_blocks(card),
                tbc=TO_BE_COMPLETED,
                banner=_banner(),
            )
        )


def render_html(
    card: dict[str, Any], figures_dir: str | Path | None = None, lang: str | None = None
) -> str:
    """The card as one self-contained HTML page, figures embedded as base64 PNG.

    Parameters
    ----------
    card
        Card data.
    figures_dir
        Folder holding the PNG files named in ``card["figures"]``. A figure that cannot be
        found is shown as missing (never silently dropped). A figure stored as numbers
        (:mod:`earlysignal.card.figures`) is drawn in ``lang`` instead.
    lang
        ``"en"`` or ``"nl"``: language of the reader texts and number formats (default: the
        card's ``language``, else English).

    Examples
    --------
    >>> card = new_card(run_id="r", experiment="e", run_name="n", outcome="breakdown",
    ...                 horizon_days=180)
    >>> html = render_html(card)
    >>> html.startswith("<!DOCTYPE html>") and '<h2 id="subgroups">' in html
    True
    """
    code = check_language(lang or card.get("language"))
    card = localized_card(card, code)  # the organisation's texts in this language, if given
    images: dict[str, str] = {}
    if figures_dir is not None:
        for fig in card.get("figures", []):
            path = Path(figures_dir) / fig["file"]
            if path.is_file():
                images[fig["file"]] = base64.b64encode(path.read_bytes()).decode("ascii")
    for file, png in card_figure_pngs(card, code).items():  # stored numbers, in this language
        images[file] = base64.b64encode(png).decode("ascii")
    env = _env(autoescape=True, lang=code)
    with card_language(code):
        return str(
            env.get_template("card.html.j2").render(
                title=_title(card, code),
                card=card,
                sections=card_blocks(card),
                images=images,
                banner=_banner(),
            )
        )


def write_card(
    card: dict[str, Any],
    out_dir: str | Path,
    *,
    figures_dir: str | Path | None = None,
    validate: bool = True,
    lang: str | None = None,
) -> Path:
    """Validate and write the card (Markdown, HTML, JSON and figures) atomically.

    ``lang`` (``"en"``, ``"nl"``; default the card's ``language``, else English) is the
    language of the Markdown and HTML; the JSON keeps language-neutral data (English keys)
    and records the language in ``card["language"]``.

    Everything is written to a temporary folder beside ``out_dir`` and moved into place at
    the end, so a failure never leaves a half-written card; an existing card at ``out_dir``
    is replaced only once the new one is complete.

    Returns
    -------
    Path
        ``out_dir``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> card = new_card(run_id="r", experiment="e", run_name="n", outcome="breakdown",
    ...                 horizon_days=180)
    >>> out = write_card(card, pathlib.Path(tempfile.mkdtemp()) / "card")
    >>> sorted(p.name for p in out.iterdir())
    ['figures', 'model_card.html', 'model_card.json', 'model_card.md']
    """
    card = dict(card)
    card["language"] = check_language(lang or card.get("language"))
    card["compliance"] = compliance(card)
    card["summary"] = plain_summary(card)
    if validate:
        validate_card(card)
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        figs = tmp / "figures"
        figs.mkdir()
        if figures_dir is not None:
            for fig in card.get("figures", []):
                src = Path(figures_dir) / fig["file"]
                if src.is_file():
                    shutil.copy2(src, figs / fig["file"])
        draw_card_figures(card, figs, card["language"])  # stored numbers, in this language
        (tmp / "model_card.json").write_text(
            json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        (tmp / "model_card.md").write_text(render_markdown(card), encoding="utf-8")
        (tmp / "model_card.html").write_text(render_html(card, figs), encoding="utf-8")
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            if old.exists():
                shutil.rmtree(old)
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def known_fraction(card: dict[str, Any]) -> float:
    """Share of standard items (all tables) the card covers in full; for summaries."""
    rows = [r for table in compliance(card).values() for r in table]
    return float(sum(r["status"] == COVERED for r in rows)) / len(rows)


def _schema_type(node: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in node:
        name = str(node["$ref"]).rsplit("/", 1)[-1]
        names: dict[str, str] = {
            "text": "text, reader text or unknown marker",
            "reader_text": "reader text (key and data)",
            "textlist": "list of text or unknown marker",
            "figure_ref": "figure id or unknown marker",
            "table": "table (list of rows)",
            "metric": "metric row",
            "compliance_rows": "list of standard items",
            "unknown": "unknown marker",
        }
        return names.get(name, name)
    if "oneOf" in node:
        return " or ".join(_schema_type(n, defs) for n in node["oneOf"])
    if "const" in node:
        return f"`{node['const']}`"
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    kind = node.get("type", "any")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array" and "items" in node:
        return f"list of {_schema_type(node['items'], defs)}"
    return str(kind)


def schema_markdown() -> str:
    """The card schema as Markdown: a field table plus the schema itself (for the docs).

    ``docs/model_card_schema.md`` is this text; a test keeps the two identical.

    Examples
    --------
    >>> schema_markdown().splitlines()[0]
    '# Model card JSON Schema'
    """
    schema = card_schema()
    defs = schema["$defs"]
    rows: list[str] = []

    def walk(node: dict[str, Any], path: str, required: bool) -> None:
        desc = node.get("description", "")
        rows.append(
            f"| `{path}` | {_schema_type(node, defs)} | {'yes' if required else 'no'} | {desc} |"
        )
        if node.get("type") == "object" and "properties" in node:
            req = set(node.get("required", []))
            for key, child in node["properties"].items():
                walk(child, f"{path}.{key}", key in req)

    req = set(schema["required"])
    for key, child in schema["properties"].items():
        walk(child, key, key in req)
    unknown_enum = ", ".join(f"`{v}`" for v in defs["unknown"]["properties"]["status"]["enum"])
    return "\n".join(
        [
            "# Model card JSON Schema",
            "",
            "<!-- generated by earlysignal.card.schema_markdown(); do not edit by hand -->",
            "",
            schema["description"],
            "",
            "The schema file ships with the package: "
            "`earlysignal/card/schema/model_card.schema.json` "
            "(`earlysignal.card.card_schema()` loads it).",
            "",
            "## Unknown values",
            "",
            "A value the run cannot know is never left out or invented: it is an object "
            f'`{{"status": ..., "reason": ...}}` whose status is one of {unknown_enum}.',
            "",
            "## Fields",
            "",
            "| field | type | required | description |",
            "|---|---|---|---|",
            *rows,
            "",
            "## The schema",
            "",
            "```json",
            json.dumps(schema, indent=2, ensure_ascii=False),
            "```",
            "",
        ]
    )
