"""Statistical disclosure control for every table earlysignal publishes.

The library default (``docs/fairness.md``, after DfE and CBS practice, see ``DOMAIN.md``):

* **children, not rows**: every count is a count of distinct children; a count of rows
  (prediction times) is ``tied`` to the children count that decides its suppression;
* **small cells**: no published count of children under 10 (``min_count``); zero included, since
  "none of the children in this group" is itself a disclosure;
* **rounding**: published counts are rounded to the nearest multiple of 5 (``rounding``), halves
  up, so no published count is under 10 either; totals too (the differencing defence);
* **complementary (secondary) suppression with a protection interval**: every additive relation
  of the table (a margin equals the sum of its cells, a count equals the sum of its parts) is a
  linear relation (an inequality, margin <= sum of cells, where distinct children do not add
  up exactly). Cells are hidden until no hidden cell is determined by the relations (null
  space), every line whose total is known hides at least ``min_count`` children in all, and,
  the rule: for every hidden cell, the bounds ``[min, max]`` that an attacker gets by linear
  programming (published cells known exactly, every relation, counts never negative; totals
  under ``min_count`` unknown) satisfy ``max - min >= min_count``. Complementary cells are
  chosen smallest first by their rounded value, then key, so that runs differing by a few
  children hide the same cells;
* **rates**: every rate, ratio and bound is published to ``decimals`` (2); a rate that is a
  ratio of two counts (``rate_of``) is computed from the *rounded* counts. A group rate is
  hidden when one of its support counts is under ``min_class`` (10), or was hidden;
* **marking**: nothing is dropped. A hidden value is null and its ``<column>_flag`` is
  ``suppressed`` (one code for every reason, like DfE's ``c``, so that a reader cannot tell
  which hidden cells are the small ones; ``DisclosurePolicy(detailed_reasons=True)`` gives
  ``small``, ``complementary``, ``support`` or ``support_suppressed`` for internal review);
  the ``suppressed`` column marks the rows with anything hidden.

What rounding cannot do: when a cell crosses a rounding boundary between two runs (12 -> 13
children publishes 10 -> 15), an attacker who knows that one child was added learns that it
joined that cell, and the moved suppression pattern can bound a hidden cell under 10. **The
publication ledger** (:mod:`earlysignal.ledger`, ``docs/disclosure.md``) closes that: give
``protect`` each count's children (``members``) and a table name, with a ledger in use, and a
cell whose children differ by fewer than ``min_count`` from a cell published before repeats that
earlier figure (or stays hidden, flag ``earlier``), so two such runs publish the same figures.
**Cell-key perturbation** (opt-in, :mod:`earlysignal.cellkey`, after Fraser and Wooton 2005,
ABS): give ``protect`` each group's cell key (``cell_key_cols``, computed from child ids with
the publisher's secret) and, with ``DisclosurePolicy.perturb`` (default), every such count is
published rounded plus -5, 0 or +5 from a fixed table, the same for the same children in every
run. It keeps every guarantee above (multiples of 5, never under 10, rates from published
counts) and makes the pattern-change attack fail for about two publisher secrets in three, but
does not close it, and cannot hide which cell an added child joined (``docs/fairness.md``).

Tables are described by their key columns. ``by`` columns are additive dimensions: a null in a
``by`` column means "all" (a margin row), and margins that the table does not hold are assumed
to be published elsewhere (``known_totals=True``, the safe assumption). ``strata`` columns split
the table into independent sub-tables without totals across them (for example the year of a
yearly indicator).

Examples
--------
>>> import polars as pl
>>> t = pl.DataFrame({"region": ["north", "south", "east", "west"], "n": [120, 4, 57, 33]})
>>> out = protect(t, count_cols=["n"], by=["region"])
>>> out.select("region", "n", "n_flag").rows()  # doctest: +NORMALIZE_WHITESPACE
[('north', 120, None), ('south', None, 'suppressed'), ('east', 55, None),
 ('west', None, 'suppressed')]
>>> assert_safe(out, by=["region"])
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from earlysignal._suppression import (
    Cell,
    Key,
    _complete_virtual,
    _determined,
    _Line,
    _structure,
    _suppress,
    round_count,
)
from earlysignal.cellkey import perturb
from earlysignal.ledger import (
    Anchor,
    CellRef,
    LedgerError,
    PublicationLedger,
    current_ledger,
    key_text,
    member_sets,
    record_fresh,
)

__all__ = [
    "DEFAULT_POLICY",
    "DisclosureError",
    "DisclosurePolicy",
    "assert_safe",
    "check_table",
    "protect",
    "published_count",
    "published_counts",
    "published_rate",
    "round_count",
]

FLAG_SUFFIX = "_flag"
SMALL = "small"
COMPLEMENTARY = "complementary"
SUPPORT = "support"
SUPPORT_SUPPRESSED = "support_suppressed"
EARLIER = "earlier"
SUPPRESSED = "suppressed"
REASONS: tuple[str, ...] = (SUPPRESSED, SMALL, COMPLEMENTARY, SUPPORT, SUPPORT_SUPPRESSED, EARLIER)
"""The reasons a ``<column>_flag`` can give for a hidden value."""


class DisclosureError(ValueError):
    """A table breaks the disclosure policy, or cannot be protected as asked."""


@dataclass(frozen=True, slots=True)
class DisclosurePolicy:
    """What may be published about groups of children.

    Parameters
    ----------
    min_count
        Smallest count of children that may be published (primary suppression below it).
    rounding
        Published counts are rounded to a multiple of this (1 disables rounding).
    min_class
        A rate is hidden when one of its support counts (a group's positives or negatives) is
        below this.
    decimals
        Rates, ratios, interval bounds and every other figure published beside the counts are
        rounded to this many decimals (2: whole percent for a rate given as a fraction, two
        decimals for a ratio such as observed/expected). ``None`` publishes them unrounded:
        for internal review only (``check_table`` then skips the check).
    detailed_reasons
        Flag hidden values with their precise reason (``small``, ``complementary``,
        ``support``, ``support_suppressed``) instead of one ``suppressed`` code. For internal
        review only: telling small cells from complementary ones tells a reader which hidden
        cells are under 10, which narrows what they can be (published tables, like DfE's
        ``c``, use one code).
    perturb
        Apply cell-key perturbation (:mod:`earlysignal.cellkey`) to the counts whose cell keys
        are given to :func:`protect` (``cell_key_cols``); counts without cell keys are only
        rounded. ``False`` publishes rounded counts even when cell keys are given.

    Examples
    --------
    >>> DisclosurePolicy().min_count, DisclosurePolicy().rounding
    (10, 5)
    >>> DisclosurePolicy(rounding=0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    earlysignal.disclosure.DisclosureError: DisclosurePolicy: rounding must be a positive ...
    """

    min_count: int = 10
    rounding: int = 5
    min_class: int = 10
    detailed_reasons: bool = False
    decimals: int | None = 2
    perturb: bool = True

    def __post_init__(self) -> None:
        if self.rounding < 1:
            raise DisclosureError(
                f"DisclosurePolicy: rounding must be a positive integer, got {self.rounding}; "
                "use 1 to disable rounding"
            )
        if self.min_count < 0 or self.min_class < 0:
            raise DisclosureError(
                "DisclosurePolicy: min_count and min_class must be >= 0, got "
                f"{self.min_count} and {self.min_class}"
            )
        if self.decimals is not None and self.decimals < 0:
            raise DisclosureError(f"DisclosurePolicy: decimals must be >= 0, got {self.decimals}")
        if self.min_count % self.rounding:
            raise DisclosureError(
                f"DisclosurePolicy: min_count ({self.min_count}) must be a multiple of rounding "
                f"({self.rounding}) so that no rounded count falls below it"
            )


DEFAULT_POLICY = DisclosurePolicy()
"""The library default: counts under 10 hidden, counts rounded to 5, rates need 10 per class."""


def published_count(value: int, policy: DisclosurePolicy = DEFAULT_POLICY) -> int | None:
    """A single published count: rounded to ``policy.rounding``, or None (hidden) when under
    ``policy.min_count`` (zero included), for counts shown alone, outside a :func:`protect`
    table (the card's periods and oracle sample).

    Examples
    --------
    >>> [published_count(v) for v in (0, 3, 9, 10, 12, 13, 1234)]
    [None, None, None, 10, 10, 15, 1235]
    """
    n = int(value)
    return round_count(n, policy.rounding) if n >= policy.min_count else None


def published_counts(
    counts: Mapping[str, Any], policy: DisclosurePolicy = DEFAULT_POLICY
) -> dict[str, Any]:
    """Each count of a mapping as :func:`published_count` publishes it; a nested mapping (counts
    per table) likewise, anything else (a mode, a file count's label) unchanged. For reports of
    counts shown on the card (the import's rows per table, validation issues by rule) whose
    exact version stays with the data team.

    Examples
    --------
    >>> published_counts({"kept": {"episodes": 3737, "header": 4}, "errors": "repair"})
    {'kept': {'episodes': 3735, 'header': None}, 'errors': 'repair'}
    """
    out: dict[str, Any] = {}
    for k, v in counts.items():
        if isinstance(v, Mapping):
            out[k] = published_counts(v, policy)
        elif isinstance(v, int) and not isinstance(v, bool):
            out[k] = published_count(v, policy)
        else:
            out[k] = v
    return out


def published_rate(
    numerator: int | None, denominator: int | None, policy: DisclosurePolicy = DEFAULT_POLICY
) -> float | None:
    """A rate from two *published* counts (:func:`published_count`), to ``policy.decimals``;
    None when either count is hidden or the denominator is 0.

    Examples
    --------
    >>> published_rate(published_count(13), published_count(98))
    0.15
    >>> published_rate(None, 100) is None
    True
    """
    if numerator is None or not denominator:
        return None
    rate = numerator / denominator
    return rate if policy.decimals is None else round(rate, policy.decimals)


def _keys(frame: pl.DataFrame, strata: Sequence[str], by: Sequence[str]) -> list[Key]:
    cols = [*strata, *by]
    if not cols:
        return [() for _ in range(frame.height)]
    keys = [tuple(r) for r in frame.select(cols).iter_rows()]
    seen: dict[Key, int] = {}
    for i, k in enumerate(keys):
        if k in seen:
            named = dict(zip(cols, k, strict=True))
            raise DisclosureError(
                f"disclosure: rows {seen[k]} and {i} have the same key {named} "
                f"in columns {cols}; aggregate the table to one row per group before protecting it"
            )
        seen[k] = i
    return keys


def _round_float(series: pl.Series, decimals: int | None) -> pl.Series:
    """A floating-point column rounded to ``decimals`` (other columns unchanged)."""
    if decimals is None or not series.dtype.is_float():
        return series
    return series.round(decimals)


def _hide(series: pl.Series, flags: Sequence[str | None]) -> pl.Series:
    values = [v if f is None else None for v, f in zip(series.to_list(), flags, strict=True)]
    return pl.Series(series.name, values, dtype=series.dtype)


def _as_mapping(
    spec: Mapping[str, Sequence[str]] | Sequence[str] | None,
    keys: Sequence[str],
    default: Sequence[str],
) -> dict[str, tuple[str, ...]]:
    if spec is None:
        return {k: tuple(default) for k in keys}
    if isinstance(spec, Mapping):
        return {k: tuple(spec.get(k, default)) for k in keys}
    return {k: tuple(spec) for k in keys}


def protect(
    frame: pl.DataFrame,
    *,
    count_cols: Sequence[str],
    by: Sequence[str] = (),
    strata: Sequence[str] = (),
    rate_cols: Sequence[str] = (),
    rate_support: Mapping[str, Sequence[str]] | Sequence[str] | None = None,
    linked: Mapping[str, Sequence[str]] | None = None,
    row_sums: Mapping[str, Sequence[str]] | None = None,
    policy: DisclosurePolicy | None = None,
    min_count: int | None = None,
    rounding: int | None = None,
    known_totals: bool = True,
    rate_of: Mapping[str, tuple[str, str]] | None = None,
    tied: Mapping[str, str] | None = None,
    cell_key_cols: Mapping[str, str] | None = None,
    members: Mapping[str, str] | None = None,
    table: str | None = None,
    ledger: PublicationLedger | None = None,
    ledger_by_group: bool = True,
) -> pl.DataFrame:
    """Apply the disclosure policy to a table of group statistics, marking what was hidden.

    Parameters
    ----------
    frame
        One row per group (per key of ``strata`` + ``by``); raw, unrounded counts.
    count_cols
        Columns holding counts of children (non-negative integers): small ones are hidden,
        complementary cells are hidden, the rest rounded.
    by
        Additive dimensions. A null means "all" (a margin row); margins the table does not hold
        are assumed published elsewhere when ``known_totals``.
    strata
        Columns splitting the table into independent sub-tables (no totals across them).
    rate_cols
        Rates or other statistics of a group, hidden when a support count is under
        ``policy.min_class`` or was hidden.
    rate_support
        Support counts of each rate (a mapping rate -> columns, or one list for every rate);
        default: all ``count_cols``. Support columns that are not ``count_cols`` are used for the
        check only and removed from the output (raw counts are never published).
    linked
        Columns hidden together with a count or rate column (its interval bounds, its
        difference to the reference group, ...), e.g. ``{"tpr": ["tpr_lo", "tpr_hi"]}``.
    row_sums
        Relations inside a row, e.g. ``{"n": ["n_pos", "n_neg"]}``: a hidden part is not
        recoverable from the total and the other part.
    policy, min_count, rounding
        The policy (default :data:`DEFAULT_POLICY`); ``min_count``/``rounding`` override it.
    known_totals
        Treat margins absent from the table as published (the safe default).
    rate_of
        Rates that are a ratio of two counts, ``{rate: (numerator, denominator)}``: published as
        the *rounded* numerator over the *rounded* denominator (then to ``policy.decimals``), so
        that a rate tells nothing the rounded counts do not. The two counts are added to the
        rate's support; a numerator or denominator that is not a ``count_cols`` column is used
        for this only and not published.
    tied
        Count columns about rows (prediction times) decided by a count of distinct children,
        ``{"n_rows": "n_children"}``: the row count is hidden exactly when the children count
        is (primary suppression is decided by the children count, never by the number of
        rows), and rounded like every count.
    cell_key_cols
        ``{count column: cell-key column}``: the cell key of each group's children
        (:func:`earlysignal.cellkey.cell_keys`, integers in ``[0, 2**32)``). When given and
        ``policy.perturb``, the published count is the rounded count perturbed from its cell key
        (:func:`earlysignal.cellkey.perturb`), rates of ``rate_of`` are computed from the
        perturbed counts, and the cell-key columns are removed from the output.
    members
        ``{count column: column of lists}``: the distinct children each count counts (their
        ids; a list per row, its length the count; a count of ``rate_of`` that is not
        published itself can be given too, so that its rate repeats). With a publication
        ledger in use (``ledger`` or :func:`earlysignal.ledger.use_ledger`), each such cell
        whose children differ by fewer than ``policy.min_count`` from a cell of the same
        ``table``, group and column recorded earlier repeats that earlier outcome (its figure,
        or hidden), cells under ``min_count`` are hidden first, complementary suppression
        follows, and the cells published or hidden afresh are recorded
        (``docs/disclosure.md``). Row counts ``tied`` to a children count use that count's
        children. The lists are removed from the output. Without a ledger they are only
        checked against the counts.
    table
        The table's definition name in the ledger (required when a ledger is in use and
        ``members`` are given), e.g. ``"fairness.audit"``.
    ledger
        The publication ledger (default: the one in use, :func:`earlysignal.ledger.current_ledger`).
    ledger_by_group
        Match a cell only to earlier cells of the same group (default). ``False`` matches it to
        the nearest earlier cell of the same column whatever its group label: for groups whose
        labels are not stable between runs (personas found by clustering).

    Returns
    -------
    polars.DataFrame
        The rows of ``frame`` in the same order: published counts rounded (``Int64``, null when
        hidden), rates null when hidden, a ``<col>_flag`` (String, the reason, null when
        published) after each count and rate column, and ``suppressed`` (Boolean: anything
        hidden in the row). Rates and floating-point linked columns are rounded to
        ``policy.decimals``. Other columns are kept unchanged: never pass columns derived from
        counts without declaring them as ``rate_cols`` or ``linked``.

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"sex": ["female", "male"], "n": [40, 52], "n_pos": [12, 7],
    ...                   "tpr": [0.5, 0.43]})
    >>> out = protect(t, count_cols=["n", "n_pos"], by=["sex"], rate_cols=["tpr"],
    ...               rate_support={"tpr": ["n_pos"]},
    ...               policy=DisclosurePolicy(detailed_reasons=True))
    >>> for row in out.select("sex", "n", "n_pos", "n_pos_flag", "tpr", "tpr_flag").rows():
    ...     print(row)
    ('female', 40, None, 'complementary', None, 'support_suppressed')
    ('male', 50, None, 'small', None, 'support')
    """
    pol = policy or DEFAULT_POLICY
    if min_count is not None or rounding is not None:
        pol = DisclosurePolicy(
            min_count=pol.min_count if min_count is None else min_count,
            rounding=pol.rounding if rounding is None else rounding,
            min_class=pol.min_class,
            detailed_reasons=pol.detailed_reasons,
            decimals=pol.decimals,
            perturb=pol.perturb,
        )
    count_cols = list(count_cols)
    member_cols = dict(members or {})
    ratio_counts = {x for pair in (rate_of or {}).values() for x in pair}
    for c, mc in member_cols.items():
        if (c not in count_cols and c not in ratio_counts) or mc not in frame.columns:
            raise DisclosureError(
                f"protect: members {c!r} -> {mc!r} must map a count column (or a count of "
                f"rate_of) to a column of the table holding each group's children (columns: "
                f"{frame.columns})"
            )
    for row_col, child_col in (tied or {}).items():
        if child_col in member_cols and row_col not in member_cols:
            member_cols[row_col] = member_cols[child_col]
    led = (ledger or current_ledger()) if member_cols else None
    if led is not None and not table:
        raise DisclosureError(
            "protect: a publication ledger is in use and members are given, but the table has no "
            "name; pass table='...' (the same name in every run, e.g. 'fairness.audit')"
        )
    ck_cols = dict(cell_key_cols or {})
    for c, kc in ck_cols.items():
        if c not in count_cols or kc not in frame.columns:
            raise DisclosureError(
                f"protect: cell_key_cols {c!r} -> {kc!r} must map a count column to a cell-key "
                f"column of the table (columns: {frame.columns})"
            )
        kcol = frame.get_column(kc)
        if kcol.null_count() or not kcol.dtype.is_integer():
            raise DisclosureError(
                f"protect: cell-key column {kc!r} must hold non-null integers (got dtype "
                f"{kcol.dtype}, {kcol.null_count()} nulls); compute it with cellkey.cell_keys"
            )
    perturbed = (
        {c: frame.get_column(kc).to_list() for c, kc in ck_cols.items()} if pol.perturb else {}
    )

    repeat: dict[tuple[str, int], int] = {}  # (column, row) -> the earlier published figure

    def published(c: str, i: int, value: int) -> int:
        if (c, i) in repeat:
            return repeat[(c, i)]
        if c in perturbed:
            return perturb(value, perturbed[c][i], rounding=pol.rounding, min_count=pol.min_count)
        return round_count(value, pol.rounding)

    rate_of = dict(rate_of or {})
    tied = dict(tied or {})
    rate_cols = list(rate_cols)
    linked = dict(linked or {})
    row_sums = dict(row_sums or {})
    support = _as_mapping(rate_support, rate_cols, count_cols)
    for r, (num, den) in rate_of.items():
        if r not in rate_cols:
            raise DisclosureError(f"protect: rate_of names {r!r}, which is not a rate column")
        support[r] = tuple(dict.fromkeys([*support[r], num, den]))
    for row_col, child_col in tied.items():
        if row_col not in count_cols or child_col not in count_cols:
            raise DisclosureError(
                f"protect: tied {row_col!r} -> {child_col!r} must relate two count_cols"
            )
    needed = {*count_cols, *by, *strata, *rate_cols, *(c for v in support.values() for c in v)}
    needed |= {c for v in linked.values() for c in v} | set(row_sums)
    needed |= {c for v in row_sums.values() for c in v}
    missing = sorted(needed - set(frame.columns))
    if missing:
        raise DisclosureError(
            f"protect: the table lacks columns {missing} (it has {frame.columns}); "
            "pass only columns the table holds"
        )
    for total, parts in row_sums.items():
        if total not in count_cols or any(p not in count_cols for p in parts):
            raise DisclosureError(
                f"protect: row_sums {total!r} = {list(parts)} must relate count_cols only"
            )
    raw: dict[str, list[int]] = {}
    for c in {*count_cols, *(s for v in support.values() for s in v)}:
        col = frame.get_column(c)
        if col.null_count() or not (col.dtype.is_integer() or col.dtype == pl.Float64):
            raise DisclosureError(
                f"protect: count column {c!r} must hold non-null integers, got dtype "
                f"{col.dtype} with {col.null_count()} nulls; fill or aggregate the counts first"
            )
        vals = col.cast(pl.Float64).to_list()
        bad = [v for v in vals if v < 0 or v != int(v)]
        if bad:
            raise DisclosureError(
                f"protect: count column {c!r} holds values that are not counts, e.g. {bad[:3]}; "
                "pass raw, non-negative integer counts"
            )
        raw[c] = [int(v) for v in vals]

    keys = _keys(frame, strata, by)
    lines, virtual = _structure(keys, len(strata), count_cols, row_sums, known_totals)
    values: dict[Cell, int] = {}
    for i, k in enumerate(keys):
        for c in count_cols:
            values[(k, c)] = raw[c][i]
    _complete_virtual(values, lines, virtual)
    decider = {c: tied.get(c, c) for c in count_cols}
    primary = {
        (k, c)
        for (k, c) in values
        if (k, c) not in virtual and values[(k, decider[c])] < pol.min_count
    }
    earlier: set[Cell] = set()  # hidden because nearly the same children were hidden before
    earlier_rate: set[tuple[str, int]] = set()  # the same, for a count of rate_of only
    hashes: dict[Cell, list[int]] = {}
    anchors: dict[Cell, Anchor] = {}
    if member_cols:
        try:
            hashes = member_sets(frame, keys, member_cols, tied=tied, raw=raw, ledger=led)
        except LedgerError as exc:
            raise DisclosureError(str(exc)) from exc
    if led is not None and table:
        refs: dict[CellRef, Cell] = {(key_text(k), c): (k, c) for (k, c) in hashes}
        found = led.anchors(
            table,
            {r: hashes[cell] for r, cell in refs.items()},
            max_difference=pol.min_count - 1,
            by_group=ledger_by_group,
        )
        anchors = {refs[r]: a for r, a in found.items()}
        row_of = {k: i for i, k in enumerate(keys)}
        for cell, a in anchors.items():
            i, only_rate = row_of[cell[0]], cell[1] not in count_cols
            if cell in primary or (only_rate and raw[cell[1]][i] < pol.min_count):
                continue  # under the threshold today: hidden whatever was published before
            ok = a.value is not None and a.value >= pol.min_count and not a.value % pol.rounding
            if ok and a.value is not None:
                repeat[(cell[1], i)] = a.value
            elif only_rate:  # a count published only through its rates: they stay hidden
                earlier_rate.add((cell[1], i))
            else:
                earlier.add(cell)
    # Strata are independent tables: suppress each on its own (smaller linear programmes).
    hidden: set[Cell] = set()
    n_strata = len(strata)
    by_stratum: dict[Key, list[_Line]] = {}
    for line in lines:
        by_stratum.setdefault(line.total[0][:n_strata], []).append(line)
    cells_of: dict[Key, dict[Cell, int]] = {}
    for cell, v in values.items():
        cells_of.setdefault(cell[0][:n_strata], {})[cell] = v
    for stratum, cells in cells_of.items():
        hidden |= _suppress(
            cells,
            by_stratum.get(stratum, []),
            virtual & cells.keys(),
            (primary | earlier) & cells.keys(),
            min_count=pol.min_count,
            rounding=pol.rounding,
            tied=tied,
        )

    columns: dict[str, pl.Series] = {}
    flags: dict[str, list[str | None]] = {}
    for c in count_cols:
        pub: list[int | None] = []
        flag: list[str | None] = []
        for i, k in enumerate(keys):
            cell = (k, c)
            if cell in primary:
                pub.append(None)
                flag.append(SMALL)
            elif cell in earlier:
                pub.append(None)
                flag.append(EARLIER)
            elif cell in hidden:
                pub.append(None)
                flag.append(COMPLEMENTARY)
            else:
                pub.append(published(c, i, values[cell]))
                flag.append(None)
        columns[c] = pl.Series(c, pub, dtype=pl.Int64())
        flags[c] = flag if pol.detailed_reasons else [f and SUPPRESSED for f in flag]
    for r in rate_cols:
        flag = []
        for i, k in enumerate(keys):
            reason: str | None = None
            for s in support[r]:
                if raw[s][i] < pol.min_class:
                    reason = SUPPORT
                    break
            if reason is None and any((s, i) in earlier_rate for s in support[r]):
                reason = EARLIER
            if reason is None and any((k, s) in hidden for s in support[r] if s in count_cols):
                reason = SUPPORT_SUPPRESSED
            flag.append(reason)
        if r in rate_of:
            num, den = rate_of[r]
            derived: list[float | None] = []
            for i in range(frame.height):
                d = published(den, i, raw[den][i])
                q = published(num, i, raw[num][i]) / d if d else None
                derived.append(q)
            series = _round_float(pl.Series(r, derived, dtype=pl.Float64()), pol.decimals)
        else:
            series = _round_float(frame.get_column(r), pol.decimals)
        columns[r] = _hide(series, flag)
        flags[r] = flag if pol.detailed_reasons else [f and SUPPRESSED for f in flag]
    for owner, cols in linked.items():
        if owner not in flags:
            raise DisclosureError(
                f"protect: linked columns {list(cols)} are tied to {owner!r}, which is neither a "
                "count column nor a rate column"
            )
        for lc in cols:
            src = columns.get(lc, _round_float(frame.get_column(lc), pol.decimals))
            columns[lc] = _hide(src, flags[owner])

    if led is not None and table:
        # a count of rate_of only is published through its rates: hidden when all of them are
        shown: dict[str, pl.Series] = {}
        rate_hidden: set[Cell] = set()
        for c in {c for (_, c) in hashes} - set(count_cols):
            rates = [r for r, pair in rate_of.items() if c in pair]
            through: list[int | None] = []
            for i, k in enumerate(keys):
                if all(flags[r][i] is not None for r in rates):
                    rate_hidden.add((k, c))
                    through.append(None)
                else:
                    through.append(published(c, i, raw[c][i]))
            shown[c] = pl.Series(c, through, dtype=pl.Int64())
        record_fresh(
            led,
            table,
            keys,
            hashes,
            anchors=anchors,
            repeat=repeat,
            columns={**columns, **shown},
            hidden=primary | hidden | earlier | rate_hidden,
        )
    dropped = {s for v in support.values() for s in v} - set(count_cols)
    dropped |= set(ck_cols.values()) | set(member_cols.values())
    out_cols: list[pl.Series] = []
    for name in frame.columns:
        if name in dropped:
            continue
        out_cols.append(columns.get(name, frame.get_column(name)))
        if name in flags:
            out_cols.append(pl.Series(name + FLAG_SUFFIX, flags[name], dtype=pl.String()))
    any_hidden = [any(flags[c][i] is not None for c in flags) for i in range(frame.height)]
    out_cols.append(pl.Series("suppressed", any_hidden, dtype=pl.Boolean()))
    return pl.DataFrame(out_cols)


def _infer_cols(frame: pl.DataFrame) -> tuple[list[str], list[str]]:
    counts: list[str] = []
    rates: list[str] = []
    for c in frame.columns:
        if c + FLAG_SUFFIX in frame.columns:
            (counts if frame.schema[c].is_integer() else rates).append(c)
    return counts, rates


def check_table(
    frame: pl.DataFrame,
    *,
    count_cols: Sequence[str] | None = None,
    rate_cols: Sequence[str] | None = None,
    by: Sequence[str] | None = None,
    strata: Sequence[str] = (),
    row_sums: Mapping[str, Sequence[str]] | None = None,
    policy: DisclosurePolicy | None = None,
    known_totals: bool = True,
    table: str = "table",
) -> list[str]:
    """List every way a published table breaks the disclosure policy (empty when it complies).

    Checks that every published count is at least ``min_count`` and a multiple of
    ``rounding``; that every hidden count or rate is null *and* carries a reason in its
    ``<col>_flag``; that no floating-point figure (rate, ratio, interval bound, ...) is finer
    than ``policy.decimals`` (the first offending row per column is named); that no rate is
    published in a row where a count is hidden (a rate and the
    row's other figures can give the hidden count back: ``base_rate x n = n_pos``); and, when
    ``by`` is given, that no hidden count can be recovered exactly
    from the published counts and the table's totals (a property of the suppression pattern
    alone, so it needs no raw values).

    Parameters
    ----------
    frame
        A published table, e.g. the output of :func:`protect`.
    count_cols, rate_cols
        Default: integer (count) and other (rate) columns that have a ``<col>_flag`` companion.
    by, strata, row_sums, known_totals
        The table's additive structure, as given to :func:`protect`.
    policy
        Default :data:`DEFAULT_POLICY`.
    table
        Name used in the messages.

    Examples
    --------
    >>> import polars as pl
    >>> check_table(pl.DataFrame({"g": ["a", "b"], "n": [12, 40], "n_flag": [None, None]}))
    ["table: count 'n' = 12 in row 0 is not a multiple of 5 (counts are rounded to 5)"]
    """
    pol = policy or DEFAULT_POLICY
    inferred_counts, inferred_rates = _infer_cols(frame)
    counts = list(count_cols) if count_cols is not None else inferred_counts
    rates = list(rate_cols) if rate_cols is not None else inferred_rates
    problems: list[str] = []
    for c in [*counts, *rates]:
        if c not in frame.columns:
            problems.append(f"{table}: column {c!r} is missing")
    if problems:
        return problems
    for c in counts:
        vals = frame.get_column(c).to_list()
        fl = (
            frame.get_column(c + FLAG_SUFFIX).to_list()
            if c + FLAG_SUFFIX in frame.columns
            else [None] * frame.height
        )
        for i, (v, f) in enumerate(zip(vals, fl, strict=True)):
            if v is None:
                if f not in REASONS:
                    problems.append(
                        f"{table}: count {c!r} is null in row {i} without a reason in "
                        f"{c + FLAG_SUFFIX!r} (got {f!r}); hidden values must be marked"
                    )
            else:
                if v < pol.min_count:
                    problems.append(
                        f"{table}: count {c!r} = {v} in row {i} is under {pol.min_count} "
                        "children; hide it (primary suppression)"
                    )
                elif v % pol.rounding:
                    problems.append(
                        f"{table}: count {c!r} = {v} in row {i} is not a multiple of "
                        f"{pol.rounding} (counts are rounded to {pol.rounding})"
                    )
                if f is not None:
                    problems.append(
                        f"{table}: count {c!r} in row {i} is published but flagged {f!r}"
                    )
    for name, dtype in frame.schema.items():
        if pol.decimals is None or not dtype.is_float():
            continue
        vals = frame.get_column(name).to_list()
        for i, v in enumerate(vals):
            if v is not None and math.isfinite(v) and abs(v - round(v, pol.decimals)) > 1e-9:
                problems.append(
                    f"{table}: {name!r} = {v!r} in row {i} is finer than {pol.decimals} decimals; "
                    "with a rounded count it can give an exact count back, so publish rates "
                    f"rounded to {pol.decimals} decimals (protect does)"
                )
                break
    hidden_count_rows = {
        i for c in counts for i, v in enumerate(frame.get_column(c).to_list()) if v is None
    }
    for r in rates:
        if r + FLAG_SUFFIX not in frame.columns:
            continue
        vals = frame.get_column(r).to_list()
        fl = frame.get_column(r + FLAG_SUFFIX).to_list()
        for i, (v, f) in enumerate(zip(vals, fl, strict=True)):
            if f is not None and v is not None:
                problems.append(f"{table}: rate {r!r} in row {i} is flagged {f!r} but published")
            elif v is not None and i in hidden_count_rows:
                problems.append(
                    f"{table}: rate {r!r} in row {i} is published beside a hidden count; with "
                    "the row's other figures it can give the hidden count back, so hide it "
                    "(declare the counts as its rate_support in protect)"
                )
    if by is not None and counts:
        try:
            keys = _keys(frame, strata, by)
        except DisclosureError as exc:
            return [*problems, f"{table}: {exc}"]
        lines, _ = _structure(keys, len(strata), counts, dict(row_sums or {}), known_totals)
        hidden: set[Cell] = set()
        for c in counts:
            for k, v in zip(keys, frame.get_column(c).to_list(), strict=True):
                if v is None:
                    hidden.add((k, c))
        names = [*strata, *by]
        for key, col in _determined(lines, hidden):
            problems.append(
                f"{table}: hidden count {col!r} of group {dict(zip(names, key, strict=True))} can "
                "be recovered from the published counts and totals; hide a complementary cell"
            )
    return problems


def assert_safe(
    frame: pl.DataFrame,
    *,
    count_cols: Sequence[str] | None = None,
    rate_cols: Sequence[str] | None = None,
    by: Sequence[str] | None = None,
    strata: Sequence[str] = (),
    row_sums: Mapping[str, Sequence[str]] | None = None,
    policy: DisclosurePolicy | None = None,
    known_totals: bool = True,
    table: str = "table",
) -> None:
    """Raise :class:`DisclosureError` listing the problems :func:`check_table` finds.

    Examples
    --------
    >>> import polars as pl
    >>> assert_safe(pl.DataFrame({"n": [3], "n_flag": [None]}), table="audit")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    earlysignal.disclosure.DisclosureError: audit breaks the disclosure policy: ... is under 10 ...
    """
    problems = check_table(
        frame,
        count_cols=count_cols,
        rate_cols=rate_cols,
        by=by,
        strata=strata,
        row_sums=row_sums,
        policy=policy,
        known_totals=known_totals,
        table=table,
    )
    if problems:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise DisclosureError(f"{table} breaks the disclosure policy: {shown}{more}")
