"""Monitoring's alert table publishes through the publication ledger: the next monitoring run,
with a few more children scored in a half-year already reported, repeats its figures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from earlysignal.ledger import PublicationLedger, use_ledger
from earlysignal.monitoring.monitor import _alerts


def _framed(n: int, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "child_id": [f"c{i}" for i in range(n)],
            "prediction_time": [date(2025, 3, 1) if i % 2 else date(2025, 9, 1) for i in range(n)],
            "flagged": rng.random(n) < 0.3,
            "sex": ["female" if i % 3 else "male" for i in range(n)],
        }
    )


def _figures(table: pl.DataFrame) -> list[tuple[object, ...]]:
    return table.sort("period", "attribute", "group", nulls_last=True).rows()


def test_the_next_run_with_a_few_more_children_repeats_the_alert_table(tmp_path: Path) -> None:
    first_run = _framed(300)
    later_run = pl.concat([first_run, _framed(306, seed=1).slice(300, 6)])  # 6 more children
    plain1, plain2 = _alerts(first_run, ["sex"]), _alerts(later_run, ["sex"])
    assert _figures(plain1) != _figures(plain2)  # without a ledger the difference shows
    with use_ledger(PublicationLedger(tmp_path)):
        one = _alerts(first_run, ["sex"])
        two = _alerts(later_run, ["sex"])
    assert _figures(one) == _figures(plain1)
    assert _figures(two) == _figures(one)
    assert not [c for c in two.columns if c.startswith("_m_")]
