"""Cell-key perturbation: the same children always publish the same value; guarantees kept."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.cellkey import cell_key, cell_keys, perturb, record_keys
from earlysignal.disclosure import check_table, protect, round_count

SECRET = b"publisher-secret"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=60, unique=True), st.randoms())
def test_the_same_children_get_the_same_published_value(ids: list[int], rnd: object) -> None:
    names = [f"c{i}" for i in ids]
    shuffled = list(names)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    k1 = cell_key(record_keys(names, SECRET))
    k2 = cell_key(record_keys(shuffled, SECRET))
    assert k1 == k2
    if len(names) >= 10:
        assert perturb(len(names), k1) == perturb(len(shuffled), k2)


@settings(max_examples=200, deadline=None)
@given(st.integers(10, 10_000), st.integers(0, 2**32 - 1))
def test_a_published_count_is_a_multiple_of_5_at_least_10_within_one_step(n: int, key: int) -> None:
    p = perturb(n, key)
    assert p % 5 == 0 and p >= 10
    assert abs(p - round_count(n)) <= 5


def test_perturbation_table_is_unbiased_over_keys() -> None:
    steps = [perturb(50, k * 2**32 // 1000) - 50 for k in range(1000)]
    assert steps.count(-5) == steps.count(5) == 250 and steps.count(0) == 500


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(0, 60), min_size=2, max_size=5),
    st.binary(min_size=4, max_size=8),
)
def test_protect_with_cell_keys_keeps_every_guarantee(sizes: list[int], secret: bytes) -> None:
    child = [f"g{g}c{j}" for g, n in enumerate(sizes) for j in range(n)]
    group = [f"g{g}" for g, n in enumerate(sizes) for _ in range(n)]
    pos = [j % 3 == 0 for g, n in enumerate(sizes) for j in range(n)]
    rows = pl.DataFrame(
        {"child": child, "g": group, "pos": pos},
        schema={"child": pl.String, "g": pl.String, "pos": pl.Boolean},
    )
    groups = pl.DataFrame({"g": [f"g{g}" for g in range(len(sizes))], "n": sizes})
    n_pos = rows.filter(pl.col("pos")).group_by("g").len(name="n_pos")
    keys = cell_keys(rows, id_col="child", by=["g"], secret=secret)
    pos_keys = cell_keys(rows.filter(pl.col("pos")), id_col="child", by=["g"], secret=secret)
    table = (
        groups.join(n_pos, on="g", how="left")
        .join(keys, on="g", how="left")
        .join(pos_keys.rename({"cell_key": "ck_pos"}), on="g", how="left")
        .with_columns(
            pl.col("n_pos", "cell_key", "ck_pos").fill_null(0),
            rate=pl.lit(0.0),
        )
    )
    out = protect(
        table,
        count_cols=["n", "n_pos"],
        by=["g"],
        rate_cols=["rate"],
        rate_of={"rate": ("n_pos", "n")},
        cell_key_cols={"n": "cell_key", "n_pos": "ck_pos"},
    )
    assert "cell_key" not in out.columns and "ck_pos" not in out.columns
    assert check_table(out, by=["g"]) == []
    for n, k, pub in zip(table["n"], table["cell_key"], out["n"], strict=True):
        if pub is not None:
            assert pub == perturb(n, k)
    for r, n, npos in zip(out["rate"], out["n"], out["n_pos"], strict=True):
        if r is not None:  # a rate tells nothing the published counts do not
            assert r == round(npos / n, 2)
