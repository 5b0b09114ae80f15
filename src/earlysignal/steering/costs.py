"""What fewer moves are worth: the user's tariffs, moves and costs avoided, with intervals.

No tariffs ship with earlysignal: prices differ by municipality, contract and year. The user
gives a TOML file::

    currency = "EUR"
    horizon_years = 3          # optional, default 3
    [per_day]                  # tariff per placement day by setting (Setting vocabulary)
    foster = 65.0
    residential = 410.0
    [one_off]                  # optional
    per_move = 1500.0          # costs of a move itself (matching, transport, crisis beds...)

**Moves avoided.** For the outcome ``moves``, each unit whose shrunken ratio is above 1 is
brought to its expected level: the moves avoided per year are ``sum E_u (theta_u - 1)`` over
those units (``E_u`` per year of the period), scaled to the horizon; the interval comes from
the posterior draws of ``theta_u`` (:mod:`earlysignal.steering.shrinkage`).

**Cost of a move.** Observed in the data: for every move in the period, the tariff of the
setting moved to minus that of the setting moved from, for the days of the next placement
(capped at the horizon), plus ``per_move``; the mean over moves, with a bootstrap interval.
Moves whose settings have no tariff are left out and counted.

This is an **association, not a promise**: units above their expected level may differ in ways
the case mix does not record, and fewer moves need not mean the placements that follow cost
what today's do.

Examples
--------
>>> t = parse_tariffs({"currency": "EUR", "per_day": {"foster": 65, "residential": 410}})
>>> t.per_day["residential"], t.horizon_years
(410.0, 3)
>>> parse_tariffs({"per_day": {"castle": 1}})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
earlysignal.steering.spec.SteeringError: [steer.tariff_setting] ...
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from earlysignal.schema import Setting
from earlysignal.steering.spec import SteeringError

__all__ = ["CostEstimate", "Tariffs", "costs_avoided", "parse_tariffs", "read_tariffs"]


@dataclass(frozen=True, slots=True)
class Tariffs:
    """Tariffs per placement day by setting, an optional cost per move, a horizon."""

    per_day: dict[str, float]
    per_move: float = 0.0
    currency: str = "EUR"
    horizon_years: int = 3
    source: str = "(in memory)"


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """Moves and costs avoided over the horizon (point and interval)."""

    units_above: int
    moves_avoided: float
    moves_avoided_lo: float
    moves_avoided_hi: float
    cost_per_move: float
    cost_per_move_lo: float
    cost_per_move_hi: float
    cost_avoided: float
    cost_avoided_lo: float
    cost_avoided_hi: float
    moves_valued: int
    moves_without_tariff: int
    settings_without_tariff: tuple[str, ...]
    currency: str
    horizon_years: int
    children_valued: int | None = None
    """Distinct children whose moves were valued (``None`` without ``child_id``)."""
    children_without_tariff: int | None = None
    """Distinct children whose moves were not valued (``None`` without ``child_id``)."""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready)."""
        return asdict(self)


