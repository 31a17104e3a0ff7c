"""What a practice profile holds: payers, providers, habits, volume and dates.

Payer behaviour is parameters the rules read (synthetic_data/rules): filing limit, prior
auth list, referral, phototherapy cap, X{EPSU} required, modifier-25 review rate, NDC,
anatomic modifiers, strictness, dated rule changes (quiet or published), and the benefit
design the 835 amounts follow (fee factor, deductible, coinsurance, copay). Archetypes
follow shared/domain §10.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from reference.families import DRUG_CODES

# drugs that payers put behind prior authorization (the biologics; not the topical-office
# drugs J3301 triamcinolone, J7308 aminolevulinic acid)
BIOLOGICS: tuple[str, ...] = tuple(c for c in DRUG_CODES if c not in ("J3301", "J7308"))

Archetype = Literal["medicare_ffs", "medicare_advantage", "medicaid", "commercial_ppo",
                    "commercial_hmo", "commercial_small"]
ARCHETYPES: tuple[str, ...] = ("medicare_ffs", "medicare_advantage", "medicaid",
                               "commercial_ppo", "commercial_hmo", "commercial_small")
MEDICARE_ARCHETYPES: frozenset[str] = frozenset({"medicare_ffs", "medicare_advantage"})
# Reviewer strictness levels (a shared multiplier of review rules) and their shares.
STRICTNESS_LEVELS: tuple[float, float, float] = (0.5, 1.0, 1.5)
STRICTNESS_SHARES: dict[str, tuple[float, float, float]] = {
    "lenient": (0.45, 0.45, 0.10), "standard": (0.25, 0.50, 0.25),
    "strict": (0.15, 0.45, 0.40),
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RuleChange(_Frozen):
    """A dated change of one payer behaviour: from `effective` (date of service) on, the
    payer's parameters `params` and/or the rule's probability `probability` apply. Quiet
    changes are switched off by GeneratorConfig(drift=False); published ones never are."""

    rule: str
    effective: date
    quiet: bool = True
    params: dict[str, Any] = Field(default_factory=dict)
    probability: float | None = None
    note: str = ""


class Benefits(_Frozen):
    """Benefit design behind the 835 amounts: allowed = MPFS x fee_factor; the member's
    annual deductible (PR-1), then coinsurance (PR-2) on procedures or a copay (PR-3) on
    E/M visits. `met_elsewhere_days` is the mean day of the year by which a member's other
    care has met the deductible (January-March claims meet it here)."""

    fee_factor: float = 1.0
    deductible: float = 0.0
    coinsurance: float = 0.0
    em_copay: float = 0.0
    met_elsewhere_days: float = 150.0
    sequestration: float = 0.0  # CO-253 share of Medicare payments (2%)


class PayerProfile(_Frozen):
    """One payer as the practice's clearinghouse names it, and how it adjudicates."""

    id: str
    name: str
    archetype: Archetype
    share: float = Field(gt=0)
    age_mix: tuple[float, float, float]  # child <18, adult 18-64, senior 65+
    member_id_shape: str  # D digit, N non-zero digit, L MBI letter, else literal
    filing_limit_days: int
    prior_auth_codes: tuple[str, ...] = ()
    referral_required: bool = False
    photo_sessions_per_year: int | None = None
    x_modifier_required: bool = False  # 59 refused where an X{EPSU} fits
    em25_review_rate: float = 0.0  # share of 25-E/M with a minor procedure reviewed
    em25_review_destructions: bool = True  # the review covers 17000-series destructions
    anatomic_modifiers_required: bool = False  # RT/LT (E1-E4, FA-F9, TA-T9) on sided lesions
    ndc_required: bool = False
    strictness: Literal["lenient", "standard", "strict"] = "standard"
    admin_error_rate: float = 0.006
    eligibility_churn: float = 1.0  # lapse/termination multiplier (Medicaid ~4)
    benefits: Benefits = Field(default_factory=Benefits)
    rule_probability: dict[str, float] = Field(default_factory=dict)  # overrides
    changes: tuple[RuleChange, ...] = ()
    claim_number_prefix: str = ""


