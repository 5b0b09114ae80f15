"""Two persona reports on overlapping sets of children, published through the ledger.

A persona whose children changed by 1-9 between the reports repeats its earlier counts, or
stays hidden, whatever number the clustering gives it the second time (docs/disclosure.md).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from placement_rows import history_from_rows  # type: ignore[import-not-found]

from earlysignal.data import CareHistory
from earlysignal.ledger import PublicationLedger, use_ledger
from earlysignal.personas.cluster import assign, fit_personas
from earlysignal.personas.describe import PersonaDescription, describe_personas
from earlysignal.personas.sequences import monthly_states
from earlysignal.personas.spec import PersonaSpec


def _history(extra: int) -> CareHistory:
    """58 in foster care (+ ``extra`` new ones), 7 secure, 15 independent, 30 that move once."""
    start = date(2018, 1, 1)
    rows = [(f"f{i:02d}", start + timedelta(days=i), None, "foster", None) for i in range(58)]
    rows += [(f"new{i}", start + timedelta(days=i), None, "foster", None) for i in range(extra)]
    rows += [(f"s{i}", start + timedelta(days=i), None, "secure", None) for i in range(7)]
    rows += [(f"h{i:02d}", start + timedelta(days=i), None, "independent", None) for i in range(15)]
    rng = np.random.default_rng(0)
    for i in range(30):
        first_end = start + timedelta(days=int(30.5 * (i % 20 + 1)) + int(rng.integers(0, 3)))
        rows.append((f"r{i:02d}", start, first_end, "residential", "breakdown"))
        rows.append(
            (f"r{i:02d}", first_end, None, "family_home" if i < 20 else "kinship_foster", None)
        )
    return history_from_rows(rows, date(2024, 1, 1), birth_date=date(2008, 5, 1), sex="female")


def _describe(extra: int) -> tuple[PersonaDescription, dict[int, set[str]]]:
    spec = PersonaSpec(window=24, k=4)
    s = monthly_states(_history(extra), spec)
    model = fit_personas(s, spec)
    labels, _ = assign(model, s)
    kids = {p + 1: set(s.child_id[(labels == p) & s.complete].astype(str)) for p in range(model.k)}
    return describe_personas(s, model, labels), kids


@pytest.mark.parametrize("extra", [9])
def test_a_persona_changed_by_a_few_children_repeats_its_counts(tmp_path: Path, extra: int) -> None:
    with use_ledger(PublicationLedger(tmp_path / "ledger")):
        d1, kids1 = _describe(0)
        d2, kids2 = _describe(extra)
    n1 = dict(zip(d1.summary["persona"], d1.summary["n_children"], strict=True))
    n2 = dict(zip(d2.summary["persona"], d2.summary["n_children"], strict=True))
    changed = 0
    for p2, members in kids2.items():  # the same children, whatever number the persona has now
        p1 = max(kids1, key=lambda p: len(kids1[p] & members))
        if len(kids1[p1] ^ members) < 10:
            assert n2[p2] is None or n2[p2] == n1[p1], f"persona {p2}: {n1[p1]} then {n2[p2]}"
            assert n1[p1] is not None or n2[p2] is None
            changed += len(kids1[p1] ^ members) > 0
    assert changed >= 1  # the new children joined a persona and it repeated its figure
    assert d2.n_clustered == d1.n_clustered  # the total repeats too
    # and so does the count of children sharing an exact pathway (the 58 + 9 in foster care)
    shared1 = sorted(v["shared"]["n"] for v in d1.pathways.values() if v["shared"])
    shared2 = sorted(v["shared"]["n"] for v in d2.pathways.values() if v["shared"])
    assert shared1 == shared2 and shared1


def test_without_the_ledger_the_new_children_show() -> None:
    # the control: the foster persona of 58 (60) gains 3 children (61 -> 60, 63 -> 65 ...)
    with use_ledger(None):
        d1, _ = _describe(0)
        d2, _ = _describe(3)
    assert d1.n_clustered != d2.n_clustered or sorted(
        d1.summary["n_children"].drop_nulls()
    ) != sorted(d2.summary["n_children"].drop_nulls())


def test_a_rate_repeats_with_its_numerator(tmp_path: Path) -> None:
    # the rates are computed from the published counts; their numerators go through the
    # ledger too, so a persona whose counts repeat repeats its rates (the breakdown rate of
    # the 30 children who move once; the foster persona gains 3 children)
    with use_ledger(PublicationLedger(tmp_path / "ledger")):
        d1, _ = _describe(0)
        d2, _ = _describe(3)
    rates = ["moved_3plus_rate", "return_home_rate", "reentry_rate", "breakdown_rate"]
    key = ["n_children", *rates]
    rows1 = sorted(map(str, d1.summary.select(key).rows()))
    rows2 = sorted(map(str, d2.summary.select(key).rows()))
    assert rows1 == rows2
