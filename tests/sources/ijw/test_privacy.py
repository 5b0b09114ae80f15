"""Privacy by design: no key, no import; the BSN and names never reach any output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sources.ijw.ijw_builders import KEY

from earlysignal.sources.ijw import KeyFileError, import_ijw, read_key
from earlysignal.sources.ijw_read import child_pseudonym, eleven_test
from earlysignal.sources.ijw_write import make_bsns, write_ijw_archive
from earlysignal.synth import simulate


def test_import_refuses_without_a_key_and_says_how_to_make_one(shared_data: Path) -> None:
    with pytest.raises(KeyFileError, match=r"secrets\.token_hex\(32\)"):
        import_ijw(shared_data / "ijw" / "examples")


def test_short_or_missing_key_files_are_refused(tmp_path: Path) -> None:
    short = tmp_path / "short.key"
    short.write_text("abc\n")
    with pytest.raises(KeyFileError, match="fewer than 32"):
        read_key(short)
    with pytest.raises(KeyFileError, match="does not exist"):
        read_key(tmp_path / "nope.key")
    good = tmp_path / "good.key"
    good.write_text(KEY.decode() + "\n")
    assert read_key(good) == KEY


def test_no_bsn_and_no_name_in_any_written_file(tmp_path: Path) -> None:
    sim = simulate(60, years=2, seed=8)
    arc = write_ijw_archive(sim.history, tmp_path / "arc", seed=8)
    # a bad message too, so that the issues file has rows
    bad = next(iter(sorted(arc.path.rglob("JW305_*.xml"))))
    bad.write_text(bad.read_text().replace("<ijw:Categorie>43<", "<ijw:Categorie>99<"))
    out = tmp_path / "out"
    history, report = import_ijw(
        arc.path,
        out,
        key=KEY,
        mapping=arc.mapping_path,
        observed_until=arc.extraction_date,
        errors="repair",
    )
    assert report.count("code") == 1
    written = b"".join(f.read_bytes() for f in out.rglob("*") if f.is_file())
    assert len(list(out.iterdir())) >= 5
    for bsn in arc.bsn_of.values():
        assert bsn.encode() not in written
    assert b"Simulatie" not in written  # the family name in every message
    ids = set(history.children["child_id"].to_list())
    assert ids == {child_pseudonym(KEY, b) for b in arc.bsn_of.values()}
    assert all(len(i) == 32 for i in ids)
    summary = json.dumps(report.summary())
    assert not any(i in summary for i in ids)  # the report holds counts, never identifiers


def test_the_key_decides_the_pseudonym() -> None:
    bsn = make_bsns(1)[0]
    assert child_pseudonym(KEY, bsn) == child_pseudonym(KEY, bsn)
    assert child_pseudonym(KEY, bsn) != child_pseudonym(KEY[::-1], bsn)


@settings(max_examples=60)
@given(i=st.integers(0, 5000), pos=st.integers(0, 8), delta=st.integers(1, 9))
def test_the_eleven_test_catches_every_single_digit_error(i: int, pos: int, delta: int) -> None:
    bsn = make_bsns(1, start=10_000_000 + 997 * i)[0]
    assert eleven_test(bsn)
    wrong = bsn[:pos] + str((int(bsn[pos]) + delta) % 10) + bsn[pos + 1 :]
    assert not eleven_test(wrong)
