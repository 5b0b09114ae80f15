"""The card's figures: stored as aggregated numbers, drawn in the card's language at render.

A run does not keep its card figures as finished images. Each figure is stored in the card
data as its numbers (``card["figures"][i]["data"]``: a ``kind`` and the aggregated,
disclosure-safe values the figure is drawn from: reliability bins, ROC and precision-recall
points and the decision curve's flagged rows at cuts of the ranking with at least
``min_children`` children with and as many without the event between two cuts
(:mod:`earlysignal.evaluate.slices`), net benefit per threshold, importance per feature,
contribution quartiles per bin of at least ``min_children`` children; never a row; every rate
computed from counts rounded to 5, :mod:`earlysignal.evaluate.rounded`). :func:`write_card
<earlysignal.card.write_card>` draws them with :func:`draw_card_figures` in the language of
the rendering, so ``earlysignal card RUN --lang en`` on a Dutch run gives English figures and
the other way round. The feature axis shows the predictors' descriptions from the card data.

Figures without numbers (the opt-in, row-level beeswarm, or a card logged before this change)
keep their stored image, drawn in the run's language.

Examples
--------
>>> card = {"figures": []}
>>> data = {"kind": "importance", "level": 0.95,
...         "rows": [{"feature": "n_moves", "mean_abs": 0.3, "lo": 0.2, "hi": 0.4}]}
>>> add_figure(card, data, "importance", "caption", "explanations")
'importance'
>>> fig = draw_figure(card["figures"][0], "nl", {"n_moves": "aantal verhuizingen"})
>>> fig.axes[0].get_yticklabels()[0].get_text()
'aantal verhuizingen'
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from earlysignal.i18n import check_language, gettext

__all__ = [
    "FIGURE_KINDS",
    "add_figure",
    "card_figure_pngs",
    "draw_card_figures",
    "draw_figure",
    "feature_labels",
]

DPI = 90
"""Resolution of the card's PNG figures (as the runs wrote them before)."""

_CACHE: dict[str, bytes] = {}
_CACHE_SIZE = 64


def _draw_reliability(data: Mapping[str, Any], lang: str, labels: Mapping[str, str]) -> Any:
    from earlysignal.evaluate.plots import draw_reliability

    return draw_reliability(data, lang)


def _draw_roc_pr(data: Mapping[str, Any], lang: str, labels: Mapping[str, str]) -> Any:
    from earlysignal.evaluate.plots import draw_roc_pr

    return draw_roc_pr(data, lang)


def _draw_decision_curve(data: Mapping[str, Any], lang: str, labels: Mapping[str, str]) -> Any:
    from earlysignal.evaluate.plots import draw_decision_curve

    return draw_decision_curve(data, lang)


def _draw_importance(data: Mapping[str, Any], lang: str, labels: Mapping[str, str]) -> Any:
    import polars as pl

    from earlysignal.explain.plots import importance_plot

    schema = {"feature": pl.String, "mean_abs": pl.Float64, "lo": pl.Float64, "hi": pl.Float64}
    table = pl.DataFrame(data["rows"], schema=schema)
    return importance_plot(table, max_display=max(1, table.height), lang=lang, labels=labels,
                           level=float(data.get("level", 0.95)))  # fmt: skip


def _draw_contribution_summary(
    data: Mapping[str, Any], lang: str, labels: Mapping[str, str]
) -> Any:
    import polars as pl

    from earlysignal.explain.plots import contribution_summary_plot

    schema = {"feature": pl.String, "rank": pl.Int64, "bin": pl.Int64, "missing": pl.Boolean,
              "q25": pl.Float64, "median": pl.Float64, "q75": pl.Float64}  # fmt: skip
    rows = list(data["rows"])
    if rows and "value_lo" in rows[0]:  # cut points (none in older card data)
        schema |= {"value_lo": pl.Float64, "value_hi": pl.Float64}
    return contribution_summary_plot(pl.DataFrame(rows, schema=schema), lang=lang, labels=labels)


FIGURE_KINDS: dict[str, Callable[[Mapping[str, Any], str, Mapping[str, str]], Any]] = {
    "reliability": _draw_reliability,
    "roc_pr": _draw_roc_pr,
    "decision_curve": _draw_decision_curve,
    "importance": _draw_importance,
    "contribution_summary": _draw_contribution_summary,
}
"""The figure kinds the card stores as numbers, and how each is drawn."""


