"""Random small LightGBM models and rows to explain, for the fast TreeSHAP tests.

``lightgbm_cases()`` draws a trained booster (binary or regression; 2-63 leaves; depth limits;
NaN and zeros in the features at several rates; LightGBM's three missing-value settings;
integer-valued features, whose few thresholds make repeated splits on one feature common; with
or without bagging) and a matrix of rows to explain: fresh rows from the same distribution, with
cells replaced by values that probe the routing: the model's own thresholds and the next double
above them, 0, -0, values within LightGBM's zero threshold (1e-35), NaN and infinities.
"""

from __future__ import annotations

from typing import Any

import lightgbm as lgb
import numpy as np
from hypothesis import reject
from hypothesis import strategies as st

MISSING_SETTINGS = {
    "default": {},
    "zero_as_missing": {"zero_as_missing": True},
    "no_missing": {"use_missing": False},
}


def split_nodes(booster: lgb.Booster) -> list[dict[str, Any]]:
    """Every split node of a booster's ``dump_model()`` trees."""
    out: list[dict[str, Any]] = []
    stack = [t["tree_structure"] for t in booster.dump_model()["tree_info"]]
    while stack:
        node = stack.pop()
        if "split_index" in node:
            out.append(node)
            stack += [node["left_child"], node["right_child"]]
    return out


def thresholds(booster: lgb.Booster) -> dict[int, list[float]]:
    """The numerical split thresholds of a booster, by feature."""
    out: dict[int, list[float]] = {}
    for node in split_nodes(booster):
        if node["decision_type"] == "<=":
            out.setdefault(int(node["split_feature"]), []).append(float(node["threshold"]))
    return out


def features(
    rng: np.random.Generator, n: int, p: int, *, integer: bool, nan: float, zero: float
) -> np.ndarray:
    x = rng.normal(size=(n, p)) * np.linspace(1.0, 3.0, p)
    if integer:
        x = np.round(x * 2.0)
    x[rng.random((n, p)) < zero] = 0.0
    x[rng.random((n, p)) < nan] = np.nan
    return x


def probe_rows(booster: lgb.Booster, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``x`` with a third of its cells replaced by routing edge cases."""
    out = x.copy()
    cuts = thresholds(booster)
    specials = [0.0, -0.0, 1e-36, -1e-36, 1e-35, 2e-35, -2e-35, np.nan, np.inf, -np.inf]
    for j in range(out.shape[1]):
        pool = specials + [v for t in cuts.get(j, []) for v in (t, np.nextafter(t, np.inf))]
        hit = rng.random(out.shape[0]) < 1 / 3
        out[hit, j] = rng.choice(np.asarray(pool, dtype=np.float64), size=int(hit.sum()))
    return out


@st.composite
def lightgbm_cases(
    draw: st.DrawFn,
    max_features: int = 6,
    missing: str | None = None,
    *,
    min_features: int = 1,
    min_leaves: int = 2,
) -> tuple[lgb.Booster, np.ndarray, dict[str, Any]]:
    """(booster, rows to explain, the drawn settings)."""
    leaves = [n for n in (2, 3, 5, 8, 15, 31, 63) if n >= min_leaves]
    widths = sorted({w for w in (1, 2, 3, max_features // 2, max_features) if w >= min_features})
    settings: dict[str, Any] = {
        "seed": draw(st.integers(0, 2**16)),
        "features": draw(st.sampled_from(widths)),
        "rows": draw(st.sampled_from([150, 400, 800])),
        "objective": draw(st.sampled_from(["binary", "regression"])),
        "num_leaves": draw(st.sampled_from(leaves)),
        "max_depth": draw(st.sampled_from([-1, 2, 4, 7])),
        "min_data_in_leaf": draw(st.sampled_from([1, 3, 10])),
        "missing": missing or draw(st.sampled_from(sorted(MISSING_SETTINGS))),
        "nan": draw(st.sampled_from([0.0, 0.1, 0.3])),
        "zero": draw(st.sampled_from([0.0, 0.2, 0.5])),
        "integer": draw(st.booleans()),
        "bagging": draw(st.booleans()),
        "trees": draw(st.integers(1, 10)),
    }
    rng = np.random.default_rng(settings["seed"])
    p = settings["features"]
    kind = {"integer": settings["integer"], "nan": settings["nan"], "zero": settings["zero"]}
    x = features(rng, settings["rows"], p, **kind)
    z = np.nan_to_num(x)
    # feature 0 matters non-monotonically (repeated splits on it), every feature a little
    signal = np.sin(z[:, 0]) + 0.5 * np.abs(z[:, 0]) + (z[:, -1] > 0) * z[:, 0]
    signal += np.isnan(x[:, 0]) * 1.5 + 0.6 * np.sin(1.3 * z + np.arange(p)).sum(axis=1)
    if settings["objective"] == "binary":
        y = (signal + rng.normal(size=len(signal)) > np.median(signal)).astype(int)
    else:
        y = signal + 0.3 * rng.normal(size=len(signal))
    params = {
        "objective": settings["objective"],
        "num_leaves": settings["num_leaves"],
        "max_depth": settings["max_depth"],
        "min_data_in_leaf": settings["min_data_in_leaf"],
        "min_sum_hessian_in_leaf": 0.0,
        "min_data_in_bin": 1,
        "learning_rate": 0.3,
        "verbose": -1,
        "num_threads": 1,
        "deterministic": True,
        "seed": settings["seed"],
        **MISSING_SETTINGS[settings["missing"]],
    }
    if settings["bagging"]:
        params.update(bagging_fraction=0.7, bagging_freq=1)
    try:
        booster = lgb.train(params, lgb.Dataset(x, y), num_boost_round=settings["trees"])
    except lgb.basic.LightGBMError:
        # LightGBM's own "best_split_info.left_count > 0" check fails on a few degenerate
        # draws (tiny leaves with bagging): not a model the library could ever explain
        reject()
    rows = probe_rows(booster, features(rng, 120, p, **kind), rng)
    return booster, rows, settings
