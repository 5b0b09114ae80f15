"""Plots of an audit (matplotlib figures; only published, disclosure-controlled numbers).

Texts are worded in ``lang`` (``"en"``, ``"nl"``) and the axes' numbers formatted for it
(:mod:`earlysignal.i18n.figures`); group values are data and shown as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from earlysignal.i18n import N_, format_percent
from earlysignal.i18n.figures import figure_gettext, localize_axes

if TYPE_CHECKING:
    from earlysignal.fairness.audit import AuditResult

__all__ = ["plot_gaps", "plot_metric"]

AXIS_NAMES: dict[str, str] = {
    "oe_ratio": N_("observed / expected (O/E)"),
    "base_rate": N_("observed rate"),
    "mean_risk": N_("mean predicted risk"),
}
"""Reader names of the audit's metrics on a forest plot's axis (beside the card's
``METRIC_NAMES``); any other metric is shown by its name (``ece``, ``auroc``)."""


def plot_metric(result: AuditResult, metric: str = "oe_ratio", *, lang: str | None = None) -> Any:
    """Forest plot: one metric by group with its 95 % interval and, if known, the oracle's value.

    Hidden (suppressed) groups are listed with "hidden" instead of a point.

    Examples
    --------
    >>> import numpy as np, polars as pl, matplotlib
    >>> matplotlib.use("Agg")
    >>> from earlysignal.fairness import audit
    >>> rng = np.random.default_rng(0); p = rng.uniform(0.1, 0.5, 600)
    >>> df = pl.DataFrame({"child_id": [str(i) for i in range(600)],
    ...                    "sex": rng.choice(["female", "male"], 600),
    ...                    "risk": p, "y": (rng.random(600) < p).astype(int)})
    >>> fig = plot_metric(audit(df, attributes=["sex"], label="y", risk="risk", n_boot=20))
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from earlysignal.card.texts import METRIC_NAMES

    _ = figure_gettext(lang)
    rows = result.metrics.filter(pl.col("metric") == metric)
    if rows.height == 0:
        raise KeyError(f"plot_metric: unknown metric {metric!r}")
    labels = [
        f"{a}: {g}" if a != "all" else _("all")
        for a, g in rows.select("attribute", "group").iter_rows()
    ]
    fig, ax = plt.subplots(figsize=(7, 0.32 * rows.height + 1.4))
    y = np.arange(rows.height)[::-1]
    for yi, r in zip(y, rows.iter_rows(named=True), strict=True):
        if r["value"] is None:
            ax.text(
                0.5,
                yi,
                _("hidden (disclosure control)"),
                transform=ax.get_yaxis_transform(),
                va="center",
                ha="center",
                fontsize=8,
                color="grey",
            )
            continue
        if r["lo"] is not None and r["hi"] is not None:
            ax.plot([r["lo"], r["hi"]], [yi, yi], color="black", lw=1)
        ax.plot(r["value"], yi, "o", color="#4c72b0")
        if r["oracle"] is not None:
            ax.plot(r["oracle"], yi, "x", color="#c44e52")
    if metric == "oe_ratio":
        ax.axvline(1.0, color="grey", ls="--", lw=0.8)
    ax.set_yticks(y, labels)
    names = {**METRIC_NAMES, **AXIS_NAMES}
    name = _(names[metric]) if metric in names else metric
    ax.set_xlabel(
        _("%(metric)s (%(level)s child-clustered bootstrap interval; x = oracle)")
        % {"metric": name, "level": format_percent(0.95, lang)}
    )
    localize_axes(ax, lang, x="decimal", y=None)
    fig.tight_layout()
    return fig


def plot_gaps(result: AuditResult, *, lang: str | None = None) -> Any:
    """The calibration-gap test: z statistic per tested group, with the flagging bound.

    Examples
    --------
    >>> import numpy as np, polars as pl, matplotlib
    >>> matplotlib.use("Agg")
    >>> from earlysignal.fairness import audit
    >>> rng = np.random.default_rng(0); p = rng.uniform(0.1, 0.5, 600)
    >>> df = pl.DataFrame({"child_id": [str(i) for i in range(600)],
    ...                    "sex": rng.choice(["female", "male"], 600),
    ...                    "risk": p, "y": (rng.random(600) < p).astype(int)})
    >>> fig = plot_gaps(audit(df, attributes=["sex"], label="y", risk="risk", n_boot=20))
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    import matplotlib.pyplot as plt
    import numpy as np
    from scipy.stats import norm

    _ = figure_gettext(lang)
    tested = result.groups.filter(pl.col("gap_tested") & pl.col("gap_z").is_not_null())
    m = max(tested.height, 1)
    bound = float(norm.isf(result.spec.alpha / m / 2))
    fig, ax = plt.subplots(figsize=(7, 0.32 * max(tested.height, 1) + 1.4))
    y = np.arange(tested.height)[::-1]
    z = tested["gap_z"].to_numpy()
    ax.barh(y, z, color=["#c44e52" if abs(v) > bound else "#4c72b0" for v in z])
    for b in (-bound, bound):
        ax.axvline(b, color="grey", ls="--", lw=0.8)
    ax.set_yticks(y, [f"{a}: {g}" for a, g in tested.select("attribute", "group").iter_rows()])
    ax.set_xlabel(_("calibration gap z (log O/E vs the rest); dashed: Bonferroni bound"))
    localize_axes(ax, lang, x="decimal", y=None)
    fig.tight_layout()
    return fig
