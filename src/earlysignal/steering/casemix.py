"""Expected counts per placement from a case-mix model, cross-fitted by unit.

The model is a piecewise-exponential (Poisson) regression: each placement's follow-up is split
into the duration bands of :data:`~earlysignal.steering.spec.BANDS` (the breakdown hazard is
front-loaded), and the event rate per day is ``exp(band + case mix)``, fitted with
scikit-learn's ``PoissonRegressor`` on the rate with the days as weights (the same likelihood
as a Poisson GLM with a log-exposure offset). The expected count of a placement is the sum of
the fitted rate times the days over its bands. Counts in the case mix (earlier placements,
recorded incidents...) enter as ``log(1 + count)``. The rate is fitted per year of follow-up
with the Newton-Cholesky solver: fitted per day, the solver's stopping rule was met at the
first step and the model stayed nearly intercept-only (``docs/steering.md``, "Validation").

**The unit's own children.** A model fitted on all placements would let a unit's own outcomes
pull its expected count toward its observed count (most of all for a large unit). Units are
therefore split into ``folds`` groups by a hash of their id (never by their outcomes), and the
expected counts of a unit's placements come from a model fitted on the *other* groups only
(cross-fitting by unit; leave-one-unit-out when there are no more units than folds). A unit's
own outcomes never enter its expected count: changing them leaves it unchanged
(``tests/steering/test_own_children.py``).

Examples
--------
>>> import numpy as np, polars as pl
>>> rng = np.random.default_rng(0)
>>> n = 400
>>> t = pl.DataFrame({"unit": [f"u{i % 8}" for i in range(n)],
...     "days": rng.integers(10, 800, n), "age": rng.uniform(0, 17, n),
...     "setting": ["foster"] * n, "unplanned": rng.integers(0, 2, n)})
>>> e = expected_counts(t, "unplanned", columns=("age", "setting"), folds=4)
>>> e.columns
['placement_id_row', 'expected']
>>> bool((e["expected"] > 0).all())
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from earlysignal.steering.spec import BANDS, SteeringError

__all__ = ["expected_counts", "fold_of", "split_bands"]

YEAR_DAYS = 365.25
"""The case-mix model is fitted on events per year of follow-up (see :func:`expected_counts`)."""


def fold_of(unit: str, folds: int) -> int:
    """Cross-fitting fold of a unit: a stable hash of its id (not of its outcomes).

    Examples
    --------
    >>> fold_of("V00012", 5) == fold_of("V00012", 5)
    True
    """
    h = hashlib.sha256(unit.encode("utf-8")).digest()
    return int.from_bytes(h[:8], "big") % folds


def split_bands(days: npt.NDArray[Any], event: npt.NDArray[Any]) -> dict[str, npt.NDArray[Any]]:
    """Split follow-up into duration bands: row index, band, exposure days, event in the band.

    An event at day ``d`` of follow-up falls in the band holding ``d`` (a band ``[lo, hi)``
    except that an event on the last day of follow-up belongs to the band that day is in).

    Examples
    --------
    >>> out = split_bands(np.array([40]), np.array([1]))
    >>> out["band"].tolist(), out["exposure"].tolist(), out["event"].tolist()
    ([0, 1], [30.0, 10.0], [0, 1])
    """
    edges = [*BANDS, np.inf]
    rows, band, expo, ev = [], [], [], []
    d = days.astype(np.float64)
    for b in range(len(BANDS)):
        lo, hi = edges[b], edges[b + 1]
        e = np.clip(d, lo, hi) - lo
        keep = e > 0
        idx = np.nonzero(keep)[0]
        rows.append(idx)
        band.append(np.full(idx.size, b))
        expo.append(e[keep])
        last = (d > lo) & (d <= hi)
        ev.append((event[keep] * last[keep]).astype(np.int64))
    return {
        "row": np.concatenate(rows),
        "band": np.concatenate(band),
        "exposure": np.concatenate(expo),
        "event": np.concatenate(ev),
    }


def _design(frame: pl.DataFrame, columns: Sequence[str]) -> tuple[list[str], list[str]]:
    num = [c for c in columns if frame.schema[c].is_numeric()]
    cat = [c for c in columns if c not in num]
    return num, cat


def _pipeline(num: list[str], cat: list[str], alpha: float, counts: Sequence[str] = ()) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import PoissonRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    logged = [c for c in num if c in counts]
    log1p = make_pipeline(FunctionTransformer(np.log1p), StandardScaler())
    pre = ColumnTransformer(
        [
            ("num", StandardScaler(), [c for c in num if c not in counts]),
            ("counts", log1p, logged),
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), [*cat, "_band"]),
        ]
    )
    return make_pipeline(pre, PoissonRegressor(alpha=alpha, solver="newton-cholesky", max_iter=300))


def expected_counts(
    table: pl.DataFrame,
    outcome: str,
    *,
    columns: Sequence[str],
    folds: int = 5,
    alpha: float = 1e-4,
    counts: Sequence[str] = (),
) -> pl.DataFrame:
    """Expected events per placement from the case mix, cross-fitted by unit.

    Parameters
    ----------
    table
        One row per placement: ``unit``, ``days`` (follow-up), the ``outcome`` (0/1 or count)
        and the case-mix ``columns`` (numeric, or strings for categories).
    outcome
        Outcome column.
    columns
        Case-mix columns. Never a column of the unit itself.
    folds
        Cross-fitting folds by unit (``min(folds, units)``: leave-one-unit-out when fewer).
    alpha
        L2 penalty of the Poisson regression (on standardised columns).
    counts
        Numeric columns that are counts (earlier placements, recorded events...): they enter
        as ``log(1 + count)``, so the rate is a power of the count, not an exponential of it.
        An exponential of a count explodes for the few children with very many earlier
        placements or incidents (an expected 47 unplanned endings for one placement, in the
        simulator), and those few then dominate their unit's expected count.

    Returns
    -------
    polars.DataFrame
        ``placement_id_row`` (row number in ``table``) and ``expected`` (Float64).

    Raises
    ------
    SteeringError
        ``steer.too_few_units`` when there are fewer than 2 units to cross-fit, and
        ``steer.no_events`` when a training fold has no event of the outcome.
    """
    import pandas as pd

    units = table["unit"].to_list()
    distinct = sorted({u for u in units if u is not None})
    if len(distinct) < 2:
        raise SteeringError(
            f"[steer.too_few_units] {len(distinct)} unit(s) with placements in the period; a "
            "comparison needs at least 2 (the expected counts of a unit are fitted on the others)"
        )
    k = min(folds, len(distinct))
    if k == len(distinct):
        fmap = {u: i for i, u in enumerate(distinct)}
    else:
        fmap = {u: fold_of(u, k) for u in distinct}
    fold = np.array([-1 if u is None else fmap[u] for u in units])
    sp = split_bands(table["days"].to_numpy(), table[outcome].fill_null(0).to_numpy())
    num, cat = _design(table, columns)
    x = table.select(*columns).to_pandas().iloc[sp["row"]].reset_index(drop=True)
    x["_band"] = pd.Series(sp["band"]).astype(str)
    for c in cat:
        x[c] = x[c].astype(str)
    # the rate per year, not per day: scikit-learn's stopping rule compares the (weighted
    # mean) gradient with a fixed tolerance, and per-day rates of about 1e-3 make that gradient
    # so small that the solver stops at once, leaving a model that is nearly intercept-only
    years = sp["exposure"] / YEAR_DAYS
    rate = sp["event"] / years
    rfold = fold[sp["row"]]
    pred = np.zeros(sp["row"].size)
    for f in range(k):
        train = (rfold != f) & (rfold >= 0)
        test = rfold == f
        if not test.any():
            continue
        if sp["event"][train].sum() == 0:
            raise SteeringError(
                f"[steer.no_events] no {outcome!r} event among the placements used to fit the "
                f"case-mix model for fold {f}; compare over a longer period (--years) or another "
                "outcome"
            )
        model = _pipeline(num, cat, alpha, counts)
        model.fit(x[train], rate[train], poissonregressor__sample_weight=years[train])
        pred[test] = model.predict(x[test]) * years[test]
    expected = np.bincount(sp["row"], weights=pred, minlength=table.height)
    return pl.DataFrame(
        {
            "placement_id_row": np.arange(table.height, dtype=np.int64),
            "expected": np.where(fold >= 0, expected, np.nan),
        }
    )
