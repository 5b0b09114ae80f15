"""Every parameter of the care-history simulator, in one place, with the source of each figure.

Hazards are per day unless a name says otherwise. "Calibrated" means the value was tuned so that
the default cohort reproduces the published targets in :mod:`earlysignal.synth.targets`; the
target's source is then the source of the figure. Risk-factor effects are log hazard ratios,
shrunk from the unadjusted correlations of Konijn et al. (2019) because they are combined.

Examples
--------
>>> p = SimParams()
>>> p.weibull_shape < 1
True
>>> SETTINGS[p.setting_index("residential")]
'residential'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["EVENT_KINDS", "SETTINGS", "SimParams"]

SETTINGS: tuple[str, ...] = (
    "kinship_foster",
    "foster",
    "family_home",
    "residential",
    "secure",
    "independent",
    "with_parents",
    "other",
)
"""Settings in the engine's integer coding (the ``Setting`` vocabulary of ``schema``)."""

EVENT_KINDS: tuple[str, ...] = (
    "incident",
    "missing",
    "police_contact",
    "crisis",
    "review",
    "caseworker_change",
    "school_change",
    "support",
)
"""Event kinds the simulator writes, in its integer coding."""

REGIONS: tuple[str, ...] = ("north", "east", "south", "west")
ORIGINS: tuple[str, ...] = ("dutch", "migrant_child", "migrant")


