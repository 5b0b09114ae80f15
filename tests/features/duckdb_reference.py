"""An independent DuckDB SQL implementation of earlysignal's feature specs.

Used by the differential test (``tests/features/test_duckdb_differential.py``) and by
``benchmarks/features.py``. It shares nothing with the polars kernel but the spec classes (for
names and parameters): the episode, move and re-entry flags come from SQL window functions and
every feature is a conditional aggregate over a range join of prediction times with the child's
facts dated before the cutoff. duckdb is a test/benchmark dependency only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from earlysignal.data.history import CareHistory
from earlysignal.features.specs import (
    AgeAtFirstEntry,
    AgeAtTime,
    BoundaryPolicy,
    BreakdownCount,
    CurrentSetting,
    DaysInCurrentPlacement,
    DaysSinceFirstEntry,
    DaysSinceLastEvent,
    DaysSinceLastMove,
    DistinctProviders,
    EventCount,
    EventTrend,
    FeatureSpec,
    MoveCount,
    PlacementCount,
    ProviderEndingCount,
    Reentries,
    SettingsSeen,
    StatusInForce,
    UnplannedEndingShare,
)


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _win(col: str, w: int | None) -> str:
    return "" if w is None else f" AND {col} >= t.cut - {w}"


def _days(frame: pl.DataFrame, cols: Sequence[str]) -> pl.DataFrame:
    return frame.with_columns([pl.col(c).cast(pl.Int64).alias(f"{c}_d") for c in cols])


def duckdb_features(
    history: CareHistory,
    times: pl.DataFrame,
    specs: Sequence[FeatureSpec],
    *,
    policy: BoundaryPolicy = BoundaryPolicy.STRICT,
    memory_limit: str = "3GB",
    threads: int = 2,
    con: Any = None,
) -> pl.DataFrame:
    """Feature columns (in spec order) for ``times`` (same row order), computed in DuckDB."""
    import duckdb

    own = con is None
    if con is None:
        con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET threads = {threads}")
    con.execute("SET preserve_insertion_order = false")
    shift = 1 if policy is BoundaryPolicy.INCLUSIVE else 0
    t_frame = times.select("child_id", "prediction_time").with_row_index("rid")
    t_frame = t_frame.with_columns(
        pl.col("prediction_time").cast(pl.Int64).alias("tday"),
        (pl.col("prediction_time").cast(pl.Int64) + shift).alias("cut"),
    ).select("rid", "child_id", "tday", "cut")
    pl_frame = _days(history.placements, ["start", "end"]).select(
        "child_id",
        "placement_id",
        "start_d",
        "end_d",
        "setting",
        "provider_id",
        "end_reason",
        "temporary",
    )
    ev_frame = _days(history.events, ["date"]).select("child_id", "date_d", "kind")
    ch_frame = history.children.unique("child_id", keep="first").select(
        "child_id", pl.col("birth_date").cast(pl.Int64).alias("birth_d")
    )
    st = history.statuses
    if st is None:
        st = pl.DataFrame(
            schema={"child_id": pl.String, "kind": pl.String, "value": pl.String,
                    "start": pl.Date, "end": pl.Date}
        )  # fmt: skip
    st_frame = _days(st, ["start", "end"]).select("child_id", "kind", "value", "start_d", "end_d")
    con.register("t_in", t_frame.to_arrow())
    con.register("p_in", pl_frame.to_arrow())
    con.register("e_in", ev_frame.to_arrow())
    con.register("c_in", ch_frame.to_arrow())
    con.register("s_in", st_frame.to_arrow())
    con.execute("CREATE OR REPLACE TEMP TABLE t AS SELECT * FROM t_in")
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE tl AS
        WITH o AS (
          SELECT *,
            row_number() OVER w = 1 AS first_p,
            lag(end_d) OVER w AS prev_end,
            lag(end_reason) OVER w AS prev_reason
          FROM p_in WHERE NOT coalesce(temporary, false)
          WINDOW w AS (PARTITION BY child_id ORDER BY start_d, placement_id)
        )
        SELECT *,
          first_p OR coalesce(start_d - prev_end > 1, false) AS new_ep
        FROM o
        """
    )

    p_aggs: list[str] = []
    e_aggs: list[str] = []
    s_aggs: list[str] = []
    final: list[str] = []
    cur = "p.start_d < t.cut AND (p.end_d IS NULL OR p.end_d >= t.cut)"
    for spec in specs:
        n = spec.name
        if isinstance(spec, PlacementCount):
            p_aggs.append(
                f"count(p.start_d) FILTER (WHERE p.start_d < t.cut"
                f"{_win('p.start_d', spec.window_days)}) AS {n}"
            )
            final.append(f"pa.{n}")
        elif isinstance(spec, MoveCount):
            p_aggs.append(
                f"count(p.start_d) FILTER (WHERE NOT p.new_ep AND p.start_d < t.cut"
                f"{_win('p.start_d', spec.window_days)}) AS {n}"
            )
            final.append(f"pa.{n}")
        elif isinstance(spec, BreakdownCount):
            p_aggs.append(
                f"count(p.end_d) FILTER (WHERE p.end_reason = 'breakdown' AND p.end_d < t.cut"
                f"{_win('p.end_d', spec.window_days)}) AS {n}"
            )
            final.append(f"pa.{n}")
        elif isinstance(spec, ProviderEndingCount):
            p_aggs.append(
                f"count(p.end_d) FILTER (WHERE p.end_reason = 'provider_ended' AND p.end_d < t.cut"
                f"{_win('p.end_d', spec.window_days)}) AS {n}"
            )
            final.append(f"pa.{n}")
        elif isinstance(spec, DaysSinceLastMove):
            p_aggs.append(
                f"t.tday - max(p.start_d) FILTER (WHERE NOT p.new_ep AND p.start_d < t.cut) AS {n}"
            )
            final.append(f"pa.{n}")
        elif isinstance(spec, DaysInCurrentPlacement):
            p_aggs.append(f"t.tday - max(p.start_d) FILTER (WHERE {cur}) AS {n}")
            final.append(f"pa.{n}")
        elif isinstance(spec, CurrentSetting):
            p_aggs.append(f"arg_max(p.setting, p.start_d) FILTER (WHERE {cur}) AS _cur_setting")
            for o, s in zip(spec.outputs(), spec.settings, strict=True):
                final.append(f"coalesce(pa._cur_setting = {_q(s)}, false)::INT AS {o.name}")
        elif isinstance(spec, SettingsSeen):
            p_aggs.append(f"count(DISTINCT p.setting) FILTER (WHERE p.start_d < t.cut) AS {n}")
            final.append(f"pa.{n}")
        elif isinstance(spec, DistinctProviders):
            p_aggs.append(f"count(DISTINCT p.provider_id) FILTER (WHERE p.start_d < t.cut) AS {n}")
            final.append(f"pa.{n}")
        elif isinstance(spec, UnplannedEndingShare):
            p_aggs.append(
                "count(p.end_d) FILTER (WHERE p.end_reason = 'breakdown' AND p.end_d < t.cut)"
                " AS _bd_all"
            )
            p_aggs.append("count(p.end_d) FILTER (WHERE p.end_d < t.cut) AS _ended")
            final.append(f"CASE WHEN pa._ended > 0 THEN pa._bd_all::DOUBLE / pa._ended END AS {n}")
        elif isinstance(spec, DaysSinceFirstEntry):
            p_aggs.append("min(p.start_d) AS _first")
            final.append(f"CASE WHEN pa._first < t.cut THEN t.tday - pa._first END AS {n}")
        elif isinstance(spec, Reentries):
            p_aggs.append(
                f"count(p.start_d) FILTER (WHERE p.new_ep AND NOT p.first_p "
                f"AND p.prev_reason = 'return_home' AND p.start_d < t.cut) AS {n}"
            )
            final.append(f"pa.{n}")
        elif isinstance(spec, EventCount):
            e_aggs.append(
                f"count(e.date_d) FILTER (WHERE e.kind = {_q(spec.kind)}"
                f"{_win('e.date_d', spec.window_days)}) AS {n}"
            )
            final.append(f"ea.{n}")
        elif isinstance(spec, DaysSinceLastEvent):
            e_aggs.append(f"t.tday - max(e.date_d) FILTER (WHERE e.kind = {_q(spec.kind)}) AS {n}")
            final.append(f"ea.{n}")
        elif isinstance(spec, EventTrend):
            r, e = spec.recent_days, spec.earlier_days
            k = _q(spec.kind)
            e_aggs.append(
                f"count(e.date_d) FILTER (WHERE e.kind = {k} AND e.date_d >= t.cut - {r}) AS _{n}_r"
            )
            e_aggs.append(
                f"count(e.date_d) FILTER (WHERE e.kind = {k} AND e.date_d >= t.cut - {r + e}"
                f" AND e.date_d < t.cut - {r}) AS _{n}_e"
            )
            final.append(f"365.0 * (ea._{n}_r / {r}.0 - ea._{n}_e / {e}.0) AS {n}")
        elif isinstance(spec, StatusInForce):
            s_aggs.append(
                f"count(s.start_d) FILTER (WHERE s.kind = {_q(spec.kind)} AND s.value = "
                f"{_q(spec.value)} AND (s.end_d IS NULL OR s.end_d >= t.tday)) AS _{n}"
            )
            final.append(f"(coalesce(sa._{n}, 0) > 0)::INT AS {n}")
        elif isinstance(spec, AgeAtTime):
            final.append(f"(t.tday - c.birth_d) / 365.25 AS {n}")
        elif isinstance(spec, AgeAtFirstEntry):
            if "min(p.start_d) AS _first" not in p_aggs:
                p_aggs.append("min(p.start_d) AS _first")
            final.append(
                f"CASE WHEN pa._first < t.cut THEN (pa._first - c.birth_d) / 365.25 END AS {n}"
            )
        else:
            raise TypeError(f"no DuckDB reference for {type(spec).__name__}")

    def agg_table(name: str, aggs: list[str], source: str, alias: str, cond: str) -> None:
        body = ", ".join(dict.fromkeys(aggs)) if aggs else "0 AS _none"
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT t.rid, {body} FROM t "
            f"LEFT JOIN {source} {alias} ON {alias}.child_id = t.child_id AND {cond} "
            "GROUP BY t.rid, t.tday, t.cut"
        )

    agg_table("pa", p_aggs, "tl", "p", "p.start_d < t.cut")
    agg_table("ea", e_aggs, "e_in", "e", "e.date_d < t.cut")
    agg_table("sa", s_aggs, "s_in", "s", "s.start_d < t.cut")
    sql = (
        f"SELECT {', '.join(final)} FROM t "
        "JOIN pa USING (rid) JOIN ea USING (rid) JOIN sa USING (rid) "
        "LEFT JOIN c_in c ON c.child_id = t.child_id ORDER BY t.rid"
    )
    out = con.sql(sql).pl()
    if own:
        con.close()
    return out
