"""The experiment config: one TOML file describes one study, validated with pydantic.

A config has one table per concern (``[study]``, ``[data]``, ``[outcome]``, ``[design]``,
``[split]``, ``[model]``, ``[decision]``, ``[evaluation]``, ``[explain]``, ``[fairness]``,
``[features]``, ``[card]``, ``[tracking]``, ``[monitoring]``, ``[compute]``). Every table
forbids unknown keys, and every error names the key, the value received, the allowed values and
the fix (:class:`ConfigError`).
The shipped configs live in ``experiments/`` and, identically, as package data in
``earlysignal/experiment/defaults/`` so that ``earlysignal demo`` works from an installed wheel.

Examples
--------
>>> cfg = load_config("breakdown_180d")
>>> (cfg.outcome.name, cfg.outcome.horizon_days, cfg.model.kind)
('breakdown', 180, 'lightgbm')
>>> try:
...     ExperimentConfig.from_dict({"outcome": {"name": "brakdown", "horizon_days": 180}})
... except ConfigError as err:
...     print(err.problems[0][:60])
outcome.name = 'brakdown' is not allowed; allowed values: 'b
"""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from earlysignal.compute.spec import ComputeSpec
from earlysignal.schema import ATTRIBUTE_COLUMNS

__all__ = [
    "AUDIT_ATTRIBUTES",
    "DEFAULT_CONFIGS",
    "CardConfig",
    "CardTranslation",
    "ComputeConfig",
    "ConfigError",
    "DataConfig",
    "DecisionConfig",
    "DesignConfig",
    "EvaluationConfig",
    "ExperimentConfig",
    "ExplainConfig",
    "FairnessConfig",
    "FeaturesConfig",
    "ModelConfig",
    "MonitoringConfig",
    "OutcomeConfig",
    "SplitConfig",
    "StopRuleConfig",
    "StudyConfig",
    "TrackingConfig",
    "default_config_path",
    "load_config",
]

DEFAULT_CONFIGS: tuple[str, ...] = ("breakdown_180d", "carousel_365d")
"""Names of the configs shipped as package data (``earlysignal/experiment/defaults``)."""

AUDIT_ATTRIBUTES: tuple[str, ...] = ("sex", *ATTRIBUTE_COLUMNS, "age_group")
"""Attributes a fairness audit may group by: child attributes plus the derived ``age_group``."""


