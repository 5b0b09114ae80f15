"""Distances between state sequences, compiled with numba.

Four distances of sequence analysis, as TraMineR and sequenzo define them:

* ``om``: optimal matching, the cheapest series of substitutions (costs ``sub[a, b]``) and
  insertions/deletions (cost ``indel``) that turns one sequence into the other (Needleman-
  Wunsch dynamic programme, O(n m));
* ``hamming``: position-wise substitution costs only (generalised Hamming; with unit costs the
  count of differing months);
* ``dhd``: dynamic Hamming (Lesnard 2010), position-wise with time-varying costs from the
  transition rates around each month (:func:`dhd_costs`);
* ``lcs``: ``|a| + |b| - 2 * LCS(a, b)``, the longest common subsequence distance (OM with
  indel 1 and substitution 2).

Two sequences of different observed lengths are compared on their common prefix (the months both
have): that is how a child with a partial window is matched to a medoid
(``docs/personas.md``). We wrote these rather than depend on ``sequenzo``: it is built on pandas,
pins ``scipy<1.17`` and checks PyPI at import (the library must run offline); the kernels are
short, and a brute-force reference checks them (``tests/personas/test_distances.py``).

Examples
--------
>>> import numpy as np
>>> a = np.array([[0, 0, 1, 1]], dtype=np.int8)
>>> b = np.array([[0, 1, 1, 1]], dtype=np.int8)
>>> sub = constant_costs(2)
>>> float(cross(a, b, sub, method="hamming")[0, 0]), float(cross(a, b, sub, indel=0.5)[0, 0])
(1.0, 1.0)
>>> float(cross(a, b, sub, method="lcs")[0, 0])
2.0
"""

from __future__ import annotations

from typing import Literal

import numba
import numpy as np
import numpy.typing as npt

__all__ = [
    "constant_costs",
    "cross",
    "dhd_costs",
    "pairwise",
    "transition_costs",
    "transition_rates",
]

Method = Literal["om", "hamming", "dhd", "lcs"]
F = npt.NDArray[np.float64]
Codes = npt.NDArray[np.int8]
Lengths = npt.NDArray[np.int64]


