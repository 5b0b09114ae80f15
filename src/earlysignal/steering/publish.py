"""What may leave the data team: disclosure control and pseudonyms for a steering comparison.

* **Units.** Only units with at least ``min_children`` (10) distinct children placed in the
  period are compared at all; smaller ones are counted, never shown.
* **Counts** (children, observed events) go through :func:`earlysignal.disclosure.protect`
  with the unit as an additive dimension: under 10 hidden, complementary suppression, rounded to
  5. An observed count counts placements with the event (a child can have several); it is
  published beside the distinct children who had the event (``children_event``), and it is
  those children that decide: both are hidden when fewer than 10 children had the event,
  however many events they had (``tied``). Expected counts are model output, published to 1
  decimal.
* **Ratios** are recomputed from the *published* (rounded) observed count, so a ratio is never
  finer than its rounded count; its exact interval is that of the rounded count. A ratio is
  hidden when its observed count is hidden, or when fewer than 10 children had the event or
  fewer than 10 did not (``min_class``, the rule for rates).
* **Shrunken estimates, rank intervals and the funnel flag** are published rounded (0.05; whole
  ranks) and hidden with the ratio (a flag tells on which side of a limit the count lies). The
  flag is computed on the exact counts.
* **Across reports** (the publication ledger, :mod:`earlysignal.ledger`, ``docs/disclosure.md``):
  with a ledger in use, each unit's counts are checked against what earlier reports published
  about nearly the same children (for an event count, the children who had the event): a cell within
  ``min_count - 1`` of an earlier one repeats its figure or stays hidden, so two reports on
  overlapping periods cannot be subtracted. The ledger's tables are :func:`ledger_table`.
* **Names.** Provider ids are never published as they are: a name table from the user
  (``unit,name`` CSV) gives readable names; otherwise each unit gets a stable pseudonym, a keyed
  hash (HMAC-SHA256) of its id. With the same key the same unit gets the same pseudonym in every
  report; without a key a random one is drawn for this report only (and the report says so).
  Regions and municipalities are public bodies and keep their names.

Examples
--------
>>> p = pseudonyms(["V001", "V002"], key=b"secret")
>>> p["V001"] == pseudonyms(["V001"], key=b"secret")["V001"]
True
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import polars as pl

from earlysignal.disclosure import DisclosurePolicy, protect
from earlysignal.ledger import current_ledger
from earlysignal.steering.funnel import poisson_interval
from earlysignal.steering.spec import SteeringError

__all__ = ["ledger_table", "protect_comparison", "pseudonyms", "read_names"]

PREFIX = {"provider": "Provider", "region": "Region", "municipality": "Municipality"}


def pseudonyms(units: Sequence[str], key: bytes, prefix: str = "U") -> dict[str, str]:
    """Stable pseudonyms ``<prefix>-xxxxxx`` from a keyed hash of each unit id.

    Examples
    --------
    >>> pseudonyms(["A"], key=b"k", prefix="Provider")["A"].startswith("Provider-")
    True
    """
    return {
        u: f"{prefix}-{hmac.new(key, u.encode('utf-8'), hashlib.sha256).hexdigest()[:6]}"
        for u in units
    }


def new_key() -> bytes:
    """A random key for one report (pseudonyms then differ between reports)."""
    return secrets.token_bytes(32)


def read_names(path: str | Path) -> dict[str, str]:
    """Read a name table (CSV with columns ``unit`` and ``name``).

    Raises
    ------
    SteeringError
        ``steer.names_file`` when the file is missing, lacks the columns, or repeats a unit.
    """
    p = Path(path)
    try:
        t = pl.read_csv(p, infer_schema=False)
    except (FileNotFoundError, pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise SteeringError(
            f"[steer.names_file] {p}: cannot read a CSV name table ({exc})"
        ) from None
    if not {"unit", "name"} <= set(t.columns):
        raise SteeringError(
            f"[steer.names_file] {p}: needs the columns unit and name, found {t.columns}"
        )
    dup = t.filter(pl.col("unit").is_duplicated())["unit"].unique().to_list()
    if dup:
        raise SteeringError(f"[steer.names_file] {p}: units named twice: {sorted(dup)[:5]}")
    return dict(zip(t["unit"].to_list(), t["name"].to_list(), strict=True))


def ledger_table(by: str, part: str) -> str:
    """A steering table's definition name in the publication ledger.

    The unit kind is part of the name (a provider and a region never share a cell); the
    unit's id is the cell's group (the ledger is private), so the pseudonym key does not matter.

    Examples
    --------
    >>> ledger_table("provider", "unplanned")
    'steering.provider.unplanned'
    """
    return f"steering.{by}.{part}"


def with_members(
    frame: pl.DataFrame, members: pl.DataFrame | None, columns: Mapping[str, str]
) -> tuple[pl.DataFrame, dict[str, str]]:
    """``frame`` with the member lists of ``members`` (by ``unit``) when a ledger is in use.

    Returns the frame and the ``members=`` mapping for :func:`~earlysignal.disclosure.protect`
    (empty without a ledger or members: the table is then protected on its own).
    """
    if members is None or current_ledger() is None:
        return frame, {}
    lists = members.select("unit", *columns.values())
    out = frame.join(lists, on="unit", how="left", maintain_order="left")
    return out.with_columns(pl.col(c).fill_null([]) for c in columns.values()), dict(columns)


def _step(x: pl.Expr, step: float) -> pl.Expr:
    return ((x / step).round(0) * step).round(4)


def protect_comparison(
    table: pl.DataFrame,
    labels: Mapping[str, str],
    *,
    policy: DisclosurePolicy | None = None,
    members: pl.DataFrame | None = None,
    table_name: str | None = None,
) -> pl.DataFrame:
    """The published table of one outcome's comparison.

    Parameters
    ----------
    table
        A comparison of :class:`~earlysignal.steering.compare.SteeringResult` (raw).
    labels
        Unit id -> published label (name or pseudonym).
    policy
        Disclosure policy (default: the library's).
    members
        Per unit, its children (``_m_children``) and the children who had the outcome
        (``_m_observed``), from :attr:`~earlysignal.steering.compare.SteeringResult.members`:
        with a publication ledger in use (:func:`earlysignal.ledger.use_ledger`) the counts
        are published through it as ``table_name`` (:func:`ledger_table`), the observed count
        keyed by the children who had the outcome.
    table_name
        The table's name in the ledger.

    Returns
    -------
    polars.DataFrame
        ``label``, ``children``, ``observed`` (placements with the outcome),
        ``children_event`` (the distinct children who had it: it decides whether ``observed``
        is shown; both hidden under ``min_count`` children), ``expected``, ``ratio``, ``ratio_lo``,
        ``ratio_hi``, ``flag``, ``shrunk``, ``shrunk_lo``, ``shrunk_hi``, ``rank_lo``,
        ``rank_hi``, ``limit_*`` and ``suppressed``; sorted by label. No unit id.

    Examples
    --------
    >>> t = pl.DataFrame({"unit": ["a", "b", "c"], "children": [40, 60, 50],
    ...     "observed": [12, 8, 31], "expected": [10.0, 9.0, 20.0], "children_event": [3, 8, 30],
    ...     "flag": ["within", "within", "above"], "shrunk": [1.1, 0.93, 1.4],
    ...     "shrunk_lo": [0.8, 0.6, 1.1], "shrunk_hi": [1.4, 1.2, 1.9], "rank_lo": [1, 1, 2],
    ...     "rank_hi": [3, 2, 3], "limit_lo_95": [0.5] * 3, "limit_hi_95": [1.6] * 3,
    ...     "limit_lo_998": [0.3] * 3, "limit_hi_998": [2.0] * 3})
    >>> out = protect_comparison(t, {"a": "A", "b": "B", "c": "C"})
    >>> out.select("label", "observed", "children_event", "ratio", "flag").rows()
    [('A', None, None, None, None), ('B', None, None, None, None), ('C', 30, 30, 1.5, 'above')]
    """
    pol = policy or DisclosurePolicy()
    shown = ("shrunk", "shrunk_lo", "shrunk_hi", "rank_lo", "rank_hi")
    raw = table.with_columns(
        (pl.col("children") - pl.col("children_event")).alias("children_no_event"),
        pl.col("observed").cast(pl.Float64).alias("ratio"),
    ).select(
        "unit",
        "children",
        "observed",
        "children_event",
        "children_no_event",
        "ratio",
        *shown,
    )
    raw, member_cols = with_members(
        raw, members, {"children": "_m_children", "children_event": "_m_observed"}
    )
    prot = protect(
        raw,
        count_cols=["children", "observed", "children_event"],
        by=["unit"],
        rate_cols=["ratio"],
        rate_support={"ratio": ["observed", "children_event", "children_no_event"]},
        # the observed count counts placements: its children decide (and key it in the ledger)
        tied={"observed": "children_event"},
        linked={"ratio": list(shown)},
        policy=pol,
        members=member_cols or None,
        table=table_name or "steering.comparison",
    )
    e = table["expected"].to_numpy()
    o = prot["observed"].to_numpy(allow_copy=True).astype(np.float64)
    ok = prot["ratio"].is_not_null().to_numpy()
    lo, hi = poisson_interval(np.where(ok, o, 0.0))
    out = (
        prot.select("unit", "children", "observed", "children_event", "suppressed", *shown)
        .with_columns(
            pl.Series("expected", e).round(1),
            pl.Series("ratio", np.where(ok, o / e, np.nan)).fill_nan(None).round(2),
            pl.Series("ratio_lo", np.where(ok, lo / e, np.nan)).fill_nan(None).round(2),
            pl.Series("ratio_hi", np.where(ok, hi / e, np.nan)).fill_nan(None).round(2),
            *(_step(pl.col(c), 0.05) for c in ("shrunk", "shrunk_lo", "shrunk_hi")),
            pl.when(pl.Series(ok)).then(table["flag"]).alias("flag"),
            *(table[c].round(3) for c in table.columns if c.startswith("limit_")),
        )
        .with_columns(pl.col("unit").replace_strict(dict(labels)).alias("label"))
    )
    return out.select(
        "label",
        "children",
        "observed",
        "children_event",
        "expected",
        "ratio",
        "ratio_lo",
        "ratio_hi",
        "flag",
        *shown,
        *(c for c in out.columns if c.startswith("limit_")),
        "suppressed",
    ).sort("label")
