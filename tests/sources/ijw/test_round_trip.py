"""Round trip: simulated history -> iJw archive -> import gives the same placements and moves.

What iJw cannot show, and the test therefore maps the original through before comparing
(``ijw_image``):

- where a child went after an ending: return_home and permanence are written as JZ588 31
  (planned) and come back as ``planned``; aged_out is written as 39 (another domain) and comes
  back as ``transfer``;
- placements with parents are not accommodation: they are written as ambulant care (45) and
  come back as events, not placements;
- a gap of 2 to ``move_gap_days`` days between two placements cannot be told from a move: the
  earlier placement is read as ending on the later one's start;
- stop messages may arrive five working days late: the import observes until five working
  days before the extraction date, and ends after that are open again (censored);
- events (incidents, missing, reviews, ...) and child attributes other than birth date and sex
  are not in iJw messages;
- child ids are keyed pseudonyms of the BSN, provider ids AGB codes, end_reason_detail the
  JZ588 code.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sources.ijw.ijw_builders import KEY

from earlysignal.data.history import CareHistory
from earlysignal.sources.ijw import import_ijw
from earlysignal.sources.ijw_read import child_pseudonym
from earlysignal.sources.ijw_write import write_ijw_archive
from earlysignal.synth import simulate

REASON_IMAGE = {
    "planned": "planned",
    "breakdown": "breakdown",
    "provider_ended": "provider_ended",
    "return_home": "planned",
    "permanence": "planned",
    "aged_out": "transfer",
    "transfer": "transfer",
    "other": "other",
}


def ijw_image(history: CareHistory, observed_until: date, gap: int) -> pl.DataFrame:
    """The original placements as iJw can show them (see the module docstring)."""
    p = history.placements.filter(pl.col("setting") != "with_parents").filter(
        pl.col("start") <= observed_until
    )
    p = p.with_columns(
        pl.col("end_reason").replace_strict(REASON_IMAGE, default=None),
    ).with_columns(
        pl.when(pl.col("end") > observed_until).then(None).otherwise(pl.col("end")).alias("end"),
        pl.when(pl.col("end") > observed_until)
        .then(None)
        .otherwise(pl.col("end_reason"))
        .alias("end_reason"),
    )
    rows = p.sort("child_id", "start").to_dicts()
    last: dict[str, dict[str, object]] = {}
    for r in rows:
        if r["temporary"]:
            continue
        prev = last.get(r["child_id"])  # type: ignore[arg-type]
        if prev is not None and prev["end"] is not None:
            days = (r["start"] - prev["end"]).days  # type: ignore[operator]
            if 2 <= days <= gap:
                prev["end"] = r["start"]
        last[r["child_id"]] = r  # type: ignore[index]
    return pl.DataFrame(rows, schema=p.schema).select(
        "child_id", "start", "end", "setting", "end_reason", "temporary"
    )


def moves(placements: pl.DataFrame) -> pl.DataFrame:
    """Moves per child: non-temporary starts within a day of the previous end."""
    nt = placements.filter(~pl.col("temporary")).sort("child_id", "start")
    return (
        nt.with_columns(prev_end=pl.col("end").shift(1).over("child_id"))
        .filter((pl.col("start") - pl.col("prev_end")).dt.total_days() <= 1)
        .group_by("child_id")
        .len()
        .sort("child_id")
    )


_COLS = ["child_id", "start", "end", "setting", "end_reason", "temporary"]


def _round_trip(tmp: Path, n: int, years: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    sim = simulate(n, years=years, seed=seed)
    arc = write_ijw_archive(sim.history, tmp / "arc", seed=seed)
    history, report = import_ijw(
        arc.path, key=KEY, mapping=arc.mapping_path, observed_until=arc.extraction_date
    )
    assert report.validation is not None and report.validation["ok"]
    assert report.counts.get("deletions_applied", 0) == arc.corrections
    pseudo = {c: child_pseudonym(KEY, b) for c, b in arc.bsn_of.items()}
    expected = (
        ijw_image(sim.history, report.observed_until, 7)
        .with_columns(pl.col("child_id").replace_strict(pseudo))
        .sort(_COLS, nulls_last=True)
    )
    got = history.placements.select(_COLS).sort(_COLS, nulls_last=True)
    return expected, got


def test_round_trip_gives_back_placements_moves_and_end_reasons(tmp_path: Path) -> None:
    expected, got = _round_trip(tmp_path, 400, 4, 3)
    assert got.height > 1000
    assert got.equals(expected)
    assert moves(got).equals(moves(expected))
    assert (got["end_reason"] == "breakdown").sum() > 0


@pytest.mark.slow
@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_round_trip_property(seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    expected, got = _round_trip(tmp_path_factory.mktemp("rt"), 60, 3, seed)
    assert got.equals(expected)


def test_file_order_does_not_matter(tmp_path: Path) -> None:
    """Messages are applied in message order (Dagtekening, identification), not file order."""
    sim = simulate(80, years=3, seed=5)
    arc = write_ijw_archive(sim.history, tmp_path / "a", seed=5)
    files = sorted(arc.path.rglob("*.xml"))
    shuffled = tmp_path / "b"
    shuffled.mkdir()
    for i, f in enumerate(reversed(files)):  # reversed names: reversed reading order
        (shuffled / f"{i:06d}.xml").write_bytes(f.read_bytes())
    a, _ = import_ijw(
        arc.path, key=KEY, mapping=arc.mapping_path, observed_until=arc.extraction_date
    )
    b, _ = import_ijw(
        shuffled, key=KEY, mapping=arc.mapping_path, observed_until=arc.extraction_date
    )
    assert a.placements.equals(b.placements)
    assert a.events.equals(b.events)


def test_writer_output_is_valid_against_the_xsds(tmp_path: Path, xsd_dir: Path) -> None:
    sim = simulate(40, years=2, seed=2)
    arc = write_ijw_archive(sim.history, tmp_path / "arc", seed=2, correction_share=0.2)
    assert arc.corrections > 0
    _, report = import_ijw(
        arc.path,
        key=KEY,
        mapping=arc.mapping_path,
        xsd_dir=xsd_dir,
        observed_until=arc.extraction_date,
    )
    assert report.xsd and report.excluded == {}
    assert report.count("xsd") == 0


def test_zip_archive_reads_like_a_folder(tmp_path: Path) -> None:
    sim = simulate(40, years=2, seed=4)
    folder = write_ijw_archive(sim.history, tmp_path / "f" / "arc", seed=4)
    zipped = write_ijw_archive(sim.history, tmp_path / "z" / "arc.zip", seed=4, as_zip=True)
    a, _ = import_ijw(
        folder.path, key=KEY, mapping=folder.mapping_path, observed_until=folder.extraction_date
    )
    b, _ = import_ijw(
        zipped.path, key=KEY, mapping=zipped.mapping_path, observed_until=zipped.extraction_date
    )
    assert a.placements.equals(b.placements)


def test_parallel_reading_gives_the_same_history(tmp_path: Path) -> None:
    sim = simulate(120, years=2, seed=6)
    arc = write_ijw_archive(sim.history, tmp_path / "arc", seed=6)
    assert arc.messages > 1000  # parallel reading starts above 1,000 files
    kw = {"key": KEY, "mapping": arc.mapping_path, "observed_until": arc.extraction_date}
    a, ra = import_ijw(arc.path, **kw)  # type: ignore[arg-type]
    b, rb = import_ijw(arc.path, workers=2, **kw)  # type: ignore[arg-type]
    assert a.placements.equals(b.placements) and a.children.equals(b.children)
    assert ra.counts == rb.counts