@dataclass(frozen=True)
class SimParams:
    """Parameters of the simulator (frozen; change with ``dataclasses.replace``).

    Each field's comment gives its source or says it is calibrated (tuned to a target).
    """

    # ---------------------------------------------------------------- population
    burn_in_years: int = 12
    """Years simulated before the period so the first year already holds a realistic stock."""
    entry_age_probs: tuple[float, ...] = (0.19, 0.17, 0.20, 0.31, 0.13)
    """Age at first entry in bands <1, 1-4, 5-9, 10-15, 16-17 (DfE CLA starts 2021-2025)."""
    p_male: float = 0.55  # DfE CLA: 56 % boys
    origin_probs: tuple[float, float, float] = (0.60, 0.24, 0.16)
    """dutch / migrant_child / migrant (CBS 2022 classification; youth care over-represents
    migrant backgrounds; assumption within CBS youth-care shares)."""
    p_unaccompanied_16plus: float = 0.22  # DfE: UASC are ~7 % of CLA, mostly 16-17
    p_disability: float = 0.12  # assumption (DfE SEN/disability among CLA is higher; recorded)
    p_maltreatment: float = 0.62  # DfE: abuse or neglect is the category of need for ~65 %
    p_siblings: float = 0.45  # assumption: share with a sibling also in care
    p_siblings_together: float = 0.6  # assumption: placed together when siblings are in care
    region_probs: tuple[float, ...] = (0.2, 0.3, 0.3, 0.2)
    region_effect: tuple[float, ...] = (0.1, 0.0, -0.05, 0.15)  # assumption: log HR by region

    # ---------------------------------------------------------------- latent severity
    sev_mean_base: float = -0.4  # calibrated
    sev_mean_age: float = 0.07  # per year of age at entry above 8 (Konijn 2019: older age)
    sev_mean_sd: float = 0.6  # between-child spread of the latent mean (calibrated)
    sev_phi_week: float = 0.993
    """AR(1) persistence per week: one-year autocorrelation 0.993**52 = 0.69 (assumption:
    behaviour problems are persistent over years; see docs/simulator.md)."""
    sev_sd_week: float = 0.083  # weekly innovation (stationary deviation sd 0.7)
    sev_bump_breakdown: float = 0.25  # a breakdown raises severity (Konijn 2019; Oosterman 2007)
    sev_maltreatment: float = 0.25  # earlier maltreatment raises the mean severity
    sev_max_above_mean: float = 1.5  # bumps saturate: severity stays below mean + this

    # ---------------------------------------------------------------- breakdown hazard
    breakdown_rate_year: float = 0.115  # calibrated: foster breakdown 26 % (Eltink et al. 2025)
    weibull_shape: float = 0.55  # front-loaded hazard (Eltink 2025; Vanderfaeillie 2018)
    b_severity: float = 0.55  # behaviour problems r=0.35, the strongest factor (Konijn 2019)
    b_adolescent: float = 0.6  # adolescents 34 % vs 16 % (Eltink 2025)
    b_age_year: float = 0.02  # older age r=0.25 (Konijn 2019), beyond the adolescent step
    b_male: float = 0.0  # no difference by sex at meta-analytic level (Eltink 2025)
    b_maltreatment: float = 0.15  # earlier maltreatment r=0.14 (Konijn 2019)
    b_siblings_together: float = -0.25  # placed without siblings r=0.16 (Konijn 2019)
    b_prev_moves: float = 0.06  # per earlier move in the episode, capped (Oosterman 2007)
    b_prev_moves_cap: int = 6
    b_support: float = -0.3  # support given to carers (assumption, direction from WODC 2025)
    b_carer_quality: float = -0.35  # lower quality of foster parenting r=0.29 (Konijn 2019)
    carer_quality_sd: float = 0.3
    """Hidden: never recorded. Kept modest so that what no record shows is a modest share of
    the risk (docs/simulator.md, "What stays hidden", gives the sensitivity)."""
    provider_effect_sd: float = 0.15  # provider log HR spread (assumption; hidden)
    candidates_per_provider: int = 25
    """Simulated children (over the burn-in and the period) per pool provider (at least 40
    providers). 25 makes a provider about the size of a foster household or a small home, so
    few providers reach the 10 children a steering comparison needs; an organisation
    (a foster-care service, a residential provider) takes in hundreds: e.g. 1000."""
    b_setting: tuple[float, ...] = (-0.4, 0.15, -0.1, -0.4, -0.5, -0.5, 0.0, -0.5)
    """Log HR by setting: kinship 19.7 % vs 31.2 % (Lopez et al. 2011); residential highest."""

    # ---------------------------------------------------------------- other exits (per year)
    p_emergency_first: float = 0.38  # calibrated: first placements that are short-term
    emergency_mean_days: float = 28.0  # emergency / assessment placement length
    planned_rate_year: float = 0.12  # care-plan moves (DfE: 31-35 % of changes)
    planned_setting_mult: tuple[float, ...] = (0.55, 0.65, 1.0, 3.5, 6.0, 3.0, 1.0, 3.0)
    """Planned-move hazard by setting: residential, secure and other are often short-term."""
    transfer_rate_year: float = 0.15  # status-only changes (DfE: 16-25 % of changes)
    other_rate_year: float = 0.10  # other changes (DfE: 'other')
    return_rate_year: float = 0.28  # calibrated: 39 % home within 5 years (WODC 2025)
    return_decay_years: float = 1.6  # return-home hazard decays with time in care
    return_severity: float = -0.25  # fewer returns when behaviour problems are severe
    return_support: float = 0.8  # log HR: help to parents (>2x, WODC 2025)
    p_parent_support: float = 0.35  # share of episodes with help to the parents (assumption)
    permanence_rate_year_young: float = 0.10  # adoption / guardianship, under 6 at entry
    permanence_rate_year_old: float = 0.015
    reentry_rate_year: float = 0.36  # calibrated: a quarter re-enter (WODC 2025)
    reentry_decay_years: float = 1.0
    home_watch_years: float = 4.0  # children back home are followed this long for re-entry

    # ---------------------------------------------------------------- recorded events (per week)
    ev_base: tuple[float, ...] = (-3.8, -5.6, -5.8, -6.2)
    """Log weekly rate of incident, missing, police_contact, crisis at severity 0."""
    ev_severity: tuple[float, ...] = (0.9, 1.0, 0.9, 0.8)  # rates rise with severity
    ev_adolescent: tuple[float, ...] = (0.1, 1.0, 0.9, 0.2)
    ev_residential: tuple[float, ...] = (0.4, 0.6, 0.3, 0.2)
    caseworker_change_rate_year: float = 0.7  # assumption (high caseworker turnover)
    respite_rate_year: float = 0.5  # temporary respite inside a foster placement (assumption)
    school_change_on_move: float = 0.55  # school-age children changing school at a move

    # ---------------------------------------------------------------- breakdown details
    breakdown_details: tuple[tuple[str, float], ...] = (
        ("CREQB", 9.0),
        ("CREQO", 6.0),
        ("CHILD", 3.5),
        ("ALLEG", 1.0),
        ("STAND", 1.0),
        ("CLOSE", 1.0),
    )
    """SSDA903 REASON_PLACE_CHANGE codes of the engine's unplanned endings, weighted by the
    midpoints of DfE 2021-2025 (percent of all placement changes: carer requests for behaviour
    8-10 %, other 5-7 %, child requests 3-4 %, allegation, standards of care and closure about
    1 % each; normalised). The codes in ``provider_side_details`` are recorded as
    ``provider_ended``, the others as ``breakdown``."""
    provider_side_details: tuple[str, ...] = ("ALLEG", "STAND", "CLOSE")
    """Detail codes of endings on the provider's side (``schema.EndReason.provider_ended``)."""

    def child_side_share(self) -> float:
        """Share of the engine's unplanned endings recorded as the child's ``breakdown``.

        Examples
        --------
        >>> round(SimParams().child_side_share(), 3)
        0.86
        """
        total = sum(w for _, w in self.breakdown_details)
        child = sum(w for d, w in self.breakdown_details if d not in self.provider_side_details)
        return child / total

    extra: dict[str, Any] = field(default_factory=dict)
    """Free-form notes carried into ``meta`` (never used by the dynamics)."""

    def setting_index(self, name: str) -> int:
        """Integer code of a setting name."""
        return SETTINGS.index(name)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready) of every parameter."""
        return asdict(self)
