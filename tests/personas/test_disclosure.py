"""Disclosure: no persona under 10 children is described, no individual pathway is drawn."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl
from placement_rows import history_from_rows  # type: ignore[import-not-found]

from earlysignal.data import CareHistory
from earlysignal.personas.cluster import assign, fit_personas
from earlysignal.personas.describe import describe_personas
from earlysignal.personas.report import write_report
from earlysignal.personas.sequences import monthly_states
from earlysignal.personas.spec import PersonaSpec


def _history() -> CareHistory:
    """60 in foster care, 7 in secure care, 15 independent, 30 with one-off pathways."""
    rows = []
    start = date(2018, 1, 1)
    for i in range(60):
        rows.append((f"child-f{i:02d}", start + timedelta(days=i), None, "foster", None))
    for i in range(7):
        rows.append((f"child-s{i}", start + timedelta(days=i), None, "secure", None))
    for i in range(15):  # the cell complementary suppression will hide beside the 7
        rows.append((f"child-h{i:02d}", start + timedelta(days=i), None, "independent", None))
    rng = np.random.default_rng(0)
    for i in range(30):  # residential, then a move at a different month each: all unique
        first_end = start + timedelta(days=int(30.5 * (i % 20 + 1)) + int(rng.integers(0, 3)))
        rows.append((f"child-r{i:02d}", start, first_end, "residential", "breakdown"))
        later = "family_home" if i < 20 else "kinship_foster"
        rows.append((f"child-r{i:02d}", first_end, None, later, None))
    return history_from_rows(rows, date(2024, 1, 1), birth_date=date(2008, 5, 1), sex="female")


def _described(tmp_path: Path) -> tuple[object, Path]:
    h = _history()
    spec = PersonaSpec(window=24, k=4)
    s = monthly_states(h, spec)
    model = fit_personas(s, spec)
    labels, _ = assign(model, s)
    desc = describe_personas(s, model, labels)
    return desc, write_report(desc, tmp_path, lang="en")


def test_a_persona_under_10_children_is_not_described(tmp_path: Path) -> None:
    desc, html = _described(tmp_path)
    summary = desc.summary  # type: ignore[attr-defined]
    hidden = summary.filter(pl.col("n_children").is_null())
    assert hidden.height >= 1  # the 7 children in secure care
    for p in hidden["persona"]:
        assert p not in desc.pathways  # type: ignore[attr-defined]
        assert desc.distribution.filter(pl.col("persona") == p).height == 0  # type: ignore[attr-defined]
        assert desc.transitions.filter(pl.col("persona") == p).height == 0  # type: ignore[attr-defined]
    published = summary.filter(pl.col("n_children").is_not_null())
    assert (published["n_children"] >= 10).all() and (published["n_children"] % 5 == 0).all()
    text = html.read_text()
    assert "secure care" not in text
    assert "This group is not described" in text


def test_no_child_id_and_no_unshared_pathway_is_published(tmp_path: Path) -> None:
    _, html = _described(tmp_path)
    text = html.read_text() + (tmp_path / "personas.json").read_text()
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)
    assert "child-" not in text
    data = json.loads((tmp_path / "personas.json").read_text())
    shared = [v["shared"] for v in data["pathways"].values() if v["shared"]]
    # the 60 foster children share one pathway; the 30 residential pathways are all unique
    assert [s["n"] for s in shared] == [60]
    assert all(v["synthesised"] for v in data["pathways"].values())
    # every published distribution cell stands for at least 10 children
    sizes = {r["persona"]: r["n_children"] for r in data["summary"]}
    for cell in data["distribution"]:
        assert cell["share"] * sizes[cell["persona"]] >= 10 - 2.5
        # a share is the rounded count over the rounded size: no finer than the counts
        n = sizes[cell["persona"]]
        count = cell["share"] * n
        assert abs(count - 5 * round(count / 5)) <= 0.005 * n + 1e-9, (cell, n)