def add_figure(
    card: dict[str, Any], data: Mapping[str, Any], fig_id: str, caption: Any, section: str
) -> str:
    """Add a figure to the card data as its numbers (drawn when the card is rendered).

    ``caption`` is a reader text (or a string); ``data`` is a ``*_data`` result with a
    ``kind`` of :data:`FIGURE_KINDS`.

    Raises
    ------
    ValueError
        For an unknown kind.

    Examples
    --------
    >>> add_figure({"figures": []}, {"kind": "pie"}, "x", "c", "s")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: figure 'x': unknown kind 'pie'; ...
    """
    kind = data.get("kind")
    if kind not in FIGURE_KINDS:
        raise ValueError(
            f"figure {fig_id!r}: unknown kind {kind!r}; choose one of {', '.join(FIGURE_KINDS)}"
        )
    card.setdefault("figures", []).append(
        {"id": fig_id, "file": f"{fig_id}.png", "caption": caption, "section": section,
         "data": dict(data)}
    )  # fmt: skip
    return fig_id


def feature_labels(card: Mapping[str, Any], lang: str | None = None) -> dict[str, str]:
    """The words on a figure's feature axis: each predictor's description from the card data
    (a reader text worded in ``lang``; a spec's description worded by
    :func:`earlysignal.explain.descriptions.localized_description`; a catalogue message
    translated; else as written).

    Examples
    --------
    >>> feature_labels({"predictors": {"features": [{"name": "a", "description": "age"}]}})
    {'a': 'age'}
    >>> card = {"predictors": {"features": [
    ...     {"name": "moves_365d", "description": "Number of moves in the 365 days before t"}]}}
    >>> feature_labels(card, "nl")["moves_365d"] != feature_labels(card, "en")["moves_365d"]
    True
    """
    from earlysignal.card.texts import card_language, is_reader_text, render_text
    from earlysignal.explain.descriptions import localized_description

    code = check_language(lang)
    out: dict[str, str] = {}
    with card_language(code):
        for f in (card.get("predictors") or {}).get("features") or []:
            desc = f.get("description")
            if is_reader_text(desc):
                out[f["name"]] = render_text(desc)
            elif isinstance(desc, str) and desc:
                worded = localized_description(str(f["name"]), code, desc)
                out[f["name"]] = worded if worded != desc else gettext(desc, code)
    return out


def draw_figure(
    entry: Mapping[str, Any], lang: str | None = None, labels: Mapping[str, str] | None = None
) -> Any:
    """Draw one stored figure (``card["figures"][i]``) in ``lang``; a matplotlib ``Figure``.

    Raises
    ------
    ValueError
        When the entry has no numbers or an unknown kind.
    """
    data = entry.get("data")
    if not isinstance(data, Mapping) or data.get("kind") not in FIGURE_KINDS:
        raise ValueError(
            f"figure {entry.get('id')!r} holds no numbers to draw (only a stored image)"
        )
    return FIGURE_KINDS[str(data["kind"])](data, check_language(lang), labels or {})


def _png(entry: Mapping[str, Any], lang: str, labels: Mapping[str, str]) -> bytes:
    """The figure as PNG bytes (cached: re-rendering the same card draws each figure once)."""
    key = hashlib.sha256(
        json.dumps([entry["data"], lang, dict(labels)], sort_keys=True, default=str).encode()
    ).hexdigest()
    if key not in _CACHE:
        fig = draw_figure(entry, lang, labels)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
        try:
            import matplotlib.pyplot as plt

            plt.close(fig)
        except Exception:  # pragma: no cover - figures built without pyplot
            pass
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = buffer.getvalue()
    return _CACHE[key]


def card_figure_pngs(card: Mapping[str, Any], lang: str | None) -> dict[str, bytes]:
    """Every figure the card holds as numbers, drawn in ``lang``, as PNG bytes by file name.

    Examples
    --------
    >>> card_figure_pngs({"figures": []}, "nl")
    {}
    """
    code = check_language(lang)
    entries = [e for e in card.get("figures") or [] if isinstance(e.get("data"), Mapping)]
    if not entries:
        return {}
    labels = feature_labels(card, code)
    return {e["file"]: _png(e, code, labels) for e in entries}


def draw_card_figures(card: Mapping[str, Any], out_dir: str | Path, lang: str | None) -> list[str]:
    """Draw every figure the card holds as numbers into ``out_dir`` as PNG, in ``lang``.

    Returns the files written; figures without numbers are left to their stored image.

    Examples
    --------
    >>> import tempfile
    >>> card = {"figures": [{"id": "i", "file": "i.png", "caption": "c", "section": "s",
    ...          "data": {"kind": "importance", "rows": [{"feature": "a", "mean_abs": 0.3,
    ...                   "lo": 0.2, "hi": 0.4}]}}]}
    >>> draw_card_figures(card, tempfile.mkdtemp(), "nl")
    ['i.png']
    """
    out = Path(out_dir)
    written = []
    for file, png in card_figure_pngs(card, lang).items():
        (out / file).write_bytes(png)
        written.append(file)
    return written
