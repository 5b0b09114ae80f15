"""Nothing in an imported history is dated after its observed_until, whatever the extraction
date: messages after it are excluded and counted, later ends censored (open), later starts
left out."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from pathlib import Path
from tempfile import mkdtemp

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from sources.ijw.ijw_builders import KEY

from earlysignal.sources.ijw import import_ijw
from earlysignal.sources.ijw_write import IjwArchive, write_ijw_archive
from earlysignal.synth import simulate


@cache
def _archive() -> IjwArchive:
    sim = simulate(80, years=3, seed=11)
    return write_ijw_archive(sim.history, Path(mkdtemp()) / "arc", seed=11)


@settings(max_examples=8, deadline=None)
@given(days_back=st.integers(0, 900))
def test_nothing_after_observed_until(days_back: int) -> None:
    arc = _archive()
    cutoff = arc.extraction_date - timedelta(days=days_back)
    history, report = import_ijw(
        arc.path, key=KEY, mapping=arc.mapping_path, observed_until=cutoff, errors="repair"
    )
    obs = history.observed_until
    assert obs < cutoff  # five working days back for late stop messages
    p = history.placements
    assert p.filter(pl.col("start") > obs).height == 0
    assert p.filter(pl.col("end") > obs).height == 0
    assert history.events.filter(pl.col("date") > obs).height == 0
    if history.statuses is not None:
        assert history.statuses.filter(pl.col("start") > obs).height == 0
    # every message after the cutoff is excluded and counted, none is silently lost
    assert report.count("after_extraction") == report.excluded.get("after_extraction", 0)
    assert report.validation is not None and report.validation["errors"] == 0
