"""`valley`: a second practice with its own payer ids, rules and habits.

Four payers as its clearinghouse names them: a Medicare MAC ("12502"), a Medicare
Advantage HMO ("H5521"), a state Medicaid managed-care plan ("TXMCD", 95-day filing,
NDC and RT/LT required, 20 phototherapy sessions a year) and a Blue Cross PPO ("00590",
120-day filing, accepts 59). Its quiet change: from 2025-10-01 the PPO applies the
benign-lesion LCD (symptoms documented) to shaves and benign excisions. Coders slip on
laterality more often, use 59 where XS fits, and document less; ~40k claims over 18
months.
"""

from __future__ import annotations

from datetime import date

from reference.families import EXCIMER_CODES, MOHS_CODES, PHOTOTHERAPY_CODES
from synthetic_data.profiles.model import (
    BIOLOGICS,
    Benefits,
    Habits,
    PayerProfile,
    PracticeProfile,
    ProviderProfile,
    RuleChange,
)

PAYERS = (
    PayerProfile(
        id="12502", name="Medicare Part B (MAC jurisdiction H)", archetype="medicare_ffs",
        share=0.36, age_mix=(0.0, 0.07, 0.93), member_id_shape="NLDLDLDLLDD",
        filing_limit_days=365, em25_review_rate=0.03, admin_error_rate=0.004,
        eligibility_churn=0.5,
        benefits=Benefits(fee_factor=0.98, deductible=257.0, coinsurance=0.20,
                          met_elsewhere_days=110, sequestration=0.02),
        claim_number_prefix="21"),
    PayerProfile(
        id="H5521", name="Valley Medicare Advantage HMO", archetype="medicare_advantage",
        share=0.22, age_mix=(0.0, 0.04, 0.96), member_id_shape="HDDDDDDDDL",
        filing_limit_days=365, prior_auth_codes=MOHS_CODES[:2] + BIOLOGICS + EXCIMER_CODES,
        referral_required=True, em25_review_rate=0.10, ndc_required=True,
        strictness="strict", admin_error_rate=0.009, eligibility_churn=1.3,
        benefits=Benefits(fee_factor=0.97, coinsurance=0.20, em_copay=35.0),
        claim_number_prefix="E"),
    PayerProfile(
        id="TXMCD", name="State Medicaid managed care", archetype="medicaid", share=0.17,
        age_mix=(0.45, 0.52, 0.03), member_id_shape="DDDDDDDDD", filing_limit_days=95,
        prior_auth_codes=PHOTOTHERAPY_CODES + BIOLOGICS, photo_sessions_per_year=20,
        em25_review_rate=0.05, anatomic_modifiers_required=True, ndc_required=True,
        admin_error_rate=0.012, eligibility_churn=4.5,
        benefits=Benefits(fee_factor=0.68), claim_number_prefix="T"),
    PayerProfile(
        id="00590", name="Blue Cross PPO", archetype="commercial_ppo", share=0.25,
        age_mix=(0.16, 0.79, 0.05), member_id_shape="XOHDDDDDDDDD", filing_limit_days=120,
        em25_review_rate=0.20, ndc_required=True, admin_error_rate=0.006,
        rule_probability={"benign_removal_no_symptoms": 0.10},
        benefits=Benefits(fee_factor=1.25, deductible=2000.0, coinsurance=0.20,
                          em_copay=45.0),
        changes=(RuleChange(rule="benign_removal_no_symptoms", effective=date(2025, 10, 1),
                            probability=0.75,
                            note="adopts the benign-lesion LCD for shaves and excisions"),),
        claim_number_prefix="BC"),
)

PROVIDERS = (
    ProviderProfile(npi_base=145678901, kind="MD", mohs_surgeon=True, weight=1.3),
    ProviderProfile(npi_base=145686820, kind="MD", weight=1.2),
    ProviderProfile(npi_base=145694739, kind="DO", weight=1.1),
    ProviderProfile(npi_base=145702658, kind="NP", weight=1.0),
    ProviderProfile(npi_base=145710577, kind="NP", weight=0.9,
                    enrolled={"H5521": date(2024, 10, 1)}),
    ProviderProfile(npi_base=145718496, kind="PA", weight=0.9, starts=date(2025, 3, 3),
                    enrolled={"12502": date(2025, 4, 14), "H5521": date(2025, 5, 1),
                              "TXMCD": date(2025, 6, 2), "00590": date(2025, 4, 1)}),
)

HABITS = Habits(
    wrong_side_dx=0.07, missing_side_modifier=0.25, unspecified_side_dx=0.06,
    use_59_not_x=0.75, both_59_and_x=0.18, wrong_79_for_58=0.40, missing_24=0.25,
    no_separate_em_note=0.25, no_symptoms_doc=0.25, no_margins_doc=0.12,
    no_pathology_attached=0.20, no_necessity_note=0.15, ndc_missing=0.14,
    late_submission=0.04, corrected_share=0.30, em_with_procedure=0.55,
    lesion_fields_missing=0.08, wrong_size_code=0.08,
    wrong_site_dx=0.015, wrong_side_modifier=0.07, wrong_mohs_site=0.05,
    count_code_under=0.35, ak_17004_few=0.07, mi0_pair_billed=0.06,
    biopsy_primary_units=0.08, second_biopsy_primary=0.02, wrong_57_for_25=0.02,
    modifier_25_on_procedure=0.02, wrong_site_code=0.02, benign_code_malignant=0.05,
    cross_pointer=0.012,
)

VALLEY = PracticeProfile(
    name="valley",
    description="Four-payer practice (MAC, MA HMO, Medicaid MCO, BCBS PPO), 6 providers, "
                "more laterality slips and 59 use, less documentation.",
    payers=PAYERS, providers=PROVIDERS, habits=HABITS,
    claims=40_000, start=date(2024, 7, 1), end=date(2025, 12, 31),
)
