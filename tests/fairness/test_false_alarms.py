"""The calibration-gap test's false alarms, held to its nominal level.

Forty well-calibrated synthetic cohorts (the same generator as ``test_audit.py``). The number of
cohorts with any alarm is allowed up to the 99 % quantile of Binomial(40, alpha): a calibrated
test at its nominal family-wise level fails this less than 1 % of the time, a test at 20 % or
more almost always (``test_a_miscalibrated_test_breaks_the_bound``). The z statistics of one
group are also checked against a chi-square bound, which catches a wrong standard error.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.stats import binom, chi2

from earlysignal.disclosure import DisclosurePolicy
from earlysignal.fairness import AuditResult, audit

SIMS = 40
ALPHA = 0.05
RAW = DisclosurePolicy(min_count=0, rounding=1, min_class=0, decimals=None)
BOUND = int(binom.ppf(0.99, SIMS, ALPHA))  # 6 of 40


def _cohort(n: int, seed: int) -> pl.DataFrame:
    spec = importlib.util.spec_from_file_location(
        "_audit_cases", Path(__file__).with_name("test_audit.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    frame: pl.DataFrame = module._cohort(n, seed)
    return frame


@functools.cache
def _runs() -> tuple[AuditResult, ...]:
    return tuple(
        audit(
            _cohort(3000, 100 + seed),
            attributes=["sex", "origin"],
            intersections=(),
            label="y",
            risk="risk",
            n_boot=100,
            seed=seed,
            alpha=ALPHA,
            policy=RAW,
        )
        for seed in range(SIMS)
    )


def _alarms(flags: list[bool]) -> int:
    return sum(flags)


def _tested(res: AuditResult) -> pl.DataFrame:
    return res.groups.filter(pl.col("gap_p").is_not_null() & (pl.col("attribute") != "all"))


@pytest.mark.slow
def test_flags_follow_alpha_over_the_number_of_groups_tested() -> None:
    for res in _runs():
        t = _tested(res)
        expected = (t["gap_p"] < ALPHA / t.height).to_list()
        assert t["gap_flag"].to_list() == expected


@pytest.mark.slow
def test_false_alarms_stay_within_the_binomial_bound_of_the_nominal_level() -> None:
    flags = [res.flagged().height > 0 for res in _runs()]
    assert _alarms(flags) <= BOUND, f"{_alarms(flags)} of {SIMS} cohorts raised an alarm"


@pytest.mark.slow
def test_gap_z_has_unit_variance_under_no_bias() -> None:
    # female vs the rest: one z per independent cohort; sum of z^2 ~ chi-square(SIMS)
    z = np.array([_tested(r).filter(pl.col("group") == "female")["gap_z"][0] for r in _runs()])
    assert float((z**2).sum()) <= chi2.ppf(0.995, SIMS)
    assert float((z**2).sum()) >= chi2.ppf(0.005, SIMS)


@pytest.mark.slow
def test_a_miscalibrated_test_breaks_the_bound() -> None:
    # alpha ignored: every group tested at 0.5 without correction -> far more than BOUND alarms
    flags = [bool((_tested(r)["gap_p"] < 0.5).any()) for r in _runs()]
    assert _alarms(flags) > BOUND
    # Dropping only Bonferroni (the level not divided by the groups tested, a few correlated
    # groups) raises the family-wise rate to roughly 10-15 %, which 40 cohorts cannot tell from
    # 5 % reliably: the single-stream bootstrap gave 10 alarms of 40, the blocked one (issue 21)
    # gives 6, at the bound. That division is checked exactly, cohort by cohort, in
    # test_flags_follow_alpha_over_the_number_of_groups_tested.
