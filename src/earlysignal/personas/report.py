"""The persona report: a self-contained HTML page (nl or en) and the data behind it as JSON.

The computing steps (``sequences``, ``cluster``, ``describe``) return data; the sentences are
in ``templates/personas.html.j2`` and go through the translation layer (``earlysignal.i18n``).
State names and figure labels are marked with ``N_`` here and translated at run time.

Examples
--------
>>> STATE_LABELS["kinship_foster"]
'kinship foster care'
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import polars as pl

from earlysignal.i18n import N_, check_language, gettext, jinja_env
from earlysignal.personas.describe import PersonaDescription

__all__ = ["STATE_LABELS", "report_data", "write_report"]

STATE_LABELS: dict[str, str] = {
    "at_home_measure": N_("at home under a measure"),
    "home_after_return": N_("at home after going home"),
    "kinship_foster": N_("kinship foster care"),
    "foster": N_("foster care"),
    "family_home": N_("family-style group home"),
    "residential": N_("residential care"),
    "secure": N_("secure care"),
    "independent": N_("living independently"),
    "left_care": N_("left care"),
    "moved": N_("moved this month"),
}
"""Reader names of the default states (other states are shown by their id)."""

PLOT_WORDS: dict[str, str] = {
    "month": N_("month since first entry"),
    "share": N_("share of children"),
    "hidden": N_("hidden (fewer than 10 children)"),
    "from": N_("this month"),
    "to": N_("next month"),
}


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def report_data(desc: PersonaDescription) -> dict[str, Any]:
    """The published data of the report, JSON-ready (no child-level values)."""
    return {
        "window": desc.window,
        "k": desc.k,
        "distance": desc.distance,
        "n_clustered": desc.n_clustered,
        "notes": desc.notes,
        "quality": [{**q, "chosen": bool(q.get("chosen"))} for q in desc.quality],
        "summary": desc.summary.to_dicts(),
        "pathways": {str(p): v for p, v in desc.pathways.items()},
        "distribution": desc.distribution.to_dicts(),
        "transitions": desc.transitions.to_dicts(),
    }


def write_report(desc: PersonaDescription, out: Path, *, lang: str = "en") -> Path:
    """Write ``personas.html`` (figures embedded) and ``personas.json`` into ``out``.

    Returns
    -------
    pathlib.Path
        The HTML file.
    """
    from jinja2 import PackageLoader

    from earlysignal.personas.plots import plot_state_distribution, plot_transitions

    code = check_language(lang)
    out.mkdir(parents=True, exist_ok=True)
    labels = {s: gettext(STATE_LABELS.get(s, s), code) for s in desc.alphabet}
    words = {k: gettext(v, code) for k, v in PLOT_WORDS.items()}
    personas = []
    for row in desc.summary.iter_rows(named=True):
        p = int(row["persona"])
        item: dict[str, Any] = {"row": row, "pathway": desc.pathways.get(p)}
        if p in desc.pathways:
            item["dist_png"] = _png(
                plot_state_distribution(
                    desc.distribution, p, desc.alphabet, labels, words, lang=code
                )
            )
            t = desc.transitions.filter(pl.col("persona") == p)
            item["trans_png"] = (
                _png(plot_transitions(desc.transitions, p, desc.alphabet, labels, words, lang=code))
                if t.height
                else None
            )
        personas.append(item)
    env = jinja_env(code, PackageLoader("earlysignal.personas", "templates"), autoescape=True)
    html = env.get_template("personas.html.j2").render(
        desc=desc,
        personas=personas,
        state_names=[labels[s] for s in desc.alphabet],
        labels=labels,
        alphabet=desc.alphabet,
    )
    path = out / "personas.html"
    path.write_text(html, encoding="utf-8")
    (out / "personas.json").write_text(
        json.dumps(report_data(desc), indent=1, default=str), encoding="utf-8"
    )
    return path
