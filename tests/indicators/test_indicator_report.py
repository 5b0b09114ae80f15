"""The indicator report (``earlysignal indicators --report DIR --lang nl|en``): Dutch and English,
no English left in Dutch, plain summary, only protected tables published."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from i18n_checks import (  # type: ignore[import-not-found]
    english_words,
    untranslated_msgids,
    visible_text,
)
from typer.testing import CliRunner

from earlysignal.cli import app
from earlysignal.data import CareHistory
from earlysignal.i18n.glossary import english_terms_in
from earlysignal.i18n.readability import readability
from earlysignal.indicators.document import (
    IndicatorReportError,
    render_indicator_report,
    report_data,
)
from earlysignal.indicators.report import stability_indicators


@pytest.fixture(scope="module")
def history() -> CareHistory:
    from earlysignal.synth import simulate

    return simulate(800, years=4, seed=5).history


@pytest.fixture(scope="module")
def table(history: CareHistory) -> pl.DataFrame:
    return stability_indicators(history, by=["sex", "age_group"])


def test_dutch_report_has_no_english_left(table: pl.DataFrame) -> None:
    for fmt in ("html", "md"):
        text = render_indicator_report(table, lang="nl", fmt=fmt)
        assert "Stabiliteit van plaatsingen" in text and "Jaar tot en met 31 maart" in text
        assert not untranslated_msgids(text), untranslated_msgids(text)
        assert not english_words(text), english_words(text)
        assert not english_terms_in(visible_text(text)), english_terms_in(visible_text(text))
        assert "meisjes" in text and "jongens" in text  # group values in Dutch


def test_numbers_follow_the_language(table: pl.DataFrame) -> None:
    nl = render_indicator_report(table, lang="nl", fmt="md")
    en = render_indicator_report(table, lang="en", fmt="md")
    row = table.filter(
        (pl.col("group") == "all") & (pl.col("indicator") == "three_plus_placements")
    ).row(0, named=True)
    if row["value_flag"] is None:
        pct = round(100 * row["value"])
        assert f"| {pct}\u00a0% |" in nl and f"| {pct}% |" in en
    rate = table.filter(
        (pl.col("group") == "all") & (pl.col("indicator") == "moves_per_child")
    ).row(0, named=True)
    if rate["value_flag"] is None:
        assert f"{rate['value']:.2f}".replace(".", ",") in nl


def test_hidden_cells_are_shown_as_c_and_counted(table: pl.DataFrame) -> None:
    data = report_data(table, "en")
    hidden = table["value_flag"].is_not_null().sum()
    assert data["hidden"] == hidden
    if hidden:
        assert "values are hidden in this report" in render_indicator_report(table, fmt="md") or (
            "value is hidden" in render_indicator_report(table, fmt="md")
        )
    shown = [r for y in data["years"] for r in y["overall"] if r["hidden"]]
    assert all(r["value_flag"] is not None for r in shown)


def test_raw_tables_are_never_published(history: CareHistory) -> None:
    raw = stability_indicators(history, protected=False)
    with pytest.raises(IndicatorReportError, match="IND-REPORT"):
        render_indicator_report(raw, lang="nl")


def test_summary_reads_plainly_in_both_languages(table: pl.DataFrame) -> None:
    from jinja2 import PackageLoader

    from earlysignal.i18n import jinja_env

    for lang in ("nl", "en"):
        env = jinja_env(lang, PackageLoader("earlysignal.indicators", "templates"))
        texts = env.get_template("_texts.j2").module
        summary = f"{texts.summary(report_data(table, lang))} {texts.not_a_ranking()}"  # type: ignore[attr-defined]
        result = readability(summary, lang)
        assert result.ok, (lang, result.to_dict(), result.longest_sentence)


def test_cli_writes_the_report_in_dutch(history: CareHistory, tmp_path: Path) -> None:
    folder = history.write(tmp_path / "data")
    runner = CliRunner()
    res = runner.invoke(
        app, ["indicators", str(folder), "--by", "sex", "--report", str(tmp_path / "rep"),
              "--lang", "nl"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    page = (tmp_path / "rep" / "indicators.html").read_text(encoding="utf-8")
    assert '<html lang="nl">' in page and "Naar geslacht" in page
    assert (tmp_path / "rep" / "indicators.md").is_file()
    res = runner.invoke(app, ["indicators", str(folder), "--report", str(tmp_path / "r2"), "--raw"])
    assert res.exit_code == 2 and "IND-REPORT" in res.output
    res = runner.invoke(
        app, ["indicators", str(folder), "--report", str(tmp_path / "r3"), "--lang", "fr"]
    )
    assert res.exit_code == 2 and "I18N-LANG" in res.output