def constant_costs(n_states: int, cost: float = 1.0) -> F:
    """Substitution costs ``cost`` between any two different states (0 on the diagonal).

    Examples
    --------
    >>> constant_costs(2).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    sub = np.full((n_states, n_states), float(cost))
    np.fill_diagonal(sub, 0.0)
    return sub


def transition_rates(codes: Codes, n_states: int) -> F:
    """Transition rates ``p(a -> b)`` between consecutive observed months, over all children.

    Examples
    --------
    >>> import numpy as np
    >>> transition_rates(np.array([[0, 0, 1, -1]], dtype=np.int8), 2).tolist()
    [[0.5, 0.5], [0.0, 0.0]]
    """
    a, b = codes[:, :-1].ravel(), codes[:, 1:].ravel()
    ok = (a >= 0) & (b >= 0)
    counts = np.zeros((n_states, n_states))
    np.add.at(counts, (a[ok], b[ok]), 1.0)
    rows = counts.sum(axis=1, keepdims=True)
    rates: F = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
    return rates


def transition_costs(codes: Codes, n_states: int) -> F:
    """Substitution costs from transition rates: ``2 - p(a->b) - p(b->a)`` (TraMineR ``TRATE``).

    Examples
    --------
    >>> import numpy as np
    >>> transition_costs(np.array([[0, 0, 1, 1]], dtype=np.int8), 2).round(3).tolist()
    [[0.0, 1.5], [1.5, 0.0]]
    """
    p = transition_rates(codes, n_states)
    sub = 2.0 - p - p.T
    np.fill_diagonal(sub, 0.0)
    return sub


def dhd_costs(codes: Codes, n_states: int) -> F:
    """Time-varying costs of dynamic Hamming (Lesnard 2010), shape ``(window, k, k)``.

    ``c_t(a, b) = 4 - p_{t-1,t}(a,b) - p_{t-1,t}(b,a) - p_{t,t+1}(a,b) - p_{t,t+1}(b,a)``, where
    ``p_{s,t}(a,b)`` is the share of the children in ``a`` at ``s`` who are in ``b`` at ``t``;
    at the first and last month the one available term is doubled (as TraMineR does).

    Examples
    --------
    >>> import numpy as np
    >>> dhd_costs(np.array([[0, 1], [1, 1]], dtype=np.int8), 2).shape
    (2, 2, 2)
    """
    w = codes.shape[1]
    rates = np.zeros((max(w - 1, 0), n_states, n_states))
    for t in range(w - 1):
        rates[t] = transition_rates(codes[:, t : t + 2], n_states)
    out = np.zeros((w, n_states, n_states))
    for t in range(w):
        before = rates[t - 1] + rates[t - 1].T if t > 0 else None
        after = rates[t] + rates[t].T if t < w - 1 else None
        if before is None and after is None:
            out[t] = 2.0
        elif before is None:
            out[t] = 4.0 - 2.0 * after  # type: ignore[operator]
        elif after is None:
            out[t] = 4.0 - 2.0 * before
        else:
            out[t] = 4.0 - before - after
        np.fill_diagonal(out[t], 0.0)
    return out


@numba.njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _om(a: Codes, b: Codes, n: int, sub: F, indel: float, row: F) -> float:  # noqa: PLR0917
    # one-row Needleman-Wunsch on the first n months of a and b
    for j in range(n + 1):
        row[j] = j * indel
    for i in range(1, n + 1):
        diag = row[0]
        row[0] = i * indel
        ai = a[i - 1]
        for j in range(1, n + 1):
            best = diag + sub[ai, b[j - 1]]
            up = row[j] + indel
            best = min(best, up)
            left = row[j - 1] + indel
            best = min(best, left)
            diag = row[j]
            row[j] = best
    return float(row[n])


@numba.njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _lcs(a: Codes, b: Codes, n: int, row: F) -> float:  # pragma: no cover
    for j in range(n + 1):
        row[j] = 0.0
    for i in range(1, n + 1):
        diag = 0.0
        for j in range(1, n + 1):
            keep = row[j]
            if a[i - 1] == b[j - 1]:
                row[j] = diag + 1.0
            elif row[j - 1] > row[j]:
                row[j] = row[j - 1]
            diag = keep
    return float(2.0 * n - 2.0 * row[n])


@numba.njit(cache=True, nogil=True, parallel=True)  # type: ignore[untyped-decorator]
def _cross(  # noqa: PLR0917  # pragma: no cover
    a: Codes,
    la: Lengths,
    b: Codes,
    lb: Lengths,
    method: int,
    sub: F,
    tsub: F,
    indel: float,
    sym: bool,
) -> F:
    na, nb = a.shape[0], b.shape[0]
    out = np.zeros((na, nb))
    for i in numba.prange(na):
        row = np.empty(a.shape[1] + 1)
        for j in range(i + 1 if sym else 0, nb):
            n = min(la[i], lb[j])
            if method == 0:
                out[i, j] = _om(a[i], b[j], n, sub, indel, row)
            elif method == 1:
                s = 0.0
                for t in range(n):
                    s += sub[a[i, t], b[j, t]]
                out[i, j] = s
            elif method == 2:
                s = 0.0
                for t in range(n):
                    s += tsub[t, a[i, t], b[j, t]]
                out[i, j] = s
            else:
                out[i, j] = _lcs(a[i], b[j], n, row)
    if sym:
        for i in range(na):
            for j in range(i):
                out[i, j] = out[j, i]
    return out


_METHODS = {"om": 0, "hamming": 1, "dhd": 2, "lcs": 3}


def cross(
    a: Codes,
    b: Codes,
    sub: F,
    *,
    method: Method = "om",
    indel: float = 1.0,
    len_a: Lengths | None = None,
    len_b: Lengths | None = None,
    tsub: F | None = None,
    symmetric: bool = False,
) -> F:
    """Distances between every row of ``a`` and every row of ``b`` (on common prefixes).

    Parameters
    ----------
    a, b
        ``int8`` state codes (rows are sequences; ``-1`` past a row's length is ignored).
    sub
        Substitution costs ``k x k`` (``om``, ``hamming``).
    method
        ``om``, ``hamming``, ``dhd`` or ``lcs``.
    indel
        Insertion/deletion cost (``om``).
    len_a, len_b
        Observed lengths (default: full width).
    tsub
        Time-varying costs ``window x k x k`` (``dhd``; :func:`dhd_costs`).
    symmetric
        ``a`` is ``b``: compute the upper triangle only and mirror it (zero diagonal).

    Returns
    -------
    numpy.ndarray
        ``len(a) x len(b)`` distances.
    """
    if method not in _METHODS:
        raise ValueError(f"PERSONA-SPEC: distance {method!r} unknown; use om, hamming, dhd, lcs")
    a = np.ascontiguousarray(a, dtype=np.int8)
    b = np.ascontiguousarray(b, dtype=np.int8)
    la = np.full(a.shape[0], a.shape[1], np.int64) if len_a is None else len_a.astype(np.int64)
    lb = np.full(b.shape[0], b.shape[1], np.int64) if len_b is None else len_b.astype(np.int64)
    if method == "dhd" and tsub is None:
        raise ValueError("PERSONA-SPEC: dynamic Hamming needs tsub (see dhd_costs)")
    t = np.zeros((1, 1, 1)) if tsub is None else np.ascontiguousarray(tsub, dtype=np.float64)
    result: F = _cross(
        a,
        la,
        b,
        lb,
        _METHODS[method],
        np.ascontiguousarray(sub, np.float64),
        t,
        float(indel),
        symmetric,
    )
    return result


def pairwise(
    codes: Codes,
    sub: F,
    *,
    method: Method = "om",
    indel: float = 1.0,
    tsub: F | None = None,
) -> F:
    """Symmetric distance matrix of complete sequences (``cross(codes, codes)``).

    Identical sequences are computed once (children often share a pathway exactly).

    Examples
    --------
    >>> import numpy as np
    >>> pairwise(np.array([[0, 1], [1, 1]], dtype=np.int8), constant_costs(2),
    ...          method="hamming").tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    uniq, inverse = np.unique(codes, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    d = cross(uniq, uniq, sub, method=method, indel=indel, tsub=tsub, symmetric=True)
    return np.asarray(d[np.ix_(inverse, inverse)])
