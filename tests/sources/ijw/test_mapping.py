"""The iJw mapping file: defaults, extends, complete user mappings and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from earlysignal.schema import EndReason
from earlysignal.sources.ijw_mapping import (
    JZ020_CATEGORIES,
    JZ588_REASONS,
    MappingError,
    load_mapping,
)


def test_defaults_cover_every_code_of_jz020_and_jz588() -> None:
    m = load_mapping()
    assert set(m.categories) == JZ020_CATEGORIES
    assert set(m.end_reasons) == JZ588_REASONS
    assert m.end_reasons["32"] == EndReason.BREAKDOWN
    assert m.end_reasons["33"] == EndReason.PROVIDER_ENDED
    assert m.end_reasons["20"] == "pause"
    placements = {c for c, t in m.categories.items() if t.as_ == "placement"}
    assert placements == {"35", "36", "37", "38", "43", "44", "46"}
    assert m.categories["46"].temporary
    assert (m.categories["48"].as_, m.categories["47"].as_, m.categories["45"].as_) == (
        "status",
        "status",
        "event",
    )


def test_extends_lays_a_file_over_the_defaults(tmp_path: Path) -> None:
    f = tmp_path / "m.toml"
    f.write_text(
        'extends = "default"\nmove_gap_days = 3\n[end_reasons]\n"34" = "breakdown"\n'
        '[products."43"]\n"43P02" = { as = "placement", setting = "kinship_foster" }\n'
    )
    m = load_mapping(f)
    assert m.move_gap_days == 3 and m.end_reasons["34"] == "breakdown"
    assert m.end_reasons["31"] == "planned"
    assert m.target("43", "43P02").setting == "kinship_foster"  # type: ignore[union-attr]
    assert m.target("43", "OTHER").setting == "residential"  # type: ignore[union-attr]


def test_a_file_without_extends_is_the_whole_mapping(tmp_path: Path) -> None:
    f = tmp_path / "m.toml"
    f.write_text('[categories]\n"43" = { as = "placement", setting = "foster" }\n')
    m = load_mapping(f)
    assert m.target("44", None) is None and m.end_reasons == {}


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('[categories]\n"99" = { as = "event", kind = "x" }\n', "not a JZ020"),
        ('[categories]\n"43" = { as = "placement", setting = "castle" }\n', "setting"),
        ('[categories]\n"43" = { as = "thing" }\n', "as must be"),
        ('[end_reasons]\n"32" = "disaster"\n', "use one of"),
        ('[end_reasons]\n"77" = "planned"\n', "not a JZ588"),
        ("move_gap_days = -1\n", "move_gap_days"),
        ("colour = 1\n", "unknown key"),
        ("this is not toml", "not valid TOML"),
    ],
)
def test_bad_mapping_files_are_named(tmp_path: Path, text: str, match: str) -> None:
    f = tmp_path / "m.toml"
    f.write_text(text)
    with pytest.raises(MappingError, match=match):
        load_mapping(f)
