"""The entry study's ethics data for its card (issue 20): structured facts, no sentences.

Risk scores for families at home are the contested use of this library: they have been
criticised for marking families for good ("ever" features) and for surveillance bias (families
known to services have more records, so more signal, so more contact, so more records). The
entry study's card carries an ethics section of its own; :func:`entry_risk_ethics` returns its
data (the card templates word it):

- ``purpose`` and ``oversight``: from ``[study]`` (the config refuses an entry study without);
- ``no_ever_features`` and ``lookback_days``: every feature looks back a bounded window
  (:mod:`earlysignal.features.bounded`);
- ``no_household_pooling``: every feature reads the child's own records only;
- ``feedback_loop``: the mechanism to watch (records follow contact) and what is monitored;
- ``audit``: the attributes audited, whether a socio-economic proxy was available, and the
  audit's power (:func:`earlysignal.fairness.power.audit_power`).

Examples
--------
>>> from earlysignal.features.bounded import bounded_specs
>>> import polars as pl
>>> f = pl.DataFrame({"child_id": [str(i) for i in range(200)], "origin": ["a", "b"] * 100,
...                   "_flag": [i % 5 == 0 for i in range(200)]})
>>> d = entry_risk_ethics("support", "board", bounded_specs(), f, ["origin"], flag="_flag")
>>> d["no_ever_features"], d["lookback_days"], d["audit"]["socio_economic_proxy"]
(True, 365, None)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from earlysignal.features.bounded import max_lookback_days, unbounded_features
from earlysignal.features.specs import FeatureSpec

__all__ = ["SOCIO_ECONOMIC_PROXIES", "entry_risk_ethics"]

SOCIO_ECONOMIC_PROXIES: tuple[str, ...] = (
    "income_band",
    "deprivation",
    "neighbourhood_ses",
    "parental_education",
    "benefits",
)
"""Child-table columns taken as a socio-economic proxy when present (none in the canonical
schema; a local export may add one)."""


def entry_risk_ethics(
    purpose: str,
    oversight: str,
    specs: Sequence[FeatureSpec],
    audit_frame: pl.DataFrame,
    attributes: Sequence[str],
    *,
    flag: str,
    min_cell: int = 10,
) -> dict[str, Any]:
    """The structured content of the entry-risk ethics section (module docs)."""
    from earlysignal.fairness.power import audit_power

    ses = [a for a in attributes if a in SOCIO_ECONOMIC_PROXIES]
    power = audit_power(audit_frame, attributes, flag=flag, min_cell=min_cell)
    return {
        "purpose": purpose,
        "oversight": oversight,
        "use": "offer_support",
        "never_for": ["investigation", "removal"],
        "no_ever_features": not unbounded_features(specs),
        "unbounded_features": unbounded_features(specs),
        "lookback_days": max_lookback_days(specs),
        "no_household_pooling": True,
        "feedback_loop": {
            "mechanism": "records_follow_contact",
            "monitor": ["flag_rate_by_group", "records_per_child_by_group"],
        },
        "audit": {
            "attributes": list(attributes),
            "socio_economic_proxy": ses[0] if ses else None,
            "power": power,
            "alpha": 0.05,
            "target_power": 0.8,
        },
    }
