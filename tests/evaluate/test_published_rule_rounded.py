"""The decision rule's rates are published from its counts rounded to 5 (issue 12): share
flagged, precision and recall whole percents of the rounded counts, alerts per 100 children a
whole number, false alarms per event caught to 1 decimal; each hidden when fewer than 10
children stand behind a count; every other metric of a card to 3 decimals."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from earlysignal.disclosure import round_count
from earlysignal.evaluate.rounded import published_rule


@st.composite
def _counts(draw: st.DrawFn) -> dict[str, int]:
    rows = draw(st.integers(0, 5000))
    events = draw(st.integers(0, rows))
    flagged = draw(st.integers(0, rows))
    tp = draw(st.integers(0, min(events, flagged)))
    c = {"rows": rows, "flagged": flagged, "flagged_with_event": tp, "events": events}
    # children behind each count: at most the rows, at least one when there are rows
    kids = {k: draw(st.integers(min(1, v), v)) for k, v in c.items()}
    return {**c, **{f"{k}_children": v for k, v in kids.items()}, "children": kids["rows"]}


@settings(max_examples=50, deadline=None)
@given(c=_counts())
def test_rates_come_from_the_rounded_counts_and_hide_under_ten_children(
    c: dict[str, int],
) -> None:
    out = published_rule(c)
    shown = out["counts"]
    for k in ("rows", "flagged", "flagged_with_event", "events"):
        if c[f"{k}_children"] < 10:
            assert shown[k] is None and shown[f"{k}_children"] is None
        else:
            assert shown[k] == round_count(c[k]) and shown[k] % 5 == 0
    for key, (num, den) in {
        "share_flagged": ("flagged", "rows"),
        "precision": ("flagged_with_event", "flagged"),
        "recall": ("flagged_with_event", "events"),
    }.items():
        v = out[key]
        if shown[num] is None or not shown[den]:
            assert v is None, (key, v)
        else:
            assert v == round(shown[num] / shown[den], 2)
            assert Fraction(v).limit_denominator(10**6).denominator <= 100
    if out["alerts_per_100_children"] is not None:
        assert isinstance(out["alerts_per_100_children"], int)
        assert shown["flagged"] is not None and shown["children"]
    fa = out["false_alarms_per_event_caught"]
    assert fa is None or fa == round(fa, 1)
    assert published_rule(shown) == out  # the card's counts give its rates back


def test_a_card_is_published_in_place() -> None:
    counts = {"rows": 6257 * 10 + 3, "flagged": 6257, "flagged_with_event": 707,
              "events": 2144, "children": 8811, "rows_children": 8811,
              "flagged_children": 3000, "flagged_with_event_children": 600,
              "events_children": 1900}  # fmt: skip
    metric = {"model": "m", "metric": "auroc", "value": 0.7123456, "lower": 0.70019,
              "upper": 0.72444}  # fmt: skip
    card: dict[str, Any] = {
        "performance": {
            "metrics": [dict(metric)],
            "oracle": [dict(metric)],
            "effects": [{"auroc_difference": 0.0061234, "lower": 0.00111, "upper": 0.0109,
                         "net_benefit_primary": 0.01234, "net_benefit_baseline": None}],
            "summary": [{"key": "perf_auroc", "args": {"a": dict(metric), "name": "m"}}],
            "personas": {"rows": [dict(metric)], "n_rows": 5831, "n_children": 739,
                         "n_events": 223},
        },
        "calibration": {"metrics": [{"metric": "ece", "value": 0.0031234, "lower": 0.0021,
                                     "upper": 0.00456}]},
        "decision": {
            "threshold": 0.0612345,
            "people": {"counts": published_rule(counts)["counts"], "precision": 707 / 6257},
            "workload": [
                {"metric": "precision_at_top", "flagged share": 0.0947, "value": 707 / 6257,
                 "lower": 0.10451, "upper": 0.1214},
                {"metric": "alerts_per_100_children", "flagged share": 0.0947,
                 "value": 71.0135, "lower": 68.51, "upper": 73.49},
            ],
            "net_benefit": [{"model": "m", "threshold": 0.0612345, "net benefit": 0.0071234,
                             "lower": 0.0051, "upper": 0.00912}],
            "rule": {"key": "decision_rule", "args": {"share": 0.0947, "threshold": 0.0612}},
        },
    }  # fmt: skip
    published_rule(card=card)
    assert "oracle_worlds" not in card["performance"]  # nothing added that the run left out
    dec = card["decision"]
    assert card["performance"]["metrics"][0] == {**metric, "value": 0.712, "lower": 0.7,
                                                 "upper": 0.724}  # fmt: skip
    assert card["performance"]["summary"][0]["args"]["a"]["value"] == 0.712
    assert card["performance"]["effects"][0]["auroc_difference"] == 0.006
    personas = card["performance"]["personas"]
    assert personas["rows"][0]["upper"] == 0.724
    assert (personas["n_rows"], personas["n_children"], personas["n_events"]) == (5830, 740, 225)
    assert card["calibration"]["metrics"][0]["value"] == 0.003
    assert dec["net_benefit"][0]["net benefit"] == 0.007
    assert dec["net_benefit"][0]["threshold"] == 0.0612345  # a setting, not a figure
    assert dec["people"]["precision"] == round(705 / 6255, 2) == 0.11
    assert dec["workload"][0]["value"] == 0.11
    assert (dec["workload"][0]["lower"], dec["workload"][0]["upper"]) == (0.1, 0.12)
    assert dec["workload"][1]["value"] == round(100 * 6255 / 8810) == 71
    assert (dec["workload"][1]["lower"], dec["workload"][1]["upper"]) == (69, 73)
    assert dec["rule"]["args"]["share"] == dec["workload"][0]["flagged share"] == 0.1
