"""Export a run to the Dutch Algoritmeregister publication standard (version 1.0.0).

The field list, lengths and choice lists are the standard's own
(``algoritmeregister_v1_0_0.json``, taken from MinBZK's machine-readable standard; the source
and commit are in that file and in ``docs/i18n.md``). :func:`algoritmeregister_record` fills
each field, in the standard's field names, from what the run knows (texts in Dutch through
the catalogue and ``templates/algoritmeregister.j2``) and writes
"in te vullen door de organisatie" where only the organisation can answer.
:func:`check_record` checks lengths, choice lists, required fields, dates and links.

Examples
--------
>>> from earlysignal.card import new_card
>>> card = new_card(run_id="r1", experiment="e", run_name="n", outcome="breakdown",
...                 horizon_days=180)
>>> record = algoritmeregister_record(card)
>>> record["name"], record["lang"], record["organization"]
('Vroeg signaal van voortijdige beëindiging', 'nld', 'in te vullen door de organisatie')
>>> report = check_record(record)
>>> report.problems, "organization" in report.open_fields
([], True)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from earlysignal.i18n import N_

__all__ = [
    "CheckReport",
    "FieldProblem",
    "algoritmeregister_record",
    "check_record",
    "open_marker",
    "standard_fields",
    "write_algoritmeregister",
]

OPEN = N_("to be completed by the organisation")
"""The marker of a field only the organisation can fill (Dutch: "in te vullen door de
organisatie")."""

THEMES: tuple[str, ...] = ("Zorg en gezondheid",)
"""The standard's theme for youth care (``category``; jeugdhulp is zorg in the TOP list)."""

_URL = re.compile(r"^https://[^\s/$.?#].[^\s]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def open_marker(lang: str = "nl") -> str:
    """The "to be completed by the organisation" marker in ``lang``.

    Examples
    --------
    >>> open_marker()
    'in te vullen door de organisatie'
    """
    from earlysignal.i18n import gettext

    return gettext(OPEN, lang)


@cache
def standard_fields() -> dict[str, Any]:
    """The standard's fields (package data), with its version and source.

    Examples
    --------
    >>> spec = standard_fields()
    >>> spec["version"], [f["key"] for f in spec["fields"]][:3]
    ('1.0.0', ['name', 'description_short', 'organization'])
    """
    ref = resources.files("earlysignal.publish") / "algoritmeregister_v1_0_0.json"
    result: dict[str, Any] = json.loads(ref.read_text(encoding="utf-8"))
    return result


def _paragraphs(text: str) -> str:
    blocks = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(re.sub(r"[ \t\r\n]+", " ", b).strip() for b in blocks if b.strip())


def _template_module(lang: str) -> Any:
    from jinja2 import PackageLoader

    from earlysignal.i18n import jinja_env

    env = jinja_env(lang, PackageLoader("earlysignal.publish", "templates"))
    return env.get_template("algoritmeregister.j2").module


def algoritmeregister_record(
    card: dict[str, Any], *, own_texts: bool | None = None
) -> dict[str, Any]:
    """The Algoritmeregister fields of a run, keyed by the standard's field names.

    Texts are Dutch (the register accepts only ``nld``). Fields only the organisation can
    answer hold :func:`open_marker`. The organisation's own card texts (title, owners,
    contact, human oversight, legal basis, considerations) are copied when ``own_texts`` is true; by
    default only when the card's ``language`` is ``"nl"``, so an English card text never lands
    in the Dutch register (the field stays open for the organisation to write in Dutch). A
    Dutch translation of a text (``[card.translations.nl]``, ``card["translations"]``) is
    always copied.
    A valid ``legal.status`` ("In gebruik", ...) is always taken.
    """
    from earlysignal.card.translations import has_translation, localized_card
    from earlysignal.publish.facts import card_facts

    facts = card_facts(localized_card(card, "nl"))
    in_dutch = {  # a Dutch translation of the organisation's text ([card.translations.nl])
        "name": has_translation(card, "model_details.title", "nl"),
        "human_intervention": has_translation(card, "human_oversight", "nl"),
        "lawful_basis": has_translation(card, "legal.basis", "nl"),
        "proportionality": has_translation(card, "ethics.considerations", "nl"),
    }
    if own_texts is None:
        own_texts = card.get("language", "en") == "nl"
    module = _template_module("nl")
    todo = open_marker("nl")
    record: dict[str, Any] = {}
    permitted = {f["key"]: f.get("permitted_values") for f in standard_fields()["fields"]}
    for spec in standard_fields()["fields"]:
        key = spec["key"]
        macro = getattr(module, key, None)
        value: Any = _paragraphs(str(macro(facts))) if macro is not None else ""
        record[key] = value if value else todo
    own = {
        "name": facts["title"],
        "organization": facts["owners"],
        "contact_email": facts["contact"],
        "human_intervention": facts["human_oversight"],
        "lawful_basis": facts["legal_basis"],
        "proportionality": facts["considerations"],
    }
    for key, value in own.items():
        if (own_texts or in_dutch.get(key)) and isinstance(value, str) and value.strip():
            record[key] = value.strip()
    status = facts["status"]
    if isinstance(status, str) and status in (permitted["status"] or ()):
        record["status"] = status
    record["category"] = list(THEMES)
    record["lang"] = "nld"
    record["standard_version"] = standard_fields()["version"]
    for key in ("lawful_basis_grouping", "impacttoetsen_grouping", "source_data_grouping"):
        record[key] = []
    return record


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One field that breaks a rule of the standard."""

    field: str
    rule: str
    value: str
    fix: str

    def __str__(self) -> str:
        return f"{self.field}: {self.rule} (value {self.value!r}); {self.fix}"

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {"field": self.field, "rule": self.rule, "value": self.value, "fix": self.fix}


@dataclass(frozen=True)
class CheckReport:
    """The result of :func:`check_record`: problems, and the fields left to the organisation."""

    problems: list[FieldProblem] = field(default_factory=list)
    open_fields: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No field breaks a length, choice, type or format rule."""
        return not self.problems

    @property
    def publishable(self) -> bool:
        """No problem and no required field left open."""
        required = {f["key"] for f in standard_fields()["fields"] if f.get("required")}
        return self.ok and not (required & set(self.open_fields))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "ok": self.ok,
            "publishable": self.publishable,
            "problems": [p.to_dict() for p in self.problems],
            "open_fields": self.open_fields,
        }


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_record(record: dict[str, Any]) -> CheckReport:
    """Check a record against the standard: known fields, lengths, choices, dates and links.

    A field holding the open marker is listed in ``open_fields`` (and is not a problem); a
    required field that is missing or empty is a problem (rule ``AR-REQUIRED``).

    Examples
    --------
    >>> r = check_record({"name": "x" * 101, "status": "Klaar", "colour": "red"})
    >>> sorted(p.rule for p in r.problems)[:3]
    ['AR-CHOICE', 'AR-LENGTH', 'AR-REQUIRED']
    """
    todo = open_marker("nl")
    specs = {f["key"]: f for f in standard_fields()["fields"]}
    problems: list[FieldProblem] = []
    open_fields: list[str] = []
    for key, given in record.items():
        if key not in specs:
            problems.append(
                FieldProblem(key, "AR-UNKNOWN-FIELD", _short(given),
                             "remove it: the standard has no field of this name")
            )  # fmt: skip
    for key, spec in specs.items():
        value = record.get(key)
        if value == todo:
            open_fields.append(key)
            continue
        if value is None or value in ("", []):
            if spec.get("required"):
                problems.append(FieldProblem(key, "AR-REQUIRED", "", f"fill in '{spec['title']}'"))
            continue
        kind = spec["type"]
        allowed = spec.get("permitted_values")
        if kind == "array":
            items = value if isinstance(value, list) else [value]
            if len(items) > spec.get("max_items", len(items)):
                problems.append(
                    FieldProblem(key, "AR-MAX-ITEMS", _short(items),
                                 f"keep at most {spec['max_items']} values")
                )  # fmt: skip
            for item in items:
                if allowed and item not in allowed:
                    problems.append(
                        FieldProblem(key, "AR-CHOICE", _short(item),
                                     f"choose from: {', '.join(allowed)}")
                    )  # fmt: skip
            continue
        if kind == "grouping":
            for i, item in enumerate(value if isinstance(value, list) else [value]):
                for sub in spec["items"]:
                    text = str(item.get(sub["key"], "")) if isinstance(item, dict) else ""
                    where = f"{key}[{i}].{sub['key']}"
                    if not text:
                        problems.append(
                            FieldProblem(where, "AR-REQUIRED", "", f"fill in '{sub['title']}'")
                        )
                    elif "max_length" in sub and len(text) > sub["max_length"]:
                        problems.append(
                            FieldProblem(where, "AR-LENGTH", _short(text),
                                         f"shorten to at most {sub['max_length']} characters")
                        )  # fmt: skip
                    elif sub.get("url") and not _URL.match(text):
                        problems.append(
                            FieldProblem(where, "AR-URL", _short(text),
                                         "give a link that starts with https://")
                        )  # fmt: skip
            continue
        text = str(value)
        if kind == "enum":
            if allowed and text not in allowed:
                problems.append(
                    FieldProblem(key, "AR-CHOICE", _short(text),
                                 f"choose one of: {', '.join(allowed)}")
                )  # fmt: skip
            continue
        if "max_length" in spec and len(text) > spec["max_length"]:
            problems.append(
                FieldProblem(key, "AR-LENGTH", _short(text),
                             f"shorten to under {spec['max_length']} characters "
                             f"(now {len(text)})")
            )  # fmt: skip
        if kind == "month" and not _MONTH.match(text):
            problems.append(
                FieldProblem(key, "AR-MONTH", _short(text), "write the month as yyyy-mm")
            )
        if kind == "url" and not _URL.match(text):
            problems.append(
                FieldProblem(key, "AR-URL", _short(text), "give a link that starts with https://")
            )
        if kind == "contact" and not (_URL.match(text) or _EMAIL.match(text)):
            problems.append(
                FieldProblem(key, "AR-CONTACT", _short(text),
                             "give an e-mail address or a link that starts with https://")
            )  # fmt: skip
    return CheckReport(problems, open_fields)


def write_algoritmeregister(
    card: dict[str, Any], path: str | Path
) -> tuple[Path, Path, CheckReport]:
    """Write the record as JSON (``path``) and as the register's one-row spreadsheet (CSV).

    The JSON holds only the standard's fields; the CSV (beside it, ``.csv``) has one column
    per field, headed by the standard's field titles, lists joined by ``"; "``. Returns both
    paths and the check report.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from earlysignal.card import new_card
    >>> card = new_card(run_id="r1", experiment="e", run_name="n", outcome="carousel",
    ...                 horizon_days=365, min_moves=2)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     js, csv, report = write_algoritmeregister(card, pathlib.Path(d) / "ar.json")
    ...     csv.read_text(encoding="utf-8").splitlines()[0].split(",")[:2]
    ['Naam', 'Korte omschrijving']
    """
    import polars as pl

    record = algoritmeregister_record(card)
    report = check_record(record)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    row: dict[str, str] = {}
    for spec in standard_fields()["fields"]:
        value = record.get(spec["key"], "")
        if isinstance(value, list):
            value = "; ".join(
                " ".join(str(v) for v in item.values()) if isinstance(item, dict) else str(item)
                for item in value
            )
        row[spec["title"]] = str(value)
    csv_path = target.with_suffix(".csv")
    pl.DataFrame([row]).write_csv(csv_path)
    return target, csv_path, report
