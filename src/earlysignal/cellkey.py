"""Cell-key perturbation: noise on published counts that is the same for the same children.

The cell-key method (Fraser and Wooton 2005, "A proposed method for confidentialising tabular
output to protect against differencing", ABS, METIS work session; the ABS TableBuilder; the
Eurostat/SDC "cellkey" method, R package ``cellKey`` by B. Meindl for the ESSnet; Destatis and
CBS use it for census tables):

* every child gets a fixed pseudo-random **record key**: the first 8 bytes of
  ``HMAC-SHA256(secret, child id)``, taken modulo ``2**32`` (:func:`record_keys`). The secret is
  held by the publisher and is the same for every run, so a child keeps its key across runs;
  without the secret nobody can compute a key (the ids are never written);
* a cell's **cell key** is the sum of its distinct children's record keys modulo ``2**32``
  (:func:`cell_key`; integer arithmetic, so the order of the children does not matter);
  divided by ``2**32`` it is uniform on ``[0, 1)`` and, for two different sets of children,
  independent (one added child adds a fresh uniform key);
* the published count is the count rounded to ``rounding`` plus a perturbation of ``-rounding``,
  0 or ``+rounding`` looked up from the cell key in the fixed table
  :data:`PERTURBATION_TABLE` (probabilities 1/4, 1/2, 1/4: unbiased, standard deviation
  ``rounding / sqrt 2``), and never below ``min_count`` (:func:`perturb`). The published count
  stays a multiple of ``rounding`` and at least ``min_count``.

So the same set of children always gets the same published value (repeating a query or
averaging runs tells nothing), and a cell that gains one child gets fresh noise: a published
value of ``P`` only says that the count is in ``[P - rounding // 2 - rounding,
P + rounding // 2 + rounding]``, which widens every interval an attacker combines across runs.

What it does not do: a cell whose children did not change publishes the same value in both
runs (that is the consistency), so when only one cell's published value changes, the attacker
still learns that an added child joined that cell (see ``docs/fairness.md``).

Examples
--------
>>> secret = b"held-by-the-publisher"
>>> keys = record_keys(["child-1", "child-2", "child-3"], secret)
>>> cell_key(keys) == cell_key(list(reversed(keys)))
True
>>> perturb(17, 0), perturb(17, 2**31), perturb(17, 2**32 - 1)
(10, 15, 20)
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence

import polars as pl

from earlysignal._suppression import round_count

__all__ = ["KEY_SPACE", "PERTURBATION_TABLE", "cell_key", "cell_keys", "perturb", "record_keys"]

KEY_SPACE = 2**32
"""Record and cell keys are integers in ``[0, KEY_SPACE)``."""

PERTURBATION_TABLE: tuple[tuple[float, int], ...] = ((0.25, -1), (0.75, 0), (1.0, 1))
"""Rows ``(upper end of the cell-key fraction, perturbation in units of rounding)``.

A cell key fraction ``k / KEY_SPACE`` in ``[0, 0.25)`` subtracts one rounding step, in
``[0.25, 0.75)`` adds nothing, in ``[0.75, 1)`` adds one step."""


def record_keys(ids: Iterable[str], secret: bytes) -> list[int]:
    """Record keys of children: ``HMAC-SHA256(secret, id)`` reduced to ``[0, KEY_SPACE)``.

    Examples
    --------
    >>> a = record_keys(["x"], b"s")
    >>> a == record_keys(["x"], b"s"), a == record_keys(["x"], b"t")
    (True, False)
    """
    if not secret:
        raise ValueError("record_keys: the secret is empty; pass the publisher's secret key")
    return [
        int.from_bytes(hmac.new(secret, str(i).encode(), hashlib.sha256).digest()[:8], "big")
        % KEY_SPACE
        for i in ids
    ]


def cell_key(keys: Iterable[int]) -> int:
    """The cell key of a set of children: the sum of their record keys modulo ``KEY_SPACE``.

    Examples
    --------
    >>> cell_key([KEY_SPACE - 1, 2])
    1
    """
    return sum(keys) % KEY_SPACE


def perturb(count: int, key: int, *, rounding: int = 5, min_count: int = 10) -> int:
    """The published value of a count with cell key ``key`` (the count must not be hidden).

    Examples
    --------
    >>> perturb(10, 0)  # 10 - 5 would fall under min_count
    10
    """
    frac = (key % KEY_SPACE) / KEY_SPACE
    step = next(s for upper, s in PERTURBATION_TABLE if frac < upper)
    return max(round_count(count, rounding) + step * rounding, min_count)


def cell_keys(
    frame: pl.DataFrame, *, id_col: str, by: Sequence[str], secret: bytes, name: str = "cell_key"
) -> pl.DataFrame:
    """Cell keys of the groups of a child-level frame (distinct children per group).

    Examples
    --------
    >>> f = pl.DataFrame({"child": ["a", "b", "a", "c"], "g": ["x", "x", "x", "y"]})
    >>> out = cell_keys(f, id_col="child", by=["g"], secret=b"s").sort("g")
    >>> out["cell_key"][0] == cell_key(record_keys(["a", "b"], b"s"))
    True
    """
    distinct = frame.select(*by, id_col).unique()
    ids = distinct.get_column(id_col).cast(pl.String).to_list()
    keyed = distinct.with_columns(pl.Series("_rk", record_keys(ids, secret), dtype=pl.UInt64))
    return keyed.group_by(by, maintain_order=True).agg(
        (pl.col("_rk").sum() % KEY_SPACE).cast(pl.Int64).alias(name)
    )