def _amount(value: object, where: str, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SteeringError(
            f"[steer.tariff_amount] {source}: {where} = {value!r} is not a number; give an "
            "amount per placement day such as 65.0"
        )
    if value < 0 or not np.isfinite(value):
        raise SteeringError(
            f"[steer.tariff_negative] {source}: {where} = {value!r} is negative or not finite; "
            "tariffs are amounts of zero or more"
        )
    return float(value)


def parse_tariffs(data: Mapping[str, Any], source: str = "(in memory)") -> Tariffs:
    """Check and parse a tariff mapping (the TOML's content).

    Raises
    ------
    SteeringError
        ``steer.tariff_keys`` (unknown top-level keys or no ``[per_day]``),
        ``steer.tariff_setting`` (a setting outside the vocabulary), ``steer.tariff_amount``
        (not a number), ``steer.tariff_negative``.
    """
    known = {"currency", "horizon_years", "per_day", "one_off"}
    extra = sorted(set(data) - known)
    per_day = data.get("per_day")
    if extra or not isinstance(per_day, Mapping) or not per_day:
        raise SteeringError(
            f"[steer.tariff_keys] {source}: needs a non-empty [per_day] table (setting = amount)"
            f" and only the keys {sorted(known)}; found unknown keys {extra}"
        )
    settings = {s.value for s in Setting}
    unknown = sorted(set(per_day) - settings)
    if unknown:
        raise SteeringError(
            f"[steer.tariff_setting] {source}: unknown setting(s) {unknown} in [per_day]; "
            f"use the setting vocabulary {sorted(settings)}"
        )
    one_off = data.get("one_off", {})
    if not isinstance(one_off, Mapping) or sorted(set(one_off) - {"per_move"}):
        raise SteeringError(
            f"[steer.tariff_keys] {source}: [one_off] may only hold per_move, got {one_off!r}"
        )
    horizon = data.get("horizon_years", 3)
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= 20:
        raise SteeringError(
            f"[steer.tariff_horizon] {source}: horizon_years = {horizon!r}; give whole years 1-20"
        )
    return Tariffs(
        per_day={k: _amount(v, f"per_day.{k}", source) for k, v in per_day.items()},
        per_move=_amount(one_off.get("per_move", 0.0), "one_off.per_move", source),
        currency=str(data.get("currency", "EUR")),
        horizon_years=horizon,
        source=source,
    )


def read_tariffs(path: str | Path) -> Tariffs:
    """Read and check a tariff TOML file (see the module docstring for its layout)."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SteeringError(f"[steer.tariff_file] {p}: no such file; give a tariff TOML") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SteeringError(f"[steer.tariff_file] {p}: not valid TOML ({exc})") from None
    return parse_tariffs(data, source=str(p))


def costs_avoided(
    placements: pl.DataFrame,
    moves: pl.DataFrame,
    draws: npt.NDArray[np.float64],
    tariffs: Tariffs,
    *,
    period_years: float,
    seed: int = 0,
    level: float = 0.95,
) -> CostEstimate:
    """Moves and costs avoided over the horizon if units above expected moved to it.

    Parameters
    ----------
    placements
        The placement table (``setting``, ``moves``, ``next_setting``, ``next_days``).
    moves
        Per unit for the outcome ``moves``: ``expected`` and ``shrunk`` (in the order of the
        columns of ``draws``).
    draws
        Posterior draws of the units' ratios, shape (draws, units).
    tariffs
        The user's tariffs.
    period_years
        Length of the period the counts cover.

    Examples
    --------
    >>> pls = pl.DataFrame({"setting": ["foster"] * 2, "moves": [1, 1],
    ...     "next_setting": ["residential", "foster"], "next_days": [100, 50]})
    >>> per = pl.DataFrame({"expected": [10.0, 10.0], "shrunk": [1.5, 0.8]})
    >>> d = np.array([[1.5, 0.8], [1.4, 0.9], [1.6, 0.7]])
    >>> t = parse_tariffs({"per_day": {"foster": 50, "residential": 300}, "horizon_years": 1})
    >>> est = costs_avoided(pls, per, d, t, period_years=1)
    >>> round(est.moves_avoided, 1), est.units_above, est.cost_per_move
    (5.0, 1, 12500.0)
    """
    rng = np.random.default_rng(seed)
    q = (1 - level) / 2
    e = moves["expected"].to_numpy().astype(np.float64)
    above = moves["shrunk"].to_numpy() > 1
    scale = tariffs.horizon_years / period_years
    excess = ((draws[:, above] - 1) * e[above]).sum(axis=1) * scale
    point_moves = float(((moves["shrunk"].to_numpy()[above] - 1) * e[above]).sum() * scale)
    mv = placements.filter(pl.col("moves") > 0)
    has = pl.col("setting").is_in(list(tariffs.per_day)) & pl.col("next_setting").is_in(
        list(tariffs.per_day)
    )
    valued = mv.filter(has)
    missing = sorted(
        {
            s
            for s in (*mv["setting"].to_list(), *mv["next_setting"].to_list())
            if s is not None and s not in tariffs.per_day
        }
    )
    horizon_days = int(tariffs.horizon_years * 365.25)
    if valued.height:
        frm = valued["setting"].replace_strict(tariffs.per_day, return_dtype=pl.Float64)
        to = valued["next_setting"].replace_strict(tariffs.per_day, return_dtype=pl.Float64)
        days = valued["next_days"].fill_null(0).clip(upper_bound=horizon_days).to_numpy()
        cost = (to - frm).to_numpy() * days + tariffs.per_move
        per = float(cost.mean())
        boot = cost[rng.integers(0, cost.size, (draws.shape[0], cost.size))].mean(axis=1)
    else:
        per = float("nan")
        boot = np.full(draws.shape[0], np.nan)
    total = excess * boot
    return CostEstimate(
        units_above=int(above.sum()),
        moves_avoided=point_moves,
        moves_avoided_lo=float(np.quantile(excess, q)),
        moves_avoided_hi=float(np.quantile(excess, 1 - q)),
        cost_per_move=per,
        cost_per_move_lo=float(np.quantile(boot, q)),
        cost_per_move_hi=float(np.quantile(boot, 1 - q)),
        cost_avoided=point_moves * per,
        cost_avoided_lo=float(np.quantile(total, q)),
        cost_avoided_hi=float(np.quantile(total, 1 - q)),
        moves_valued=valued.height,
        moves_without_tariff=mv.height - valued.height,
        settings_without_tariff=tuple(missing),
        currency=tariffs.currency,
        horizon_years=tariffs.horizon_years,
        children_valued=_children(valued),
        children_without_tariff=_children(mv.filter(~has.fill_null(False))),
    )


def _children(frame: pl.DataFrame) -> int | None:
    """Distinct children of a table of placements (``None`` when it has no ``child_id``)."""
    return int(frame["child_id"].n_unique()) if "child_id" in frame.columns else None
