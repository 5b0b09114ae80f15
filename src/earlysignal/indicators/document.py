"""The indicator report: the protected stability indicators as a page for readers, in English
or Dutch (``earlysignal indicators FOLDER --report DIR --lang nl``).

:func:`report_data` turns the table of :func:`earlysignal.indicators.report.
stability_indicators` into plain data (years, rows, hidden cells); the templates in
``indicators/templates`` write the sentences through the gettext catalogue
(:mod:`earlysignal.i18n`), and numbers, percentages and dates follow the language. Only a
disclosure-protected table is accepted: a report is a published artefact, and the raw table
(``--raw``) is for the data team only.

Examples
--------
>>> from datetime import date
>>> from earlysignal.data import example_history
>>> from earlysignal.indicators.report import stability_indicators
>>> kids = [f"c{i}" for i in range(40)]
>>> h = example_history({"child_id": kids, "start": date(2019, 1, 1)},
...     children={"sex": ["female", "male"] * 20}, observed_until=date(2021, 3, 31))
>>> table = stability_indicators(h, year_ends=[date(2021, 3, 31)], dfe=False)
>>> html = render_indicator_report(table, lang="nl")
>>> "Stabiliteit van plaatsingen" in html and "31 maart 2021" in html
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from earlysignal.i18n import N_, check_language

__all__ = [
    "IndicatorReportError",
    "indicator_label",
    "render_indicator_report",
    "report_data",
    "write_indicator_report",
]

LABELS: dict[str, str] = {
    "three_plus_placements": N_(
        "Children in care at the year end with 3 or more placements during the year (DfE)"
    ),
    "two_year_three_plus": N_(
        "Children in care for 2 years or more with 3 or more placements in those 2 years (DfE)"
    ),
    "long_term_stability": N_(
        "Children under 16 in care for 2.5 years or more, in the same placement for 2 years "
        "or more (DfE)"
    ),
    "moves_per_child": N_("Moves during the year per child in care during it"),
    "moves_per_1000_days": N_("Moves during the year per 1,000 days in care"),
}
"""The reader's label of each indicator (``report.INDICATORS`` holds the units)."""

MOVED_MORE_THAN = N_("Children in care at the year end who moved more than %(n)s times so far")


class IndicatorReportError(ValueError):
    """The indicator report was asked for from a table it must not publish (rule IND-REPORT)."""


def indicator_label(indicator: str, lang: str | None = None) -> str:
    """The label of an indicator in ``lang``.

    Examples
    --------
    >>> indicator_label("moved_more_than_3", "nl")
    'Kinderen in zorg aan het eind van het jaar die tot nu toe vaker dan 3 keer verhuisden'
    """
    from earlysignal.i18n import gettext

    code = check_language(lang)
    if indicator.startswith("moved_more_than_"):
        return gettext(MOVED_MORE_THAN, code) % {"n": indicator.rsplit("_", 1)[1]}
    message = LABELS.get(indicator)
    return gettext(message, code) if message else indicator


def report_data(table: pl.DataFrame, lang: str | None = None) -> dict[str, Any]:
    """The report's facts: per year end, the rows overall and by group, and what is hidden.

    Raises
    ------
    IndicatorReportError
        When ``table`` is not disclosure-protected (no ``value_flag`` column), rule IND-REPORT.
    """
    code = check_language(lang)
    if "value_flag" not in table.columns:
        raise IndicatorReportError(
            "rule IND-REPORT: the indicator report is written only from a disclosure-protected "
            "table (stability_indicators(..., protected=True)); drop --raw, which is for the "
            "data team only and never published"
        )
    years = sorted(set(table["year_end"].to_list()))
    out: list[dict[str, Any]] = []
    for ye in years:
        part = table.filter(pl.col("year_end") == ye)
        rows = []
        for r in part.iter_rows(named=True):
            rows.append(
                {
                    **r,
                    "label": indicator_label(r["indicator"], code),
                    "hidden": r["value_flag"] is not None,
                    "children_hidden": r["children_flag"] is not None,
                    "count_hidden": r["count_flag"] is not None,
                }
            )
        overall = [r for r in rows if r["group"] == "all"]
        groups = sorted({r["group"] for r in rows if r["group"] != "all"})
        out.append(
            {
                "year_end": ye,
                "overall": overall,
                "groups": [
                    {"group": g, "rows": [r for r in rows if r["group"] == g]} for g in groups
                ],
            }
        )
    hidden = int(table["value_flag"].is_not_null().sum())
    return {"years": out, "cells": table.height, "hidden": hidden, "lang": code}


def render_indicator_report(table: pl.DataFrame, *, lang: str = "en", fmt: str = "html") -> str:
    """The report as one self-contained HTML page (``fmt="html"``) or Markdown (``"md"``)."""
    from jinja2 import PackageLoader

    from earlysignal.i18n import jinja_env

    if fmt not in ("html", "md"):
        raise ValueError(f"render_indicator_report: fmt must be 'html' or 'md', not {fmt!r}")
    code = check_language(lang)
    env = jinja_env(
        code, PackageLoader("earlysignal.indicators", "templates"), autoescape=fmt == "html"
    )
    return str(env.get_template(f"indicators.{fmt}.j2").render(r=report_data(table, code)))


def write_indicator_report(table: pl.DataFrame, folder: str | Path, *, lang: str = "en") -> Path:
    """Write ``indicators.html`` and ``indicators.md`` into ``folder``; return the HTML path."""
    code = check_language(lang)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    html = out / "indicators.html"
    html.write_text(render_indicator_report(table, lang=code, fmt="html"), encoding="utf-8")
    (out / "indicators.md").write_text(
        render_indicator_report(table, lang=code, fmt="md"), encoding="utf-8"
    )
    return html