class ProviderProfile(_Frozen):
    """A rendering provider: NPI from a 9-digit base (Luhn check digit added), type,
    Mohs surgeon, start at the practice, visit weight, and per-payer enrolment dates
    (absent = enrolled since before the window; a date after `starts` = billed early)."""

    npi_base: int
    kind: Literal["MD", "DO", "NP", "PA"]
    mohs_surgeon: bool = False
    starts: date | None = None
    weight: float = 1.0
    enrolled: dict[str, date] = Field(default_factory=dict)


class Habits(_Frozen):
    """The practice's staff: coder and front-desk error rates (per opportunity, scaled by
    GeneratorConfig.error_scale), E/M-with-procedure rates, submission lag, corrections."""

    # coding
    missing_25: float = 0.04
    wrong_25_for_57: float = 0.35
    wrong_79_for_58: float = 0.30
    wrong_79_for_78: float = 0.15
    missing_24: float = 0.20
    missing_global_modifier: float = 0.10
    bill_routine_postop: float = 0.05
    use_59_not_x: float = 0.40
    both_59_and_x: float = 0.08
    no_bypass: float = 0.05
    bypass_same_lesion: float = 0.02
    wrong_side_dx: float = 0.02
    missing_side_modifier: float = 0.10
    wrong_site_code: float = 0.02
    wrong_size_code: float = 0.06
    benign_code_malignant: float = 0.06
    per_lesion_units: float = 0.03
    ak_addon_over: float = 0.04
    orphan_addon: float = 0.005
    screening_pointer: float = 0.015
    cross_pointer: float = 0.01  # a line pointed at another problem's diagnosis
    ndc_missing: float = 0.10
    g2211_with_25: float = 0.15
    excision_with_att: float = 0.10
    unspecified_side_dx: float = 0.03
    wrong_site_dx: float = 0.008  # a neighbouring site's subcode (C44.41 for a face BCC)
    wrong_side_modifier: float = 0.035  # RT on a left lesion, E1 for a right eyelid
    wrong_mohs_site: float = 0.07  # 17313 for a head/neck/hand lesion, or the reverse
    count_code_under: float = 0.20  # 17110 for 15+ benign, 11900 for 8+ injected lesions
    ak_17004_few: float = 0.03  # 17004 for 8-14 AKs
    mi0_pair_billed: float = 0.06  # 17004 + 17000, 17111 + 17110, 11901 + 11900
    biopsy_primary_units: float = 0.02  # 11102 x n instead of 11102 + 11103 x (n-1)
    second_biopsy_primary: float = 0.02  # two primaries instead of primary + add-on
    wrong_57_for_25: float = 0.006  # 57 on an E/M with a 000/010 procedure
    modifier_25_on_procedure: float = 0.015  # 25 on the procedure line too
    # documentation (the claim system's record of the chart)
    no_separate_em_note: float = 0.15
    no_symptoms_doc: float = 0.15
    no_size_doc: float = 0.03
    no_margins_doc: float = 0.06
    no_pathology_attached: float = 0.12
    no_necessity_note: float = 0.08
    no_prior_treatment_doc: float = 0.12
    # front desk
    no_prior_auth: float = 0.05
    auth_sibling_code: float = 0.03
    no_referral: float = 0.015
    eligibility_unverified: float = 0.10
    billed_lapsed: float = 0.004
    credential_flag_unknown: float = 0.05
    late_submission: float = 0.03
    duplicate: float = 0.004
    nonphysician_mohs: float = 0.01
    # practice behaviour (not errors: not scaled)
    em_with_procedure: float = 0.62
    em_with_mohs: float = 0.20
    corrected_share: float = 0.45
    correction_right: float = 0.85
    lesion_fields_missing: float = 0.02
    telehealth_share: float = 0.04


class PracticeProfile(_Frozen):
    """A whole practice: payers, providers, habits, default volume and window."""

    name: str
    description: str
    payers: tuple[PayerProfile, ...]
    providers: tuple[ProviderProfile, ...]
    habits: Habits = Field(default_factory=Habits)
    claims: int = 300_000
    start: date = date(2025, 1, 1)
    end: date = date(2026, 6, 30)
    place_of_service_mix: dict[str, float] = Field(
        default_factory=lambda: {"11": 0.97, "22": 0.02, "24": 0.01})

    def payer(self, payer_id: str) -> PayerProfile:
        """The payer with this id (KeyError when the practice has none)."""
        for p in self.payers:
            if p.id == payer_id:
                return p
        raise KeyError(payer_id)

    @property
    def payer_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.payers)