class ConfigError(ValueError):
    """An experiment config that cannot be used, with one readable line per problem.

    Attributes
    ----------
    problems
        One line per problem: the key (``table.key``), the value, the allowed values.
    source
        Where the config came from (a path or ``"<dict>"``).
    """

    def __init__(self, problems: list[str], source: str = "<dict>") -> None:
        self.problems = problems
        self.source = source
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"invalid experiment config {source} ({len(problems)} problem(s)):\n{lines}\n"
            "Fix the keys named above (see docs/experiments.md for every key and its values)."
        )


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StudyConfig(_Section):
    """``[study]``: what the study is called and its random seed."""

    name: str = Field(default="study", min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    seed: int = 0
    purpose: str = ""
    """What the scores are for, in plain words; required for ``outcome.name = "entry"``."""
    oversight: str = ""
    """Who oversees the use and how (a named body); required for ``outcome.name = "entry"``."""


class DataConfig(_Section):
    """``[data]``: where the care histories come from.

    ``source = "simulated"`` simulates a cohort (``n_children``, ``years``, ``sim_seed``);
    ``"canonical"`` reads a canonical folder at ``path``; ``"ssda903"`` imports SSDA903 returns
    from ``path`` (``import_errors`` says whether errors in the returns stop the run or are
    repaired and counted). ``"ijw"`` imports an archive of iJw 3.2 messages from ``path``
    with the HMAC key in ``ijw_key_file`` (and optional ``ijw_mapping``, ``ijw_xsd``); without
    ``path`` it simulates a cohort, writes it as an iJw archive and imports that (a fresh key
    per run). ``"cbs"`` imports CBS youth-care files from ``path`` (code lists from ``codes``),
    or without a ``path`` simulates a CBS archive and imports it. ``validation = "strict"``
    stops on any data error.
    """

    source: Literal["simulated", "canonical", "ssda903", "ijw", "cbs"] = "simulated"
    population: Literal["placed", "at_home"] = "placed"
    """Simulated data only: ``placed`` (children in care, ``earlysignal.synth.simulate``) or
    ``at_home`` (children at home under a measure, ``earlysignal.synth.at_home``)."""
    path: str | None = None
    codes: str | None = None
    """CBS only: a code-list TOML file (docs/cbs.md); relative to the config file."""
    n_children: int = Field(default=20_000, ge=10, le=5_000_000)
    years: int = Field(default=10, ge=2, le=40)
    sim_seed: int = 1
    validation: Literal["strict", "report"] = "strict"
    import_errors: Literal["raise", "repair"] = "raise"
    """SSDA903 only: ``raise`` stops on any error in the returns; ``repair`` excludes or
    repairs each offending row (for example trims overlapping episodes) and counts it in the
    import report, which the card summarises. iJw: the same for messages."""
    ijw_key_file: str | None = None
    """iJw only: file holding the HMAC key for child pseudonyms (required with ``path``)."""
    ijw_mapping: str | None = None
    """iJw only: mapping TOML (product codes, end reasons); default: the shipped defaults."""
    ijw_xsd: str | None = None
    """iJw only: folder of the official XSDs to validate every message against."""
    ijw_observed_until: date | None = None
    """iJw only: the extraction date (default: the latest message date)."""

    @model_validator(mode="after")
    def _path_when_needed(self) -> DataConfig:
        if self.source not in ("simulated", "ijw", "cbs") and not self.path:
            raise ValueError(
                f"data.path is required when data.source = {self.source!r}: set it to the folder "
                "holding the records"
            )
        return self


class OutcomeConfig(_Section):
    """``[outcome]``: what is predicted and over how many days after the prediction time."""

    name: Literal["breakdown", "carousel", "return_home", "reentry", "entry", "stable_return"] = (
        "breakdown"
    )
    horizon_days: int = Field(default=180, ge=7, le=3650)
    min_moves: int = Field(default=2, ge=1, le=20)
    breakdown_definition: Literal["child_side", "any_unplanned"] = "child_side"
    """What counts as a breakdown (``earlysignal.outcomes.BREAKDOWN_DEFINITIONS``):
    ``child_side`` (default) an unplanned ending asked for by the carer or the child;
    ``any_unplanned`` also endings for reasons on the provider's side (``provider_ended``)."""

    @model_validator(mode="after")
    def _definition_for_breakdown_only(self) -> OutcomeConfig:
        if self.name != "breakdown" and self.breakdown_definition != "child_side":
            raise ValueError(
                f"outcome.breakdown_definition = {self.breakdown_definition!r} applies only to "
                f"name = 'breakdown', not {self.name!r}: remove the key or set name = 'breakdown'"
            )
        return self


class DesignConfig(_Section):
    """``[design]``: when predictions are made (prediction-time design).

    ``schedule``: every ``every_days`` days while in care; ``placement_anchored``: on the days
    ``days_after_start`` after each placement starts; ``year_end``: each ``year_end`` (MM-DD);
    ``at_home``: every ``every_days`` days while a measure runs at home and the child was never
    placed (``earlysignal.cohort_home.AtHomeSchedule``, the design of ``entry``).
    """

    kind: Literal["schedule", "placement_anchored", "year_end", "at_home"] = "schedule"
    every_days: int = Field(default=91, ge=1, le=3650)
    days_after_start: list[int] = Field(default_factory=lambda: [30, 90])
    year_end: str = Field(default="03-31", pattern=r"^\d\d-\d\d$")
    start: date | None = None
    end: date | None = None


class SplitConfig(_Section):
    """``[split]``: temporal validation (train on earlier periods, test on later ones).

    The period of prediction times is cut into consecutive train, calibrate and test periods
    in the proportions ``fractions``, or at the explicit dates ``calibrate_from`` and
    ``test_from``. Rows whose label window crosses into the next period are always purged and
    counted (``earlysignal.split``). Random splits are deliberately not offered: they
    overstate performance.
    """

    kind: Literal["temporal"] = "temporal"
    fractions: tuple[float, float, float] = (0.6, 0.2, 0.2)
    calibrate_from: date | None = None
    test_from: date | None = None

    @model_validator(mode="after")
    def _check(self) -> SplitConfig:
        if any(f <= 0 for f in self.fractions) or abs(sum(self.fractions) - 1.0) > 1e-6:
            raise ValueError(
                f"split.fractions = {list(self.fractions)} must be three positive numbers "
                "summing to 1 (train, calibrate, test)"
            )
        if (self.calibrate_from is None) != (self.test_from is None):
            raise ValueError("split.calibrate_from and split.test_from must be given together")
        if (
            self.calibrate_from is not None
            and self.test_from is not None
            and self.test_from <= self.calibrate_from
        ):
            raise ValueError("split.test_from must be after split.calibrate_from")
        return self


def _default_baselines() -> list[Literal["logistic", "rule"]]:
    return ["logistic", "rule"]


class ModelConfig(_Section):
    """``[model]``: the model, its calibration and the baselines it must beat.

    Classes are not reweighted (weights distort probabilities); calibration on the held-out
    calibration period makes the probabilities honest (``docs/models.md``).
    """

    kind: Literal["lightgbm", "logistic", "rule"] = "lightgbm"
    n_estimators: int = Field(default=300, ge=1, le=20_000)
    learning_rate: float = Field(default=0.05, gt=0, le=1)
    num_leaves: int = Field(default=31, ge=2, le=4096)
    min_child_samples: int = Field(default=50, ge=1)
    colsample_bytree: float = Field(default=0.8, gt=0, le=1)
    reg_lambda: float = Field(default=1.0, ge=0)
    early_stopping_rounds: int | None = Field(default=None, ge=1)
    """Stop adding trees when the log loss of 15 % held-out *training children* has not
    improved for this many rounds (``n_estimators`` is then the maximum); none: fixed size."""
    n_jobs: int = Field(default=2, ge=1, le=256)
    calibration: Literal["venn_abers", "isotonic", "sigmoid", "none"] = "isotonic"
    intervals: Literal["venn_abers", "none"] = "venn_abers"
    baselines: list[Literal["logistic", "rule"]] = Field(default_factory=_default_baselines)


class DecisionConfig(_Section):
    """``[decision]``: flag children above a risk ``threshold`` or the top ``capacity`` share.

    Exactly one of the two is set. ``capacity = 0.1`` flags the 10 % highest risks.
    ``caseload`` (optional): children per caseworker, so the card can show the decision rule
    per caseworker as well as per run.
    """

    threshold: float | None = Field(default=None, gt=0, lt=1)
    capacity: float | None = Field(default=None, gt=0, lt=1)
    caseload: int | None = Field(default=None, ge=1, le=10_000)

    @model_validator(mode="after")
    def _one(self) -> DecisionConfig:
        if (self.threshold is None) == (self.capacity is None):
            raise ValueError(
                "set exactly one of decision.threshold (a risk between 0 and 1) or "
                "decision.capacity (the share of children flagged, between 0 and 1)"
            )
        return self


class EvaluationConfig(_Section):
    """``[evaluation]``: bootstrap intervals (clustered by child) and calibration bins.

    ``oracle_rows``: on simulated data, the oracle comparison uses a random sample of test
    children with about this many rows (the oracle is a costly forward simulation; 0: none).
    """

    bootstrap: int = Field(default=200, ge=0, le=10_000)
    ci_level: float = Field(default=0.95, gt=0.5, lt=1)
    ece_bins: int = Field(default=10, ge=2, le=100)
    oracle_rows: int = Field(default=5000, ge=0)


class ExplainConfig(_Section):
    """``[explain]``: how many test rows to explain and how many factors to show."""

    sample: int = Field(default=2000, ge=10)
    top: int = Field(default=10, ge=1, le=100)
    row_level_figures: bool = False
    """Draw the SHAP beeswarm (one dot per explained row) on the card. Off by default: the card
    then shows contributions aggregated per bin of at least ``[fairness] min_cell`` children,
    and states on its first screen when row-level figures are in."""


class FairnessConfig(_Section):
    """``[fairness]``: sensitive attributes audited, intersections and disclosure control."""

    attributes: list[str] = Field(
        default_factory=lambda: ["sex", "age_group", "origin", "disability", "unaccompanied"]
    )
    intersections: list[list[str]] = Field(default_factory=list)
    min_cell: int = Field(default=10, ge=1)
    bootstrap: int = Field(default=100, ge=0, le=10_000)

    @model_validator(mode="after")
    def _known(self) -> FairnessConfig:
        allowed = ", ".join(repr(a) for a in AUDIT_ATTRIBUTES)
        for name in [*self.attributes, *(a for group in self.intersections for a in group)]:
            if name not in AUDIT_ATTRIBUTES:
                raise ValueError(
                    f"fairness attribute {name!r} is not known; allowed values: {allowed}"
                )
        return self


class FeaturesConfig(_Section):
    """``[features]``: the default feature set, minus ``exclude``, plus opted-in attributes,
    plus persona membership when ``personas = true``.

    Sensitive attributes are never model inputs unless named in ``include_sensitive`` (the
    model card then says so visibly).
    """

    include_sensitive: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    personas: bool = False
    """Add persona membership as of t (``earlysignal.features.PersonaMembership``: one 0/1
    column per persona, medoids fitted before the training period's end) and report on the
    card whether it helps (the same model with and without, paired bootstrap)."""
    persona_window: int = Field(default=24, ge=2, le=240)
    """Months of pathway from first entry that make a persona."""
    persona_k: int = Field(default=5, ge=2, le=20)
    """Number of personas (choose it with ``earlysignal personas``' quality table)."""
    persona_min_months: int = Field(default=3, ge=1, le=240)
    """Months of pathway a child needs before t to be given a persona (else all columns 0)."""

    @model_validator(mode="after")
    def _persona_options(self) -> FeaturesConfig:
        if self.persona_min_months > self.persona_window:
            raise ValueError(
                f"features.persona_min_months = {self.persona_min_months} is longer than "
                f"features.persona_window = {self.persona_window}; allowed values: 1 to the "
                "window"
            )
        if not self.personas:
            defaults = FeaturesConfig.model_fields
            changed = [
                k
                for k in ("persona_window", "persona_k", "persona_min_months")
                if getattr(self, k) != defaults[k].default
            ]
            if changed:
                raise ValueError(
                    f"features.{changed[0]} is set but features.personas = false, so it would "
                    "have no effect; set personas = true or remove the key"
                )
        return self


class CardTranslation(_Section):
    """``[card.translations.<lang>]``: the organisation's card texts in another language.

    The same text fields as ``[card]``, each optional; a list has one text per item of the
    original, in the same order, and ``description``: the study's one-line description
    (``[study] description``, shown under "Model details"). The card keeps the original as its
    main value and shows the translation when it is rendered in ``<lang>``
    (``earlysignal.card.translations``).
    """

    title: str | None = None
    intended_use: str | None = None
    out_of_scope_use: list[str] | None = None
    human_oversight: str | None = None
    legal_basis: str | None = None
    objection_route: str | None = None
    monitoring: str | None = None
    known_limitations: list[str] | None = None
    ethical_considerations: str | None = None
    funding: str | None = None
    lived_experience_involvement: str | None = None
    rights_informed: str | None = None
    rights_access: str | None = None
    rights_correction: str | None = None
    rights_contact: str | None = None
    description: str | None = None


class CardConfig(_Section):
    """``[card]``: the human-written fields of the model card.

    Any field left empty is shown on the card as "to be completed by the study team".
    ``language`` ("en" or "nl") is the language the card is rendered in (``--lang`` on
    ``earlysignal run``/``demo`` overrides it). ``[card.translations.nl]`` (or ``.en``) gives
    the text fields in another language (:class:`CardTranslation`).
    """

    language: Literal["en", "nl"] = "en"
    title: str = ""
    intended_use: str = ""
    out_of_scope_use: list[str] = Field(default_factory=list)
    owners: list[str] = Field(default_factory=list)
    contact: str = ""
    human_oversight: str = ""
    legal_basis: str = ""
    objection_route: str = ""
    monitoring: str = ""
    review_date: date | None = None
    known_limitations: list[str] = Field(default_factory=list)
    ethical_considerations: str = ""
    funding: str = ""
    lived_experience_involvement: str = ""
    rights_informed: str = ""
    rights_access: str = ""
    rights_correction: str = ""
    rights_contact: str = ""
    translations: dict[str, CardTranslation] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _translations_match(self) -> CardConfig:
        from earlysignal.i18n import SUPPORTED

        for lang, tr in self.translations.items():
            if lang not in SUPPORTED:
                raise ValueError(
                    f"card.translations.{lang}: language {lang!r} is not supported (rule "
                    f"I18N-LANG): choose one of {', '.join(SUPPORTED)}, e.g. "
                    "[card.translations.nl]"
                )
            for name in CardTranslation.model_fields:
                if name == "description":  # its original is [study] description
                    continue
                text, original = getattr(tr, name), getattr(self, name)
                if text is None:
                    continue
                if not original:
                    raise ValueError(
                        f"card.translations.{lang}.{name} is given but card.{name} is empty: "
                        f"write the original in [card] first (the card keeps it as the main "
                        "text), or remove the translation"
                    )
                if isinstance(text, list) and len(text) != len(original):
                    raise ValueError(
                        f"card.translations.{lang}.{name} has {len(text)} item(s) but "
                        f"card.{name} has {len(original)}: translate every item, in the same "
                        "order"
                    )
        return self


class DisclosureConfig(_Section):
    """``[disclosure]``: the publication ledger, the differencing defence across runs.

    ``ledger`` is ``"auto"`` (default: ``<output folder>/publication-ledger``), ``"off"``, or a
    folder (one ledger shared by every run that publishes about the same children). The ledger
    stays on the user's disk and is never published nor logged (``docs/disclosure.md``).
    """

    ledger: str = "auto"


class TrackingConfig(_Section):
    """``[tracking]``: the MLflow experiment and where cards are written.

    The tracking URI is not part of the study: it comes from ``MLFLOW_TRACKING_URI`` or
    defaults to ``sqlite:///mlruns.db`` (see :mod:`earlysignal.tracking`).
    """

    experiment: str = "earlysignal"
    output_dir: str = "earlysignal-output"
    register_as: str | None = None
    """Also register the logged model under this name in the MLflow model registry."""


class StopRuleConfig(_Section):
    """One stop rule under ``[[monitoring.stop_rules]]`` (see ``docs/monitoring.md``).

    ``metric`` leaves ``[lower, upper]``: breached. ``decide_by = "interval"`` breaches only when
    the whole interval lies outside; ``"estimate"`` when the estimate does. Fewer than
    ``min_events`` matured events: not yet measurable. ``outcome_delay_days`` (default the
    horizon) is how long an outcome takes to mature. ``judge_on = "unflagged"`` judges on
    children the model did not flag, whose outcomes its use cannot have changed.
    """

    metric: Literal["calibration_slope", "calibration_in_the_large", "subgroup_oe", "auroc"]
    lower: float | None = None
    upper: float | None = None
    decide_by: Literal["estimate", "interval"] = "interval"
    min_events: int = Field(default=100, ge=1)
    outcome_delay_days: int | None = Field(default=None, ge=0)
    judge_on: Literal["unflagged", "all"] = "unflagged"


def _default_stop_rules() -> list[StopRuleConfig]:
    return [
        StopRuleConfig(metric="calibration_slope", lower=0.8, upper=1.2),
        StopRuleConfig(metric="subgroup_oe", lower=0.8, upper=1.25),
    ]


class MonitoringConfig(_Section):
    """``[monitoring]``: the stop rules written into the card and used by ``earlysignal
    monitor`` (default: calibration slope in [0.8, 1.2], every subgroup's O/E in [0.8, 1.25])."""

    stop_rules: list[StopRuleConfig] = Field(default_factory=_default_stop_rules)


class ComputeConfig(_Section):
    """``[compute]``: where repeated work runs (``earlysignal sweep``; docs/scaling.md).

    ``backend`` ``"joblib"`` (default, local processes), ``"dask"`` or ``"ray"`` (optional
    extras); ``address`` of a Dask scheduler or Ray cluster (none: a local one); ``n_jobs``
    tasks at once on this machine; ``threads_per_task`` (default: cores / ``n_jobs``).

    Examples
    --------
    >>> ComputeConfig(backend="dask", n_jobs=2).spec().backend
    'dask'
    """

    backend: Literal["joblib", "dask", "ray"] = "joblib"
    address: str | None = None
    n_jobs: int = Field(default=1, ge=1, le=1024)
    threads_per_task: int | None = Field(default=None, ge=1, le=256)

    @model_validator(mode="after")
    def _address_needs_a_cluster(self) -> ComputeConfig:
        if self.address is not None and self.backend == "joblib":
            raise ValueError(
                f"address = {self.address!r} needs backend = 'dask' or 'ray' (joblib runs on "
                "this machine only); remove the address or choose a cluster backend"
            )
        return self

    def spec(self) -> ComputeSpec:
        """The :class:`~earlysignal.compute.ComputeSpec` these settings describe."""
        return ComputeSpec(
            backend=self.backend,
            address=self.address,
            n_jobs=self.n_jobs,
            threads_per_task=self.threads_per_task,
        )


_SECTIONS: dict[str, type[_Section]] = {
    "study": StudyConfig,
    "data": DataConfig,
    "outcome": OutcomeConfig,
    "design": DesignConfig,
    "split": SplitConfig,
    "model": ModelConfig,
    "decision": DecisionConfig,
    "evaluation": EvaluationConfig,
    "explain": ExplainConfig,
    "fairness": FairnessConfig,
    "disclosure": DisclosureConfig,
    "features": FeaturesConfig,
    "card": CardConfig,
    "tracking": TrackingConfig,
    "monitoring": MonitoringConfig,
    "compute": ComputeConfig,
}


class ExperimentConfig(_Section):
    """A whole study: one field per TOML table (see the section classes)."""

    study: StudyConfig = Field(default_factory=StudyConfig)
    data: DataConfig = Field(default_factory=DataConfig)
    outcome: OutcomeConfig = Field(default_factory=OutcomeConfig)
    design: DesignConfig = Field(default_factory=DesignConfig)
    split: SplitConfig = Field(default_factory=SplitConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    decision: DecisionConfig = Field(default_factory=lambda: DecisionConfig(capacity=0.1))
    evaluation: EvaluationConfig = Field(default_factory=EvaluationConfig)
    explain: ExplainConfig = Field(default_factory=ExplainConfig)
    fairness: FairnessConfig = Field(default_factory=FairnessConfig)
    disclosure: DisclosureConfig = Field(default_factory=DisclosureConfig)
    features: FeaturesConfig = Field(default_factory=FeaturesConfig)
    card: CardConfig = Field(default_factory=CardConfig)
    tracking: TrackingConfig = Field(default_factory=TrackingConfig)
    monitoring: MonitoringConfig = Field(default_factory=MonitoringConfig)
    compute: ComputeConfig = Field(default_factory=ComputeConfig)

    @model_validator(mode="after")
    def _entry_needs_purpose_and_oversight(self) -> ExperimentConfig:
        # risk scores for families at home are the contested use (issue 20): a study of entry
        # runs only with its purpose and its oversight named, and on the at-home design
        if self.outcome.name != "entry":
            return self
        missing = [k for k in ("purpose", "oversight") if not getattr(self.study, k).strip()]
        if missing:
            raise ValueError(
                f"outcome.name = 'entry' (risk for families at home) needs study."
                f"{' and study.'.join(missing)}: name what the scores are for (offering "
                "support, never investigation or removal) and who oversees their use"
            )
        if self.design.kind != "at_home":
            raise ValueError(
                f"outcome.name = 'entry' needs design.kind = 'at_home', not "
                f"{self.design.kind!r}: entry is predicted for children at home"
            )
        return self

    @model_validator(mode="after")
    def _description_translation_needs_original(self) -> ExperimentConfig:
        for lang, tr in self.card.translations.items():
            if tr.description is not None and not self.study.description.strip():
                raise ValueError(
                    f"card.translations.{lang}.description is given but study.description is "
                    "empty: write the original in [study] description first (the card keeps it "
                    "as the main text), or remove the translation"
                )
        return self

    @model_validator(mode="after")
    def _personas_need_placements_and_a_model(self) -> ExperimentConfig:
        if not self.features.personas:
            return self
        if self.outcome.name == "entry":
            raise ValueError(
                "features.personas = true needs children with a care pathway; outcome.name = "
                "'entry' predicts for children at home: set personas = false"
            )
        if self.model.kind == "rule":
            raise ValueError(
                "features.personas = true: model.kind = 'rule' uses one fixed feature and could "
                "not use the personas; allowed values with personas: 'lightgbm', 'logistic'"
            )
        return self

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "<dict>") -> ExperimentConfig:
        """Validate a parsed config, raising :class:`ConfigError` with readable problems.

        Examples
        --------
        >>> ExperimentConfig.from_dict({"model": {"kind": "logistic"}}).model.kind
        'logistic'
        """
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            raise ConfigError(_describe(err), source) from None

    @classmethod
    def from_toml(cls, text: str, *, source: str = "<toml>") -> ExperimentConfig:
        """Parse and validate TOML text.

        Examples
        --------
        >>> cfg = ExperimentConfig.from_toml('[outcome]\\nname = "carousel"\\nhorizon_days = 365')
        >>> cfg.outcome.horizon_days
        365
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise ConfigError([f"not valid TOML: {err}"], source) from None
        return cls.from_dict(data, source=source)

    def to_dict(self) -> dict[str, Any]:
        """The full config, defaults included, as JSON-ready data (dates as ISO strings)."""
        return self.model_dump(mode="json")

    def to_toml(self) -> str:
        """The full config as TOML (defaults included; nulls omitted, as TOML has none).

        Examples
        --------
        >>> cfg = load_config("carousel_365d")
        >>> ExperimentConfig.from_toml(cfg.to_toml()) == cfg
        True
        """
        lines: list[str] = []
        for section, values in self.to_dict().items():
            lines.append(f"[{section}]")
            for key, value in values.items():
                if value is not None:
                    lines.append(f"{key} = {_toml_value(value)}")
            lines.append("")
        return "\n".join(lines)


def _toml_value(value: Any) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):  # inline table (stop rules)
        items = (f"{k} = {_toml_value(v)}" for k, v in value.items() if v is not None)
        return "{ " + ", ".join(items) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    if len(loc) == 4 and tuple(loc[:2]) == ("card", "translations"):
        return list(CardTranslation.model_fields)  # [card.translations.<lang>]
    model: type[BaseModel] = ExperimentConfig
    for part in loc[:-1]:
        if model is ExperimentConfig and isinstance(part, str) and part in _SECTIONS:
            model = _SECTIONS[part]
        else:
            break
    return list(model.model_fields)


def _describe(err: ValidationError) -> list[str]:
    problems: list[str] = []
    for e in err.errors():
        loc = tuple(e["loc"])
        key = ".".join(str(p) for p in loc) or "(top level)"
        kind = e["type"]
        value = e.get("input")
        if kind == "extra_forbidden":
            where = f"[{'.'.join(str(p) for p in loc[:-1])}]" if len(loc) > 1 else "top level"
            allowed = ", ".join(_allowed_keys(loc))
            problems.append(
                f"unknown key {key!r} in {where}; allowed keys: {allowed} "
                "(remove it or fix its spelling)"
            )
        elif kind == "literal_error":
            expected = (e.get("ctx") or {}).get("expected", "")
            problems.append(f"{key} = {value!r} is not allowed; allowed values: {expected}")
        elif kind == "missing":
            problems.append(f"{key} is required but missing")
        elif kind == "value_error":
            msg = str((e.get("ctx") or {}).get("error", e["msg"]))
            problems.append(f"{key or 'config'}: {msg}")
        else:
            problems.append(f"{key} = {value!r}: {e['msg']}")
    return problems


def default_config_path(name: str) -> Path:
    """Path of a config shipped as package data (works from an installed wheel).

    Examples
    --------
    >>> default_config_path("breakdown_180d").name
    'breakdown_180d.toml'
    """
    if name not in DEFAULT_CONFIGS:
        raise ConfigError(
            [f"no shipped config named {name!r}; allowed values: {', '.join(DEFAULT_CONFIGS)}"],
            name,
        )
    ref = resources.files("earlysignal.experiment") / "defaults" / f"{name}.toml"
    return Path(str(ref))


def load_config(source: str | Path) -> ExperimentConfig:
    """Load a config from a TOML file, or by the name of a shipped config.

    Parameters
    ----------
    source
        A path to a ``.toml`` file, or one of :data:`DEFAULT_CONFIGS`.

    Raises
    ------
    ConfigError
        When the file is missing, is not TOML, or holds unknown keys or bad values.

    Examples
    --------
    >>> load_config("carousel_365d").outcome.horizon_days
    365
    """
    if isinstance(source, str) and source in DEFAULT_CONFIGS and not Path(source).exists():
        path = default_config_path(source)
    else:
        path = Path(source)
    if not path.is_file():
        raise ConfigError(
            [
                f"config file {str(path)!r} does not exist; give a TOML file or one of the shipped "
                f"configs: {', '.join(DEFAULT_CONFIGS)}"
            ],
            str(path),
        )
    config = ExperimentConfig.from_toml(path.read_text(encoding="utf-8"), source=str(path))
    data_path = config.data.path
    if data_path is not None and not Path(data_path).expanduser().is_absolute():
        # a relative data.path is relative to the config file, wherever the command runs
        resolved = str((path.parent / Path(data_path).expanduser()).resolve())
        config = config.model_copy(
            update={"data": config.data.model_copy(update={"path": resolved})}
        )
    for key in ("codes", "ijw_key_file", "ijw_mapping", "ijw_xsd"):
        value = getattr(config.data, key)
        if value is not None and not Path(value).expanduser().is_absolute():
            resolved = str((path.parent / Path(value).expanduser()).resolve())
            config = config.model_copy(
                update={"data": config.data.model_copy(update={key: resolved})}
            )
    return config
