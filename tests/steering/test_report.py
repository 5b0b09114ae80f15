"""The published report: no unit id, no count under 10, counts rounded to 5, names and
pseudonyms as asked, every section rendered in Markdown and HTML (headless Chromium)."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from earlysignal.steering.compare import SteeringResult, compare_units
from earlysignal.steering.costs import parse_tariffs
from earlysignal.steering.report import build_report, write_report
from earlysignal.steering.spec import SteeringSpec
from earlysignal.synth import Simulation

SECTIONS = ["summary", "outcome-unplanned", "outcome-moves", "measures", "indicators", "costs",
            "method", "how-to-read"]  # fmt: skip


@pytest.fixture(scope="module")
def result(small_sim: Simulation) -> SteeringResult:
    return compare_units(small_sim.history, SteeringSpec(by="provider", years=5), draws=300)


@pytest.fixture(scope="module")
def written(result: SteeringResult, small_sim: Simulation, tmp_path_factory: Any) -> Path:
    out = tmp_path_factory.mktemp("steer")
    tariffs = parse_tariffs({"per_day": {"foster": 60, "kinship_foster": 40, "residential": 400,
                                         "family_home": 200, "secure": 700}})  # fmt: skip
    rep = build_report(result, history=small_sim.history, key=b"test-key", tariffs=tariffs)
    write_report(rep, out)
    return out


def _published_rows(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "steering.json").read_text())
    return data


def test_no_unit_id_and_no_small_or_unrounded_count(written: Path, result: SteeringResult) -> None:
    text = "".join(
        (written / f).read_text() for f in ("steering.md", "steering.json", "steering.html")
    )
    ids = [u for u in result.measures["unit"].to_list() if re.fullmatch(r"[VHK]\d+", u)]
    assert ids and not any(u in text for u in ids)
    data = _published_rows(written)
    for o in data["outcomes"].values():
        for r in o["rows"]:
            for c in ("children", "observed"):
                assert r[c] is None or (r[c] >= 10 and r[c] % 5 == 0), r
            assert (r["ratio"] is None) == (r["shrunk"] is None) == (r["flag"] is None)
    for r in data["measures"]:
        for c in ("children", "breakdown", "provider_ended", "moves", "return_home", "carousel"):
            assert r[c] is None or (r[c] >= 10 and r[c] % 5 == 0), r
    _assert_overall_counts_protected(data)


def _assert_overall_counts_protected(data: dict[str, Any]) -> None:
    """The overall counts (what was left out, the moves costed) are published like cells."""
    ex = data["excluded"]
    assert "placements_in_period" in ex and "children_in_period" in ex
    for k, v in ex.items():
        if not k.startswith("units_"):  # counts of units are not about children
            assert v is None or (v >= 10 and v % 5 == 0), (k, v)
    for k in ("moves_valued", "moves_without_tariff"):
        v = data["costs"][k]
        assert v is None or (v >= 10 and v % 5 == 0), (k, v)


def test_event_counts_say_placements_and_carry_their_children(written: Path) -> None:
    # Every event count is published beside the distinct children who had the event (the
    # count that decided its suppression), both rounded to 5 and hidden together, and the
    # report says in words that events are counted in placements.
    data = _published_rows(written)
    pairs = [(r, "observed", "children_event") for o in data["outcomes"].values()
             for r in o["rows"]]  # fmt: skip
    events = ("breakdown", "provider_ended", "unplanned", "moves", "return_home", "carousel")
    pairs += [(r, e, f"children_{e}") for r in data["measures"] for e in events]
    pairs += [(data["costs"], f"moves_{k}", f"children_{k}") for k in ("valued", "without_tariff")]
    assert any(r[n] is not None for r, n, _ in pairs) and any(r[n] is None for r, n, _ in pairs)
    for r, n, k in pairs:
        assert (r[n] is None) == (r[k] is None), (n, r)
        if r[k] is not None:
            assert r[k] >= 10 and r[k] % 5 == 0 and r[n] >= r[k], (n, r)
    md = (written / "steering.md").read_text()
    assert "are counted in placements" in md and "it is the children that decide" in md
    assert "| observed (placements) | children with the event |" in md


def test_left_out_placements_of_few_children_are_hidden_and_counts_rounded(
    result: SteeringResult,
) -> None:
    from earlysignal.disclosure import DisclosurePolicy
    from earlysignal.steering.report import _published_excluded  # build_report's part (fast)

    raw = dict(result.excluded, placements_in_period=1234, placements_without_unit=13)
    kids = dict(result.excluded_children, placements_without_unit=["a", "b", "c"])
    kids["placements_in_period"] = [f"c{i}" for i in range(412)]
    res = dataclasses.replace(result, excluded=raw, excluded_children=kids)
    ex = _published_excluded(res, DisclosurePolicy())
    assert ex["placements_without_unit"] is None and ex["children_without_unit"] is None
    assert ex["placements_in_period"] == 1235 and ex["children_in_period"] == 410


def test_published_ratio_is_no_finer_than_the_rounded_count(written: Path) -> None:
    for o in _published_rows(written)["outcomes"].values():
        for r in o["rows"]:
            if r["ratio"] is not None:
                assert r["ratio"] == pytest.approx(r["observed"] / r["expected"], abs=0.02)


def test_pseudonyms_are_stable_with_a_key_and_names_replace_them(
    result: SteeringResult, small_sim: Simulation
) -> None:
    a = build_report(result, history=small_sim.history, key=b"k1")
    b = build_report(result, history=small_sim.history, key=b"k1")
    c = build_report(result, history=small_sim.history, key=b"k2")
    la = [r["label"] for r in a["outcomes"]["unplanned"]["rows"]]
    assert la == [r["label"] for r in b["outcomes"]["unplanned"]["rows"]]
    assert la != [r["label"] for r in c["outcomes"]["unplanned"]["rows"]]
    unit = result.comparisons["unplanned"]["unit"][0]
    named = build_report(result, history=small_sim.history, names={unit: "Huize Zonneschijn"})
    labels = [r["label"] for r in named["outcomes"]["unplanned"]["rows"]]
    assert "Huize Zonneschijn" in labels and named["naming"]["kind"] == "names"


def test_markdown_holds_every_section_and_the_association_caveat(written: Path) -> None:
    md = (written / "steering.md").read_text()
    for heading in ("## What is shown", "## Measures per unit", "## Indicators over time",
                    "## What fewer moves are worth", "## How to read this report"):  # fmt: skip
        assert heading in md
    assert "association, not a promise" in md
    assert "c |" in md or "| c" in md or "hidden" in md
    for png in re.findall(r"\(figures/([^)]+)\)", md):
        assert (written / "figures" / png).is_file()


def test_dutch_report_speaks_dutch(
    result: SteeringResult, small_sim: Simulation, tmp_path: Path
) -> None:
    rep = build_report(result, history=small_sim.history, key=b"k")
    write_report(rep, tmp_path, lang="nl")
    html = (tmp_path / "steering.html").read_text()
    md = (tmp_path / "steering.md").read_text()
    assert 'lang="nl"' in html
    assert "Hoe lees je dit rapport" in md and "How to read this report" not in md
    assert "zijn geteld in plaatsingen" in md and "kinderen met de gebeurtenis" in md


@pytest.mark.browser
def test_html_report_renders_in_chromium(written: Path, tmp_path: Path) -> None:
    exe = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(exe).exists():
        pytest.fail("headless Chromium is required: apt-get install -y chromium")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]  # fmt: skip
    html = written / "steering.html"
    text = html.read_text()
    assert not re.search(r'(src|href)="(https?:)?//', text), "the report must be self-contained"
    url = html.resolve().as_uri()
    dom = subprocess.run([exe, *flags, "--dump-dom", url], capture_output=True, text=True,
                         timeout=120, check=False)  # fmt: skip
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert re.findall(r'<section id="([a-z-]+)">', dom.stdout) == SECTIONS
    assert dom.stdout.count('src="data:image/png;base64,') >= 5
    shot = tmp_path / "steering.png"
    done = subprocess.run([exe, *flags, f"--screenshot={shot}", "--window-size=1280,3000", url],
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    print(f"screenshot of the steering report: {shot}")
    _ = pl
