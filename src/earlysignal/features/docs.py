"""Generate ``docs/features.md`` from the default specs.

    uv run python -m earlysignal.features.docs > docs/features.md

A test checks that the committed file equals this output.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from earlysignal.features.defaults import default_specs, describe
from earlysignal.features.specs import DEFAULT_EVENT_KINDS, FeatureSpec, PersonaMembership

__all__ = ["features_markdown"]

_HEADER = """# Features

Generated from the specs by `python -m earlysignal.features.docs > docs/features.md`; do not
edit by hand (a test compares this file with the generator's output).

## The time boundary

A feature at prediction time `t` uses only facts dated before the **cutoff**. With the default
`BoundaryPolicy.STRICT` the cutoff is `t` itself: events with `date < t`, placements with
`start < t`, and a placement's `end` and `end_reason` only when `end < t`. With the explicit
alternative `BoundaryPolicy.INCLUSIVE` the cutoff is the day after `t` (facts dated on `t`
count). "Placements" are non-temporary placements; temporary (respite) placements are never
counted and never moves. A status is in force at `t` when `start < cutoff` and (`end` is null
or `end >= t`).

The **current placement** is the latest placement with `start < cutoff` whose end is not
known at the cutoff (`end` null or `end >= cutoff`). It differs from the key column
`placement_id` (the placement in effect as recorded at extraction, `end > t`) only for a
placement that ends exactly on `t`: at `t` that ending is not yet known, so features still see
the child in that placement.

## Missing values

Counts are 0 when nothing happened. Features that measure time since something (days since the
last move, since the last event of a kind, since first entry, in the current placement), the
share of unplanned endings and the age at first entry are **null when the thing never
happened** (or the child is out of care); `frame.select(names).to_numpy()` turns them into NaN,
which LightGBM handles natively and the logistic model imputes. Current-setting and status
flags are 0/1.

## Default features

`default_specs(history, before=train_end)` takes the event kinds observed in the history
(sorted) and up to 20 most frequent status (kind, value) pairs, counting only facts dated
before `before` (`feature_vocabulary`): the experiment runner passes the training period's end
(the first day of the calibration period) and records the vocabulary with the run (the card's
`predictors.vocabulary`, `feature_vocabulary.json`, the saved model's metadata), so that an
event kind or status value seen only in a later period never becomes a feature. The cut is
never implied: `default_specs(history)` without `before` is refused with the fix, and
`before="all"` is the explicit opt-in to the whole history (descriptive work only, never for a
model evaluated on later periods); `bounded_specs` and `build_features_partitioned` follow the
same rule. `build_features(history, times)` with no specs cuts the vocabulary at the earliest
prediction time given (no row's features can see past it), or at `vocabulary_before=`: pass the
training period's end (`earlysignal.split.fraction_boundaries(times)[0]`) when a model is fitted.
Without a history it uses the event kinds {kinds} and no statuses.

Endings on the provider's side (`end_reason` `provider_ended`: allegation, standards of care,
approval removed, closure) are counted apart (`provider_endings_*`), never as the child's
breakdowns (`breakdowns_*`, `unplanned_ending_share`): a provider closing or failing is not the
child's history, though the child lived through the move. The table below is
`default_specs()` (no history). Sensitive child attributes are never in the default set; a study
that decides otherwise uses `ChildAttribute(name, value=..., opt_in_sensitive=True)`, which names
the column `sensitive_<name>_<value>`.

"""


_OPT_IN = """Not in the default set: a study adds them by name (the experiment config's switch in
brackets). Example columns are for the spec's defaults.

| spec | description | columns | definition (of the first column) |
|---|---|---|---|
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def features_markdown(specs: Sequence[FeatureSpec] | None = None) -> str:
    """Markdown documentation of feature specs (default: :func:`default_specs` ``()``).

    Examples
    --------
    >>> md = features_markdown()
    >>> "| `moves_365d` |" in md
    True
    """
    specs = default_specs() if specs is None else specs
    table = describe(specs)
    kinds = ", ".join(f"`{k}`" for k in DEFAULT_EVENT_KINDS)
    lines = [_HEADER.format(kinds=kinds).rstrip("\n"), ""]
    lines.append("| column | description | unit | definition | spec |")
    lines.append("|---|---|---|---|---|")
    for row in table.iter_rows(named=True):
        lines.append(
            f"| `{row['name']}` | {_cell(row['description'])} | {_cell(row['unit'])} | "
            f"{_cell(row['definition'])} | `{_cell(row['spec'])}` |"
        )
    lines.append("")
    lines.append(f"{table.height} columns from {len(specs)} specs.")
    lines += ["", "## Opt-in features", "", _OPT_IN.rstrip("\n")]
    example = PersonaMembership(fit_before=date(2020, 1, 1))
    doc = (PersonaMembership.__doc__ or "").strip().splitlines()[0]
    lines.append(
        f"| `PersonaMembership` | {_cell(doc)} (`[features] personas = true`, "
        "[personas.md](personas.md)) | `{example.outputs()[0].name}` ... "
        f"`{example.outputs()[-1].name}` (flags) | {_cell(example.outputs()[0].definition)} |"
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(features_markdown(), end="")
