"""Reader texts of the card and the neutral blocks they become.

Every sentence a reader sees is a jinja2 macro in ``templates/texts.j2``; Python passes data
(numbers, keys, rows) and never words. :func:`say` turns a macro into blocks (paragraphs and
lists) for the card's sections, :func:`card_text` into one paragraph for a card-data field (the
runner stores a few such sentences, e.g. the decision rule), :func:`card_items` into list items.

Examples
--------
>>> [b.kind for b in say("harms")]
['text', 'list']
>>> card_text("decision_rule", None, 0.3, 0.05)
'Flag risks of at least 0.300 (set by the study); it flags 5.0% of test rows.'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

__all__ = ["METRIC_NAMES", "Block", "Cell", "card_items", "card_text", "say"]

METRIC_NAMES: dict[str, str] = {
    "selection_rate": "share flagged",
    "tpr": "share of breakdowns caught (TPR)",
    "fpr": "false-alarm rate (FPR)",
    "ppv": "precision (PPV)",
}
"""Reader names of the audit's rates at the decision rule."""


@dataclass(frozen=True, slots=True)
class Cell:
    """A formatted value; ``marked`` when it is an unknown marker (shown emphasised)."""

    text: str
    marked: bool = False


@dataclass(slots=True)
class Block:
    """One piece of a section: ``kind`` is text, kv, list, table or figure."""

    kind: str
    cells: list[Cell] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    caption: str = ""
    file: str = ""


def _pct(value: Any, digits: int = 0) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
        return "-"
    return f"{100 * value:.{digits}f}%"


def _fmt(spec: str) -> Any:
    def f(value: Any) -> str:
        if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
            return "-"
        return format(value, spec)

    return f


def _count(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "fewer than 10"
    return f"{int(value):,}"


def _ci(row: Any) -> str:
    lo = row.get("lower") if isinstance(row, dict) else None
    hi = row.get("upper") if isinstance(row, dict) else None
    if lo is None or hi is None:
        return "no interval"
    return f"{lo:.3f} to {hi:.3f}"


def _add_filters(env: Any) -> Any:
    env.filters.update(
        pct=_pct,
        num=_fmt(".3f"),
        num1=_fmt(".1f"),
        num2=_fmt(".2f"),
        signed=_fmt("+.3f"),
        count=_count,
        about=lambda v: f"about {_count(v)}" if isinstance(v, int | float) else _count(v),
        ci=_ci,
        metric_name=lambda m: METRIC_NAMES.get(str(m), str(m)),
    )
    return env


@cache
def _texts() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("earlysignal.card", "templates"),
        autoescape=False,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=False,  # a tag ending a line keeps the line break: paragraphs stay apart
        lstrip_blocks=True,
    )
    return _add_filters(env).get_template("texts.j2").module


def say(name: str, *args: Any) -> list[Block]:
    """Blocks of one reader text of ``templates/texts.j2`` (a macro), given its data.

    Paragraphs become text blocks; lines starting with ``- `` become a list.

    Examples
    --------
    >>> [b.kind for b in say("harms")]
    ['text', 'list']
    """
    raw = str(getattr(_texts(), name)(*args))
    blocks: list[Block] = []
    for para in re.split(r"\n\s*\n", raw.strip()):
        text: list[str] = []
        items: list[list[str]] = []
        for line in (ln.strip() for ln in para.splitlines()):
            if not line:
                continue
            if line.startswith("- "):
                items.append([line[2:]])
            elif items:
                items[-1].append(line)
            else:
                text.append(line)
        if text:
            blocks.append(Block("text", cells=[Cell(" ".join(text))]))
        if items and not text and blocks and blocks[-1].kind == "list":
            blocks[-1].cells += [Cell(" ".join(i)) for i in items]  # one list, split by tags
        elif items:
            blocks.append(Block("list", cells=[Cell(" ".join(i)) for i in items]))
    return blocks


def card_text(name: str, *args: Any) -> str:
    """One reader text of ``templates/texts.j2`` as a single paragraph (for card fields).

    Examples
    --------
    >>> card_text("decision_rule", 0.1, 0.088, 0.096)[:40]
    'Flag the 10% highest risks: on the calib'
    """
    return " ".join(str(getattr(_texts(), name)(*args)).split())


def card_items(name: str, *args: Any) -> list[str]:
    """A reader text of ``templates/texts.j2`` that is a list, as its items.

    Examples
    --------
    >>> len(card_items("explain_limits"))
    4
    """
    return [c.text for b in say(name, *args) if b.kind == "list" for c in b.cells]
