"""A generator of care histories with planted pathway groups, to check that personas are found.

Each child follows one of :data:`GROUPS` (the truth), with durations drawn at random around the
group's template, a random entry date and an age at entry typical of the group. The personas
found on such a history should match the groups (adjusted Rand index, ``docs/personas.md``).

Examples
--------
>>> h, truth = planted_history(50, seed=1)
>>> h.children.height, sorted(truth["group"].unique().to_list())[:2]
(50, ['baby_kinship_home', 'family_home_stable'])
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from earlysignal.data.history import CareHistory

__all__ = ["GROUPS", "planted_history"]

# group: (age range at entry, [(setting, months low, months high, end reason)]); the last
# placement of a group with end reason None is ongoing
GROUPS: dict[str, tuple[tuple[int, int], list[tuple[str, int, int, str | None]]]] = {
    "baby_kinship_home": ((0, 2), [("kinship_foster", 6, 12, "return_home")]),
    "stable_foster": ((3, 10), [("foster", 60, 60, None)]),
    "teen_carousel": (
        (12, 15),
        [
            ("residential", 2, 5, "breakdown"),
            ("residential", 2, 5, "breakdown"),
            ("foster", 2, 4, "breakdown"),
            ("secure", 60, 60, None),
        ],
    ),
    "family_home_stable": ((6, 12), [("family_home", 60, 60, None)]),
    "return_and_reentry": (
        (4, 12),
        [("foster", 4, 8, "return_home"), ("_home", 4, 8, None), ("foster", 60, 60, None)],
    ),
}
"""The planted pathway groups (``_home``: a gap at home between two episodes)."""


def planted_history(
    n_children: int, *, seed: int = 0, observed_until: date = date(2025, 12, 31)
) -> tuple[CareHistory, pl.DataFrame]:
    """Simulate children from the planted groups.

    Returns
    -------
    tuple
        The history (entries spread over the five years before ``observed_until`` minus four,
        so every 36-month window is complete) and the truth (``child_id``, ``group``).
    """
    rng = np.random.default_rng(seed)
    names = list(GROUPS)
    group_of = rng.integers(0, len(names), n_children)
    first_day = observed_until - timedelta(days=365 * 9)
    children, placements, truth = [], [], []
    for i in range(n_children):
        name = names[group_of[i]]
        (lo_age, hi_age), steps = GROUPS[name]
        entry = first_day + timedelta(days=int(rng.integers(0, 365 * 5)))
        age_days = int(rng.integers(lo_age * 365, (hi_age + 1) * 365 - 1))
        cid = f"C{i:06d}"
        children.append((cid, entry - timedelta(days=age_days), "female" if i % 2 else "male"))
        truth.append((cid, name))
        day = entry
        for j, (setting, lo, hi, reason) in enumerate(steps):
            months = int(rng.integers(lo, hi + 1))
            end = day + timedelta(days=int(months * 30.44 + rng.integers(-10, 11)))
            if setting != "_home":
                ongoing = reason is None and end > observed_until
                placements.append(
                    (
                        cid,
                        f"{cid}-{j}",
                        day,
                        None if ongoing else min(end, observed_until),
                        setting,
                        None if ongoing else (reason or "planned"),
                    )
                )
                if ongoing or end >= observed_until:
                    break
            day = end
    history = CareHistory.from_frames(
        children=pl.DataFrame(children, schema=["child_id", "birth_date", "sex"], orient="row"),
        placements=pl.DataFrame(
            placements,
            schema=["child_id", "placement_id", "start", "end", "setting", "end_reason"],
            orient="row",
        ),
        events=None,
        observed_until=observed_until,
    )
    return history, pl.DataFrame(truth, schema=["child_id", "group"], orient="row")
